import { MigrationInterface, QueryRunner } from 'typeorm';

export class Alerts1795640411098 implements MigrationInterface {
  name = 'Alerts1795640411098';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE "alert_channels" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "name" character varying(100) NOT NULL, "type" character varying(16) NOT NULL, "config" jsonb NOT NULL DEFAULT '{}', "secrets_sealed" text, "enabled" boolean NOT NULL DEFAULT true, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "UQ_ebdb67ee352ccf0cd96cc3f8ee2" UNIQUE ("name"), CONSTRAINT "PK_da89e9de0358309fb2ec1617e65" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(
      `CREATE TABLE "alert_rules" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "name" character varying(100) NOT NULL, "event_type" character varying(32) NOT NULL, "enabled" boolean NOT NULL DEFAULT true, "channel_ids" uuid array NOT NULL DEFAULT '{}', "cooldown_seconds" integer NOT NULL DEFAULT '300', "provider_id" uuid, "proxy_id" uuid, "model" character varying(200), "threshold" double precision, "window_seconds" integer NOT NULL DEFAULT '300', "min_requests" integer NOT NULL DEFAULT '20', "severity" character varying(16), "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "UQ_80f53825e307f276e5c91c6ab3a" UNIQUE ("name"), CONSTRAINT "PK_ae580564f087ffab9d229225aec" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(
      `CREATE TABLE "alerts" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "rule_id" uuid, "rule_name" character varying(100) NOT NULL, "event_type" character varying(32) NOT NULL, "severity" character varying(16) NOT NULL, "title" character varying(300) NOT NULL, "message" text NOT NULL, "payload" jsonb NOT NULL DEFAULT '{}', "dedupe_key" character varying(300) NOT NULL, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_60f895662df096bfcdfab7f4b96" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(`CREATE INDEX "IDX_a03c8afb3e29b85c8feccd730e" ON "alerts" ("rule_id") `);
    await queryRunner.query(`CREATE INDEX "IDX_9a56f667c22a7afc04b8a45f83" ON "alerts" ("created_at") `);
    await queryRunner.query(
      `CREATE INDEX "IDX_ee546bf5f3ae5b080ac6796a3c" ON "alerts" ("event_type", "created_at") `,
    );
    await queryRunner.query(
      `CREATE TABLE "alert_deliveries" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "alert_id" uuid NOT NULL, "channel_id" uuid, "channel_name" character varying(100) NOT NULL, "channel_type" character varying(16) NOT NULL, "status" character varying(16) NOT NULL DEFAULT 'pending', "attempts" integer NOT NULL DEFAULT '0', "history" jsonb NOT NULL DEFAULT '[]', "last_error" text, "sent_at" TIMESTAMP WITH TIME ZONE, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_b3d51c95891264fb62df41582ad" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(
      `CREATE INDEX "IDX_a108eeb75805549672c45e4a5a" ON "alert_deliveries" ("alert_id") `,
    );
    await queryRunner.query(
      `CREATE INDEX "IDX_c7fac5bf7980ac532301beca4f" ON "alert_deliveries" ("status") `,
    );
    await queryRunner.query(
      `ALTER TABLE "alert_deliveries" ADD CONSTRAINT "FK_a108eeb75805549672c45e4a5a9" FOREIGN KEY ("alert_id") REFERENCES "alerts"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `ALTER TABLE "alert_deliveries" DROP CONSTRAINT "FK_a108eeb75805549672c45e4a5a9"`,
    );
    await queryRunner.query(`DROP INDEX "public"."IDX_c7fac5bf7980ac532301beca4f"`);
    await queryRunner.query(`DROP INDEX "public"."IDX_a108eeb75805549672c45e4a5a"`);
    await queryRunner.query(`DROP TABLE "alert_deliveries"`);
    await queryRunner.query(`DROP INDEX "public"."IDX_ee546bf5f3ae5b080ac6796a3c"`);
    await queryRunner.query(`DROP INDEX "public"."IDX_9a56f667c22a7afc04b8a45f83"`);
    await queryRunner.query(`DROP INDEX "public"."IDX_a03c8afb3e29b85c8feccd730e"`);
    await queryRunner.query(`DROP TABLE "alerts"`);
    await queryRunner.query(`DROP TABLE "alert_rules"`);
    await queryRunner.query(`DROP TABLE "alert_channels"`);
  }
}
