import { MigrationInterface, QueryRunner } from 'typeorm';

export class Providers1795633180410 implements MigrationInterface {
  name = 'Providers1795633180410';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE "providers" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "name" character varying(100) NOT NULL, "type" character varying(32) NOT NULL, "base_url" character varying(500) NOT NULL, "headers_sealed" text, "timeout_ms" integer NOT NULL DEFAULT '60000', "enabled" boolean NOT NULL DEFAULT true, "notes" text, "console_url" character varying(500), "config" jsonb NOT NULL DEFAULT '{}', "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "UQ_d735474e539e674ba3702eddc44" UNIQUE ("name"), CONSTRAINT "PK_af13fc2ebf382fe0dad2e4793aa" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(
      `CREATE TABLE "provider_credentials" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "provider_id" uuid NOT NULL, "label" character varying(100) NOT NULL, "secret_sealed" text NOT NULL, "hint" character varying(32) NOT NULL, "weight" integer NOT NULL DEFAULT '1', "enabled" boolean NOT NULL DEFAULT true, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_31f2884572a5fef8e25a08b5a59" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(
      `CREATE INDEX "IDX_f642f9a5c8c811ca8283e2766f" ON "provider_credentials" ("provider_id") `,
    );
    await queryRunner.query(
      `ALTER TABLE "provider_credentials" ADD CONSTRAINT "FK_f642f9a5c8c811ca8283e2766fb" FOREIGN KEY ("provider_id") REFERENCES "providers"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `ALTER TABLE "provider_credentials" DROP CONSTRAINT "FK_f642f9a5c8c811ca8283e2766fb"`,
    );
    await queryRunner.query(`DROP INDEX "public"."IDX_f642f9a5c8c811ca8283e2766f"`);
    await queryRunner.query(`DROP TABLE "provider_credentials"`);
    await queryRunner.query(`DROP TABLE "providers"`);
  }
}
