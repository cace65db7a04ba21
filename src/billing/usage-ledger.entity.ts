import { Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';
import { numericTransformer } from '../common/numeric';

/**
 * The usage ledger: one row per billed gateway request (written in batches with its log row's
 * cost), kept whatever the log retention (its own, LEDGER_RETENTION_DAYS, is off by default).
 * Reports, `/v1/usage` and the budgets' warm-up read its hourly sums (`usage_rollups`, written in the
 * same statement) and, for the part-hours at the edges of a period, its rows by time.
 */
@Entity('usage_ledger')
@Index(['createdAt'])
export class UsageLedgerEntry {
  /** Made by the gateway per request, so a retried batch insert cannot bill a request twice. */
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column({ type: 'timestamptz' })
  createdAt: Date;

  /** The request id the client saw (x-request-id); not unique — clients may reuse theirs. */
  @Column({ type: 'varchar', length: 128 })
  requestId: string;

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

  @Column({ type: 'varchar', length: 200, nullable: true })
  upstreamModel: string | null;

  @Column({ type: 'int', default: 0 })
  inputTokens: number;

  @Column({ type: 'int', default: 0 })
  outputTokens: number;

  @Column({ type: 'int', default: 0 })
  cachedTokens: number;

  @Column({ type: 'int', default: 0 })
  reasoningTokens: number;

  @Column({ type: 'numeric', precision: 18, scale: 9, default: 0, transformer: numericTransformer })
  costUsd: number;

  /** Tokens were counted locally (upstream reported none, or the stream was cut). */
  @Column({ type: 'boolean', default: false })
  estimated: boolean;

  /** The price row used (null: no price known — cost 0). */
  @Column({ type: 'uuid', nullable: true })
  priceId: string | null;
}
