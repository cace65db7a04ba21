import { Inject, Injectable, Logger } from '@nestjs/common';
import type Redis from 'ioredis';
import { REDIS } from '../common/redis/redis.constants';

/**
 * The alert cooldown / dedupe window per (rule, dedupe key). `acquire` says whether this caller may
 * fire now and starts the window if so. With Redis it is `SET key 1 NX PX ttl`, so of several
 * instances seeing the same event exactly one fires; without Redis a map in this process.
 */
@Injectable()
export class CooldownStore {
  private readonly logger = new Logger('AlertCooldown');
  private readonly local = new Map<string, number>();

  constructor(@Inject(REDIS) private readonly redis: Redis | null) {}

  async acquire(key: string, ttlMs: number, now = Date.now()): Promise<boolean> {
    if (ttlMs <= 0) return true;
    if (this.redis) {
      try {
        return (await this.redis.set(`alerts:cooldown:${key}`, '1', 'PX', ttlMs, 'NX')) === 'OK';
      } catch (e) {
        // Fail open: a duplicate alert is better than a lost one.
        this.logger.warn(`cooldown check failed, firing anyway: ${(e as Error).message}`);
        return true;
      }
    }
    const until = this.local.get(key);
    if (until !== undefined && until > now) return false;
    if (this.local.size > 10_000) this.prune(now);
    this.local.set(key, now + ttlMs);
    return true;
  }

  private prune(now: number): void {
    for (const [k, until] of this.local) if (until <= now) this.local.delete(k);
  }
}
