import { Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';

export const HEALTH_TARGET_TYPES = ['provider-credential', 'proxy'] as const;
export type HealthTargetType = (typeof HEALTH_TARGET_TYPES)[number];

/**
 * One health observation: a scheduled or manual check (`source` active), or a status change seen
 * on live traffic (`source` passive). Kept for HEALTH_HISTORY_RETENTION_DAYS; availability is
 * computed from the `ok` column.
 */
@Entity('health_checks')
@Index(['targetType', 'targetId', 'checkedAt'])
export class HealthCheck {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column({ type: 'varchar', length: 32 })
  targetType: HealthTargetType;

  /** The credential id (or the provider id for a provider without credentials), or the proxy id. */
  @Column({ type: 'uuid' })
  targetId: string;

  /** The provider of a credential target (null for proxies). */
  @Index()
  @Column({ type: 'uuid', nullable: true })
  providerId: string | null;

  @Column({ type: 'varchar', length: 16 })
  status: string;

  /** Whether this check passed (an answer under 400, or 429); availability counts these. */
  @Column({ type: 'boolean' })
  ok: boolean;

  @Column({ type: 'int', nullable: true })
  latencyMs: number | null;

  @Column({ type: 'text', nullable: true })
  error: string | null;

  @Column({ type: 'int', default: 0 })
  consecutiveFailures: number;

  @Column({ type: 'varchar', length: 8, default: 'active' })
  source: 'active' | 'passive';

  @Index()
  @Column({ type: 'timestamptz', default: () => 'now()' })
  checkedAt: Date;
}
