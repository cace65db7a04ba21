import { Column, CreateDateColumn, Entity, Index, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';
import type { BudgetScope } from '../common/events/domain-events';
import { numericTransformer } from '../common/numeric';

export const BUDGET_SCOPES = ['key', 'user', 'tenant'] as const;
export const BUDGET_PERIODS = ['daily', 'weekly', 'monthly', 'total'] as const;
export type BudgetPeriod = (typeof BUDGET_PERIODS)[number];

/**
 * A spending limit in USD on an API key, a user or a tenant, per period (UTC calendar periods;
 * `total` never resets — a quota). Crossing a soft threshold raises `budget.threshold`; reaching
 * `amountUsd` rejects further requests with a protocol-shaped 429 `insufficient_quota`.
 */
@Entity('budgets')
@Index(['scope', 'scopeId', 'period'], { unique: true })
export class Budget {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column({ type: 'varchar', length: 16 })
  scope: BudgetScope;

  @Column({ type: 'uuid' })
  scopeId: string;

  /** Tenant the scoped key/user/tenant belongs to (tenancy filter for reads). */
  @Index()
  @Column({ type: 'uuid' })
  tenantId: string;

  @Column({ type: 'varchar', length: 16 })
  period: BudgetPeriod;

  @Column({ type: 'numeric', precision: 14, scale: 6, transformer: numericTransformer })
  amountUsd: number;

  /** Soft thresholds in percent of the amount (e.g. 50, 80). */
  @Column({ type: 'int', array: true, default: () => "'{80}'" })
  thresholds: number[];

  @Column({ type: 'boolean', default: true })
  enabled: boolean;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt: Date;

  @UpdateDateColumn({ type: 'timestamptz' })
  updatedAt: Date;
}
