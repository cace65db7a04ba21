import { Injectable, Logger } from '@nestjs/common';
import { Cron, CronExpression } from '@nestjs/schedule';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { AppConfig } from '../config/app-config';
import { deleteInChunks } from '../database/chunked-delete';

const CHUNK = 5000;
const DAY = 86_400_000;

/** The time before which the ledger's rows may be gone (LEDGER_RETENTION_DAYS); undefined: all kept. */
export function ledgerHorizon(days: number, now = new Date()): Date | undefined {
  return days > 0 ? new Date(now.getTime() - days * DAY) : undefined;
}

/**
 * Deletes usage-ledger rows older than LEDGER_RETENTION_DAYS (off by default), hourly, in small chunks
 * (no long locks). The ledger grows by a row per billed request, as fast as the request logs; its
 * hourly sums (`usage_rollups`, a row per hour and tenant, user, key, model and provider) are kept, so
 * reports and budgets keep every figure — before the horizon by the hour (see `usageBounds`).
 */
@Injectable()
export class LedgerRetention {
  private readonly logger = new Logger('LedgerRetention');
  private running = false;

  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly config: AppConfig,
  ) {}

  @Cron(CronExpression.EVERY_HOUR)
  async scheduledPurge(): Promise<void> {
    const days = this.config.ledgerRetentionDays;
    const cutoff = ledgerHorizon(days);
    if (this.running || !cutoff) return;
    this.running = true;
    try {
      const n = await this.purge(cutoff);
      if (n) this.logger.log(`purged ${n} usage-ledger rows older than ${days} days`);
    } catch (e) {
      this.logger.warn(`purge failed: ${(e as Error).message}`);
    } finally {
      this.running = false;
    }
  }

  /** Deletes ledger rows created before `cutoff`, `chunk` per statement; returns how many. */
  purge(cutoff: Date, chunk = CHUNK): Promise<number> {
    return deleteInChunks(this.db, 'usage_ledger', 'created_at < $1', [cutoff], chunk);
  }
}
