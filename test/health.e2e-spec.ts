import { EventEmitter2 } from '@nestjs/event-emitter';
import { DataSource } from 'typeorm';
import {
  BalanceLowEvent,
  DomainEvents,
  ProviderHealthChangedEvent,
} from '../src/common/events/domain-events';
import { DatabaseService } from '../src/database/database.service';
import { HealthService } from '../src/health/health.service';
import { RoutingService } from '../src/routing/routing.service';
import { GatewayFixture } from './helpers/gateway-fixture';
import { MockUpstream, startMockUpstream } from './helpers/mock-upstreams';
import { bootApp, createUser, redisUrl, setupAdmin, TestApp } from './helpers/test-app';

const chatRequests = (u: MockUpstream) => u.requests.filter((r) => r.path === '/v1/chat/completions').length;
const modelListRequests = (u: MockUpstream) => u.requests.filter((r) => r.path === '/v1/models').length;

describe('health: checks, circuit breaker, events, history (e2e)', () => {
  const g = new GatewayFixture();
  let a: MockUpstream;
  let b: MockUpstream;
  let c: MockUpstream;
  let key: string;
  let pa: string;
  let pb: string;
  let pc: string;
  const events: ProviderHealthChangedEvent[] = [];
  const lows: BalanceLowEvent[] = [];
  const auth = () => ({ Authorization: `Bearer ${g.admin}` });
  const check = (id: string) => g.t.http.post(`/api/health/providers/${id}/check`).set(auth());
  const chat = (model: string) =>
    fetch(`${g.baseURL}/v1/chat/completions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
      body: JSON.stringify({ model, messages: [{ role: 'user', content: 'hi' }] }),
    });

  beforeAll(async () => {
    await g.start({
      HEALTH_CHECK_INTERVAL_MS: '0',
      HEALTH_FAILURE_THRESHOLD: '3',
      HEALTH_PASSIVE_FAILURE_THRESHOLD: '3',
    });
    const emitter = g.t.app.get(EventEmitter2);
    emitter.on(DomainEvents.ProviderHealthChanged, (e: ProviderHealthChangedEvent) => events.push(e));
    emitter.on(DomainEvents.BalanceLow, (e: BalanceLowEvent) => lows.push(e));
    [a, b, c] = await Promise.all([
      startMockUpstream('openai'),
      startMockUpstream('openai'),
      startMockUpstream('openai'),
    ]);
    const mk = (name: string, u: MockUpstream, k: string, config: Record<string, unknown> = {}) =>
      g.provider({ name, type: 'openai-compatible', baseUrl: u.url, credentials: [{ key: k }], config });
    pa = await mk('h-a', a, 'sk-health-a-0000000001');
    pb = await mk('h-b', b, 'sk-health-b-0000000002');
    pc = await mk('h-c', c, 'sk-health-c-0000000003');
    await g.model({
      name: 'h-chat',
      strategy: 'priority',
      routes: [
        { providerId: pa, upstreamModel: 'a-model', priority: 2 },
        { providerId: pb, upstreamModel: 'b-model', priority: 1 },
      ],
    });
    await g.model({
      name: 'p-chat',
      strategy: 'priority',
      routes: [
        { providerId: pc, upstreamModel: 'c-model', priority: 2 },
        { providerId: pb, upstreamModel: 'b-model', priority: 1 },
      ],
    });
    key = await g.key();
  });
  afterAll(async () => {
    await Promise.all([a?.close(), b?.close(), c?.close()]);
    await g.close();
  });

  it('a flipped upstream turns unhealthy at the threshold, leaves the rotation, and comes back after a passing check', async () => {
    const first = await check(pa).expect(200);
    expect(first.body).toMatchObject({ id: pa, name: 'h-a', status: 'healthy' });
    expect(first.body.credentials[0]).toMatchObject({
      status: 'healthy',
      consecutiveFailures: 0,
      inRotation: true,
    });
    expect(first.body.credentials[0].hint).not.toContain('0000000001');
    expect(modelListRequests(a)).toBe(1); // the cheapest call: the model list

    a.flip({ kind: 'status', status: 500 });
    const second = await check(pa).expect(200);
    expect(second.body.credentials[0]).toMatchObject({ status: 'degraded', consecutiveFailures: 1 });
    expect(second.body.credentials[0].lastError).toMatch(/500/);
    expect((await check(pa)).body.credentials[0]).toMatchObject({
      status: 'degraded',
      consecutiveFailures: 2,
    });
    const third = await check(pa).expect(200);
    expect(third.body).toMatchObject({ status: 'unhealthy' });
    expect(third.body.credentials[0]).toMatchObject({
      status: 'unhealthy',
      consecutiveFailures: 3,
      inRotation: false,
    });
    await check(pa).expect(200); // still unhealthy: no second transition

    const mine = () => events.filter((e) => e.providerId === pa);
    expect(mine().map((e) => `${e.from}>${e.to}`)).toEqual([
      'unknown>healthy',
      'healthy>degraded',
      'degraded>unhealthy',
    ]);
    expect(mine().filter((e) => e.to === 'unhealthy')).toHaveLength(1);
    expect(mine()[2]).toMatchObject({
      providerName: 'h-a',
      source: 'active',
      error: expect.stringMatching(/500/),
    });
    expect(mine()[2].credentialId).toBe(first.body.credentials[0].credentialId);

    // Routing sends nothing to the unhealthy route: every request goes to b, none fails.
    a.reset();
    b.reset();
    for (let i = 0; i < 3; i++) {
      const res = await chat('h-chat');
      expect(res.status).toBe(200);
    }
    expect(chatRequests(a)).toBe(0);
    expect(chatRequests(b)).toBe(3);

    // Heals: one passing check brings it back, one recovery event, traffic returns.
    a.flip(null);
    const healed = await check(pa).expect(200);
    expect(healed.body).toMatchObject({ status: 'healthy' });
    expect(mine().filter((e) => e.from === 'unhealthy')).toEqual([
      expect.objectContaining({ from: 'unhealthy', to: 'healthy', source: 'active' }),
    ]);
    a.reset();
    expect((await chat('h-chat')).status).toBe(200);
    expect(chatRequests(a)).toBe(1);

    // Availability over the last hour: 2 of 6 checks passed.
    const view = await g.t.http.get(`/api/health/providers/${pa}`).set(auth()).expect(200);
    expect(view.body.availability).toEqual({ '1h': 33.33, '24h': 33.33, '7d': 33.33 });
    const history = await g.t.http
      .get('/api/health/history')
      .query({ providerId: pa, pageSize: 2 })
      .set(auth())
      .expect(200);
    expect(history.body).toMatchObject({ total: 6, page: 1, pageSize: 2 });
    expect(history.body.items).toHaveLength(2);
    expect(history.body.items[0]).toMatchObject({ status: 'healthy', ok: true, source: 'active' });
    const unhealthy = await g.t.http
      .get('/api/health/history')
      .query({ providerId: pa, status: 'unhealthy' })
      .set(auth())
      .expect(200);
    expect(unhealthy.body.total).toBe(2);
  });

  it('live failures count as passive health: the credential leaves the rotation without any check', async () => {
    c.flip({ kind: 'status', status: 503 });
    const routing = g.t.app.get(RoutingService);
    for (let i = 0; i < 3; i++) {
      routing.clearCooldowns(); // each request tries c first again
      expect((await chat('p-chat')).status).toBe(200); // failed over to b
    }
    expect(chatRequests(c)).toBe(3);
    // Single live failures only count; the third in a row (HEALTH_PASSIVE_FAILURE_THRESHOLD) trips it.
    const passive = events.filter((e) => e.providerId === pc);
    expect(passive.map((e) => `${e.from}>${e.to}:${e.source}`)).toEqual(['unknown>unhealthy:passive']);
    const view = await g.t.http.get(`/api/health/providers/${pc}`).set(auth()).expect(200);
    expect(view.body.credentials[0]).toMatchObject({
      status: 'unhealthy',
      liveFailures: 3,
      inRotation: false,
    });
    routing.clearCooldowns();
    expect((await chat('p-chat')).status).toBe(200);
    expect(chatRequests(c)).toBe(3); // skipped while unhealthy
    const row = await g.t.http
      .get('/api/health/history')
      .query({ providerId: pc, source: 'passive' })
      .set(auth());
    expect(row.body.items[0]).toMatchObject({ status: 'unhealthy', source: 'passive', ok: false });
    c.flip(null);
    expect((await check(pc).expect(200)).body.status).toBe('healthy');
  });

  it('reads balances (OpenRouter and DeepSeek shapes) and emits balance.low once when below the threshold', async () => {
    const or = await startMockUpstream('openai');
    const ds = await startMockUpstream('openai');
    try {
      or.serve('GET', '/v1/credits', { data: { total_credits: 10, total_usage: 7.5 } });
      ds.serve('GET', '/user/balance', {
        is_available: true,
        balance_infos: [
          { currency: 'CNY', total_balance: '110.00', granted_balance: '0', topped_up_balance: '110' },
        ],
      });
      const po = await g.provider({
        name: 'h-openrouter',
        type: 'openai-compatible',
        baseUrl: or.url,
        credentials: [{ key: 'sk-or-v1-0000000000000009' }],
        config: { balance: 'openrouter', balanceThreshold: 5 },
      });
      const pd = await g.provider({
        name: 'h-deepseek',
        type: 'openai-compatible',
        baseUrl: ds.url,
        credentials: [{ key: 'sk-ds-0000000000000008' }],
        config: { balance: 'deepseek' },
      });
      const r1 = await check(po).expect(200);
      expect(r1.body.credentials[0].balance).toMatchObject({
        amount: 2.5,
        currency: 'USD',
        threshold: 5,
        low: true,
      });
      await check(po).expect(200);
      expect(lows).toEqual([
        expect.objectContaining({
          providerId: po,
          providerName: 'h-openrouter',
          balance: 2.5,
          currency: 'USD',
          threshold: 5,
        }),
      ]);
      expect(or.requests.find((r) => r.path === '/v1/credits')?.headers.authorization).toBe(
        'Bearer sk-or-v1-0000000000000009',
      );
      const r2 = await check(pd).expect(200);
      expect(r2.body.credentials[0].balance).toMatchObject({ amount: 110, currency: 'CNY', low: false });
      expect(lows).toHaveLength(1);
    } finally {
      await or.close();
      await ds.close();
    }
  });

  it('computes availability per window in SQL and purges old history in chunks', async () => {
    const view = await g.t.http.get(`/api/health/providers/${pb}`).set(auth()).expect(200);
    const credId = view.body.credentials[0].credentialId as string;
    const ds = g.t.app.get(DataSource);
    const insert = (ago: string, ok: boolean) =>
      ds.query(
        `INSERT INTO health_checks (target_type, target_id, provider_id, status, ok, checked_at)
         VALUES ('provider-credential', $1, $2, $3, $4, now() - $5::interval)`,
        [credId, pb, ok ? 'healthy' : 'unhealthy', ok, ago],
      );
    await insert('30 minutes', true);
    await insert('3 hours', false);
    await insert('3 days', false);
    await insert('10 days', true);
    const after = await g.t.http.get(`/api/health/providers/${pb}`).set(auth()).expect(200);
    expect(after.body.credentials[0].availability).toEqual({ '1h': 100, '24h': 50, '7d': 33.33 });
    const purged = await g.t.app.get(HealthService).purge(new Date(Date.now() - 8 * 86_400_000));
    expect(purged).toBe(1);
  });

  it('validates input, hides secrets and serves a public summary', async () => {
    await g.t.http.get('/api/health/providers/not-a-uuid').set(auth()).expect(400);
    await g.t.http.get('/api/health/providers/00000000-0000-4000-8000-000000000000').set(auth()).expect(404);
    await g.t.http
      .post('/api/health/providers/00000000-0000-4000-8000-000000000000/check')
      .set(auth())
      .expect(404);
    await g.t.http.get('/api/health/history').query({ targetType: 'nope' }).set(auth()).expect(400);
    await g.t.http.get('/api/health/history').query({ pageSize: 0 }).set(auth()).expect(400);
    await g.t.http.get('/api/health/providers').expect(401);
    const viewer = await createUser(g.t, g.admin, 'viewer@example.com', 'viewer');
    await g.t.http.get('/api/health/providers').set('Authorization', `Bearer ${viewer.token}`).expect(200);
    await g.t.http.get('/api/health/history').set('Authorization', `Bearer ${viewer.token}`).expect(200);
    await g.t.http
      .post(`/api/health/providers/${pa}/check`)
      .set('Authorization', `Bearer ${viewer.token}`)
      .expect(403);

    const detail = await g.t.http.get('/health/detail').expect(200);
    expect(detail.body).toMatchObject({ status: 'ok', checksEnabled: false });
    const total = Object.values(detail.body.providers as Record<string, number>).reduce((s, n) => s + n, 0);
    expect(total).toBe(5);
    expect(detail.body.providers.healthy).toBeGreaterThanOrEqual(3);
    const text = JSON.stringify(detail.body);
    expect(text).not.toMatch(/sk-|127\.0\.0\.1|h-a/);
    const all = await g.t.http.get('/api/health/providers').set(auth()).expect(200);
    expect(JSON.stringify(all.body)).not.toMatch(/0000000001|0000000009/);
    // The existing probes are untouched.
    await g.t.http.get('/health').expect(200);
    await g.t.http.get('/health/ready').expect(200);
  });
});

/** Two instances on one database and one Redis: a scheduled round runs on one of them only. */
(redisUrl ? describe : describe.skip)('health: two instances share the round lock (e2e)', () => {
  let x: TestApp;
  let y: TestApp;
  let up: MockUpstream;
  beforeAll(async () => {
    const JWT_SECRET = 'health-multi-instance-secret-0123456789abcdef';
    const env = {
      JWT_SECRET,
      ENCRYPTION_KEY: 'b'.repeat(64), // shared: either instance may decrypt the keys to check them
      HEALTH_CHECK_INTERVAL_MS: '3600000',
      HEALTH_FAILURE_THRESHOLD: '1',
    };
    x = await bootApp(env);
    const url = await x.app.get(DatabaseService).url();
    y = await bootApp({
      ...env,
      DATABASE_URL: url,
      REDIS_PREFIX: x.env.REDIS_PREFIX,
      DB_MIGRATIONS_RUN: 'false',
    });
    up = await startMockUpstream('openai');
  });
  afterAll(async () => {
    await up?.close();
    await y?.close();
    await x?.close();
  });

  it('runs a round once across instances and shares the resulting status', async () => {
    const token = await setupAdmin(x);
    const created = await x.http
      .post('/api/providers')
      .set('Authorization', `Bearer ${token}`)
      .send({
        name: 'shared',
        type: 'openai-compatible',
        baseUrl: up.url,
        credentials: [{ key: 'sk-shared-00000001' }],
      })
      .expect(201);
    const credId = created.body.credentials[0].id as string;
    const hx = x.app.get(HealthService);
    const hy = y.app.get(HealthService);
    const ran = await Promise.all([hx.tick(), hy.tick()]);
    expect(ran.filter(Boolean)).toHaveLength(1);
    expect(modelListRequests(up)).toBe(1);
    expect(hx.rounds.ran + hy.rounds.ran).toBe(1);
    expect(hx.rounds.skipped + hy.rounds.skipped).toBe(1);
    // Later ticks within the same interval (e.g. jittered timers) find the round taken too.
    expect(await Promise.all([hx.tick(), hy.tick()])).toEqual([false, false]);
    expect(modelListRequests(up)).toBe(1);

    // A status change on one instance reaches the other's routing breaker.
    up.flip({ kind: 'status', status: 500 });
    await x.http
      .post(`/api/health/providers/${created.body.id}/check`)
      .set('Authorization', `Bearer ${token}`)
      .expect(200);
    const routingY = y.app.get(RoutingService);
    for (let i = 0; i < 50 && !routingY.isUnhealthy(created.body.id, credId); i++)
      await new Promise((r) => setTimeout(r, 50));
    expect(routingY.isUnhealthy(created.body.id, credId)).toBe(true);
    expect(hy.stateOf(credId)?.status).toBe('unhealthy');
  });
});

describe('health: the scheduled round (e2e)', () => {
  const g = new GatewayFixture();
  let up: MockUpstream;
  beforeAll(async () => {
    await g.start({ HEALTH_CHECK_INTERVAL_MS: '1000' });
    up = await startMockUpstream('openai');
  });
  afterAll(async () => {
    await up?.close();
    await g.close();
  });

  it('checks enabled providers on the jittered interval without being asked', async () => {
    const id = await g.provider({
      name: 'timed',
      type: 'openai-compatible',
      baseUrl: up.url,
      credentials: [{ key: 'sk-timed-000000000001' }],
    });
    let status = 'unknown';
    for (let i = 0; i < 100 && status === 'unknown'; i++) {
      await new Promise((r) => setTimeout(r, 100));
      const res = await g.t.http.get(`/api/health/providers/${id}`).set('Authorization', `Bearer ${g.admin}`);
      status = res.body.status as string;
    }
    expect(status).toBe('healthy');
    expect(modelListRequests(up)).toBeGreaterThanOrEqual(1);
    expect(g.t.app.get(HealthService).rounds.ran).toBeGreaterThanOrEqual(1);
    const detail = await g.t.http.get('/health/detail').expect(200);
    expect(detail.body).toMatchObject({ checksEnabled: true, providers: { healthy: 1 } });
    expect(detail.body.lastRoundAt).not.toBeNull();
  });
});
