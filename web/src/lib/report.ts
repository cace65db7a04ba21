import type { Schemas } from '../api/client';

export type ReportRow = Schemas['ReportRowView'];
export type Metric = 'costUsd' | 'tokens' | 'requests';

/** The value of one metric on a report row (tokens = input + output). */
export function metricOf(row: ReportRow, metric: Metric): number {
  if (metric === 'tokens') return row.inputTokens + row.outputTokens;
  return row[metric];
}

/** A row's group label: its display name, else its id, else "—" (the "none" grouping). */
export function groupLabel(row: Pick<ReportRow, 'group' | 'groupName'>): string {
  const name = row.groupName as unknown;
  const id = row.group as unknown;
  if (typeof name === 'string' && name) return name;
  if (typeof id === 'string' && id) return id;
  return '—';
}

export interface GroupTotal {
  label: string;
  requests: number;
  inputTokens: number;
  outputTokens: number;
  cachedTokens: number;
  costUsd: number;
}

/** Sums the rows per group, largest cost first (then most tokens, then name). */
export function totalsByGroup(rows: ReportRow[]): GroupTotal[] {
  const m = new Map<string, GroupTotal>();
  for (const r of rows) {
    const label = groupLabel(r);
    const g = m.get(label) ?? {
      label,
      requests: 0,
      inputTokens: 0,
      outputTokens: 0,
      cachedTokens: 0,
      costUsd: 0,
    };
    g.requests += r.requests;
    g.inputTokens += r.inputTokens;
    g.outputTokens += r.outputTokens;
    g.cachedTokens += r.cachedTokens;
    g.costUsd += r.costUsd;
    m.set(label, g);
  }
  return [...m.values()].sort(
    (a, b) =>
      b.costUsd - a.costUsd ||
      b.inputTokens + b.outputTokens - (a.inputTokens + a.outputTokens) ||
      a.label.localeCompare(b.label),
  );
}

export const OTHER = '__other__';

/**
 * Pivots report rows into one chart point per period with one numeric field per group (for stacked
 * charts). Only the `top` largest groups (by the metric's total) get their own series; the rest are
 * summed into `OTHER`. Periods come out in time order and every point has every series (0 when
 * absent), so stacks line up.
 */
export function pivotReport(
  rows: ReportRow[],
  metric: Metric,
  top = 6,
): { data: Record<string, string | number>[]; series: string[] } {
  const sums = new Map<string, number>();
  for (const r of rows) sums.set(groupLabel(r), (sums.get(groupLabel(r)) ?? 0) + metricOf(r, metric));
  const ranked = [...sums.entries()].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0])).map(([k]) => k);
  const kept = new Set(ranked.slice(0, top));
  const series = [...ranked.slice(0, top), ...(ranked.length > top ? [OTHER] : [])];
  const byPeriod = new Map<string, Record<string, string | number>>();
  for (const r of rows) {
    const point = byPeriod.get(r.period) ?? {
      period: r.period,
      ...Object.fromEntries(series.map((s) => [s, 0])),
    };
    const key = kept.has(groupLabel(r)) ? groupLabel(r) : OTHER;
    point[key] = (point[key] as number) + metricOf(r, metric);
    byPeriod.set(r.period, point);
  }
  const data = [...byPeriod.values()].sort((a, b) => String(a.period).localeCompare(String(b.period)));
  return { data, series };
}

/** A period label for the axis: a day as "Nov 25", a month as "Nov 2026". */
export function periodLabel(period: string, granularity: 'day' | 'week' | 'month', lang = 'en'): string {
  const d = new Date(period);
  if (Number.isNaN(d.getTime())) return period;
  if (granularity === 'month')
    return d.toLocaleDateString(lang, { month: 'short', year: 'numeric', timeZone: 'UTC' });
  return d.toLocaleDateString(lang, { month: 'short', day: 'numeric', timeZone: 'UTC' });
}

export function formatUsd(n: number): string {
  if (n === 0) return '$0.00';
  if (Math.abs(n) < 0.01) return `$${n.toFixed(4)}`;
  return `$${n.toLocaleString('en', { minimumFractionDigits: 2, maximumFractionDigits: 2 })}`;
}

/** Chart palette (Apple system colours) for stacked series. */
export const SERIES_COLORS = ['#007AFF', '#AF52DE', '#34C759', '#FF9500', '#FF2D55', '#5AC8FA', '#8E8E93'];
