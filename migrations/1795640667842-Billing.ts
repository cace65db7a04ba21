import { MigrationInterface, QueryRunner } from 'typeorm';
import seed from '../src/billing/seed-prices.json';

interface SeedPrice {
  model: string;
  inputPerM: number;
  outputPerM: number;
  cachedInputPerM?: number;
  reasoningPerM?: number;
}

export class Billing1795640667842 implements MigrationInterface {
  name = 'Billing1795640667842';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE "budgets" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "scope" character varying(16) NOT NULL, "scope_id" uuid NOT NULL, "tenant_id" uuid NOT NULL, "period" character varying(16) NOT NULL, "amount_usd" numeric(14,6) NOT NULL, "thresholds" integer array NOT NULL DEFAULT '{80}', "enabled" boolean NOT NULL DEFAULT true, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_9c8a51748f82387644b773da482" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(`CREATE INDEX "IDX_9057940c4364457372df6b57ed" ON "budgets" ("tenant_id") `);
    await queryRunner.query(
      `CREATE UNIQUE INDEX "IDX_e42b7505f12e8adf6d0ddfdff1" ON "budgets" ("scope", "scope_id", "period") `,
    );
    await queryRunner.query(
      `CREATE TABLE "prices" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "model" character varying(200) NOT NULL, "provider_id" uuid, "input_per_m" numeric(14,6) NOT NULL, "output_per_m" numeric(14,6) NOT NULL, "cached_input_per_m" numeric(14,6), "reasoning_per_m" numeric(14,6), "effective_from" TIMESTAMP WITH TIME ZONE NOT NULL, "note" character varying(300), "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_2e40b9e4e631a53cd514d82ccd2" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(
      `CREATE UNIQUE INDEX "UQ_prices_model_provider_from" ON "prices" ("model", "provider_id", "effective_from") NULLS NOT DISTINCT`,
    );
    await queryRunner.query(
      `CREATE TABLE "usage_ledger" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "created_at" TIMESTAMP WITH TIME ZONE NOT NULL, "request_id" character varying(128) NOT NULL, "tenant_id" uuid, "user_id" uuid, "api_key_id" uuid, "model" character varying(200) NOT NULL, "provider_id" uuid, "upstream_model" character varying(200), "input_tokens" integer NOT NULL DEFAULT '0', "output_tokens" integer NOT NULL DEFAULT '0', "cached_tokens" integer NOT NULL DEFAULT '0', "reasoning_tokens" integer NOT NULL DEFAULT '0', "cost_usd" numeric(18,9) NOT NULL DEFAULT '0', "estimated" boolean NOT NULL DEFAULT false, "price_id" uuid, CONSTRAINT "PK_6fc3c8ac6eced66d0a08665aa4f" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(
      `CREATE INDEX "IDX_cc1737c3e72d22d59a58aea738" ON "usage_ledger" ("api_key_id", "created_at") `,
    );
    await queryRunner.query(
      `CREATE INDEX "IDX_60362963f070cd7d633fe960fe" ON "usage_ledger" ("user_id", "created_at") `,
    );
    await queryRunner.query(
      `CREATE INDEX "IDX_851a26153a6b75e59e9f844cd5" ON "usage_ledger" ("tenant_id", "created_at") `,
    );
    await queryRunner.query(
      `CREATE INDEX "IDX_da5eebf97737a379a1ddb662fc" ON "usage_ledger" ("created_at") `,
    );
    await queryRunner.query(`ALTER TABLE "api_keys" ADD "rpm_limit" integer`);
    await queryRunner.query(`ALTER TABLE "api_keys" ADD "tpm_limit" integer`);
    await queryRunner.query(`ALTER TABLE "api_keys" ADD "model_limits" jsonb NOT NULL DEFAULT '[]'`);
    await queryRunner.query(`ALTER TABLE "api_keys" ADD "allowed_ips" text array NOT NULL DEFAULT '{}'`);
    await queryRunner.query(`ALTER TABLE "request_logs" ADD "cost_usd" numeric(18,9) NOT NULL DEFAULT '0'`);
    // The shipped list prices (src/billing/seed-prices.json); editable afterwards through /api/prices.
    for (const p of seed.prices as SeedPrice[]) {
      await queryRunner.query(
        `INSERT INTO "prices" ("model", "input_per_m", "output_per_m", "cached_input_per_m", "reasoning_per_m", "effective_from", "note") VALUES ($1, $2, $3, $4, $5, 'epoch', 'seed list price')`,
        [p.model, p.inputPerM, p.outputPerM, p.cachedInputPerM ?? null, p.reasoningPerM ?? null],
      );
    }
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "request_logs" DROP COLUMN "cost_usd"`);
    await queryRunner.query(`ALTER TABLE "api_keys" DROP COLUMN "allowed_ips"`);
    await queryRunner.query(`ALTER TABLE "api_keys" DROP COLUMN "model_limits"`);
    await queryRunner.query(`ALTER TABLE "api_keys" DROP COLUMN "tpm_limit"`);
    await queryRunner.query(`ALTER TABLE "api_keys" DROP COLUMN "rpm_limit"`);
    await queryRunner.query(`DROP INDEX "public"."IDX_da5eebf97737a379a1ddb662fc"`);
    await queryRunner.query(`DROP INDEX "public"."IDX_851a26153a6b75e59e9f844cd5"`);
    await queryRunner.query(`DROP INDEX "public"."IDX_60362963f070cd7d633fe960fe"`);
    await queryRunner.query(`DROP INDEX "public"."IDX_cc1737c3e72d22d59a58aea738"`);
    await queryRunner.query(`DROP TABLE "usage_ledger"`);
    await queryRunner.query(`DROP INDEX "public"."UQ_prices_model_provider_from"`);
    await queryRunner.query(`DROP TABLE "prices"`);
    await queryRunner.query(`DROP INDEX "public"."IDX_e42b7505f12e8adf6d0ddfdff1"`);
    await queryRunner.query(`DROP INDEX "public"."IDX_9057940c4364457372df6b57ed"`);
    await queryRunner.query(`DROP TABLE "budgets"`);
  }
}
