import { LATENCY_BUCKETS_MS, LATENCY_COLUMNS, percentileFromBuckets } from './request-rollup.entity';

describe('percentileFromBuckets', () => {
  const counts = (pairs: [number, number][]) => {
    const c = LATENCY_COLUMNS.map(() => 0);
    for (const [i, n] of pairs) c[i] = n;
    return c;
  };

  it('has one more bucket than bounds (the open-ended last one)', () => {
    expect(LATENCY_COLUMNS).toHaveLength(LATENCY_BUCKETS_MS.length + 1);
  });

  it('interpolates within the bucket that holds the quantile', () => {
    // 100 requests in (100, 200] ms: p50 ≈ 150, p95 ≈ 195.
    const c = counts([[3, 100]]);
    expect(percentileFromBuckets(c, 0.5)).toBeCloseTo(150, 5);
    expect(percentileFromBuckets(c, 0.95)).toBeCloseTo(195, 5);
  });

  it('walks the cumulative counts across buckets', () => {
    // 90 fast (≤ 25 ms), 10 slow in (1000, 1500]: p50 in the first bucket, p95 in the slow one.
    const c = counts([
      [0, 90],
      [8, 10],
    ]);
    expect(percentileFromBuckets(c, 0.5)).toBeLessThanOrEqual(25);
    expect(percentileFromBuckets(c, 0.95)).toBeGreaterThan(1000);
    expect(percentileFromBuckets(c, 0.95)).toBeLessThanOrEqual(1500);
  });

  it('is 0 without data and stays finite in the open-ended bucket', () => {
    expect(percentileFromBuckets(counts([]), 0.5)).toBe(0);
    expect(Number.isFinite(percentileFromBuckets(counts([[15, 4]]), 0.99))).toBe(true);
  });
});
