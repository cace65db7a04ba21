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
import type { ProxyMode, ProxyStrategy } from '../routing/runtime.types';

export const PROVIDER_TYPES = ['openai', 'openai-compatible', 'anthropic', 'gemini', 'mock'] as const;
export type ProviderType = (typeof PROVIDER_TYPES)[number];

/** An upstream LLM service (one base URL) with one or more credentials. */
@Entity('providers')
export class Provider {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column({ type: 'varchar', length: 100, unique: true })
  name: string;

  @Column({ type: 'varchar', length: 32 })
  type: ProviderType;

  @Column({ type: 'varchar', length: 500 })
  baseUrl: string;

  /** Extra request headers, sealed (AES-256-GCM JSON) because they often carry credentials. */
  @Column({ type: 'text', nullable: true })
  headersSealed: string | null;

  @Column({ type: 'int', default: 60000 })
  timeoutMs: number;

  @Column({ type: 'boolean', default: true })
  enabled: boolean;

  @Column({ type: 'text', nullable: true })
  notes: string | null;

  @Column({ type: 'varchar', length: 500, nullable: true })
  consoleUrl: string | null;

  /** Type-specific settings (e.g. the mock provider's latency and failure injection). */
  @Column({ type: 'jsonb', default: () => "'{}'" })
  config: Record<string, unknown>;

  /** Outbound proxy: `none` (direct), `single` (proxyId) or `pool` (optionally only proxies tagged proxyTag). */
  @Column({ type: 'varchar', length: 16, default: 'none' })
  proxyMode: ProxyMode;

  @Column({ type: 'uuid', nullable: true })
  proxyId: string | null;

  @Column({ type: 'varchar', length: 64, nullable: true })
  proxyTag: string | null;

  @Column({ type: 'varchar', length: 16, default: 'round-robin' })
  proxyStrategy: ProxyStrategy;

  @OneToMany(() => ProviderCredential, (c) => c.provider)
  credentials?: ProviderCredential[];

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt: Date;

  @UpdateDateColumn({ type: 'timestamptz' })
  updatedAt: Date;
}

/** One API key of a provider. Only ciphertext and a masked hint are stored. */
@Entity('provider_credentials')
export class ProviderCredential {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Index()
  @Column({ type: 'uuid' })
  providerId: string;

  @ManyToOne(() => Provider, (p) => p.credentials, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'provider_id' })
  provider?: Provider;

  @Column({ type: 'varchar', length: 100 })
  label: string;

  @Column({ type: 'text' })
  secretSealed: string;

  /** Masked form for display, e.g. `sk-…abcd`. */
  @Column({ type: 'varchar', length: 32 })
  hint: string;

  @Column({ type: 'int', default: 1 })
  weight: number;

  @Column({ type: 'boolean', default: true })
  enabled: boolean;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt: Date;

  @UpdateDateColumn({ type: 'timestamptz' })
  updatedAt: Date;
}
