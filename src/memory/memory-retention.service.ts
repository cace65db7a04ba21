import { Injectable, Logger } from '@nestjs/common';
import { Cron, CronExpression } from '@nestjs/schedule';
import { InjectRepository } from '@nestjs/typeorm';
import { Repository } from 'typeorm';
import { AppConfig } from '../config/app-config';
import { deleteInChunks } from '../database/chunked-delete';
import { Session } from './session.entity';

const CHUNK = 200;

/**
 * Hourly: removes deleted sessions, and sessions idle for more than MEMORY_RETENTION_DAYS (0 keeps
 * them), with their messages, a chunk of sessions per statement (no long locks).
 */
@Injectable()
export class MemoryRetention {
  private readonly logger = new Logger('MemoryRetention');
  private running = false;

  constructor(
    @InjectRepository(Session) private readonly sessions: Repository<Session>,
    private readonly config: AppConfig,
  ) {}

  @Cron(CronExpression.EVERY_HOUR)
  async scheduledPurge(): Promise<void> {
    if (this.running) return;
    this.running = true;
    try {
      const days = this.config.memory.retentionDays;
      const n = await this.purge(days ? new Date(Date.now() - days * 86_400_000) : null);
      if (n) this.logger.log(`purged ${n} deleted or expired sessions`);
    } catch (e) {
      this.logger.warn(`purge failed: ${(e as Error).message}`);
    } finally {
      this.running = false;
    }
  }

  /** Deletes soft-deleted sessions and, with a cutoff, sessions last active before it; returns how many. */
  purge(cutoff: Date | null): Promise<number> {
    return deleteInChunks(
      this.sessions,
      'sessions',
      'deleted_at IS NOT NULL OR ($1::timestamptz IS NOT NULL AND updated_at < $1::timestamptz)',
      [cutoff],
      CHUNK,
    );
  }
}
