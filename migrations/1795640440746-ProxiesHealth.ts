import { MigrationInterface, QueryRunner } from 'typeorm';

export class ProxiesHealth1795640440746 implements MigrationInterface {
  name = 'ProxiesHealth1795640440746';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE "proxies" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "name" character varying(100) NOT NULL, "url" character varying(500) NOT NULL, "auth_sealed" text, "enabled" boolean NOT NULL DEFAULT true, "weight" integer NOT NULL DEFAULT '1', "tags" text array NOT NULL DEFAULT '{}', "check_url" character varying(500), "last_status" character varying(16) NOT NULL DEFAULT 'unknown', "last_latency_ms" integer, "last_error" text, "last_checked_at" TIMESTAMP WITH TIME ZONE, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "UQ_d89770ee7d4b5e396ff3f325e84" UNIQUE ("name"), CONSTRAINT "PK_c66b4253ef600a915c610015093" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(
      `CREATE TABLE "health_checks" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "target_type" character varying(32) NOT NULL, "target_id" uuid NOT NULL, "provider_id" uuid, "status" character varying(16) NOT NULL, "ok" boolean NOT NULL, "latency_ms" integer, "error" text, "consecutive_failures" integer NOT NULL DEFAULT '0', "source" character varying(8) NOT NULL DEFAULT 'active', "checked_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_d44fff043c925e9cb7790950160" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(
      `CREATE INDEX "IDX_27ec10595f967ff6e46a1a607c" ON "health_checks" ("provider_id") `,
    );
    await queryRunner.query(
      `CREATE INDEX "IDX_392c25a04dc11b22a55ae5917b" ON "health_checks" ("checked_at") `,
    );
    await queryRunner.query(
      `CREATE INDEX "IDX_da79ba6b2ffc286aeb676d4710" ON "health_checks" ("target_type", "target_id", "checked_at") `,
    );
    await queryRunner.query(
      `ALTER TABLE "providers" ADD "proxy_mode" character varying(16) NOT NULL DEFAULT 'none'`,
    );
    await queryRunner.query(`ALTER TABLE "providers" ADD "proxy_id" uuid`);
    await queryRunner.query(`ALTER TABLE "providers" ADD "proxy_tag" character varying(64)`);
    await queryRunner.query(
      `ALTER TABLE "providers" ADD "proxy_strategy" character varying(16) NOT NULL DEFAULT 'round-robin'`,
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "providers" DROP COLUMN "proxy_strategy"`);
    await queryRunner.query(`ALTER TABLE "providers" DROP COLUMN "proxy_tag"`);
    await queryRunner.query(`ALTER TABLE "providers" DROP COLUMN "proxy_id"`);
    await queryRunner.query(`ALTER TABLE "providers" DROP COLUMN "proxy_mode"`);
    await queryRunner.query(`DROP INDEX "public"."IDX_da79ba6b2ffc286aeb676d4710"`);
    await queryRunner.query(`DROP INDEX "public"."IDX_392c25a04dc11b22a55ae5917b"`);
    await queryRunner.query(`DROP INDEX "public"."IDX_27ec10595f967ff6e46a1a607c"`);
    await queryRunner.query(`DROP TABLE "health_checks"`);
    await queryRunner.query(`DROP TABLE "proxies"`);
  }
}
