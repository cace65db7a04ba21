import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Anthropic's list price for prompt-cache writes (1.25× input) on the seeded Claude prices, kept
 * here as they were when this migration was written (a migration does not change with the seed file).
 */
const SEEDED_CACHE_WRITES: [model: string, inputPerM: number, cacheWritePerM: number][] = [
  ['claude-opus-4-1', 15, 18.75],
  ['claude-opus-4-0', 15, 18.75],
  ['claude-sonnet-4-5', 3, 3.75],
  ['claude-sonnet-4-0', 3, 3.75],
  ['claude-3-7-sonnet-latest', 3, 3.75],
  ['claude-haiku-4-5', 1, 1.25],
  ['claude-3-5-haiku-latest', 0.8, 1],
];

export class PriceCacheWrite1795748991300 implements MigrationInterface {
  name = 'PriceCacheWrite1795748991300';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "prices" ADD "cache_write_per_m" numeric(14,6)`);
    // Only seeded rows still at their list input price: a price an admin set is left as it is.
    for (const [model, input, write] of SEEDED_CACHE_WRITES)
      await queryRunner.query(
        `UPDATE "prices" SET "cache_write_per_m" = $3 WHERE "model" = $1 AND "provider_id" IS NULL
           AND "note" = 'seed list price' AND "input_per_m" = $2`,
        [model, input, write],
      );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "prices" DROP COLUMN "cache_write_per_m"`);
  }
}
