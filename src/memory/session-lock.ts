import { Inject, Injectable } from '@nestjs/common';
import type Redis from 'ioredis';
import { randomBytes } from 'node:crypto';
import { REDIS } from '../common/redis/redis.constants';

/** A held per-session lock; `release` is idempotent. */
export interface SessionLease {
  release(): Promise<void>;
}

export class SessionBusyError extends Error {}

const TTL_MS = 30_000;
const RELEASE = `if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) else return 0 end`;
const EXTEND = `if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('pexpire', KEYS[1], ARGV[2]) else return 0 end`;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Serialises the requests of one session from history load to append. With Redis: `SET key token NX
 * PX 30000`, retried every 10–40 ms until the wait runs out, renewed every 10 s while held, released
 * with a compare-and-delete script (so an expired lock is never released by its former holder). Without
 * Redis: an in-process promise chain per session (one process owns the embedded database anyway).
 */
@Injectable()
export class SessionLocks {
  private readonly chains = new Map<string, Promise<void>>();

  constructor(@Inject(REDIS) private readonly redis: Redis | null) {}

  acquire(sessionId: string, waitMs: number): Promise<SessionLease> {
    return this.redis
      ? this.acquireRedis(this.redis, sessionId, waitMs)
      : this.acquireLocal(sessionId, waitMs);
  }

  private async acquireRedis(redis: Redis, sessionId: string, waitMs: number): Promise<SessionLease> {
    const key = `memory:lock:${sessionId}`;
    const token = randomBytes(12).toString('hex');
    const deadline = Date.now() + waitMs;
    for (;;) {
      if ((await redis.set(key, token, 'PX', TTL_MS, 'NX')) === 'OK') break;
      if (Date.now() >= deadline) throw new SessionBusyError('session is busy');
      await sleep(10 + Math.floor(Math.random() * 30));
    }
    const renew = setInterval(
      () => void redis.eval(EXTEND, 1, key, token, TTL_MS).catch(() => undefined),
      TTL_MS / 3,
    );
    renew.unref();
    let released = false;
    return {
      release: async () => {
        if (released) return;
        released = true;
        clearInterval(renew);
        await redis.eval(RELEASE, 1, key, token).catch(() => undefined);
      },
    };
  }

  private async acquireLocal(sessionId: string, waitMs: number): Promise<SessionLease> {
    const prev = this.chains.get(sessionId) ?? Promise.resolve();
    let open!: () => void;
    const mine = new Promise<void>((r) => (open = r));
    const tail = prev.then(() => mine);
    this.chains.set(sessionId, tail);
    let released = false;
    const release = async () => {
      if (released) return;
      released = true;
      open();
      if (this.chains.get(sessionId) === tail) this.chains.delete(sessionId);
    };
    let timer: NodeJS.Timeout | undefined;
    const timedOut = await Promise.race([
      prev.then(() => false),
      new Promise<boolean>((r) => (timer = setTimeout(() => r(true), waitMs))),
    ]);
    clearTimeout(timer);
    if (timedOut) {
      // Our place in the chain is passed on as soon as the holder before us is done.
      void prev.then(release);
      throw new SessionBusyError('session is busy');
    }
    return { release };
  }
}
