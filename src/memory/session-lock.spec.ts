import Redis from 'ioredis';
import { randomBytes } from 'node:crypto';
import { SessionBusyError, SessionLocks } from './session-lock';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Runs `n` critical sections that read, yield, then write a shared counter under the lock. */
async function contend(locks: SessionLocks, n: number): Promise<number> {
  let counter = 0;
  await Promise.all(
    Array.from({ length: n }, async () => {
      const lease = await locks.acquire('s1', 10_000);
      try {
        const seen = counter;
        await sleep(2);
        counter = seen + 1;
      } finally {
        await lease.release();
      }
    }),
  );
  return counter;
}

describe('SessionLocks (in-process)', () => {
  it('serialises holders of one session: no lost updates', async () => {
    expect(await contend(new SessionLocks(null), 20)).toBe(20);
  });

  it('times out with SessionBusyError and passes its turn on', async () => {
    const locks = new SessionLocks(null);
    const first = await locks.acquire('s', 1000);
    await expect(locks.acquire('s', 50)).rejects.toBeInstanceOf(SessionBusyError);
    const third = locks.acquire('s', 1000);
    await first.release();
    const lease = await third;
    await lease.release();
    await lease.release(); // idempotent
    // Other sessions never wait.
    const other = await locks.acquire('t', 10);
    await other.release();
  });
});

const redisUrl = process.env.REDIS_URL;
(redisUrl ? describe : describe.skip)('SessionLocks (Redis)', () => {
  let redis: Redis;
  beforeAll(() => {
    redis = new Redis(redisUrl!, { keyPrefix: `lrp-test:${randomBytes(4).toString('hex')}:` });
  });
  afterAll(async () => {
    await redis.quit();
  });

  it('serialises holders across clients with SET NX PX', async () => {
    expect(await contend(new SessionLocks(redis), 20)).toBe(20);
  });

  it('times out while held, and releases only its own lock', async () => {
    const locks = new SessionLocks(redis);
    const held = await locks.acquire('busy', 1000);
    await expect(locks.acquire('busy', 60)).rejects.toBeInstanceOf(SessionBusyError);
    await held.release();
    const next = await locks.acquire('busy', 100);
    await held.release(); // a stale holder cannot release the new lock
    await expect(locks.acquire('busy', 60)).rejects.toBeInstanceOf(SessionBusyError);
    await next.release();
  });
});
