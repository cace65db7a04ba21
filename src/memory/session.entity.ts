import {
  Column,
  CreateDateColumn,
  Entity,
  Index,
  JoinColumn,
  ManyToOne,
  PrimaryColumn,
  PrimaryGeneratedColumn,
  UpdateDateColumn,
} from 'typeorm';
import type { CanonicalPart, CanonicalRole } from '../gateway/translate/canonical';
import { User } from '../users/user.entity';

/**
 * A server-side conversation (memory). It belongs to the user behind the API key that created it;
 * any of that user's keys may resume it. Deleting sets `deletedAt` (the session disappears at once);
 * `MemoryRetention` removes deleted and expired sessions with their messages.
 */
@Entity('sessions')
@Index(['userId', 'updatedAt'])
@Index(['tenantId', 'updatedAt'])
export class Session {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column({ type: 'uuid' })
  userId: string;

  @ManyToOne(() => User, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'user_id' })
  user?: User;

  @Column({ type: 'uuid' })
  tenantId: string;

  /** The key that created the session (no foreign key: sessions outlive deleted keys). */
  @Column({ type: 'uuid', nullable: true })
  apiKeyId: string | null;

  @Column({ type: 'varchar', length: 200, nullable: true })
  title: string | null;

  /** Sent as the system prompt when a request brings none of its own. */
  @Column({ type: 'text', nullable: true })
  systemPrompt: string | null;

  /** Informational default (the first model used when unset). */
  @Column({ type: 'varchar', length: 200, nullable: true })
  model: string | null;

  /** Context budget for history + new messages; null = the model's / MEMORY_MAX_CONTEXT_TOKENS. */
  @Column({ type: 'int', nullable: true })
  maxContextTokens: number | null;

  @Column({ type: 'int', default: 0 })
  messageCount: number;

  @Column({ type: 'int', default: 0 })
  tokenCount: number;

  /** Oldest stored messages left out of the context on the last request (0 = nothing trimmed). */
  @Column({ type: 'int', default: 0 })
  trimmedMessages: number;

  @Column({ type: 'int', default: 0 })
  trimmedTokens: number;

  @Column({ type: 'timestamptz', nullable: true })
  trimmedAt: Date | null;

  /** Summary of the oldest messages (MEMORY_SUMMARY_MODEL), sent in place of trimmed history. */
  @Column({ type: 'text', nullable: true })
  summary: string | null;

  /** Last message seq the summary covers (null = no summary). */
  @Column({ type: 'int', nullable: true })
  summaryThrough: number | null;

  @Column({ type: 'timestamptz', nullable: true })
  lastMessageAt: Date | null;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt: Date;

  @UpdateDateColumn({ type: 'timestamptz' })
  updatedAt: Date;

  @Column({ type: 'timestamptz', nullable: true })
  deletedAt: Date | null;
}

/** One message of a session in the canonical form; (session_id, seq) is the primary key. */
@Entity('session_messages')
export class SessionMessage {
  @PrimaryColumn({ type: 'uuid' })
  sessionId: string;

  @PrimaryColumn({ type: 'int' })
  seq: number;

  @ManyToOne(() => Session, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'session_id' })
  session?: Session;

  @Column({ type: 'varchar', length: 16 })
  role: CanonicalRole;

  @Column({ type: 'jsonb' })
  content: CanonicalPart[];

  /** Token count (gpt-tokenizer), used for context trimming. */
  @Column({ type: 'int', default: 0 })
  tokens: number;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt: Date;
}
