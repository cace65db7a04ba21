import { Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';
import { numericTransformer } from '../common/numeric';

export interface AttemptRecord {
  provider: string;
  providerId: string;
  upstreamModel: string;
  credentialId: string;
  status: number | null;
  latencyMs: number;
  error?: string;
}

/** One gateway request (written in batches, after the response). */
@Entity('request_logs')
@Index(['createdAt'])
@Index(['apiKeyId', 'createdAt'])
@Index(['model', 'createdAt'])
@Index(['userId', 'createdAt'])
@Index(['providerId', 'createdAt'])
@Index(['status', 'createdAt'])
export class RequestLog {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column({ type: 'timestamptz' })
  createdAt: Date;

  @Column({ type: 'varchar', length: 128 })
  requestId: string;

  /** Front door protocol (`openai`, later `anthropic`, `gemini`) and operation. */
  @Column({ type: 'varchar', length: 16 })
  protocol: string;

  @Column({ type: 'varchar', length: 32 })
  endpoint: string;

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

  @Column({ type: 'varchar', length: 200, nullable: true })
  upstreamModel: string | null;

  @Column({ type: 'jsonb', default: () => "'[]'" })
  attempts: AttemptRecord[];

  @Column({ type: 'int' })
  status: number;

  @Column({ type: 'boolean', default: false })
  stream: boolean;

  @Column({ type: 'int' })
  latencyMs: number;

  /** Time to first token (streams) or to the response (non-stream). */
  @Column({ type: 'int', nullable: true })
  ttftMs: number | null;

  @Column({ type: 'int', default: 0 })
  inputTokens: number;

  @Column({ type: 'int', default: 0 })
  outputTokens: number;

  @Column({ type: 'int', default: 0 })
  cachedTokens: number;

  /** Cost in USD from the price table (0 when no price is known). */
  @Column({ type: 'numeric', precision: 18, scale: 9, default: 0, transformer: numericTransformer })
  costUsd: number;

  @Column({ type: 'int', default: 0 })
  reasoningTokens: number;

  /** True when the counts came from our tokenizer because the upstream reported none. */
  @Column({ type: 'boolean', default: false })
  usageEstimated: boolean;

  @Column({ type: 'varchar', length: 64, nullable: true })
  clientIp: string | null;

  @Column({ type: 'varchar', length: 300, nullable: true })
  userAgent: string | null;

  @Column({ type: 'text', nullable: true })
  error: string | null;

  /** Request body, only when LOG_BODIES is on; capped at LOG_BODY_MAX_BYTES. */
  @Column({ type: 'text', nullable: true })
  requestBody: string | null;

  /** Response body (or the streamed text), only when LOG_BODIES is on; capped. */
  @Column({ type: 'text', nullable: true })
  responseBody: string | null;

  /** Fields dropped in translation (`x-gateway-dropped-fields`). */
  @Column({ type: 'text', array: true, default: () => "'{}'" })
  droppedFields: string[];
}
