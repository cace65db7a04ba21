import { demote, orderProxies } from './rotation';

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
const p = (id: string, weight = 1, latencyMs: number | null = null) => ({ id, weight, latencyMs });

describe('proxy rotation', () => {
  it('round-robin rotates the start by the turn and keeps every proxy', () => {
    const items = [p('a'), p('b'), p('c')];
    const firsts = [0, 1, 2, 3, 4].map(
      (turn) => orderProxies(items, 'round-robin', { turn, random: rng(1) })[0].id,
    );
    expect(firsts).toEqual(['a', 'b', 'c', 'a', 'b']);
    expect(orderProxies(items, 'round-robin', { turn: 2, random: rng(1) }).map((x) => x.id)).toEqual([
      'c',
      'a',
      'b',
    ]);
  });

  it('weighted picks in proportion to weight (3:1 → ~75% of 4000) and puts weight 0 last', () => {
    const random = rng(42);
    let a = 0;
    for (let i = 0; i < 4000; i++)
      if (orderProxies([p('a', 3), p('b', 1)], 'weighted', { turn: i, random })[0].id === 'a') a++;
    expect(a / 4000).toBeGreaterThan(0.72);
    expect(a / 4000).toBeLessThan(0.78);
    expect(orderProxies([p('z', 0), p('y', 1), p('x', 2)], 'weighted', { turn: 0, random }).at(-1)!.id).toBe(
      'z',
    );
  });

  it('least-latency orders by measured latency, unmeasured last', () => {
    const o = orderProxies([p('slow', 1, 900), p('new'), p('fast', 1, 40)], 'least-latency', {
      turn: 0,
      random: rng(3),
    });
    expect(o.map((x) => x.id)).toEqual(['fast', 'slow', 'new']);
  });

  it('demote keeps order within the usable and unusable groups', () => {
    const o = demote([p('a'), p('b'), p('c'), p('d')], (x) => x.id === 'a' || x.id === 'c');
    expect(o.map((x) => x.id)).toEqual(['b', 'd', 'a', 'c']);
  });
});
