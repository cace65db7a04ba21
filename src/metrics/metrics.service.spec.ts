import { MetricsService, RequestObservation } from './metrics.service';

const obs = (over: Partial<RequestObservation> = {}): RequestObservation => ({
  front: 'openai',
  endpoint: 'chat',
  model: 'gpt',
  provider: 'up',
  status: 200,
  latencyMs: 12,
  ttftMs: 5,
  overheadMs: 0.3,
  stream: false,
  tokens: { input: 10, output: 20, cached: 0, reasoning: 0 },
  failovers: 0,
  costUsd: 0.5,
  ...over,
});

const line = (text: string, series: string) =>
  Number(new RegExp(`^${series.replace(/[{}()|.+]/g, '\\$&')} (\\S+)$`, 'm').exec(text)?.[1]);

describe('MetricsService', () => {
  it('counts requests, tokens, failovers and cost by series, cumulatively across scrapes', async () => {
    const m = new MetricsService();
    m.observe(obs());
    m.observe(obs({ failovers: 2, tokens: { input: 1, output: 2, cached: 3, reasoning: 4 } }));
    m.observe(obs({ status: 502, model: '', provider: '', costUsd: 0, ttftMs: null }));
    let text = await m.registry.metrics();
    const ok =
      'gateway_requests_total{front="openai",endpoint="chat",model="gpt",provider="up",status="200"}';
    expect(line(text, ok)).toBe(2);
    expect(
      line(
        text,
        'gateway_requests_total{front="openai",endpoint="chat",model="(none)",provider="(none)",status="502"}',
      ),
    ).toBe(1);
    expect(line(text, 'gateway_tokens_total{model="gpt",provider="up",kind="input"}')).toBe(11);
    expect(line(text, 'gateway_tokens_total{model="gpt",provider="up",kind="reasoning"}')).toBe(4);
    expect(line(text, 'gateway_failovers_total{model="gpt"}')).toBe(2);
    expect(line(text, 'gateway_cost_usd_total{model="gpt",provider="up"}')).toBe(1);
    expect(line(text, 'gateway_overhead_seconds_count')).toBe(3);
    expect(line(text, 'gateway_time_to_first_token_seconds_count{model="gpt",provider="up"}')).toBe(2);

    // A second scrape with nothing new shows the same totals; new traffic adds to them.
    expect(line(await m.registry.metrics(), ok)).toBe(2);
    m.observe(obs());
    text = await m.registry.metrics();
    expect(line(text, ok)).toBe(3);
    expect(line(text, 'gateway_tokens_total{model="gpt",provider="up",kind="output"}')).toBe(42);
  });
});
