import type { Metric, Registry } from 'prom-client';

/** What a registry reads from a metric (`get()`), as prom-client's own metrics return it. */
interface HistogramValue {
  labels: Record<string, string | number>;
  value: number;
  metricName: string;
}
interface HistogramData {
  name: string;
  help: string;
  type: 'histogram';
  aggregator: 'sum';
  values: HistogramValue[];
}

/**
 * One labelled series of a {@link SeriesHistogram}: observing is a bucket search and three
 * additions, with no label object to validate and hash (prom-client's `observe` does both on
 * every call, ~1 µs with four labels).
 */
export class HistogramSeries {
  /** Per bucket (non-cumulative); the last slot is +Inf. */
  readonly counts: Float64Array;
  sum = 0;
  count = 0;

  constructor(
    readonly labels: Readonly<Record<string, string>>,
    private readonly bounds: readonly number[],
  ) {
    this.counts = new Float64Array(bounds.length + 1);
  }

  observe(value: number): void {
    if (!Number.isFinite(value)) return;
    const b = this.bounds;
    let i = 0;
    while (i < b.length && value > b[i]) i++;
    this.counts[i]++;
    this.sum += value;
    this.count++;
  }
}

/**
 * A Prometheus histogram whose series are taken once (`series(labels)`) and then observed through
 * their handle. It registers in a prom-client `Registry` like prom-client's own `Histogram` and is
 * exposed in the same text format (`_bucket` with cumulative `le` counts and `+Inf`, `_sum`,
 * `_count`; the spec compares the two outputs for the same observations).
 */
export class SeriesHistogram {
  readonly type = 'histogram' as const;
  readonly aggregator = 'sum' as const;
  readonly name: string;
  readonly help: string;
  readonly labelNames: readonly string[];
  private readonly bounds: number[];
  private readonly all = new Map<string, HistogramSeries>();

  constructor(opts: {
    name: string;
    help: string;
    labelNames?: readonly string[];
    buckets: readonly number[];
    registers?: Registry[];
  }) {
    this.name = opts.name;
    this.help = opts.help;
    this.labelNames = opts.labelNames ?? [];
    this.bounds = [...opts.buckets].sort((a, b) => a - b);
    // Like prom-client: a histogram without labels shows its (empty) series from the start.
    if (!this.labelNames.length) this.series();
    for (const r of opts.registers ?? []) r.registerMetric(this as unknown as Metric);
  }

  /** The series of these label values (created on first use; keep the handle). */
  series(labels: Record<string, string> = {}): HistogramSeries {
    for (const k of Object.keys(labels))
      if (!this.labelNames.includes(k)) throw new Error(`Histogram ${this.name} has no label '${k}'`);
    const key = this.labelNames.map((n) => labels[n] ?? '').join('\u0000');
    let s = this.all.get(key);
    if (!s) {
      s = new HistogramSeries({ ...labels }, this.bounds);
      this.all.set(key, s);
    }
    return s;
  }

  reset(): void {
    for (const s of this.all.values()) {
      s.counts.fill(0);
      s.sum = 0;
      s.count = 0;
    }
  }

  get(): Promise<HistogramData> {
    const values: HistogramValue[] = [];
    for (const s of this.all.values()) {
      let cumulative = 0;
      for (let i = 0; i <= this.bounds.length; i++) {
        cumulative += s.counts[i];
        values.push({
          labels: { le: i < this.bounds.length ? this.bounds[i] : '+Inf', ...s.labels },
          value: cumulative,
          metricName: `${this.name}_bucket`,
        });
      }
      values.push({ labels: s.labels, value: s.sum, metricName: `${this.name}_sum` });
      values.push({ labels: s.labels, value: s.count, metricName: `${this.name}_count` });
    }
    return Promise.resolve({
      name: this.name,
      help: this.help,
      type: this.type,
      aggregator: this.aggregator,
      values,
    });
  }
}
