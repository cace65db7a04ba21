import { Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';
import { numericTransformer } from '../common/numeric';

/** A usage_rollups row's key columns after `bucket` (its unique key), in column order. */
export const USAGE_ROLLUP_KEY = ['tenant_id', 'user_id', 'api_key_id', 'model', 'provider_id'];
/** Its sums besides `requests`, each over the usage-ledger column of the same name. */
export const USAGE_ROLLUP_COUNTERS = [
  'input_tokens',
  'output_tokens',
  'cached_tokens',
  'reasoning_tokens',
  'cost_usd',
];

/**
 * The usage ledger summed per UTC hour by tenant, user, key, model and provider: what reports,
 * `/v1/usage` and the budgets' warm-up read, so that their cost does not grow with the number of
 * requests (the ledger holds one row per billed request). Maintained in the same statement that
 * writes the ledger rows (LogWriter), from the rows it inserted, so the two always agree; kept as long
 * as the ledger (log retention does not touch either).
 */
@Entity('usage_rollups')
// (bucket, tenant_id, user_id, api_key_id, model, provider_id) NULLS NOT DISTINCT — created by the
// UsageRollups migration (TypeORM cannot express NULLS NOT DISTINCT).
@Index('UQ_usage_rollups_key', { synchronize: false })
@Index(['tenantId', 'bucket'])
@Index(['userId', 'bucket'])
@Index(['apiKeyId', 'bucket'])
export class UsageRollup {
  @PrimaryGeneratedColumn('increment', { type: 'bigint' })
  id: string;

  /** Start of the UTC hour. */
  @Column({ type: 'timestamptz' })
  bucket: Date;

  @Column({ type: 'uuid', nullable: true })
  tenantId: string | null;

  @Column({ type: 'uuid', nullable: true })
  userId: string | null;

  @Column({ type: 'uuid', nullable: true })
  apiKeyId: string | null;

  @Column({ type: 'varchar', length: 200 })
  model: string;

  @Column({ type: 'uuid', nullable: true })
  providerId: string | null;

  /** Ledger rows (billed requests). */
  @Column({ type: 'int', default: 0 })
  requests: number;

  @Column({ type: 'bigint', default: 0 })
  inputTokens: string;

  @Column({ type: 'bigint', default: 0 })
  outputTokens: string;

  @Column({ type: 'bigint', default: 0 })
  cachedTokens: string;

  @Column({ type: 'bigint', default: 0 })
  reasoningTokens: string;

  @Column({ type: 'numeric', precision: 18, scale: 9, default: 0, transformer: numericTransformer })
  costUsd: number;
}
