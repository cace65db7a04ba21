import Redis from 'ioredis';
import { randomBytes } from 'node:crypto';
import { CounterStore, leaseFor, MemoryCounterStore, RedisCounterStore } from './counters';

const stores: [string, () => { store: CounterStore; close: () => Promise<void> }][] = [
  ['memory', () => ({ store: new MemoryCounterStore(), close: async () => undefined })],
];
if (process.env.REDIS_URL) {
  stores.push([
    'redis',
    () => {
      const redis = new Redis(process.env.REDIS_URL!, {
        keyPrefix: `lrp-test-${randomBytes(4).toString('hex')}:`,
      });
      return { store: new RedisCounterStore(redis), close: async () => void (await redis.quit()) };
    },
  ]);
}

describe.each(stores)('%s counter store', (_name, make) => {
  let store: CounterStore;
  let close: () => Promise<void>;
  beforeEach(() => ({ store, close } = make()));
  afterEach(() => close());

  const slot = (key: string, limitNano: number) => ({ key, limitNano, ttlMs: 60_000 });
  const HOUR = 3_600_000;
  const lease = leaseFor(Date.now(), HOUR);

  it('lets the reservations of a request that never settles lapse with their lease', async () => {
    const s = [{ ...slot('b:lease', 100), ttlMs: 0 }];
    const t0 = Date.UTC(2026, 10, 27, 10, 0, 30);
    // An instance reserves 90 and dies; another reserves 10 ten minutes later.
    expect(await store.reserve(s, 90, leaseFor(t0, HOUR))).toEqual({ ok: true });
    const later = leaseFor(t0 + 10 * 60_000, HOUR);
    expect(await store.reserve(s, 10, later)).toEqual({ ok: true });
    expect(await store.reserve(s, 1, leaseFor(t0 + 20 * 60_000, HOUR))).toMatchObject({
      ok: false,
      reservedNano: 100,
    });
    expect(await store.read('b:lease', t0 + HOUR)).toEqual({ spentNano: 0, reservedNano: 100 });
    // Past the first lease's minute: only the live reservation counts, and new ones are admitted.
    const after = t0 + HOUR + 60_000;
    expect(await store.read('b:lease', after)).toEqual({ spentNano: 0, reservedNano: 10 });
    expect(await store.reserve(s, 50, leaseFor(after, HOUR))).toEqual({ ok: true });
    // The live one settles as usual; settling the lapsed one (its instance came back) only adds its cost.
    await store.settle(s, 10, 7, later);
    await store.settle(s, 90, 80, leaseFor(t0, HOUR));
    expect(await store.read('b:lease', after)).toEqual({ spentNano: 87, reservedNano: 50 });
  });

  it('keeps the reservations of one lease minute apart from those of another', async () => {
    const s = [{ ...slot('b:minutes', 1000), ttlMs: 0 }];
    const t0 = Date.UTC(2026, 10, 27, 10, 0, 0);
    const a = leaseFor(t0, HOUR);
    const b = leaseFor(t0 + 90_000, HOUR);
    expect(b.minute).toBe(a.minute + 2);
    await store.reserve(s, 100, a);
    await store.reserve(s, 100, a);
    await store.reserve(s, 300, b);
    await store.settle(s, 100, 0, a);
    expect(await store.read('b:minutes', t0)).toEqual({ spentNano: 0, reservedNano: 400 });
    // The minute after a's lease: a's last 100 lapsed, b's 300 still counts.
    expect(await store.read('b:minutes', a.minute * 60_000)).toEqual({ spentNano: 0, reservedNano: 300 });
    expect(await store.read('b:minutes', b.minute * 60_000)).toEqual({ spentNano: 0, reservedNano: 0 });
  });

  it('reserves until spent + reserved reaches the limit, then refuses', async () => {
    const s = [slot('b:1', 100)];
    expect(await store.reserve(s, 40, lease)).toEqual({ ok: true });
    expect(await store.reserve(s, 40, lease)).toEqual({ ok: true });
    expect(await store.reserve(s, 40, lease)).toEqual({ ok: true }); // 80 < 100: admitted
    expect(await store.reserve(s, 40, lease)).toEqual({
      ok: false,
      index: 0,
      spentNano: 0,
      reservedNano: 120,
    });
    await store.settle(s, 40, 10, lease);
    expect(await store.read('b:1')).toEqual({ spentNano: 10, reservedNano: 80 });
  });

  it('checks every slot before reserving on any (all or nothing)', async () => {
    const key = slot('b:key', 1000);
    const user = slot('b:user', 50);
    await store.settle([user], 0, 50, lease);
    const r = await store.reserve([key, user], 10, lease);
    expect(r).toMatchObject({ ok: false, index: 1 });
    expect(await store.read('b:key')).toEqual({ spentNano: 0, reservedNano: 0 });
  });

  it('reports spent before and after a settlement (threshold crossing)', async () => {
    const s = [slot('b:2', 1000)];
    await store.reserve(s, 100, lease);
    expect(await store.settle(s, 100, 70, lease)).toEqual([{ beforeNano: 0, afterNano: 70 }]);
    expect(await store.settle(s, 0, 30, lease)).toEqual([{ beforeNano: 70, afterNano: 100 }]);
  });

  it('raises spent to the ledger figure but never lowers it', async () => {
    const s = slot('b:3', 1000);
    await store.floor(s, 500);
    await store.floor(s, 200);
    expect((await store.read('b:3')).spentNano).toBe(500);
  });

  it('admits parallel reservations atomically', async () => {
    const s = [slot('b:4', 1000)];
    const results = await Promise.all(Array.from({ length: 50 }, () => store.reserve(s, 100, lease)));
    expect(results.filter((r) => r.ok)).toHaveLength(10);
  });

  it('counts a sliding window and refuses past the limit with a retry delay', async () => {
    const w = 60_000;
    const t0 = 1_000 * w; // start of a window
    const limit = [{ key: 'rpm:k', limit: 3, cost: 1 }];
    for (let i = 0; i < 3; i++) expect((await store.hit(limit, t0 + i, w)).ok).toBe(true);
    const r = await store.hit(limit, t0 + 10, w);
    expect(r).toMatchObject({ ok: false, denied: 0 });
    expect(r.states[0]).toMatchObject({ limit: 3, remaining: 0 });
    expect(r.retryAfterMs).toBeGreaterThan(0);
    expect(r.retryAfterMs).toBeLessThanOrEqual(w);
    // Half-way through the next window, half of the previous window's count still weighs.
    const half = await store.hit(limit, t0 + w + w / 2, w);
    expect(half.ok).toBe(true); // 3 * 0.5 + 0 + 1 = 2.5 ≤ 3
    expect(half.states[0].remaining).toBe(0);
    // Two windows later everything has rolled off.
    const later = await store.hit(limit, t0 + 3 * w, w);
    expect(later.states[0].remaining).toBe(2);
  });

  it('adjusts token windows after the fact', async () => {
    const w = 60_000;
    const t0 = 2_000 * w;
    const tpm = [{ key: 'tpm:k', limit: 100, cost: 10 }];
    expect((await store.hit(tpm, t0, w)).ok).toBe(true);
    await store.add('tpm:k', 85, t0 + 1, w); // the request used 95 tokens, 10 were reserved
    expect((await store.hit(tpm, t0 + 2, w)).ok).toBe(false);
    expect((await store.hit([{ key: 'tpm:k', limit: 100, cost: 5 }], t0 + 3, w)).ok).toBe(true);
  });

  it('counts events in a fixed window', async () => {
    expect(await store.incr('fails:1.2.3.4', 60_000)).toBe(1);
    expect(await store.incr('fails:1.2.3.4', 60_000)).toBe(2);
  });
});
