import { costOf, crossedThresholds } from './cost';
import { periodEnd, periodStart } from './periods';

describe('costOf', () => {
  const gpt4o = { inputPerM: 2.5, outputPerM: 10, cachedInputPerM: 1.25, reasoningPerM: null };

  it('prices input and output per million tokens', () => {
    expect(
      costOf({ inputTokens: 1_000_000, outputTokens: 0, cachedTokens: 0, reasoningTokens: 0 }, gpt4o),
    ).toBe(2.5);
    expect(
      costOf({ inputTokens: 1000, outputTokens: 500, cachedTokens: 0, reasoningTokens: 0 }, gpt4o),
    ).toBeCloseTo(0.0025 + 0.005, 12);
  });

  it('bills cache reads at the cached rate, as part of the input (not on top of it)', () => {
    const c = costOf({ inputTokens: 1000, outputTokens: 0, cachedTokens: 600, reasoningTokens: 0 }, gpt4o);
    expect(c).toBeCloseTo(400 * 2.5e-6 + 600 * 1.25e-6, 12);
  });

  it('bills cache writes at the cache-write rate, as part of the input, falling back to the input rate', () => {
    const sonnet = {
      inputPerM: 3,
      outputPerM: 15,
      cachedInputPerM: 0.3,
      cacheWritePerM: 3.75,
      reasoningPerM: null,
    };
    const u = {
      inputTokens: 1000,
      outputTokens: 10,
      cachedTokens: 600,
      reasoningTokens: 0,
      cacheWriteTokens: 300,
    };
    expect(costOf(u, sonnet)).toBeCloseTo(100 * 3e-6 + 600 * 0.3e-6 + 300 * 3.75e-6 + 10 * 15e-6, 12);
    expect(costOf(u, { ...sonnet, cacheWritePerM: null })).toBeCloseTo(
      400 * 3e-6 + 600 * 0.3e-6 + 10 * 15e-6,
      12,
    );
    // More cache writes than uncached input (inconsistent counts): capped, never negative.
    expect(costOf({ ...u, cacheWriteTokens: 5000 }, sonnet)).toBeCloseTo(
      600 * 0.3e-6 + 400 * 3.75e-6 + 10 * 15e-6,
      12,
    );
  });

  it('bills reasoning tokens at their own rate, falling back to the output rate', () => {
    const o1 = { inputPerM: 15, outputPerM: 60, cachedInputPerM: null, reasoningPerM: 30 };
    expect(
      costOf({ inputTokens: 0, outputTokens: 100, cachedTokens: 0, reasoningTokens: 40 }, o1),
    ).toBeCloseTo(60 * 60e-6 + 40 * 30e-6, 12);
    expect(
      costOf({ inputTokens: 0, outputTokens: 100, cachedTokens: 0, reasoningTokens: 40 }, gpt4o),
    ).toBeCloseTo(100 * 10e-6, 12);
  });

  it('never goes negative on inconsistent counts', () => {
    expect(
      costOf({ inputTokens: 10, outputTokens: 5, cachedTokens: 50, reasoningTokens: 50 }, gpt4o),
    ).toBeGreaterThanOrEqual(0);
  });
});

describe('budget periods (UTC)', () => {
  const at = Date.UTC(2026, 10, 25, 20, 30); // Wednesday 25 Nov 2026

  it('starts days at midnight, weeks on Monday, months on the 1st', () => {
    expect(new Date(periodStart('daily', at)).toISOString()).toBe('2026-11-25T00:00:00.000Z');
    expect(new Date(periodStart('weekly', at)).toISOString()).toBe('2026-11-23T00:00:00.000Z');
    expect(new Date(periodStart('monthly', at)).toISOString()).toBe('2026-11-01T00:00:00.000Z');
    expect(periodStart('total', at)).toBe(0);
  });

  it('ends each period where the next starts', () => {
    const m = periodStart('monthly', at);
    expect(new Date(periodEnd('monthly', m)).toISOString()).toBe('2026-12-01T00:00:00.000Z');
    const dec = periodStart('monthly', Date.UTC(2026, 11, 31));
    expect(new Date(periodEnd('monthly', dec)).toISOString()).toBe('2027-01-01T00:00:00.000Z');
    expect(periodEnd('weekly', periodStart('weekly', at)) - periodStart('weekly', at)).toBe(7 * 86_400_000);
    expect(periodEnd('total', 0)).toBe(Number.POSITIVE_INFINITY);
  });

  it('treats Sunday as the last day of the week', () => {
    const sunday = Date.UTC(2026, 10, 29, 23, 59);
    expect(new Date(periodStart('weekly', sunday)).toISOString()).toBe('2026-11-23T00:00:00.000Z');
  });
});

describe('crossedThresholds', () => {
  it('reports each threshold once, when a settlement crosses it', () => {
    expect(crossedThresholds([50, 80], 100, 0, 40)).toEqual([]);
    expect(crossedThresholds([50, 80], 100, 40, 85)).toEqual([50, 80]);
    expect(crossedThresholds([50, 80], 100, 85, 99)).toEqual([]);
    expect(crossedThresholds([50, 80], 100, 99, 100)).toEqual([100]);
    expect(crossedThresholds([50, 80], 100, 100, 120)).toEqual([]);
    expect(crossedThresholds([80], 0, 0, 10)).toEqual([]);
  });
});
