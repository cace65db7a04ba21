import { Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';
import { numericTransformer } from '../common/numeric';

/** Upper bounds (ms) of the latency histogram buckets; the last bucket is open-ended. */
export const LATENCY_BUCKETS_MS = [
  25, 50, 100, 200, 300, 500, 750, 1000, 1500, 2000, 3000, 5000, 10000, 20000, 60000,
];
export const LATENCY_COLUMNS = [
  ...LATENCY_BUCKETS_MS.map((_, i) => `lat_b${i}`),
  `lat_b${LATENCY_BUCKETS_MS.length}`,
];

/**
 * Per-minute and per-hour aggregates of request logs by key, user, tenant, model and provider, maintained in the
 * same statement that writes each log batch. The dashboard reads these instead of the raw log table
 * (which grows to millions of rows); latency percentiles come from the bucket counts.
 */
@Entity('request_rollups')
// (width, bucket, api_key_id, user_id, tenant_id, model, provider_id) NULLS NOT DISTINCT — created by the
// RequestRollups migration (TypeORM cannot express NULLS NOT DISTINCT).
@Index('UQ_request_rollups_key', { synchronize: false })
@Index(['width', 'bucket'])
@Index(['width', 'userId', 'bucket'])
export class RequestRollup {
  @PrimaryGeneratedColumn('increment', { type: 'bigint' })
  id: string;

  /** Bucket width in minutes: 1 (per minute) or 60 (per hour); both are maintained. */
  @Column({ type: 'smallint', default: 1 })
  width: number;

  /** Start of the minute (or hour). */
  @Column({ type: 'timestamptz' })
  bucket: Date;

  @Column({ type: 'uuid', nullable: true })
  apiKeyId: string | null;

  @Column({ type: 'uuid', nullable: true })
  userId: string | null;

  @Column({ type: 'uuid', nullable: true })
  tenantId: string | null;

  @Column({ type: 'varchar', length: 200, nullable: true })
  model: string | null;

  @Column({ type: 'uuid', nullable: true })
  providerId: string | null;

  @Column({ type: 'varchar', length: 100, nullable: true })
  providerName: string | null;

  @Column({ type: 'int', default: 0 })
  requests: number;

  @Column({ type: 'int', default: 0 })
  errors: number;

  @Column({ type: 'bigint', default: 0 })
  inputTokens: string;

  @Column({ type: 'bigint', default: 0 })
  outputTokens: string;

  @Column({ type: 'numeric', precision: 18, scale: 9, default: 0, transformer: numericTransformer })
  costUsd: number;

  @Column({ type: 'int', default: 0 }) lat_b0: number;
  @Column({ type: 'int', default: 0 }) lat_b1: number;
  @Column({ type: 'int', default: 0 }) lat_b2: number;
  @Column({ type: 'int', default: 0 }) lat_b3: number;
  @Column({ type: 'int', default: 0 }) lat_b4: number;
  @Column({ type: 'int', default: 0 }) lat_b5: number;
  @Column({ type: 'int', default: 0 }) lat_b6: number;
  @Column({ type: 'int', default: 0 }) lat_b7: number;
  @Column({ type: 'int', default: 0 }) lat_b8: number;
  @Column({ type: 'int', default: 0 }) lat_b9: number;
  @Column({ type: 'int', default: 0 }) lat_b10: number;
  @Column({ type: 'int', default: 0 }) lat_b11: number;
  @Column({ type: 'int', default: 0 }) lat_b12: number;
  @Column({ type: 'int', default: 0 }) lat_b13: number;
  @Column({ type: 'int', default: 0 }) lat_b14: number;
  @Column({ type: 'int', default: 0 }) lat_b15: number;
}

/** The latency at quantile `q` (0–1) from bucket counts, interpolated inside its bucket. */
export function percentileFromBuckets(counts: number[], q: number): number {
  const total = counts.reduce((a, b) => a + b, 0);
  if (!total) return 0;
  const rank = q * total;
  let seen = 0;
  for (let i = 0; i < counts.length; i++) {
    if (!counts[i]) continue;
    if (seen + counts[i] >= rank) {
      const lo = i === 0 ? 0 : LATENCY_BUCKETS_MS[i - 1];
      const hi = LATENCY_BUCKETS_MS[i] ?? lo * 2;
      return lo + ((rank - seen) / counts[i]) * (hi - lo);
    }
    seen += counts[i];
  }
  return LATENCY_BUCKETS_MS[LATENCY_BUCKETS_MS.length - 1];
}
