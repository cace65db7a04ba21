import { MigrationInterface, QueryRunner } from 'typeorm';

export class Models1795633534277 implements MigrationInterface {
  name = 'Models1795633534277';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE "models" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "name" character varying(200) NOT NULL, "type" character varying(16) NOT NULL DEFAULT 'chat', "description" text, "enabled" boolean NOT NULL DEFAULT true, "strategy" character varying(32) NOT NULL DEFAULT 'weighted-random', "max_attempts" integer NOT NULL DEFAULT '3', "sticky" boolean NOT NULL DEFAULT false, "sticky_ttl_seconds" integer NOT NULL DEFAULT '600', "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "UQ_3492c71396207453cf17c0928fb" UNIQUE ("name"), CONSTRAINT "PK_ef9ed7160ea69013636466bf2d5" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(
      `CREATE TABLE "model_routes" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "model_id" uuid NOT NULL, "provider_id" uuid NOT NULL, "upstream_model" character varying(200) NOT NULL, "weight" integer NOT NULL DEFAULT '1', "priority" integer NOT NULL DEFAULT '0', "enabled" boolean NOT NULL DEFAULT true, "supports_tools" boolean NOT NULL DEFAULT true, "supports_structured_output" boolean NOT NULL DEFAULT true, "supports_vision" boolean NOT NULL DEFAULT true, "header_passthrough" boolean NOT NULL DEFAULT false, "cost" double precision NOT NULL DEFAULT '0', "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_510bb7e7d205f8fde250eb7d813" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(`CREATE INDEX "IDX_7ad0154f4fd399a91f5597aad5" ON "model_routes" ("model_id") `);
    await queryRunner.query(
      `CREATE INDEX "IDX_451228da6096e07eaf00e9d52d" ON "model_routes" ("provider_id") `,
    );
    await queryRunner.query(
      `ALTER TABLE "model_routes" ADD CONSTRAINT "FK_7ad0154f4fd399a91f5597aad5c" FOREIGN KEY ("model_id") REFERENCES "models"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "model_routes" ADD CONSTRAINT "FK_451228da6096e07eaf00e9d52d3" FOREIGN KEY ("provider_id") REFERENCES "providers"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "model_routes" DROP CONSTRAINT "FK_451228da6096e07eaf00e9d52d3"`);
    await queryRunner.query(`ALTER TABLE "model_routes" DROP CONSTRAINT "FK_7ad0154f4fd399a91f5597aad5c"`);
    await queryRunner.query(`DROP INDEX "public"."IDX_451228da6096e07eaf00e9d52d"`);
    await queryRunner.query(`DROP INDEX "public"."IDX_7ad0154f4fd399a91f5597aad5"`);
    await queryRunner.query(`DROP TABLE "model_routes"`);
    await queryRunner.query(`DROP TABLE "models"`);
  }
}
