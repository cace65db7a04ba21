import { describe, expect, it } from 'vitest';
import { formatUsd, groupLabel, OTHER, pivotReport, totalsByGroup, type ReportRow } from './report';

function row(period: string, group: string | null, costUsd: number, tokens = 0, name?: string): ReportRow {
  return {
    period,
    group,
    groupName: name ?? group,
    requests: 1,
    inputTokens: tokens,
    outputTokens: 0,
    cachedTokens: 0,
    reasoningTokens: 0,
    costUsd,
  } as ReportRow;
}

describe('report helpers', () => {
  it('labels a group by name, then id, then a dash', () => {
    expect(groupLabel({ group: 'id-1', groupName: 'ci-bot' } as unknown as ReportRow)).toBe('ci-bot');
    expect(groupLabel({ group: 'id-1', groupName: null } as unknown as ReportRow)).toBe('id-1');
    expect(groupLabel({ group: null, groupName: null } as unknown as ReportRow)).toBe('—');
  });

  it('sums rows per group, most expensive first', () => {
    const t = totalsByGroup([
      row('2026-11-01', 'a', 1, 10),
      row('2026-11-02', 'b', 5, 1),
      row('2026-11-02', 'a', 2, 10),
    ]);
    expect(t.map((g) => [g.label, g.costUsd, g.inputTokens, g.requests])).toEqual([
      ['b', 5, 1, 1],
      ['a', 3, 20, 2],
    ]);
  });

  it('pivots into time-ordered points with a zero for every missing series', () => {
    const { data, series } = pivotReport(
      [row('2026-11-02', 'a', 1), row('2026-11-01', 'b', 4), row('2026-11-02', 'b', 1)],
      'costUsd',
    );
    expect(series).toEqual(['b', 'a']);
    expect(data).toEqual([
      { period: '2026-11-01', a: 0, b: 4 },
      { period: '2026-11-02', a: 1, b: 1 },
    ]);
  });

  it('folds groups beyond the top N into "other" and keeps the totals', () => {
    const rows = ['a', 'b', 'c', 'd'].map((g, i) => row('2026-11-01', g, 0, (i + 1) * 10));
    const { data, series } = pivotReport(rows, 'tokens', 2);
    expect(series).toEqual(['d', 'c', OTHER]);
    expect(data[0]).toEqual({ period: '2026-11-01', d: 40, c: 30, [OTHER]: 30 });
  });

  it('formats dollars with cents, small amounts with four decimals', () => {
    expect(formatUsd(0)).toBe('$0.00');
    expect(formatUsd(0.0012)).toBe('$0.0012');
    expect(formatUsd(1234.5)).toBe('$1,234.50');
  });
});
