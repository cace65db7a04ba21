import { Column, CreateDateColumn, Entity, Index, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';
import { numericTransformer } from '../common/numeric';

/**
 * A list price in USD per one million tokens. `model` is a public model name or an upstream model
 * name; `providerId` narrows an upstream price to one provider. Several rows for the same model with
 * different `effectiveFrom` form its price history: the newest one that has started applies.
 */
@Entity('prices')
// Unique with NULLS NOT DISTINCT (one general price per model and start date), which TypeORM
// cannot express: the Billing migration creates it, and the schema diff leaves it alone.
// (model, provider_id, effective_from)
@Index('UQ_prices_model_provider_from', { synchronize: false })
export class Price {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column({ type: 'varchar', length: 200 })
  model: string;

  @Column({ type: 'uuid', nullable: true })
  providerId: string | null;

  @Column({ type: 'numeric', precision: 14, scale: 6, transformer: numericTransformer })
  inputPerM: number;

  @Column({ type: 'numeric', precision: 14, scale: 6, transformer: numericTransformer })
  outputPerM: number;

  /** Cache reads; null = charged as ordinary input. */
  @Column({ type: 'numeric', precision: 14, scale: 6, nullable: true, transformer: numericTransformer })
  cachedInputPerM: number | null;

  /** Cache writes (Anthropic `cache_creation_input_tokens`); null = charged as ordinary input. */
  @Column({ type: 'numeric', precision: 14, scale: 6, nullable: true, transformer: numericTransformer })
  cacheWritePerM: number | null;

  /** Reasoning (thinking) output; null = charged as ordinary output. */
  @Column({ type: 'numeric', precision: 14, scale: 6, nullable: true, transformer: numericTransformer })
  reasoningPerM: number | null;

  /** Always set by the service (the epoch for "always"). */
  @Column({ type: 'timestamptz' })
  effectiveFrom: Date;

  @Column({ type: 'varchar', length: 300, nullable: true })
  note: string | null;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt: Date;

  @UpdateDateColumn({ type: 'timestamptz' })
  updatedAt: Date;
}
