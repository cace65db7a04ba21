import { DataSource } from 'typeorm';
import { LogWriter } from '../src/logs/log-writer.service';
import { UsageLedgerEntry } from '../src/billing/usage-ledger.entity';
import { RoutingService } from '../src/routing/routing.service';
import { GatewayFixture } from './helpers/gateway-fixture';
import { MockUpstream, startMockUpstream } from './helpers/mock-upstreams';

/** Prices used by every route below: easy numbers so the expected cost is obvious. */
const RATES = { inputPerM: 2, outputPerM: 8, cachedInputPerM: 0.5 };
const expectedCost = (input: number, output: number, cached = 0) =>
  ((input - cached) * RATES.inputPerM + cached * RATES.cachedInputPerM + output * RATES.outputPerM) / 1e6;

describe('billing: cost on every request, the usage ledger, reports (e2e)', () => {
  const g = new GatewayFixture();
  const upstreams: Record<string, MockUpstream> = {};
  let key: string;

  const ledger = async () => {
    await g.t.app.get(LogWriter).flush();
    return g.t.app
      .get(DataSource)
      .getRepository(UsageLedgerEntry)
      .find({ order: { createdAt: 'ASC' } });
  };
  const auth = () => ({ Authorization: `Bearer ${g.admin}` });
  const chat = (model: string, stream: boolean, extra: Record<string, unknown> = {}) =>
    fetch(`${g.baseURL}/v1/chat/completions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
      body: JSON.stringify({
        model,
        stream,
        messages: [{ role: 'user', content: 'price this request please' }],
        ...extra,
      }),
    });

  beforeAll(async () => {
    await g.start();
    for (const p of ['openai', 'anthropic', 'gemini'] as const) {
      upstreams[p] = await startMockUpstream(p);
      const providerId = await g.provider({
        name: `up-${p}`,
        type: p,
        baseUrl: upstreams[p].url,
        credentials: [{ key: `upstream-key-${p}-0001` }],
      });
      await g.model({ name: `m-${p}`, routes: [{ providerId, upstreamModel: `u-${p}` }] });
      await g.t.http
        .post('/api/prices')
        .set(auth())
        .send({ model: `u-${p}`, providerId, ...RATES })
        .expect(201);
    }
    const mockId = await g.provider({
      name: 'mock',
      type: 'mock',
      baseUrl: 'http://mock.invalid',
      credentials: [{ key: 'mock-key-0001' }],
    });
    await g.model({ name: 'm-mock', routes: [{ providerId: mockId, upstreamModel: 'mock-upstream' }] });
    // A price on the public name applies when the upstream model has none.
    await g.t.http
      .post('/api/prices')
      .set(auth())
      .send({ model: 'm-mock', ...RATES })
      .expect(201);
    key = await g.key({ name: 'billing' });
  });
  beforeEach(() => {
    for (const u of Object.values(upstreams)) u.reset();
    g.t.app.get(RoutingService).clearCooldowns();
  });
  afterAll(async () => {
    for (const u of Object.values(upstreams)) await u.close();
    await g.close();
  });

  it('ships the seed price list and lets admins edit it', async () => {
    const res = await g.t.http.get('/api/prices?q=gpt-4o-mini').set(auth()).expect(200);
    expect(res.body.items[0]).toMatchObject({ model: 'gpt-4o-mini', inputPerM: 0.15, outputPerM: 0.6 });
    const sonnet = await g.t.http.get('/api/prices?q=claude-sonnet-4-5').set(auth()).expect(200);
    expect(sonnet.body.items[0]).toMatchObject({ inputPerM: 3, cachedInputPerM: 0.3, cacheWritePerM: 3.75 });
    await g.t.http
      .post('/api/prices')
      .set(auth())
      .send({ model: 'x', inputPerM: -1, outputPerM: 1 })
      .expect(400);
    await g.t.http
      .post('/api/prices')
      .set(auth())
      .send({ model: 'gpt-4o-mini', inputPerM: 1, outputPerM: 1 })
      .expect(409); // same model, provider and start date
    expect((await g.t.http.post('/api/prices/seed').set(auth()).expect(200)).body).toEqual({ added: 0 });
  });

  for (const p of ['openai', 'anthropic', 'gemini', 'mock']) {
    for (const stream of [false, true]) {
      it(`${p} upstream, ${stream ? 'stream' : 'non-stream'}: cost from the reported usage on the log row and the ledger`, async () => {
        const before = (await ledger()).length;
        const res = await chat(`m-${p}`, stream, stream ? { stream_options: { include_usage: true } } : {});
        expect(res.status).toBe(200);
        await res.text();
        const logs = await g.logs();
        const log = logs[logs.length - 1];
        expect(log.status).toBe(200);
        expect(log.inputTokens).toBeGreaterThan(0);
        expect(log.outputTokens).toBeGreaterThan(0);
        const cost = expectedCost(log.inputTokens, log.outputTokens, log.cachedTokens);
        expect(log.costUsd).toBeCloseTo(cost, 9);
        const rows = await ledger();
        expect(rows).toHaveLength(before + 1);
        // Written with its log row, in one statement: same id, route, tokens and cost, and the price used.
        const prices = (await g.t.http.get(`/api/prices?q=${p === 'mock' ? 'm-mock' : `u-${p}`}`).set(auth()))
          .body.items as { id: string }[];
        expect(rows[rows.length - 1]).toMatchObject({
          id: log.id,
          requestId: log.requestId,
          model: `m-${p}`,
          providerId: log.providerId,
          upstreamModel: log.upstreamModel,
          inputTokens: log.inputTokens,
          outputTokens: log.outputTokens,
          estimated: log.usageEstimated,
          priceId: prices[0].id,
        });
        expect(rows[rows.length - 1].costUsd).toBeCloseTo(cost, 9);
      });
    }
  }

  it('bills prompt-cache writes at the cache-write rate and reads at the cached rate (Anthropic upstream)', async () => {
    const [price] = (await g.t.http.get('/api/prices?q=u-anthropic').set(auth())).body.items as {
      id: string;
    }[];
    const patched = await g.t.http
      .patch(`/api/prices/${price.id}`)
      .set(auth())
      .send({ cacheWritePerM: 2.5 })
      .expect(200);
    expect(patched.body).toMatchObject({ inputPerM: 2, cachedInputPerM: 0.5, cacheWritePerM: 2.5 });
    const messages = (stream: boolean) =>
      fetch(`${g.baseURL}/v1/messages`, {
        method: 'POST',
        headers: { 'x-api-key': key, 'content-type': 'application/json', 'anthropic-version': '2023-06-01' },
        body: JSON.stringify({
          model: 'm-anthropic',
          max_tokens: 64,
          stream,
          system: [{ type: 'text', text: 'a long system prompt', cache_control: { type: 'ephemeral' } }],
          messages: [{ role: 'user', content: 'price this request please' }],
        }),
      });
    try {
      // Translated (OpenAI front door) and same protocol (Anthropic front door), whole and streamed.
      for (const call of [
        (stream: boolean) =>
          chat('m-anthropic', stream, stream ? { stream_options: { include_usage: true } } : {}),
        messages,
      ])
        for (const stream of [false, true]) {
          upstreams.anthropic.script({ kind: 'prompt_cache', read: 300, write: 200 });
          const before = (await ledger()).length;
          const res = await call(stream);
          expect(res.status).toBe(200);
          await res.text();
          const logs = await g.logs();
          const log = logs[logs.length - 1];
          expect(log.cachedTokens).toBe(300);
          const uncached = log.inputTokens - 300 - 200; // input counts cache reads and writes
          expect(uncached).toBeGreaterThan(0);
          const cost = (uncached * 2 + 300 * 0.5 + 200 * 2.5 + log.outputTokens * 8) / 1e6;
          expect(log.costUsd).toBeCloseTo(cost, 9);
          const rows = await ledger();
          expect(rows).toHaveLength(before + 1);
          expect(rows[rows.length - 1].costUsd).toBeCloseTo(cost, 9);
        }
    } finally {
      await g.t.http.patch(`/api/prices/${price.id}`).set(auth()).send({ cacheWritePerM: null }).expect(200);
    }
  });

  it('a stream the upstream cuts is billed once for what was generated', async () => {
    upstreams.openai.script({ kind: 'cut_stream', afterChunks: 3 });
    const before = (await ledger()).length;
    const res = await chat('m-openai', true);
    const text = await res.text();
    expect(text).toContain('error');
    const logs = await g.logs();
    const log = logs[logs.length - 1];
    expect(log.status).toBe(502);
    const rows = await ledger();
    expect(rows).toHaveLength(before + 1);
    const row = rows[rows.length - 1];
    expect(row.estimated).toBe(true);
    expect(row.inputTokens).toBeGreaterThan(0);
    expect(row.outputTokens).toBeGreaterThan(0);
    expect(row.costUsd).toBeGreaterThan(0);
    expect(row.costUsd).toBeCloseTo(log.costUsd, 9);
  });

  it('a stream the client abandons is billed once for what was relayed', async () => {
    const slow = await startMockUpstream('openai', { chunkDelayMs: 150 });
    try {
      const providerId = await g.provider({
        name: 'slow',
        type: 'openai',
        baseUrl: slow.url,
        credentials: [{ key: 'upstream-key-slow-0001' }],
      });
      await g.model({ name: 'm-slow', routes: [{ providerId, upstreamModel: 'u-slow' }] });
      await g.t.http
        .post('/api/prices')
        .set(auth())
        .send({ model: 'u-slow', ...RATES })
        .expect(201);
      const before = (await ledger()).length;
      const ac = new AbortController();
      const abortable = fetch(`${g.baseURL}/v1/chat/completions`, {
        method: 'POST',
        signal: ac.signal,
        headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
        body: JSON.stringify({
          model: 'm-slow',
          stream: true,
          messages: [{ role: 'user', content: 'another long answer with many words to stream slowly' }],
        }),
      });
      const r = await abortable;
      const reader = r.body!.getReader();
      // Wait for some generated text to reach the client, then hang up.
      let seen = '';
      while (!/"content":"[^"]/.test(seen)) seen += new TextDecoder().decode((await reader.read()).value);
      ac.abort();
      let rows: UsageLedgerEntry[] = [];
      for (let i = 0; i < 50; i++) {
        rows = await ledger();
        if (rows.length >= before + 2 && (await g.logs()).some((l) => l.status === 499)) break;
        await new Promise((r2) => setTimeout(r2, 100));
      }
      const logs = await g.logs();
      const gone = logs.filter((l) => l.status === 499);
      expect(gone).toHaveLength(1);
      const billed = rows.filter((x) => x.requestId === gone[0].requestId);
      expect(billed).toHaveLength(1);
      expect(billed[0].outputTokens).toBeGreaterThan(0);
      expect(billed[0].costUsd).toBeGreaterThan(0);
      expect(billed[0].costUsd).toBeCloseTo(gone[0].costUsd, 9);
    } finally {
      await slow.close();
    }
  });

  it('uses the price in effect: a future price does not apply yet', async () => {
    const future = new Date(Date.now() + 86_400_000).toISOString();
    await g.t.http
      .post('/api/prices')
      .set(auth())
      .send({ model: 'm-mock', inputPerM: 1000, outputPerM: 1000, effectiveFrom: future })
      .expect(201);
    const res = await chat('m-mock', false);
    expect(res.status).toBe(200);
    const logs = await g.logs();
    const log = logs[logs.length - 1];
    expect(log.costUsd).toBeCloseTo(expectedCost(log.inputTokens, log.outputTokens), 9);
  });

  it('lowest-cost routing ranks routes by the price table and follows price changes', async () => {
    const pa = await g.provider({
      name: 'cost-a',
      type: 'mock',
      baseUrl: 'http://a.invalid',
      credentials: [{ key: 'mock-key-a-0001' }],
    });
    const pb = await g.provider({
      name: 'cost-b',
      type: 'mock',
      baseUrl: 'http://b.invalid',
      credentials: [{ key: 'mock-key-b-0001' }],
    });
    await g.model({
      name: 'm-cheap',
      strategy: 'lowest-cost',
      routes: [
        { providerId: pa, upstreamModel: 'cheap-a' },
        { providerId: pb, upstreamModel: 'cheap-b' },
      ],
    });
    await g.t.http
      .post('/api/prices')
      .set(auth())
      .send({ model: 'cheap-a', inputPerM: 5, outputPerM: 20 })
      .expect(201);
    const b = await g.t.http
      .post('/api/prices')
      .set(auth())
      .send({ model: 'cheap-b', inputPerM: 1, outputPerM: 2 })
      .expect(201);
    const provider = async () => {
      const res = await chat('m-cheap', false);
      expect(res.status).toBe(200);
      await res.text();
      const logs = await g.logs();
      return logs[logs.length - 1].providerName;
    };
    expect(await provider()).toBe('cost-b');
    await g.t.http.patch(`/api/prices/${b.body.id}`).set(auth()).send({ inputPerM: 50 }).expect(200);
    expect(await provider()).toBe('cost-a');
  });

  it('reports: totals equal the sum of the ledger rows, in JSON, CSV and PDF', async () => {
    const rows = await ledger();
    const sum = rows.reduce((a, r) => a + r.costUsd, 0);
    const input = rows.reduce((a, r) => a + r.inputTokens, 0);
    for (const kind of ['usage', 'billing']) {
      for (const groupBy of ['model', 'provider', 'key', 'user', 'tenant', 'none']) {
        for (const granularity of ['day', 'week', 'month']) {
          const r = await g.t.http
            .get(`/api/reports/${kind}`)
            .query({ groupBy, granularity })
            .set(auth())
            .expect(200);
          expect(r.body.totals.requests).toBe(rows.length);
          expect(r.body.totals.inputTokens).toBe(input);
          expect(r.body.totals.costUsd).toBeCloseTo(sum, 9);
          const rowSum = (r.body.rows as { costUsd: number }[]).reduce((a, x) => a + x.costUsd, 0);
          expect(rowSum).toBeCloseTo(sum, 9);
        }
      }
    }
    const byModel = await g.t.http.get('/api/reports/usage?groupBy=model').set(auth()).expect(200);
    expect(byModel.body.rows.map((r: { group: string }) => r.group)).toEqual(
      expect.arrayContaining(['m-openai', 'm-anthropic', 'm-gemini', 'm-mock']),
    );
    const byProvider = await g.t.http.get('/api/reports/billing?groupBy=provider').set(auth()).expect(200);
    expect(byProvider.body.rows.map((r: { groupName: string }) => r.groupName)).toEqual(
      expect.arrayContaining(['up-openai', 'mock']),
    );
    const csv = await g.t.http.get('/api/reports/billing?format=csv&groupBy=model').set(auth()).expect(200);
    expect(csv.headers['content-type']).toMatch(/text\/csv/);
    const lines = csv.text.trim().split('\n');
    expect(lines[0]).toBe(
      'period,group,group_name,requests,input_tokens,output_tokens,cached_tokens,reasoning_tokens,cost_usd',
    );
    const total = lines[lines.length - 1].split(',');
    expect(total[0]).toBe('TOTAL');
    expect(Number(total[8])).toBeCloseTo(sum, 9);
    const pdf = await g.t.http
      .get('/api/reports/usage?format=pdf')
      .set(auth())
      .buffer(true)
      .parse((res, cb) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => cb(null, Buffer.concat(chunks)));
      })
      .expect(200);
    expect(pdf.headers['content-type']).toBe('application/pdf');
    expect((pdf.body as Buffer).subarray(0, 5).toString()).toBe('%PDF-');
    await g.t.http.get('/api/reports/usage?granularity=year').set(auth()).expect(400);
    await g.t.http.get('/api/reports/usage?from=2026-02-01&to=2026-01-01').set(auth()).expect(400);
  });

  it('GET /v1/usage gives the key holder their own totals by day and model', async () => {
    const rows = (await ledger()).filter((r) => r.apiKeyId);
    const mine = await fetch(`${g.baseURL}/v1/usage`, { headers: { authorization: `Bearer ${key}` } });
    expect(mine.status).toBe(200);
    const body = (await mine.json()) as {
      data: { model: string; requests: number; cost_usd: number }[];
      totals: { requests: number; cost_usd: number };
    };
    const keyRows = rows.filter((r) => r.apiKeyId === rows[0].apiKeyId);
    expect(body.totals.requests).toBe(keyRows.length);
    expect(body.totals.cost_usd).toBeCloseTo(
      keyRows.reduce((a, r) => a + r.costUsd, 0),
      9,
    );
    expect(body.data.find((d) => d.model === 'm-openai')!.requests).toBeGreaterThan(0);
    const other = await g.key({ name: 'fresh' });
    const empty = await fetch(`${g.baseURL}/v1/usage`, { headers: { authorization: `Bearer ${other}` } });
    expect(((await empty.json()) as { data: unknown[] }).data).toEqual([]);
    const bad = await fetch(`${g.baseURL}/v1/usage?start_date=nope`, {
      headers: { authorization: `Bearer ${key}` },
    });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { error: { message: string } }).error.message).toBeTruthy();
    expect((await fetch(`${g.baseURL}/v1/usage`)).status).toBe(401);
  });
});
