import { Injectable, Logger } from '@nestjs/common';
import { Cron, CronExpression } from '@nestjs/schedule';
import { InjectRepository } from '@nestjs/typeorm';
import { Repository } from 'typeorm';
import { AppConfig } from '../config/app-config';
import { deleteInChunks } from '../database/chunked-delete';
import { RequestLog } from './request-log.entity';

const CHUNK = 5000;

/** Deletes request logs (and their rollups) older than LOG_RETENTION_DAYS, hourly, in small chunks (no long locks). */
@Injectable()
export class LogRetention {
  private readonly logger = new Logger('LogRetention');
  private running = false;

  constructor(
    @InjectRepository(RequestLog) private readonly logs: Repository<RequestLog>,
    private readonly config: AppConfig,
  ) {}

  @Cron(CronExpression.EVERY_HOUR)
  async scheduledPurge(): Promise<void> {
    if (this.running || !this.config.logRetentionDays) return;
    this.running = true;
    try {
      const n = await this.purge(new Date(Date.now() - this.config.logRetentionDays * 86_400_000));
      if (n) this.logger.log(`purged ${n} request logs older than ${this.config.logRetentionDays} days`);
    } catch (e) {
      this.logger.warn(`purge failed: ${(e as Error).message}`);
    } finally {
      this.running = false;
    }
  }

  /** Deletes rows created before `cutoff`; returns how many. */
  async purge(cutoff: Date): Promise<number> {
    const total = await deleteInChunks(this.logs, 'request_logs', 'created_at < $1', [cutoff], CHUNK);
    // The dashboard's aggregates age out too.
    await deleteInChunks(this.logs, 'request_rollups', 'bucket < $1', [cutoff], CHUNK);
    return total;
  }
}
