import { bucketUpperMs, SlidingWindow } from './metric-window';

describe('SlidingWindow', () => {
  it('counts requests and errors inside the window and forgets them after it', () => {
    const w = new SlidingWindow(60_000);
    const t0 = 1_000_000_000;
    for (let i = 0; i < 10; i++) w.record(t0 + i * 1000, 100, i < 3);
    expect(w.counts(t0 + 10_000)).toEqual({ requests: 10, errors: 3 });
    expect(w.errorRatePct(t0 + 10_000)).toBeCloseTo(30);
    // 55 s after the last request the first ones have left the window.
    expect(w.counts(t0 + 62_500)).toEqual({ requests: 7, errors: 0 });
    expect(w.counts(t0 + 10 * 60_000)).toEqual({ requests: 0, errors: 0 });
    expect(w.errorRatePct(t0 + 10 * 60_000)).toBe(0);
    w.record(t0 + 10 * 60_000, 50, true);
    expect(w.counts(t0 + 10 * 60_000)).toEqual({ requests: 1, errors: 1 });
  });

  it('computes p95 from the histogram within 10 %', () => {
    const w = new SlidingWindow(300_000);
    const t = 5_000_000;
    for (let i = 1; i <= 100; i++) w.record(t, i * 10, false); // 10 … 1000 ms
    const p95 = w.quantileMs(t, 0.95);
    expect(p95).toBeGreaterThanOrEqual(950);
    expect(p95).toBeLessThanOrEqual(950 * 1.1);
    expect(w.quantileMs(t, 0.5)).toBeGreaterThanOrEqual(500);
    expect(w.quantileMs(t, 0.5)).toBeLessThanOrEqual(550);
  });

  it('drops old latencies from the quantile', () => {
    const w = new SlidingWindow(10_000);
    w.record(0, 5000, false);
    w.record(0, 5000, false);
    w.record(20_000, 20, false);
    expect(w.quantileMs(20_000, 0.95)).toBeLessThanOrEqual(22);
  });

  it('uses at most 60 slots of at least one second', () => {
    expect(new SlidingWindow(3_600_000).slotMs).toBe(60_000);
    expect(new SlidingWindow(10_000).slotMs).toBe(1000);
  });

  it('handles zero, sub-millisecond and huge latencies', () => {
    const w = new SlidingWindow(60_000);
    w.record(0, 0, false);
    w.record(0, 0.3, false);
    w.record(0, 1e9, false);
    expect(w.quantileMs(0, 0.5)).toBe(1);
    expect(w.quantileMs(0, 1)).toBe(bucketUpperMs(159));
  });
});
