import { randomBytes } from 'node:crypto';
import Redis from 'ioredis';
import { CooldownStore } from './cooldown.store';

describe('CooldownStore (in-process)', () => {
  it('lets the first caller fire and holds the key for the window', async () => {
    const store = new CooldownStore(null);
    expect(await store.acquire('r1:provider:a', 60_000, 1_000)).toBe(true);
    expect(await store.acquire('r1:provider:a', 60_000, 30_000)).toBe(false);
    expect(await store.acquire('r1:provider:b', 60_000, 30_000)).toBe(true);
    expect(await store.acquire('r1:provider:a', 60_000, 61_001)).toBe(true);
  });

  it('never holds a key with a zero window', async () => {
    const store = new CooldownStore(null);
    expect(await store.acquire('k', 0)).toBe(true);
    expect(await store.acquire('k', 0)).toBe(true);
  });
});

const redisUrl = process.env.REDIS_URL;
(redisUrl ? describe : describe.skip)('CooldownStore (Redis SET NX PX)', () => {
  const prefix = `lrp-test:${randomBytes(4).toString('hex')}:`;
  const clients: Redis[] = [];
  afterAll(async () => {
    const r = new Redis(redisUrl!);
    const keys = await r.keys(`${prefix}*`);
    if (keys.length) await r.del(...keys);
    await r.quit();
    await Promise.all(clients.map((c) => c.quit()));
  });

  it('lets exactly one of several instances fire for the same key', async () => {
    const stores = Array.from({ length: 4 }, () => {
      const c = new Redis(redisUrl!, { keyPrefix: prefix });
      clients.push(c);
      return new CooldownStore(c);
    });
    const results = await Promise.all(stores.map((s) => s.acquire('rule:provider:x', 60_000)));
    expect(results.filter(Boolean)).toHaveLength(1);
    const ttl = await clients[0].pttl('alerts:cooldown:rule:provider:x');
    expect(ttl).toBeGreaterThan(0);
    expect(ttl).toBeLessThanOrEqual(60_000);
    expect(await stores[1].acquire('rule:provider:y', 60_000)).toBe(true);
  });
});
