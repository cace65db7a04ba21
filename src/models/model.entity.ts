import {
  Column,
  CreateDateColumn,
  Entity,
  Index,
  JoinColumn,
  ManyToOne,
  OneToMany,
  PrimaryGeneratedColumn,
  UpdateDateColumn,
} from 'typeorm';
import { Provider } from '../providers/provider.entity';

export const MODEL_TYPES = ['chat', 'embedding'] as const;
export type ModelType = (typeof MODEL_TYPES)[number];
export const ROUTING_STRATEGIES = [
  'weighted-random',
  'priority',
  'round-robin',
  'least-latency',
  'lowest-cost',
] as const;
export type RoutingStrategy = (typeof ROUTING_STRATEGIES)[number];

/** A public model name clients send (`gpt-4o`, `my-fast-model`), mapped to one or more routes. */
@Entity('models')
export class Model {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column({ type: 'varchar', length: 200, unique: true })
  name: string;

  @Column({ type: 'varchar', length: 16, default: 'chat' })
  type: ModelType;

  @Column({ type: 'text', nullable: true })
  description: string | null;

  @Column({ type: 'boolean', default: true })
  enabled: boolean;

  @Column({ type: 'varchar', length: 32, default: 'weighted-random' })
  strategy: RoutingStrategy;

  /** Most upstream attempts per request (failover). */
  @Column({ type: 'int', default: 3 })
  maxAttempts: number;

  /** Sticky routing: the same key (or X-Session-Id) keeps its route for `stickyTtlSeconds`. */
  @Column({ type: 'boolean', default: false })
  sticky: boolean;

  @Column({ type: 'int', default: 600 })
  stickyTtlSeconds: number;

  @OneToMany(() => ModelRoute, (r) => r.model)
  routes?: ModelRoute[];

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt: Date;

  @UpdateDateColumn({ type: 'timestamptz' })
  updatedAt: Date;
}

/** One (provider, upstream model) pair behind a public model. */
@Entity('model_routes')
export class ModelRoute {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Index()
  @Column({ type: 'uuid' })
  modelId: string;

  @ManyToOne(() => Model, (m) => m.routes, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'model_id' })
  model?: Model;

  @Index()
  @Column({ type: 'uuid' })
  providerId: string;

  @ManyToOne(() => Provider, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'provider_id' })
  provider?: Provider;

  @Column({ type: 'varchar', length: 200 })
  upstreamModel: string;

  @Column({ type: 'int', default: 1 })
  weight: number;

  /** Higher goes first with the `priority` strategy. */
  @Column({ type: 'int', default: 0 })
  priority: number;

  @Column({ type: 'boolean', default: true })
  enabled: boolean;

  @Column({ type: 'boolean', default: true })
  supportsTools: boolean;

  @Column({ type: 'boolean', default: true })
  supportsStructuredOutput: boolean;

  @Column({ type: 'boolean', default: true })
  supportsVision: boolean;

  /** Forward selected client headers (e.g. `anthropic-beta`) to this upstream. */
  @Column({ type: 'boolean', default: false })
  headerPassthrough: boolean;

  /** Blended USD per 1M tokens, used by `lowest-cost` until the price table exists. */
  @Column({ type: 'double precision', default: 0 })
  cost: number;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt: Date;

  @UpdateDateColumn({ type: 'timestamptz' })
  updatedAt: Date;
}
