import { MigrationInterface, QueryRunner } from 'typeorm';

export class RequestRollups1795644494595 implements MigrationInterface {
  name = 'RequestRollups1795644494595';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX "public"."IDX_3f76c75affc63fa57ec781ed9b"`);
    await queryRunner.query(
      `CREATE TABLE "request_rollups" ("id" BIGSERIAL NOT NULL, "width" smallint NOT NULL DEFAULT '1', "bucket" TIMESTAMP WITH TIME ZONE NOT NULL, "api_key_id" uuid, "user_id" uuid, "tenant_id" uuid, "model" character varying(200), "provider_id" uuid, "provider_name" character varying(100), "requests" integer NOT NULL DEFAULT '0', "errors" integer NOT NULL DEFAULT '0', "input_tokens" bigint NOT NULL DEFAULT '0', "output_tokens" bigint NOT NULL DEFAULT '0', "cost_usd" numeric(18,9) NOT NULL DEFAULT '0', "lat_b0" integer NOT NULL DEFAULT '0', "lat_b1" integer NOT NULL DEFAULT '0', "lat_b2" integer NOT NULL DEFAULT '0', "lat_b3" integer NOT NULL DEFAULT '0', "lat_b4" integer NOT NULL DEFAULT '0', "lat_b5" integer NOT NULL DEFAULT '0', "lat_b6" integer NOT NULL DEFAULT '0', "lat_b7" integer NOT NULL DEFAULT '0', "lat_b8" integer NOT NULL DEFAULT '0', "lat_b9" integer NOT NULL DEFAULT '0', "lat_b10" integer NOT NULL DEFAULT '0', "lat_b11" integer NOT NULL DEFAULT '0', "lat_b12" integer NOT NULL DEFAULT '0', "lat_b13" integer NOT NULL DEFAULT '0', "lat_b14" integer NOT NULL DEFAULT '0', "lat_b15" integer NOT NULL DEFAULT '0', CONSTRAINT "PK_b476ddb6ef5979c7be5589575e5" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(
      `CREATE UNIQUE INDEX "UQ_request_rollups_key" ON "request_rollups" ("width", "bucket", "api_key_id", "user_id", "tenant_id", "model", "provider_id") NULLS NOT DISTINCT`,
    );
    await queryRunner.query(
      `CREATE INDEX "IDX_68f1495eeede1174a3ddde5912" ON "request_rollups" ("width", "user_id", "bucket") `,
    );
    await queryRunner.query(
      `CREATE INDEX "IDX_3b0ca20f0ef1af202964c0d810" ON "request_rollups" ("width", "bucket") `,
    );
    await queryRunner.query(
      `CREATE INDEX "IDX_750085b48b9e33b2a1dd0dff29" ON "request_logs" ("status", "created_at") `,
    );
    await queryRunner.query(
      `CREATE INDEX "IDX_6681f1b60610e7ef20fb109ca8" ON "request_logs" ("provider_id", "created_at") `,
    );
    await queryRunner.query(
      `CREATE INDEX "IDX_57de17e009dcb5eb782b403573" ON "request_logs" ("user_id", "created_at") `,
    );
    // Existing logs: their rollups (per minute and per hour), so the dashboard keeps its history.
    const buckets = [25, 50, 100, 200, 300, 500, 750, 1000, 1500, 2000, 3000, 5000, 10000, 20000, 60000];
    const lat = buckets
      .map(
        (b, i) =>
          `COUNT(*) FILTER (WHERE latency_ms <= ${b}${i ? ` AND latency_ms > ${buckets[i - 1]}` : ''})`,
      )
      .concat(`COUNT(*) FILTER (WHERE latency_ms > ${buckets[buckets.length - 1]})`);
    for (const [width, unit] of [
      [1, 'minute'],
      [60, 'hour'],
    ] as const) {
      await queryRunner.query(
        `INSERT INTO "request_rollups" (width, bucket, api_key_id, user_id, tenant_id, model, provider_id, provider_name, requests, errors, input_tokens, output_tokens, cost_usd, ${lat.map((_, i) => `lat_b${i}`).join(', ')})
         SELECT ${width}, date_trunc('${unit}', created_at), api_key_id, user_id, tenant_id, model, provider_id, MAX(provider_name),
           COUNT(*), COUNT(*) FILTER (WHERE status >= 400), SUM(input_tokens), SUM(output_tokens), SUM(cost_usd), ${lat.join(', ')}
         FROM "request_logs" GROUP BY 2, 3, 4, 5, 6, 7`,
      );
    }
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX "public"."IDX_57de17e009dcb5eb782b403573"`);
    await queryRunner.query(`DROP INDEX "public"."IDX_6681f1b60610e7ef20fb109ca8"`);
    await queryRunner.query(`DROP INDEX "public"."IDX_750085b48b9e33b2a1dd0dff29"`);
    await queryRunner.query(`DROP INDEX "public"."IDX_3b0ca20f0ef1af202964c0d810"`);
    await queryRunner.query(`DROP INDEX "public"."IDX_68f1495eeede1174a3ddde5912"`);
    await queryRunner.query(`DROP INDEX "public"."UQ_request_rollups_key"`);
    await queryRunner.query(`DROP TABLE "request_rollups"`);
    await queryRunner.query(
      `CREATE INDEX "IDX_3f76c75affc63fa57ec781ed9b" ON "request_logs" ("provider_id") `,
    );
  }
}
