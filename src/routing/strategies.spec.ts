import { orderRoutes, weightedShuffle } from './strategies';

/** Deterministic PRNG (mulberry32) so distribution tests are repeatable. */
function rng(seed: number) {
  let a = seed;
  return () => {
    a |= 0;
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const r = (id: string, weight = 1, priority = 0, cost = 0) => ({ id, weight, priority, cost });
const ctx = (seed = 1, turn = 0, lat: Record<string, number> = {}) => ({
  random: rng(seed),
  turn,
  latency: (id: string) => lat[id],
});

describe('routing strategies', () => {
  it('weighted-random: weights 3:1 pick the first route ~75% of 4000 times', () => {
    const c = ctx(42);
    let a = 0;
    for (let i = 0; i < 4000; i++)
      if (orderRoutes([r('a', 3), r('b', 1)], 'weighted-random', c)[0].id === 'a') a++;
    expect(a / 4000).toBeGreaterThan(0.72);
    expect(a / 4000).toBeLessThan(0.78);
  });

  it('weighted-random: every route appears once (failover order), weight 0 last', () => {
    const order = orderRoutes([r('a', 0), r('b', 1), r('c', 5)], 'weighted-random', ctx(7));
    expect(order.map((x) => x.id).sort()).toEqual(['a', 'b', 'c']);
    expect(order[2].id).toBe('a');
  });

  it('priority: higher priority first, weights break ties within a level', () => {
    const c = ctx(3);
    const counts: Record<string, number> = { b: 0, c: 0 };
    for (let i = 0; i < 4000; i++) {
      const o = orderRoutes([r('low', 100, 0), r('b', 1, 5), r('c', 3, 5)], 'priority', c);
      expect(o[2].id).toBe('low');
      counts[o[0].id]++;
    }
    expect(counts.c / 4000).toBeGreaterThan(0.72);
    expect(counts.c / 4000).toBeLessThan(0.78);
  });

  it('round-robin: rotates by turn', () => {
    const routes = [r('a'), r('b'), r('c')];
    expect([0, 1, 2, 3].map((turn) => orderRoutes(routes, 'round-robin', ctx(1, turn))[0].id)).toEqual([
      'a',
      'b',
      'c',
      'a',
    ]);
    expect(orderRoutes(routes, 'round-robin', ctx(1, 1)).map((x) => x.id)).toEqual(['b', 'c', 'a']);
  });

  it('least-latency: fastest measured first, unmeasured before all', () => {
    const o = orderRoutes(
      [r('slow'), r('fast'), r('new')],
      'least-latency',
      ctx(1, 0, { slow: 900, fast: 50 }),
    );
    expect(o.map((x) => x.id)).toEqual(['new', 'fast', 'slow']);
  });

  it('lowest-cost: cheapest first', () => {
    const o = orderRoutes([r('a', 1, 0, 5), r('b', 1, 0, 0.5), r('c', 1, 0, 2)], 'lowest-cost', ctx(1));
    expect(o.map((x) => x.id)).toEqual(['b', 'c', 'a']);
  });

  it('weightedShuffle keeps every item', () => {
    const items = Array.from({ length: 20 }, (_, i) => r(`r${i}`, i % 4));
    expect(
      weightedShuffle(items, rng(9))
        .map((x) => x.id)
        .sort(),
    ).toEqual(items.map((x) => x.id).sort());
  });
});
