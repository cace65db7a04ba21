import { EventEmitter2 } from '@nestjs/event-emitter';
import { DataSource } from 'typeorm';
import { LogWriter } from '../src/logs/log-writer.service';
import { BudgetEvent, DomainEvents } from '../src/common/events/domain-events';
import { DatabaseService } from '../src/database/database.service';
import { RoutingService } from '../src/routing/routing.service';
import { GatewayFixture } from './helpers/gateway-fixture';
import { bootApp, redisUrl, TestApp } from './helpers/test-app';

const RATES = { inputPerM: 1000, outputPerM: 2000 }; // expensive, so a few requests reach a budget

/** Budgets (hard stop, thresholds), RPM/TPM limits, IP allow-list and bad-key lock-out on the gateway. */
describe('billing: budgets, rate limits and IP rules (e2e)', () => {
  const g = new GatewayFixture();
  let mockId: string;
  const events: { name: string; e: BudgetEvent }[] = [];
  const auth = () => ({ Authorization: `Bearer ${g.admin}` });

  const createKey = async (body: Record<string, unknown>) => {
    const res = await g.t.http.post('/api/api-keys').set(auth()).send(body).expect(201);
    return { id: res.body.id as string, secret: res.body.key as string };
  };
  const call = (
    secret: string,
    path = '/v1/chat/completions',
    body?: unknown,
    headers: Record<string, string> = {},
  ) =>
    fetch(`${g.baseURL}${path}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${secret}`, 'content-type': 'application/json', ...headers },
      body: JSON.stringify(
        body ?? { model: 'priced', max_tokens: 20, messages: [{ role: 'user', content: 'hello budget' }] },
      ),
    });
  const spent = async (keyId: string) => {
    await g.t.app.get(LogWriter).flush();
    const [r] = await g.t.app
      .get(DataSource)
      .query(
        'SELECT COALESCE(SUM(cost_usd),0)::float8 AS s, COUNT(*)::int AS n FROM usage_ledger WHERE api_key_id = $1',
        [keyId],
      );
    return r as { s: number; n: number };
  };

  beforeAll(async () => {
    await g.start({
      BAD_KEY_LOCKOUT_THRESHOLD: '5',
      BAD_KEY_LOCKOUT_WINDOW: '60',
      BAD_KEY_LOCKOUT_DURATION: '60',
    });
    mockId = await g.provider({
      name: 'mock',
      type: 'mock',
      baseUrl: 'http://mock.invalid',
      credentials: [{ key: 'mock-key-0001' }],
      config: { latencyMs: 30 },
    });
    await g.model({ name: 'priced', routes: [{ providerId: mockId, upstreamModel: 'mock-priced' }] });
    await g.model({ name: 'other', routes: [{ providerId: mockId, upstreamModel: 'mock-other' }] });
    await g.t.http
      .post('/api/prices')
      .set(auth())
      .send({ model: 'priced', ...RATES })
      .expect(201);
    const emitter = g.t.app.get(EventEmitter2);
    emitter.on(DomainEvents.BudgetThreshold, (e: BudgetEvent) => events.push({ name: 'threshold', e }));
    emitter.on(DomainEvents.BudgetExhausted, (e: BudgetEvent) => events.push({ name: 'exhausted', e }));
  });
  afterAll(() => g.close());

  it('validates budgets and only admins set them', async () => {
    const k = await createKey({ name: 'validation' });
    await g.t.http
      .post('/api/budgets')
      .set(auth())
      .send({ scope: 'key', scopeId: k.id, period: 'yearly', amountUsd: 1 })
      .expect(400);
    await g.t.http
      .post('/api/budgets')
      .set(auth())
      .send({ scope: 'key', scopeId: k.id, period: 'daily', amountUsd: -1 })
      .expect(400);
    await g.t.http
      .post('/api/budgets')
      .set(auth())
      .send({ scope: 'user', scopeId: '00000000-0000-4000-8000-000000000000', period: 'daily', amountUsd: 1 })
      .expect(404);
    await g.t.http
      .post('/api/budgets')
      .set(auth())
      .send({ scope: 'key', scopeId: k.id, period: 'daily', amountUsd: 1 })
      .expect(201);
    await g.t.http
      .post('/api/budgets')
      .set(auth())
      .send({ scope: 'key', scopeId: k.id, period: 'daily', amountUsd: 2 })
      .expect(409);
  });

  it('hard stop under 50 parallel requests: spend stays within the budget plus one request, thresholds fire once', async () => {
    const k = await createKey({ name: 'budgeted' });
    // Learn one request's cost first (same body → same tokens).
    const probe = await call(k.secret);
    expect(probe.status).toBe(200);
    await probe.text();
    const one = (await spent(k.id)).s;
    expect(one).toBeGreaterThan(0);
    const amountUsd = Number((one * 10.5).toFixed(6));
    const created = await g.t.http
      .post('/api/budgets')
      .set(auth())
      .send({ scope: 'key', scopeId: k.id, period: 'monthly', amountUsd, thresholds: [50, 80] })
      .expect(201);
    expect(created.body.spentUsd).toBeCloseTo(one, 9); // warmed from the ledger
    events.length = 0;

    const results = await Promise.all(
      Array.from({ length: 50 }, async () => {
        const r = await call(k.secret);
        return { status: r.status, body: (await r.json()) as { error?: { type: string; code: string } } };
      }),
    );
    const ok = results.filter((r) => r.status === 200).length;
    const refused = results.filter((r) => r.status === 429);
    expect(ok).toBeGreaterThan(0);
    expect(refused.length).toBeGreaterThan(0);
    expect(ok + refused.length).toBe(50);
    for (const r of refused)
      expect(r.body.error).toMatchObject({ type: 'insufficient_quota', code: 'insufficient_quota' });
    let total = await spent(k.id);
    expect(total.s).toBeLessThanOrEqual(amountUsd + one + 1e-9);
    expect(total.n).toBe(ok + 1);
    // Then one at a time until refused: the budget is used up exactly once.
    let more = 0;
    for (let status = 200; status === 200 && more < 30; more++) {
      const r = await call(k.secret);
      status = r.status;
      await r.text();
    }
    total = await spent(k.id);
    expect(total.s).toBeGreaterThanOrEqual(amountUsd);
    expect(total.s).toBeLessThanOrEqual(amountUsd + one + 1e-9);

    // Each threshold once, and the exhaustion once (settlement is atomic).
    await new Promise((r) => setTimeout(r, 100));
    const mine = events.filter((x) => x.e.scopeId === k.id);
    expect(mine.filter((x) => x.name === 'threshold').map((x) => x.e.thresholdPct)).toEqual([50, 80]);
    expect(mine.filter((x) => x.name === 'exhausted')).toHaveLength(1);
    expect(mine[0].e).toMatchObject({
      scope: 'key',
      scopeName: 'budgeted',
      period: 'monthly',
      limitUsd: amountUsd,
    });

    // The budget view reports the counter; raising the budget lets requests through again.
    const view = await g.t.http.get(`/api/budgets/${created.body.id}`).set(auth()).expect(200);
    expect(view.body.spentUsd).toBeCloseTo(total.s, 9);
    await g.t.http
      .patch(`/api/budgets/${created.body.id}`)
      .set(auth())
      .send({ amountUsd: Number((amountUsd * 10).toFixed(6)) })
      .expect(200);
    expect((await call(k.secret)).status).toBe(200);
  });

  it('answers an exhausted budget in each protocol’s shape', async () => {
    const k = await createKey({ name: 'exhausted' });
    await g.t.http
      .post('/api/budgets')
      .set(auth())
      .send({ scope: 'key', scopeId: k.id, period: 'total', amountUsd: 0 })
      .expect(201);
    const openai = await call(k.secret);
    expect(openai.status).toBe(429);
    expect(((await openai.json()) as { error: { type: string } }).error.type).toBe('insufficient_quota');
    const anthropic = await call(k.secret, '/v1/messages', {
      model: 'priced',
      max_tokens: 10,
      messages: [{ role: 'user', content: 'hi' }],
    });
    expect(anthropic.status).toBe(429);
    expect(await anthropic.json()).toMatchObject({ type: 'error', error: { type: 'rate_limit_error' } });
    const gemini = await call(k.secret, '/gemini/v1beta/models/priced:generateContent', {
      contents: [{ role: 'user', parts: [{ text: 'hi' }] }],
    });
    expect(gemini.status).toBe(429);
    expect(await gemini.json()).toMatchObject({ error: { code: 429, status: 'RESOURCE_EXHAUSTED' } });
  });

  it('a user budget covers all of the user’s keys', async () => {
    const me = await g.t.http.get('/api/auth/me').set(auth()).expect(200);
    const k = await createKey({ name: 'user-scope' });
    const res = await g.t.http
      .post('/api/budgets')
      .set(auth())
      .send({ scope: 'user', scopeId: me.body.id, period: 'daily', amountUsd: 0 })
      .expect(201);
    expect((await call(k.secret)).status).toBe(429);
    await g.t.http.delete(`/api/budgets/${res.body.id}`).set(auth()).expect(204);
    expect((await call(k.secret)).status).toBe(200);
  });

  it('RPM limit: 429 with Retry-After and OpenAI x-ratelimit headers', async () => {
    const k = await createKey({ name: 'rpm', rpmLimit: 3 });
    const seen: Response[] = [];
    for (let i = 0; i < 4; i++) {
      const r = await call(k.secret, '/v1/chat/completions', {
        model: 'other',
        messages: [{ role: 'user', content: 'x' }],
      });
      await r.text();
      seen.push(r);
    }
    expect(seen.map((r) => r.status)).toEqual([200, 200, 200, 429]);
    expect(seen[0].headers.get('x-ratelimit-limit-requests')).toBe('3');
    expect(seen[0].headers.get('x-ratelimit-remaining-requests')).toBe('2');
    expect(seen[2].headers.get('x-ratelimit-remaining-requests')).toBe('0');
    expect(seen[0].headers.get('x-ratelimit-reset-requests')).toMatch(/^\d+(ms|s|m\d+s)$/);
    expect(Number(seen[3].headers.get('retry-after'))).toBeGreaterThan(0);
    const body = (await call(k.secret).then((r) => r.json())) as { error: { type: string; code: string } };
    expect(body.error).toMatchObject({ type: 'rate_limit_error', code: 'rate_limit_exceeded' });
  });

  it('TPM and per-model limits', async () => {
    const tpm = await createKey({ name: 'tpm', tpmLimit: 60 });
    const first = await call(tpm.secret);
    expect(first.status).toBe(200);
    expect(first.headers.get('x-ratelimit-limit-tokens')).toBe('60');
    await first.text();
    let status = 200;
    for (let i = 0; i < 10 && status === 200; i++)
      status = (await call(tpm.secret).then(async (r) => (await r.text(), r))).status;
    expect(status).toBe(429);

    const per = await createKey({ name: 'per-model', modelLimits: [{ model: 'priced', rpm: 1 }] });
    expect((await call(per.secret)).status).toBe(200);
    expect((await call(per.secret)).status).toBe(429);
    const other = await call(per.secret, '/v1/chat/completions', {
      model: 'other',
      messages: [{ role: 'user', content: 'x' }],
    });
    expect(other.status).toBe(200);
  });

  it('only admins set rate limits; owners may set an IP allow-list; bad CIDRs are 400', async () => {
    await g.t.http
      .post('/api/api-keys')
      .set(auth())
      .send({ name: 'bad', allowedIps: ['not-an-ip'] })
      .expect(400);
    await g.t.http.post('/api/api-keys').set(auth()).send({ name: 'bad', rpmLimit: 0 }).expect(400);
  });

  it('IP allow-list: a key locked to other addresses is refused from here', async () => {
    const away = await createKey({ name: 'elsewhere', allowedIps: ['10.0.0.0/8'] });
    const r = await call(away.secret);
    expect(r.status).toBe(403);
    expect(((await r.json()) as { error: { code: string } }).error.code).toBe('ip_not_allowed');
    const here = await createKey({ name: 'here', allowedIps: ['127.0.0.1', '::1'] });
    expect((await call(here.secret)).status).toBe(200);
  });

  it('scopes: a key limited to embeddings and usage cannot chat or list models', async () => {
    const k = await createKey({ name: 'scoped', scopes: ['embeddings', 'usage'] });
    const chat = await call(k.secret);
    expect(chat.status).toBe(403);
    expect(((await chat.json()) as { error: { code: string } }).error.code).toBe('insufficient_scope');
    const models = await fetch(`${g.baseURL}/v1/models`, {
      headers: { authorization: `Bearer ${k.secret}` },
    });
    expect(models.status).toBe(403);
    const usage = await fetch(`${g.baseURL}/v1/usage`, { headers: { authorization: `Bearer ${k.secret}` } });
    expect(usage.status).toBe(200);
    const chatOnly = await createKey({ name: 'chat-only', scopes: ['chat'] });
    expect(
      (await fetch(`${g.baseURL}/v1/usage`, { headers: { authorization: `Bearer ${chatOnly.secret}` } }))
        .status,
    ).toBe(403);
    await g.t.http
      .post('/api/api-keys')
      .set(auth())
      .send({ name: 'bad', scopes: ['admin'] })
      .expect(400);
  });

  it('rotation: a new secret works at once, the old one stops, settings stay', async () => {
    const k = await createKey({ name: 'rotating', rpmLimit: 100, allowedModels: ['priced'] });
    expect((await call(k.secret)).status).toBe(200);
    const rotated = await g.t.http.post(`/api/api-keys/${k.id}/rotate`).set(auth()).expect(200);
    expect(rotated.body).toMatchObject({ id: k.id, rpmLimit: 100, allowedModels: ['priced'] });
    expect(rotated.body.key).not.toBe(k.secret);
    expect(rotated.body.prefix).toBe(rotated.body.key.slice(0, 10));
    expect((await call(k.secret)).status).toBe(401);
    expect((await call(rotated.body.key)).status).toBe(200);
  });

  it('locks an IP out after repeated bad keys, even for a good key, and announces bad keys', async () => {
    const good = await createKey({ name: 'victim' });
    const invalid: unknown[] = [];
    g.t.app.get(EventEmitter2).on(DomainEvents.ApiKeyInvalid, (e) => invalid.push(e));
    // Earlier tests already sent a bad key or two from this IP (threshold 5 within the window).
    const statuses: number[] = [];
    for (let i = 0; i < 6 && statuses[statuses.length - 1] !== 429; i++) {
      statuses.push((await call(`sk-wrong-${i}`)).status);
      await new Promise((r) => setTimeout(r, 20));
    }
    expect(statuses[0]).toBe(401);
    expect(statuses[statuses.length - 1]).toBe(429);
    expect(statuses.filter((x) => x === 401).length).toBeLessThanOrEqual(5);
    const locked = await call(good.secret);
    expect(locked.status).toBe(429);
    expect(Number(locked.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(((await locked.json()) as { error: { code: string } }).error.code).toBe('ip_locked');
    expect(invalid.length).toBe(statuses.filter((x) => x === 401).length);
  });
});

/** With Redis: two instances share rate limits and budgets (one counter, not one per instance). */
(redisUrl ? describe : describe.skip)('billing across two instances sharing Redis (e2e)', () => {
  const g = new GatewayFixture();
  let b: TestApp;
  let bURL: string;
  beforeAll(async () => {
    // One deployment: shared JWT secret and encryption key (provider credentials are decrypted by both).
    const JWT_SECRET = 'billing-multi-instance-secret-0123456789abcdef';
    const ENCRYPTION_KEY = 'ab'.repeat(32);
    await g.start({ JWT_SECRET, ENCRYPTION_KEY });
    b = await bootApp({
      JWT_SECRET,
      ENCRYPTION_KEY,
      DATABASE_URL: await g.t.app.get(DatabaseService).url(),
      REDIS_PREFIX: g.t.env.REDIS_PREFIX,
      DB_MIGRATIONS_RUN: 'false',
    });
    bURL = `http://127.0.0.1:${(b.app.getHttpServer().address() as { port: number }).port}`;
    const mockId = await g.provider({
      name: 'mock',
      type: 'mock',
      baseUrl: 'http://mock.invalid',
      credentials: [{ key: 'mock-key-0001' }],
    });
    await g.model({ name: 'shared', routes: [{ providerId: mockId, upstreamModel: 'mock-shared' }] });
    await g.t.http
      .post('/api/prices')
      .set({ Authorization: `Bearer ${g.admin}` })
      .send({ model: 'shared', ...RATES })
      .expect(201);
  });
  afterAll(async () => {
    await b?.close();
    await g.close();
  });

  const hit = (base: string, secret: string) =>
    fetch(`${base}/v1/chat/completions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${secret}`, 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'shared', max_tokens: 20, messages: [{ role: 'user', content: 'hi' }] }),
    }).then(async (r) => (await r.text(), r.status));

  it('the RPM limit is global, not per instance', async () => {
    // Instance B learns about the model through pub/sub.
    for (let i = 0; i < 50 && !b.app.get(RoutingService).model('shared'); i++)
      await new Promise((r) => setTimeout(r, 50));
    const secret = await g.key({ name: 'global-rpm', rpmLimit: 4 });
    const statuses: number[] = [];
    for (let i = 0; i < 6; i++) statuses.push(await hit(i % 2 ? bURL : g.baseURL, secret));
    expect(statuses).toEqual([200, 200, 200, 200, 429, 429]);
    expect(statuses.slice(4)).toEqual([429, 429]);
  });

  it('a budget is shared: parallel requests on both instances stop at one budget', async () => {
    const res = await g.t.http
      .post('/api/api-keys')
      .set({ Authorization: `Bearer ${g.admin}` })
      .send({ name: 'global-budget' })
      .expect(201);
    const secret = res.body.key as string;
    expect(await hit(g.baseURL, secret)).toBe(200);
    await g.t.app.get(LogWriter).flush();
    const [{ s: one }] = (await g.t.app
      .get(DataSource)
      .query('SELECT SUM(cost_usd)::float8 AS s FROM usage_ledger WHERE api_key_id = $1', [res.body.id])) as {
      s: number;
    }[];
    const amountUsd = Number((one * 6.5).toFixed(6));
    await g.t.http
      .post('/api/budgets')
      .set({ Authorization: `Bearer ${g.admin}` })
      .send({ scope: 'key', scopeId: res.body.id, period: 'daily', amountUsd })
      .expect(201);
    // Instance B hears of the new budget through pub/sub.
    await new Promise((r) => setTimeout(r, 300));
    const statuses = await Promise.all(
      Array.from({ length: 40 }, (_, i) => hit(i % 2 ? bURL : g.baseURL, secret)),
    );
    await g.t.app.get(LogWriter).flush();
    await b.app.get(LogWriter).flush();
    const [{ s }] = (await g.t.app
      .get(DataSource)
      .query('SELECT SUM(cost_usd)::float8 AS s FROM usage_ledger WHERE api_key_id = $1', [res.body.id])) as {
      s: number;
    }[];
    expect(statuses.filter((x) => x === 429).length).toBeGreaterThan(0);
    expect(s).toBeLessThanOrEqual(amountUsd + one + 1e-9);
  });
});
