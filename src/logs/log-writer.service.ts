import { Injectable, Logger, OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { Repository } from 'typeorm';
import { RequestLog } from './request-log.entity';

export type NewRequestLog = Omit<RequestLog, 'id'>;

/**
 * Column → SQL array type for the batch insert. One bound array per column and `unnest` keep the
 * statement small and constant whatever the batch size (TypeORM's per-value parameter handling was
 * the gateway's largest CPU cost under load).
 */
const COLUMNS: [keyof NewRequestLog, string, string][] = [
  ['createdAt', 'created_at', 'timestamptz'],
  ['requestId', 'request_id', 'varchar'],
  ['protocol', 'protocol', 'varchar'],
  ['endpoint', 'endpoint', 'varchar'],
  ['apiKeyId', 'api_key_id', 'uuid'],
  ['userId', 'user_id', 'uuid'],
  ['tenantId', 'tenant_id', 'uuid'],
  ['model', 'model', 'varchar'],
  ['providerId', 'provider_id', 'uuid'],
  ['providerName', 'provider_name', 'varchar'],
  ['upstreamModel', 'upstream_model', 'varchar'],
  ['attempts', 'attempts', 'jsonb'],
  ['status', 'status', 'int'],
  ['stream', 'stream', 'boolean'],
  ['latencyMs', 'latency_ms', 'int'],
  ['ttftMs', 'ttft_ms', 'int'],
  ['inputTokens', 'input_tokens', 'int'],
  ['outputTokens', 'output_tokens', 'int'],
  ['cachedTokens', 'cached_tokens', 'int'],
  ['reasoningTokens', 'reasoning_tokens', 'int'],
  ['usageEstimated', 'usage_estimated', 'boolean'],
  ['clientIp', 'client_ip', 'varchar'],
  ['userAgent', 'user_agent', 'varchar'],
  ['error', 'error', 'text'],
  ['droppedFields', 'dropped_fields', 'jsonb'],
  ['requestBody', 'request_body', 'text'],
  ['responseBody', 'response_body', 'text'],
];

const INSERT_SQL =
  `INSERT INTO request_logs (${COLUMNS.map((c) => c[1]).join(', ')}) ` +
  `SELECT ${COLUMNS.map((c) => (c[1] === 'dropped_fields' ? `ARRAY(SELECT jsonb_array_elements_text(u.${c[1]}))` : `u.${c[1]}`)).join(', ')} ` +
  `FROM unnest(${COLUMNS.map((c, i) => `$${i + 1}::${c[2]}[]`).join(', ')}) AS u(${COLUMNS.map((c) => c[1]).join(', ')})`;

/** Inserts rows with one statement (text[] columns travel as jsonb, since unnest flattens arrays of arrays). */
export async function insertRequestLogs(repo: Repository<RequestLog>, rows: NewRequestLog[]): Promise<void> {
  const params = COLUMNS.map(([key, , type]) =>
    rows.map((r) => {
      const v = r[key];
      if (v === undefined) return null;
      return type === 'jsonb' ? JSON.stringify(v) : v;
    }),
  );
  await repo.query(INSERT_SQL, params);
}

const FLUSH_MS = 1000;
const BATCH = 500;
const MAX_BUFFER = 100_000;

/**
 * Buffers request log rows and writes them in batches (one INSERT per batch) off the request path.
 * A failed write keeps the rows for the next try; shutdown flushes everything that is left.
 */
@Injectable()
export class LogWriter implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger('LogWriter');
  private buffer: NewRequestLog[] = [];
  private timer?: NodeJS.Timeout;
  private flushing?: Promise<void>;
  /** Rows written so far (metrics and tests). */
  written = 0;

  constructor(@InjectRepository(RequestLog) private readonly logs: Repository<RequestLog>) {}

  onModuleInit(): void {
    this.timer = setInterval(() => void this.flush(), FLUSH_MS);
    this.timer.unref();
  }

  async onApplicationShutdown(): Promise<void> {
    clearInterval(this.timer);
    for (let i = 0; i < 5 && this.buffer.length; i++) await this.flush();
    if (this.buffer.length)
      this.logger.error(`${this.buffer.length} request log rows could not be written at shutdown`);
  }

  push(row: NewRequestLog): void {
    if (this.buffer.length >= MAX_BUFFER) {
      // Bounded memory if the database is gone for long: keep the newest rows.
      this.buffer.shift();
      this.logger.warn('request log buffer full; dropped the oldest row');
    }
    this.buffer.push(row);
    if (this.buffer.length >= BATCH) void this.flush();
  }

  get pending(): number {
    return this.buffer.length;
  }

  /** Writes what is buffered; concurrent calls wait for the one in progress. */
  flush(): Promise<void> {
    if (this.flushing) return this.flushing.then(() => (this.buffer.length ? this.flush() : undefined));
    if (!this.buffer.length) return Promise.resolve();
    this.flushing = (async () => {
      while (this.buffer.length) {
        const batch = this.buffer.splice(0, BATCH);
        try {
          await insertRequestLogs(this.logs, batch);
          this.written += batch.length;
        } catch (e) {
          this.buffer.unshift(...batch);
          this.logger.warn(
            `could not write ${batch.length} request log rows, will retry: ${(e as Error).message}`,
          );
          break;
        }
      }
    })().finally(() => {
      this.flushing = undefined;
    });
    return this.flushing;
  }
}
