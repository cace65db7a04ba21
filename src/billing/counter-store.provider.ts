import { Logger, Provider } from '@nestjs/common';
import type Redis from 'ioredis';
import { REDIS } from '../common/redis/redis.constants';
import {
  BudgetSlot,
  CounterStore,
  Lease,
  MemoryCounterStore,
  RateSlot,
  RedisCounterStore,
  ReserveResult,
  SettleResult,
  RateResult,
} from './counters';

export const COUNTERS = Symbol('COUNTERS');

/**
 * Redis counters (shared by every instance) that degrade to in-process counters while Redis is
 * unreachable, with one warning per outage, and go back to Redis as soon as it answers again.
 */
export class ResilientCounterStore implements CounterStore {
  private readonly logger = new Logger('Counters');
  private readonly local = new MemoryCounterStore();
  private degraded = false;

  constructor(
    private readonly shared: RedisCounterStore,
    /** Connection state of the shared client: while it is not ready, go local at once (no queued waits). */
    private readonly ready: () => boolean = () => true,
  ) {}

  /** True while limits and budgets run per instance because Redis is unreachable. */
  get isDegraded(): boolean {
    return this.degraded;
  }

  private async run<T>(op: (s: CounterStore) => Promise<T>): Promise<T> {
    if (!this.ready()) return this.fallback(op, new Error('Redis connection is not ready'));
    try {
      const r = await op(this.shared);
      if (this.degraded) {
        this.degraded = false;
        this.logger.log('Redis counters are back; limits and budgets are shared again');
      }
      return r;
    } catch (e) {
      return this.fallback(op, e as Error);
    }
  }

  private fallback<T>(op: (s: CounterStore) => Promise<T>, e: Error): Promise<T> {
    if (!this.degraded) {
      this.degraded = true;
      this.logger.warn(
        `Redis counters unavailable (${e.message}); limits and budgets run per instance until it returns`,
      );
    }
    return op(this.local);
  }

  reserve(slots: BudgetSlot[], estNano: number, lease: Lease): Promise<ReserveResult> {
    return this.run((s) => s.reserve(slots, estNano, lease));
  }
  settle(slots: BudgetSlot[], estNano: number, actualNano: number, lease: Lease): Promise<SettleResult[]> {
    return this.run((s) => s.settle(slots, estNano, actualNano, lease));
  }
  floor(slot: BudgetSlot, spentNano: number): Promise<void> {
    return this.run((s) => s.floor(slot, spentNano));
  }
  read(key: string, now?: number): Promise<{ spentNano: number; reservedNano: number }> {
    return this.run((s) => s.read(key, now));
  }
  hit(slots: RateSlot[], now: number, windowMs: number): Promise<RateResult> {
    return this.run((s) => s.hit(slots, now, windowMs));
  }
  add(key: string, delta: number, now: number, windowMs: number): Promise<void> {
    return this.run((s) => s.add(key, delta, now, windowMs));
  }
  incr(key: string, ttlMs: number): Promise<number> {
    return this.run((s) => s.incr(key, ttlMs));
  }
}

export const counterStoreProvider: Provider = {
  provide: COUNTERS,
  inject: [REDIS],
  useFactory: (redis: Redis | null): CounterStore =>
    redis
      ? new ResilientCounterStore(new RedisCounterStore(redis), () => redis.status === 'ready')
      : new MemoryCounterStore(),
};
