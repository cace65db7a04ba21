import { MigrationInterface, QueryRunner } from 'typeorm';

export class Memory1795641691060 implements MigrationInterface {
  name = 'Memory1795641691060';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE "sessions" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "user_id" uuid NOT NULL, "tenant_id" uuid NOT NULL, "api_key_id" uuid, "title" character varying(200), "system_prompt" text, "model" character varying(200), "max_context_tokens" integer, "message_count" integer NOT NULL DEFAULT '0', "token_count" integer NOT NULL DEFAULT '0', "trimmed_messages" integer NOT NULL DEFAULT '0', "trimmed_tokens" integer NOT NULL DEFAULT '0', "trimmed_at" TIMESTAMP WITH TIME ZONE, "summary" text, "summary_through" integer, "last_message_at" TIMESTAMP WITH TIME ZONE, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "deleted_at" TIMESTAMP WITH TIME ZONE, CONSTRAINT "PK_3238ef96f18b355b671619111bc" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(
      `CREATE INDEX "IDX_6966390277b26e53282076edb3" ON "sessions" ("tenant_id", "updated_at") `,
    );
    await queryRunner.query(
      `CREATE INDEX "IDX_bd934bbff308ada3b001098027" ON "sessions" ("user_id", "updated_at") `,
    );
    await queryRunner.query(
      `CREATE TABLE "session_messages" ("session_id" uuid NOT NULL, "seq" integer NOT NULL, "role" character varying(16) NOT NULL, "content" jsonb NOT NULL, "tokens" integer NOT NULL DEFAULT '0', "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_ccd99e1146888b989f2b33842fe" PRIMARY KEY ("session_id", "seq"))`,
    );
    await queryRunner.query(`ALTER TABLE "api_keys" ADD "memory_enabled" boolean NOT NULL DEFAULT true`);
    await queryRunner.query(
      `ALTER TABLE "sessions" ADD CONSTRAINT "FK_085d540d9f418cfbdc7bd55bb19" FOREIGN KEY ("user_id") REFERENCES "users"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "session_messages" ADD CONSTRAINT "FK_5c76ae848db745693cebc00aed5" FOREIGN KEY ("session_id") REFERENCES "sessions"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `ALTER TABLE "session_messages" DROP CONSTRAINT "FK_5c76ae848db745693cebc00aed5"`,
    );
    await queryRunner.query(`ALTER TABLE "sessions" DROP CONSTRAINT "FK_085d540d9f418cfbdc7bd55bb19"`);
    await queryRunner.query(`ALTER TABLE "api_keys" DROP COLUMN "memory_enabled"`);
    await queryRunner.query(`DROP TABLE "session_messages"`);
    await queryRunner.query(`DROP INDEX "public"."IDX_bd934bbff308ada3b001098027"`);
    await queryRunner.query(`DROP INDEX "public"."IDX_6966390277b26e53282076edb3"`);
    await queryRunner.query(`DROP TABLE "sessions"`);
  }
}
