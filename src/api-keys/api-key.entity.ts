import {
  Column,
  CreateDateColumn,
  Entity,
  Index,
  JoinColumn,
  ManyToOne,
  PrimaryGeneratedColumn,
  UpdateDateColumn,
} from 'typeorm';
import { User } from '../users/user.entity';

/** What a key may be used for: chat (Chat Completions, Responses, Messages, generateContent, token counts), legacy completions, embeddings, model lists, its own usage, server-side sessions. */
export const KEY_SCOPES = ['chat', 'completions', 'embeddings', 'models', 'usage', 'sessions'] as const;
export type KeyScope = (typeof KEY_SCOPES)[number];

export interface KeyModelLimit {
  model: string;
  rpm?: number | null;
  tpm?: number | null;
}

/**
 * A gateway API key (`sk-…`). The secret is shown once at creation; only its SHA-256 and a short
 * visible prefix are stored.
 */
@Entity('api_keys')
export class ApiKey {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column({ type: 'varchar', length: 100 })
  name: string;

  /** First characters of the secret, safe to show (`sk-AbCd123`, 10 characters). */
  @Column({ type: 'varchar', length: 16 })
  prefix: string;

  @Index({ unique: true })
  @Column({ type: 'char', length: 64, select: false })
  keyHash: string;

  @Index()
  @Column({ type: 'uuid' })
  userId: string;

  @ManyToOne(() => User, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'user_id' })
  user?: User;

  /** Public model names this key may use; empty means all. */
  @Column({ type: 'text', array: true, default: () => "'{}'" })
  allowedModels: string[];

  @Column({ type: 'timestamptz', nullable: true })
  expiresAt: Date | null;

  /** Requests per minute (null: unlimited). */
  @Column({ type: 'int', nullable: true })
  rpmLimit: number | null;

  /** Tokens (input + output) per minute (null: unlimited). */
  @Column({ type: 'int', nullable: true })
  tpmLimit: number | null;

  /** Extra limits per public model. */
  @Column({ type: 'jsonb', default: () => "'[]'" })
  modelLimits: KeyModelLimit[];

  /** Gateway operations the key may call (KEY_SCOPES); empty = all. */
  @Column({ type: 'text', array: true, default: () => "'{}'" })
  scopes: string[];

  /** Client IPs / CIDR ranges allowed to use the key; empty = any. */
  @Column({ type: 'text', array: true, default: () => "'{}'" })
  allowedIps: string[];

  @Column({ type: 'boolean', default: true })
  enabled: boolean;

  @Column({ type: 'timestamptz', nullable: true })
  lastUsedAt: Date | null;

  /** Server-side sessions (memory) for this key; false = session ids are only sticky-routing keys. */
  @Column({ type: 'boolean', default: true })
  memoryEnabled: boolean;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt: Date;

  @UpdateDateColumn({ type: 'timestamptz' })
  updatedAt: Date;
}
