import { Inject, Injectable, OnModuleInit } from '@nestjs/common';
import { CacheBus } from '../common/redis/cache-bus.service';
import { AppConfig } from '../config/app-config';
import { COUNTERS } from './counter-store.provider';
import type { CounterStore } from './counters';

const TOPIC = 'ip-lock';

/**
 * Locks an IP out of the gateway after BAD_KEY_LOCKOUT_THRESHOLD bad API keys within
 * BAD_KEY_LOCKOUT_WINDOW seconds, for BAD_KEY_LOCKOUT_DURATION seconds. Failures are counted in the
 * shared counters; the lock itself is announced on the cache bus, so every instance checks it from
 * memory on the request path.
 */
@Injectable()
export class IpLockService implements OnModuleInit {
  private readonly locked = new Map<string, number>();
  private readonly cfg: AppConfig['badKeyLockout'];

  constructor(
    @Inject(COUNTERS) private readonly counters: CounterStore,
    private readonly bus: CacheBus,
    config: AppConfig,
  ) {
    this.cfg = config.badKeyLockout;
  }

  onModuleInit(): void {
    this.bus.on(TOPIC, (payload) => {
      const [ip, until] = payload.split('|');
      if (ip && Number(until) > Date.now()) this.locked.set(ip, Number(until));
    });
  }

  get enabled(): boolean {
    return this.cfg.threshold > 0;
  }

  /** Seconds until the lock ends, or 0 when the IP is not locked. */
  lockedFor(ip: string): number {
    if (!this.locked.size) return 0;
    const until = this.locked.get(ip);
    if (until === undefined) return 0;
    if (until <= Date.now()) {
      this.locked.delete(ip);
      return 0;
    }
    return Math.ceil((until - Date.now()) / 1000);
  }

  /** Counts a bad key from `ip`; returns true when this failure locked it. */
  async recordFailure(ip: string): Promise<boolean> {
    if (!this.enabled) return false;
    const n = await this.counters.incr(`badkey:${ip}`, this.cfg.windowMs);
    if (n < this.cfg.threshold || this.lockedFor(ip)) return false;
    const until = Date.now() + this.cfg.durationMs;
    this.locked.set(ip, until);
    await this.bus.publish(TOPIC, `${ip}|${until}`);
    return true;
  }
}
