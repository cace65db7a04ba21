import { MigrationInterface, QueryRunner } from 'typeorm';

export class RequestLogs1795633708411 implements MigrationInterface {
  name = 'RequestLogs1795633708411';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE "request_logs" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "created_at" TIMESTAMP WITH TIME ZONE NOT NULL, "request_id" character varying(128) NOT NULL, "protocol" character varying(16) NOT NULL, "endpoint" character varying(32) NOT NULL, "api_key_id" uuid, "user_id" uuid, "tenant_id" uuid, "model" character varying(200), "provider_id" uuid, "provider_name" character varying(100), "upstream_model" character varying(200), "attempts" jsonb NOT NULL DEFAULT '[]', "status" integer NOT NULL, "stream" boolean NOT NULL DEFAULT false, "latency_ms" integer NOT NULL, "ttft_ms" integer, "input_tokens" integer NOT NULL DEFAULT '0', "output_tokens" integer NOT NULL DEFAULT '0', "cached_tokens" integer NOT NULL DEFAULT '0', "reasoning_tokens" integer NOT NULL DEFAULT '0', "usage_estimated" boolean NOT NULL DEFAULT false, "client_ip" character varying(64), "user_agent" character varying(300), "error" text, "dropped_fields" text array NOT NULL DEFAULT '{}', CONSTRAINT "PK_1edd3815ae37a9b9511f5a26dca" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(
      `CREATE INDEX "IDX_3f76c75affc63fa57ec781ed9b" ON "request_logs" ("provider_id") `,
    );
    await queryRunner.query(
      `CREATE INDEX "IDX_2f2f12cab9a66e29af098b8b8b" ON "request_logs" ("model", "created_at") `,
    );
    await queryRunner.query(
      `CREATE INDEX "IDX_590852c1372bb79a6281c95e06" ON "request_logs" ("api_key_id", "created_at") `,
    );
    await queryRunner.query(
      `CREATE INDEX "IDX_87b7eb47f818e3858c6cbaec9e" ON "request_logs" ("created_at") `,
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX "public"."IDX_87b7eb47f818e3858c6cbaec9e"`);
    await queryRunner.query(`DROP INDEX "public"."IDX_590852c1372bb79a6281c95e06"`);
    await queryRunner.query(`DROP INDEX "public"."IDX_2f2f12cab9a66e29af098b8b8b"`);
    await queryRunner.query(`DROP INDEX "public"."IDX_3f76c75affc63fa57ec781ed9b"`);
    await queryRunner.query(`DROP TABLE "request_logs"`);
  }
}
