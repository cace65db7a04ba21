import { MigrationInterface, QueryRunner } from 'typeorm';

export class UsageRollups1795736777588 implements MigrationInterface {
  name = 'UsageRollups1795736777588';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX "public"."IDX_cc1737c3e72d22d59a58aea738"`);
    await queryRunner.query(`DROP INDEX "public"."IDX_60362963f070cd7d633fe960fe"`);
    await queryRunner.query(`DROP INDEX "public"."IDX_851a26153a6b75e59e9f844cd5"`);
    await queryRunner.query(
      `CREATE TABLE "usage_rollups" ("id" BIGSERIAL NOT NULL, "bucket" TIMESTAMP WITH TIME ZONE NOT NULL, "tenant_id" uuid, "user_id" uuid, "api_key_id" uuid, "model" character varying(200) NOT NULL, "provider_id" uuid, "requests" integer NOT NULL DEFAULT '0', "input_tokens" bigint NOT NULL DEFAULT '0', "output_tokens" bigint NOT NULL DEFAULT '0', "cached_tokens" bigint NOT NULL DEFAULT '0', "reasoning_tokens" bigint NOT NULL DEFAULT '0', "cost_usd" numeric(18,9) NOT NULL DEFAULT '0', CONSTRAINT "PK_398b6772fa78a46f6eec8a59adf" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(
      `CREATE INDEX "IDX_5070665ed6d21c6b73fabf28a1" ON "usage_rollups" ("api_key_id", "bucket") `,
    );
    await queryRunner.query(
      `CREATE INDEX "IDX_8fd565953bbeb5f0ca510137c4" ON "usage_rollups" ("user_id", "bucket") `,
    );
    await queryRunner.query(
      `CREATE INDEX "IDX_da60bc29e8c6c694ab1ab9bc39" ON "usage_rollups" ("tenant_id", "bucket") `,
    );
    await queryRunner.query(
      `CREATE UNIQUE INDEX "UQ_usage_rollups_key" ON "usage_rollups" ("bucket", "tenant_id", "user_id", "api_key_id", "model", "provider_id") NULLS NOT DISTINCT`,
    );
    // The ledger so far, summed per UTC hour: reports and budgets read these from now on.
    await queryRunner.query(
      `INSERT INTO "usage_rollups" (bucket, tenant_id, user_id, api_key_id, model, provider_id, requests, input_tokens, output_tokens, cached_tokens, reasoning_tokens, cost_usd)
       SELECT date_trunc('hour', created_at, 'UTC'), tenant_id, user_id, api_key_id, model, provider_id, COUNT(*),
         SUM(input_tokens), SUM(output_tokens), SUM(cached_tokens), SUM(reasoning_tokens), SUM(cost_usd)
       FROM "usage_ledger" GROUP BY 1, 2, 3, 4, 5, 6`,
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX "public"."UQ_usage_rollups_key"`);
    await queryRunner.query(`DROP INDEX "public"."IDX_da60bc29e8c6c694ab1ab9bc39"`);
    await queryRunner.query(`DROP INDEX "public"."IDX_8fd565953bbeb5f0ca510137c4"`);
    await queryRunner.query(`DROP INDEX "public"."IDX_5070665ed6d21c6b73fabf28a1"`);
    await queryRunner.query(`DROP TABLE "usage_rollups"`);
    await queryRunner.query(
      `CREATE INDEX "IDX_851a26153a6b75e59e9f844cd5" ON "usage_ledger" ("tenant_id", "created_at") `,
    );
    await queryRunner.query(
      `CREATE INDEX "IDX_60362963f070cd7d633fe960fe" ON "usage_ledger" ("user_id", "created_at") `,
    );
    await queryRunner.query(
      `CREATE INDEX "IDX_cc1737c3e72d22d59a58aea738" ON "usage_ledger" ("api_key_id", "created_at") `,
    );
  }
}
