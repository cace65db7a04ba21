import { Histogram, Registry } from 'prom-client';
import { SeriesHistogram } from './series-histogram';

const BUCKETS = [0.005, 0.01, 0.1, 1, 5];

/** The same observations into prom-client's Histogram and into SeriesHistogram, each in its own registry. */
function both(labelNames: string[]) {
  const theirs = new Registry();
  const ours = new Registry();
  const ph = new Histogram({
    name: 'h_seconds',
    help: 'Help text',
    labelNames,
    buckets: BUCKETS,
    registers: [theirs],
  });
  const sh = new SeriesHistogram({
    name: 'h_seconds',
    help: 'Help text',
    labelNames,
    buckets: BUCKETS,
    registers: [ours],
  });
  const observe = (labels: Record<string, string>, v: number) => {
    ph.observe(labels, v);
    sh.series(labels).observe(v);
  };
  return { theirs, ours, ph, sh, observe };
}

describe('SeriesHistogram', () => {
  it("is exposed exactly as prom-client's Histogram for the same observations", async () => {
    const { theirs, ours, observe } = both(['model', 'stream']);
    // On a bound (le is inclusive), between bounds, below the first, above the last, several series.
    for (const v of [0.005, 0.0051, 0.001, 0, 7, 1, 0.5, 0.01])
      observe({ model: 'gpt-4o', stream: 'false' }, v);
    observe({ model: 'claude "3"\\x', stream: 'true' }, 0.2);
    observe({ model: 'gpt-4o', stream: 'true' }, 12);
    const text = await ours.metrics();
    expect(text).toBe(await theirs.metrics());
    expect(text).toContain('h_seconds_bucket{le="0.005",model="gpt-4o",stream="false"} 3');
    expect(text).toContain('h_seconds_bucket{le="+Inf",model="gpt-4o",stream="false"} 8');
    expect(text).toContain('h_seconds_count{model="gpt-4o",stream="false"} 8');
  });

  it('shows a histogram without labels from the start, and its observations', async () => {
    const { theirs, ours, observe } = both([]);
    expect(await ours.metrics()).toBe(await theirs.metrics());
    expect(await ours.metrics()).toContain('h_seconds_count 0');
    observe({}, 0.05);
    observe({}, 3);
    expect(await ours.metrics()).toBe(await theirs.metrics());
    expect(await ours.metrics()).toContain('h_seconds_sum 3.05');
  });

  it('hands out one series per label set, keeps counts across scrapes and resets them', async () => {
    const { ours, sh } = both(['model']);
    const a = sh.series({ model: 'a' });
    expect(sh.series({ model: 'a' })).toBe(a);
    expect(sh.series({ model: 'b' })).not.toBe(a);
    a.observe(0.5);
    await ours.metrics();
    a.observe(0.5);
    expect(await ours.metrics()).toContain('h_seconds_count{model="a"} 2');
    ours.resetMetrics();
    expect(await ours.metrics()).toContain('h_seconds_count{model="a"} 0');
  });

  it('refuses a label it was not given and ignores values that are not finite', async () => {
    const { ours, sh } = both(['model']);
    expect(() => sh.series({ provider: 'x' })).toThrow(/no label 'provider'/);
    const s = sh.series({ model: 'a' });
    s.observe(Number.NaN);
    s.observe(Number.POSITIVE_INFINITY);
    expect(s.count).toBe(0);
    expect(await ours.metrics()).toContain('h_seconds_count{model="a"} 0');
  });

  it('is read as JSON like the other metrics', async () => {
    const { ours, theirs, observe } = both(['model']);
    observe({ model: 'a' }, 0.02);
    const [mine] = await ours.getMetricsAsJSON();
    const [ref] = await theirs.getMetricsAsJSON();
    expect(mine.values).toEqual(
      ref.values.map((v) => ({ ...v, exemplar: undefined })).map(({ exemplar: _e, ...v }) => v),
    );
    expect({ ...mine, values: [] }).toMatchObject({
      name: ref.name,
      help: ref.help,
      type: ref.type,
      values: [],
    });
  });
});
