import { LogRetention } from '../src/logs/log-retention.service';
import { LogWriter } from '../src/logs/log-writer.service';
import { RoutingService } from '../src/routing/routing.service';
import { GatewayFixture } from './helpers/gateway-fixture';
import { MockUpstream, startMockUpstream } from './helpers/mock-upstreams';

/** Routing behaviour seen from outside: stickiness, hot-path caching, disconnects, logs API. */
describe('gateway: routing, disconnects and the logs API (e2e)', () => {
  const g = new GatewayFixture();
  let a: MockUpstream;
  let b: MockUpstream;
  let key: string;
  let pa: string;
  let pb: string;
  const chat = (
    model: string,
    content: string,
    extra: Record<string, unknown> = {},
    headers: Record<string, string> = {},
  ) =>
    fetch(`${g.baseURL}/v1/chat/completions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json', ...headers },
      body: JSON.stringify({ model, messages: [{ role: 'user', content }], ...extra }),
    });

  beforeAll(async () => {
    await g.start();
    a = await startMockUpstream('openai');
    b = await startMockUpstream('openai');
    pa = await g.provider({
      name: 'r-a',
      type: 'openai-compatible',
      baseUrl: a.url,
      credentials: [{ key: 'sk-a-000000000001' }],
    });
    pb = await g.provider({
      name: 'r-b',
      type: 'openai-compatible',
      baseUrl: b.url,
      credentials: [{ key: 'sk-b-000000000002' }],
    });
    key = await g.key();
  });
  beforeEach(() => {
    a.reset();
    b.reset();
    g.t.app.get(RoutingService).clearCooldowns();
  });
  afterAll(async () => {
    await a?.close();
    await b?.close();
    await g.close();
  });

  it('round-robin alternates; admin changes apply at once without the request path reading the database', async () => {
    const id = await g.model({
      name: 'rr',
      strategy: 'round-robin',
      routes: [
        { providerId: pa, upstreamModel: 'm-a' },
        { providerId: pb, upstreamModel: 'm-b' },
      ],
    });
    const routing = g.t.app.get(RoutingService);
    const builds = routing.builds;
    for (let i = 0; i < 6; i++) expect((await chat('rr', `n${i}`)).status).toBe(200);
    expect(a.requests).toHaveLength(3);
    expect(b.requests).toHaveLength(3);
    expect(routing.builds).toBe(builds); // requests never rebuilt (or read) the routing table

    // Disable route b through the admin API: from now on only a answers.
    const model = (await g.t.http.get(`/api/models/${id}`).set('Authorization', `Bearer ${g.admin}`)).body;
    const routeB = model.routes.find((r: { providerId: string }) => r.providerId === pb).id;
    await g.t.http
      .patch(`/api/model-routes/${routeB}`)
      .set('Authorization', `Bearer ${g.admin}`)
      .send({ enabled: false })
      .expect(200);
    a.reset();
    b.reset();
    for (let i = 0; i < 4; i++) expect((await chat('rr', `m${i}`)).status).toBe(200);
    expect(a.requests).toHaveLength(4);
    expect(b.requests).toHaveLength(0);
  });

  it('sticky routing keeps a session on one route', async () => {
    await g.model({
      name: 'sticky',
      strategy: 'round-robin',
      sticky: true,
      stickyTtlSeconds: 60,
      routes: [
        { providerId: pa, upstreamModel: 's-a' },
        { providerId: pb, upstreamModel: 's-b' },
      ],
    });
    for (let i = 0; i < 6; i++)
      expect((await chat('sticky', `s${i}`, {}, { 'x-session-id': 'session-1' })).status).toBe(200);
    expect([a.requests.length, b.requests.length].sort()).toEqual([0, 6]);
  });

  it('when every route is cooling down it still tries the one that recovers first', async () => {
    await g.model({ name: 'cool', routes: [{ providerId: pa, upstreamModel: 'c-a' }] });
    a.script({ kind: 'status', status: 503, retryAfter: 30 });
    expect((await chat('cool', 'first')).status).toBe(502);
    // The only route is cooling for 30 s, yet the next request is still attempted (and succeeds).
    const res = await chat('cool', 'second');
    expect(res.status).toBe(200);
    expect(a.requests).toHaveLength(2);
  });

  it('a client that disconnects mid-stream aborts the upstream at once; the log row keeps the tokens so far', async () => {
    const slow = await g.provider({ name: 'slow-mock', type: 'mock', config: { tokensPerSecond: 20 } });
    await g.model({ name: 'slow', routes: [{ providerId: slow, upstreamModel: 'slow-1' }] });
    const ctrl = new AbortController();
    const res = await chat(
      'slow',
      'one two three four five six seven eight nine ten eleven twelve',
      { stream: true },
      {},
    );
    const reader = res.body!.getReader();
    await reader.read();
    await reader.read();
    ctrl.abort();
    await reader.cancel();
    const writer = g.t.app.get(LogWriter);
    let row;
    for (let i = 0; i < 40 && !row; i++) {
      await new Promise((r) => setTimeout(r, 50));
      row = (await g.logs()).find((r) => r.model === 'slow');
    }
    expect(writer).toBeDefined();
    expect(row).toMatchObject({ status: 499, error: 'client disconnected', stream: true });
    expect(row!.outputTokens).toBeGreaterThan(0);
    expect(row!.latencyMs).toBeLessThan(2000); // not the full ~1.5 s+ of the stream: aborted early
  });

  it('logs API: filters, pagination, CSV export and dashboard stats', async () => {
    await g.model({ name: 'logged', routes: [{ providerId: pa, upstreamModel: 'l-a' }] });
    a.script({ kind: 'status', status: 400 });
    await chat('logged', 'bad');
    await chat('logged', 'good 1');
    await chat('logged', 'good 2');
    await g.logs();
    const auth = { Authorization: `Bearer ${g.admin}` };
    const page = await g.t.http.get('/api/logs?model=logged&pageSize=2').set(auth).expect(200);
    expect(page.body.total).toBe(3);
    expect(page.body.items).toHaveLength(2);
    const errors = await g.t.http.get('/api/logs?model=logged&outcome=error').set(auth).expect(200);
    expect(errors.body.items.map((r: { status: number }) => r.status)).toEqual([400]);
    const one = await g.t.http.get(`/api/logs/${errors.body.items[0].id}`).set(auth).expect(200);
    expect(one.body.attempts[0]).toMatchObject({ provider: 'r-a', status: 400 });

    const csv = await g.t.http.get('/api/logs/export?model=logged').set(auth).expect(200);
    expect(csv.headers['content-type']).toMatch(/text\/csv/);
    const lines = csv.text.trim().split('\n');
    expect(lines[0]).toMatch(/^createdAt,requestId,protocol,endpoint/);
    expect(lines).toHaveLength(4);

    const stats = await g.t.http.get('/api/dashboard/stats').set(auth).expect(200);
    expect(stats.body.requests).toBeGreaterThanOrEqual(3);
    expect(stats.body.byModel).toEqual(expect.arrayContaining([{ model: 'logged', requests: 3, errors: 1 }]));
    expect(stats.body.latencyP95Ms).toBeGreaterThanOrEqual(stats.body.latencyP50Ms);
    await g.t.http.get('/api/dashboard/realtime').set(auth).expect(200);
    await g.t.http.get('/api/logs?outcome=maybe').set(auth).expect(400);
  });

  it('models API: create with routes, duplicate name, batch delete, validation', async () => {
    const auth = { Authorization: `Bearer ${g.admin}` };
    const created = await g.t.http
      .post('/api/models')
      .set(auth)
      .send({
        name: 'api-model',
        strategy: 'priority',
        routes: [{ providerId: pa, upstreamModel: 'x', priority: 3, weight: 2 }],
      })
      .expect(201);
    expect(created.body.routes[0]).toMatchObject({
      providerName: 'r-a',
      upstreamModel: 'x',
      priority: 3,
      weight: 2,
    });
    await g.t.http.post('/api/models').set(auth).send({ name: 'api-model' }).expect(409);
    await g.t.http.post('/api/models').set(auth).send({ name: 'bad name!', strategy: 'fastest' }).expect(400);
    await g.t.http
      .post('/api/model-routes')
      .set(auth)
      .send({
        modelId: created.body.id,
        providerId: '00000000-0000-4000-8000-000000000000',
        upstreamModel: 'y',
      })
      .expect(404);
    const second = await g.t.http.post('/api/models').set(auth).send({ name: 'api-model-2' }).expect(201);
    const del = await g.t.http
      .post('/api/models/batch-delete')
      .set(auth)
      .send({ ids: [created.body.id, second.body.id] })
      .expect(200);
    expect(del.body).toEqual({ deleted: 2 });
  });

  it('retention purge deletes rows older than the cutoff, and only those', async () => {
    const before = (await g.logs()).length;
    expect(before).toBeGreaterThan(0);
    const retention = g.t.app.get(LogRetention);
    expect(await retention.purge(new Date(Date.now() - 3600_000))).toBe(0);
    expect(await retention.purge(new Date(Date.now() + 1000))).toBe(before);
    expect(await g.logs()).toHaveLength(0);
  });

  it('stores no bodies unless LOG_BODIES is on', async () => {
    await chat('logged', 'private words');
    const row = (await g.logs()).at(-1)!;
    expect(row.requestBody).toBeNull();
    expect(row.responseBody).toBeNull();
  });
});

describe('gateway: body logging (e2e)', () => {
  const g = new GatewayFixture();
  afterAll(() => g.close());

  it('with LOG_BODIES, stores request and response bodies capped at LOG_BODY_MAX_BYTES', async () => {
    await g.start({ LOG_BODIES: 'true', LOG_BODY_MAX_BYTES: '600' });
    const mock = await g.provider({ name: 'mock', type: 'mock' });
    await g.model({ name: 'm', routes: [{ providerId: mock, upstreamModel: 'x' }] });
    const client = g.client(await g.key());
    await client.chat.completions.create({ model: 'm', messages: [{ role: 'user', content: 'short one' }] });
    await client.chat.completions.create({
      model: 'm',
      messages: [{ role: 'user', content: 'y'.repeat(1000) }],
    });
    const stream = await client.chat.completions.create({
      model: 'm',
      messages: [{ role: 'user', content: 'streamed words' }],
      stream: true,
    });
    for await (const _ of stream) void _;
    const [a, b, c] = await g.logs();
    expect(JSON.parse(a.requestBody!)).toMatchObject({ model: 'm', messages: [{ content: 'short one' }] });
    expect(JSON.parse(a.responseBody!).choices[0].message.content).toBe('echo: short one');
    expect(b.requestBody!.length).toBe(600);
    expect(b.responseBody!.length).toBe(600);
    expect(c.responseBody).toBe('echo: streamed words');
  });
});

describe('log batches (e2e)', () => {
  const g = new GatewayFixture();
  afterAll(() => g.close());

  it('write every column type as it was given, and survive text the database refuses (NUL, lone surrogates)', async () => {
    await g.start();
    const writer = g.t.app.get(LogWriter);
    const base = {
      createdAt: new Date('2026-11-25T10:00:00.123Z'),
      protocol: 'openai',
      endpoint: 'chat',
      apiKeyId: null,
      userId: null,
      tenantId: null,
      model: 'm',
      providerId: null,
      providerName: null,
      upstreamModel: null,
      status: 502,
      stream: true,
      latencyMs: 12,
      ttftMs: null,
      inputTokens: 3,
      outputTokens: 4,
      cachedTokens: 0,
      reasoningTokens: 0,
      costUsd: 0.0000123,
      usageEstimated: true,
      clientIp: '127.0.0.1',
      userAgent: 'ua',
      requestBody: null,
      responseBody: null,
    };
    writer.push({
      ...base,
      requestId: 'json-rows-1',
      attempts: [
        { provider: 'p', providerId: 'x', upstreamModel: 'u', credentialId: 'c', status: 500, latencyMs: 1 },
      ],
      error: `bad \u0000 byte and half a pair \ud83d, quotes "' and \\ backslash`,
      droppedFields: ['a', 'b'],
    });
    writer.push({ ...base, requestId: 'json-rows-2', attempts: [], error: null, droppedFields: [] });
    const rows = (await g.logs()).filter((r) => r.requestId.startsWith('json-rows-'));
    expect(writer.pending).toBe(0);
    expect(rows).toHaveLength(2);
    const [a, b] = rows.sort((x, y) => x.requestId.localeCompare(y.requestId));
    expect(a).toMatchObject({
      createdAt: new Date('2026-11-25T10:00:00.123Z'),
      status: 502,
      stream: true,
      ttftMs: null,
      apiKeyId: null,
      usageEstimated: true,
      attempts: [{ provider: 'p', status: 500 }],
      droppedFields: ['a', 'b'],
      error: `bad \uFFFD byte and half a pair \uFFFD, quotes "' and \\ backslash`,
    });
    expect(Number(a.costUsd)).toBeCloseTo(0.0000123, 10);
    expect(b).toMatchObject({ attempts: [], droppedFields: [], error: null });
  });
});
