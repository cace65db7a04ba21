import { Injectable, Logger, OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { Repository } from 'typeorm';
import { RequestLog } from './request-log.entity';

export type NewRequestLog = Omit<RequestLog, 'id'>;

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
          await this.logs.insert(batch);
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
