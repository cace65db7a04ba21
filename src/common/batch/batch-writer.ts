import { Logger, OnApplicationShutdown, OnModuleInit } from '@nestjs/common';

const FLUSH_MS = 1000;
const BATCH = 500;
const MAX_BUFFER = 100_000;

/**
 * Buffers rows and writes them in batches off the request path (one statement per batch, at least
 * once a second). A failed write keeps the rows for the next try; shutdown flushes what is left. The
 * buffer is bounded: past MAX_BUFFER rows (a long database outage) the oldest are dropped and counted.
 */
export abstract class BatchWriter<T> implements OnModuleInit, OnApplicationShutdown {
  protected abstract readonly logger: Logger;
  /** What the rows are, for log lines ("request log rows"). */
  protected abstract readonly what: string;
  private buffer: T[] = [];
  private timer?: NodeJS.Timeout;
  private flushing?: Promise<void>;
  /** Rows written so far (metrics and tests). */
  written = 0;
  /** Rows dropped because the buffer overflowed. */
  dropped = 0;

  /** Writes one batch (a single statement); throws to have the rows retried. */
  protected abstract write(rows: T[]): Promise<void>;

  onModuleInit(): void {
    this.timer = setInterval(() => void this.flush(), FLUSH_MS);
    this.timer.unref();
  }

  async onApplicationShutdown(): Promise<void> {
    clearInterval(this.timer);
    for (let i = 0; i < 5 && this.buffer.length; i++) await this.flush();
    if (this.buffer.length)
      this.logger.error(`${this.buffer.length} ${this.what} could not be written at shutdown`);
  }

  push(row: T): void {
    if (this.buffer.length >= MAX_BUFFER) {
      this.buffer.shift();
      this.dropped++;
      this.logger.warn(`${this.what} buffer full; dropped the oldest row`);
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
          await this.write(batch);
          this.written += batch.length;
        } catch (e) {
          this.buffer.unshift(...batch);
          this.logger.warn(
            `could not write ${batch.length} ${this.what}, will retry: ${(e as Error).message}`,
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

/**
 * `INSERT … SELECT FROM unnest($1::type[], …)`: one bound array per column keeps the statement small
 * and constant whatever the batch size (TypeORM's per-value parameters were the gateway's largest
 * CPU cost under load). `jsonb` values are serialised; `conflict` is appended verbatim.
 */
export function unnestInsert<T>(
  table: string,
  columns: readonly (readonly [keyof T, string, string])[],
  conflict = '',
): { sql: string; params: (rows: T[]) => unknown[][] } {
  const select = columns.map(([, c, type]) =>
    type === 'text[]' ? `ARRAY(SELECT jsonb_array_elements_text(u.${c}))` : `u.${c}`,
  );
  const sql =
    `INSERT INTO ${table} (${columns.map((c) => c[1]).join(', ')}) SELECT ${select.join(', ')} ` +
    `FROM unnest(${columns.map(([, , t], i) => `$${i + 1}::${t === 'text[]' ? 'jsonb' : t}[]`).join(', ')}) ` +
    `AS u(${columns.map((c) => c[1]).join(', ')})${conflict ? ` ${conflict}` : ''}`;
  const params = (rows: T[]) =>
    columns.map(([key, , type]) =>
      rows.map((r) => {
        const v = r[key];
        if (v === undefined) return null;
        return type === 'jsonb' || type === 'text[]' ? JSON.stringify(v) : v;
      }),
    );
  return { sql, params };
}
