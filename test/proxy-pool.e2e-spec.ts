import { EventEmitter2 } from '@nestjs/event-emitter';
import { DomainEvents, ProxyHealthChangedEvent } from '../src/common/events/domain-events';
import { DatabaseService } from '../src/database/database.service';
import { ProxyPoolService } from '../src/proxy-pool/proxy-pool.service';
import { GatewayFixture } from './helpers/gateway-fixture';
import { MockUpstream, startMockUpstream } from './helpers/mock-upstreams';
import { startHttpProxy, startSocks5Proxy, TestProxy } from './helpers/proxy-servers';
import { bootApp, redisUrl, setupAdmin, TestApp } from './helpers/test-app';

const chatRequests = (u: MockUpstream) => u.requests.filter((r) => r.path === '/v1/chat/completions').length;

describe('proxy pool: CRUD, dispatchers, rotation and failover (e2e)', () => {
  const g = new GatewayFixture();
  let up: MockUpstream;
  let upPort: number;
  let p1: TestProxy;
  let p2: TestProxy;
  let authed: TestProxy;
  let socks: TestProxy;
  let key: string;
  const proxyEvents: ProxyHealthChangedEvent[] = [];
  const auth = () => ({ Authorization: `Bearer ${g.admin}` });
  const addProxy = async (body: Record<string, unknown>): Promise<string> => {
    const res = await g.t.http.post('/api/proxies').set(auth()).send(body);
    if (res.status !== 201) throw new Error(`proxy: ${res.status} ${JSON.stringify(res.body)}`);
    return res.body.id as string;
  };
  const chat = (model: string) =>
    fetch(`${g.baseURL}/v1/chat/completions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
      body: JSON.stringify({ model, messages: [{ role: 'user', content: 'through a proxy' }] }),
    });
  const viaUpstream = (p: TestProxy) => p.seen.filter((s) => s.port === upPort).length;

  beforeAll(async () => {
    await g.start({ HEALTH_CHECK_INTERVAL_MS: '0', HEALTH_FAILURE_THRESHOLD: '3' });
    g.t.app
      .get(EventEmitter2)
      .on(DomainEvents.ProxyHealthChanged, (e: ProxyHealthChangedEvent) => proxyEvents.push(e));
    up = await startMockUpstream('openai');
    upPort = Number(new URL(up.origin).port);
    [p1, p2, authed, socks] = await Promise.all([
      startHttpProxy(),
      startHttpProxy(),
      startHttpProxy({ username: 'egress', password: 'pa55word-secret' }),
      startSocks5Proxy({ username: 'sockuser', password: 'sock-secret-pass' }),
    ]);
    key = await g.key();
  });
  afterAll(async () => {
    await Promise.all([up?.close(), p1?.close(), p2?.close(), authed?.close(), socks?.close()]);
    await g.close();
  });

  it('validates proxies (400 on bad URLs and schemes) and never returns their secrets', async () => {
    for (const url of [
      'ftp://127.0.0.1:21',
      'socks4://127.0.0.1:1080',
      'http://127.0.0.1:8080/path',
      'not a url',
    ])
      await g.t.http.post('/api/proxies').set(auth()).send({ name: 'bad', url }).expect(400);
    await g.t.http
      .post('/api/proxies')
      .set(auth())
      .send({ name: 'bad', url: 'http://h:1', weight: -1 })
      .expect(400);
    await g.t.http
      .post('/api/proxies')
      .set(auth())
      .send({ name: 'bad', url: 'http://h:1', tags: ['no spaces'] })
      .expect(400);
    await g.t.http
      .post('/api/proxies')
      .set(auth())
      .send({ name: 'bad', url: 'http://h:1', checkUrl: 'file:///x' })
      .expect(400);
    await g.t.http.post('/api/proxies').set(auth()).send({ url: 'http://h:1' }).expect(400);

    const created = await g.t.http
      .post('/api/proxies')
      .set(auth())
      .send({ name: 'authed', url: `http://egress:pa55word-secret@127.0.0.1:${authed.port}`, tags: ['auth'] })
      .expect(201);
    expect(created.body).toMatchObject({
      name: 'authed',
      url: `http://127.0.0.1:${authed.port}`,
      scheme: 'http',
      username: '****',
      hasPassword: true,
      enabled: true,
      weight: 1,
      tags: ['auth'],
      status: 'unknown',
    });
    const all = await g.t.http.get('/api/proxies').set(auth()).expect(200);
    const one = await g.t.http.get(`/api/proxies/${created.body.id}`).set(auth()).expect(200);
    for (const body of [created.body, all.body, one.body])
      expect(JSON.stringify(body)).not.toMatch(/pa55word|egress@/);
    await g.t.http.post('/api/proxies').set(auth()).send({ name: 'authed', url: 'http://h:1' }).expect(409);
    await g.t.http.get('/api/proxies/nope').set(auth()).expect(400);
    await g.t.http.get('/api/proxies/00000000-0000-4000-8000-000000000000').set(auth()).expect(404);
    await g.t.http
      .patch(`/api/proxies/${created.body.id}`)
      .set(auth())
      .send({ url: 'gopher://x' })
      .expect(400);
  });

  it('a provider pinned to one authenticated proxy sends its calls through it; deleting that proxy is refused', async () => {
    const proxyId = (await g.t.http.get('/api/proxies').set(auth())).body.find(
      (p: { name: string }) => p.name === 'authed',
    ).id as string;
    await g.t.http
      .post('/api/providers')
      .set(auth())
      .send({ name: 'x', type: 'openai-compatible', baseUrl: up.url, proxyMode: 'single' })
      .expect(400);
    await g.t.http
      .post('/api/providers')
      .set(auth())
      .send({
        name: 'x',
        type: 'openai-compatible',
        baseUrl: up.url,
        proxyMode: 'single',
        proxyId: '00000000-0000-4000-8000-000000000000',
      })
      .expect(400);
    await g.t.http
      .post('/api/providers')
      .set(auth())
      .send({ name: 'x', type: 'openai-compatible', baseUrl: up.url, proxyMode: 'sometimes' })
      .expect(400);
    const pid = await g.provider({
      name: 'via-authed',
      type: 'openai-compatible',
      baseUrl: up.url,
      credentials: [{ key: 'sk-proxied-0000000001' }],
      proxyMode: 'single',
      proxyId,
    });
    const view = await g.t.http.get(`/api/providers/${pid}`).set(auth()).expect(200);
    expect(view.body).toMatchObject({
      proxyMode: 'single',
      proxyId,
      proxyTag: null,
      proxyStrategy: 'round-robin',
    });
    await g.model({ name: 'px-single', routes: [{ providerId: pid, upstreamModel: 'm' }] });
    const res = await chat('px-single');
    expect(res.status).toBe(200);
    expect(authed.seen).toContainEqual({ host: '127.0.0.1', port: upPort, username: 'egress' });
    expect(chatRequests(up)).toBe(1);
    // /metrics counts the connections through each proxy under its name (an http upstream is forwarded
    // through a pool to the proxy itself).
    const viaProxy = `gateway_upstream_connections{origin="http://127.0.0.1:${authed.port}",proxy="authed"`;
    const metrics = (await g.t.http.get('/metrics')).text;
    expect(metrics).toContain(`${viaProxy},state="connected"} 1`);
    expect(metrics).toContain(`${viaProxy},state="running"} 0`);
    await g.t.http.delete(`/api/proxies/${proxyId}`).set(auth()).expect(409);

    // Wrong proxy credentials: a clean 502, never a call around the proxy.
    await g.t.http.patch(`/api/proxies/${proxyId}`).set(auth()).send({ password: 'not-it' }).expect(200);
    const refused = await chat('px-single');
    expect(refused.status).toBe(502);
    expect(await refused.text()).toMatch(/407/);
    expect(chatRequests(up)).toBe(1);

    // Changing the proxy (here: to another server) replaces its dispatcher at once.
    await g.t.http
      .patch(`/api/proxies/${proxyId}`)
      .set(auth())
      .send({ url: `http://127.0.0.1:${p2.port}`, username: null, password: null })
      .expect(200);
    const before = viaUpstream(p2);
    expect((await chat('px-single')).status).toBe(200);
    expect(viaUpstream(p2)).toBe(before + 1);
    // Back to direct: the proxy is no longer in use and can go.
    await g.t.http
      .patch(`/api/providers/${pid}`)
      .set(auth())
      .send({ proxyMode: 'none', proxyId: null })
      .expect(200);
    await g.t.http.delete(`/api/proxies/${proxyId}`).set(auth()).expect(204);
    const p2Before = p2.seen.length;
    expect((await chat('px-single')).status).toBe(200);
    expect(p2.seen.length).toBe(p2Before);
  });

  it('rotates over the pool and, when a proxy dies, moves to the next one without a failed request', async () => {
    const id1 = await addProxy({ name: 'pool-1', url: `http://127.0.0.1:${p1.port}`, tags: ['pool'] });
    const id2 = await addProxy({ name: 'pool-2', url: `http://127.0.0.1:${p2.port}`, tags: ['pool'] });
    await addProxy({ name: 'elsewhere', url: 'http://127.0.0.1:9', tags: ['other'] }); // never used: wrong tag
    const pid = await g.provider({
      name: 'via-pool',
      type: 'openai-compatible',
      baseUrl: up.url,
      credentials: [{ key: 'sk-pool-00000000001' }],
      proxyMode: 'pool',
      proxyTag: 'pool',
      proxyStrategy: 'round-robin',
    });
    // One route only: a failed proxy cannot be hidden by the gateway's own failover.
    await g.model({ name: 'px-pool', routes: [{ providerId: pid, upstreamModel: 'm' }] });
    const [a0, b0] = [viaUpstream(p1), viaUpstream(p2)];
    for (let i = 0; i < 4; i++) expect((await chat('px-pool')).status).toBe(200);
    expect(viaUpstream(p1) - a0).toBe(2);
    expect(viaUpstream(p2) - b0).toBe(2);

    await p1.close();
    const [a1, b1, u1] = [viaUpstream(p1), viaUpstream(p2), chatRequests(up)];
    for (let i = 0; i < 6; i++) expect((await chat('px-pool')).status).toBe(200);
    expect(viaUpstream(p1)).toBe(a1);
    expect(viaUpstream(p2) - b1).toBe(6);
    expect(chatRequests(up) - u1).toBe(6);
    // The connect failures reached health passively (counted; below the passive threshold).
    const passive = await g.t.http.get('/api/health/proxies').set(auth()).expect(200);
    expect(passive.body.find((p: { id: string }) => p.id === id1).liveFailures).toBeGreaterThanOrEqual(1);
    expect(passive.body.find((p: { id: string }) => p.id === id2).liveFailures).toBe(0);

    // Active checks: a request through each proxy to the provider's base URL.
    const checkP = (id: string) => g.t.http.post(`/api/health/proxies/${id}/check`).set(auth()).expect(200);
    const seenBefore = p2.seen.length;
    const ok = await checkP(id2);
    expect(ok.body).toMatchObject({ id: id2, status: 'healthy', consecutiveFailures: 0 });
    expect(typeof ok.body.latencyMs).toBe('number');
    expect(p2.seen.length).toBe(seenBefore + 1);
    let last = await checkP(id1);
    while (last.body.status !== 'unhealthy' && last.body.consecutiveFailures < 5) last = await checkP(id1);
    expect(last.body).toMatchObject({ status: 'unhealthy', consecutiveFailures: 3 });
    expect(last.body.lastError).toMatch(/ECONNREFUSED|connect/i);
    expect(proxyEvents.filter((e) => e.proxyId === id1 && e.to === 'unhealthy')).toHaveLength(1);
    const list = await g.t.http.get('/api/health/proxies').set(auth()).expect(200);
    expect(list.body.find((p: { id: string }) => p.id === id1)).toMatchObject({ status: 'unhealthy' });
    const row = await g.t.http.get(`/api/proxies/${id1}`).set(auth()).expect(200);
    expect(row.body).toMatchObject({ status: 'unhealthy' });
    const detail = await g.t.http.get('/health/detail').expect(200);
    expect(detail.body.proxies).toMatchObject({ unhealthy: 1, healthy: 1 });
    expect(JSON.stringify(detail.body)).not.toMatch(/127\.0\.0\.1|pool-1/);
  });

  it('goes through a SOCKS5 proxy with username/password', async () => {
    const id = await addProxy({
      name: 'socks',
      url: `socks5://127.0.0.1:${socks.port}`,
      username: 'sockuser',
      password: 'sock-secret-pass',
    });
    const pid = await g.provider({
      name: 'via-socks',
      type: 'openai-compatible',
      baseUrl: up.url,
      credentials: [{ key: 'sk-socks-0000000001' }],
      proxyMode: 'single',
      proxyId: id,
    });
    await g.model({ name: 'px-socks', routes: [{ providerId: pid, upstreamModel: 'm' }] });
    const before = chatRequests(up);
    const res = await chat('px-socks');
    expect(res.status).toBe(200);
    expect(
      ((await res.json()) as { choices: { message: { content: string } }[] }).choices[0].message.content,
    ).toBe('echo: through a proxy');
    expect(chatRequests(up)).toBe(before + 1);
    expect(socks.seen).toContainEqual({ host: '127.0.0.1', port: upPort, username: 'sockuser' });
    const metrics = (await g.t.http.get('/metrics')).text;
    expect(metrics).toContain(
      `gateway_upstream_connections{origin="${up.origin}",proxy="socks",state="connected"} 1`,
    );
    const check = await g.t.http.post(`/api/health/proxies/${id}/check`).set(auth()).expect(200);
    expect(check.body.status).toBe('healthy');
    const view = await g.t.http.get(`/api/proxies/${id}`).set(auth()).expect(200);
    expect(view.body).toMatchObject({
      scheme: 'socks5',
      hasPassword: true,
      username: '****',
      status: 'healthy',
    });
    expect(JSON.stringify(view.body)).not.toContain('sock-secret-pass');

    // Wrong credentials: the call fails cleanly (502) instead of going direct.
    await g.t.http.patch(`/api/proxies/${id}`).set(auth()).send({ password: 'wrong-password' }).expect(200);
    const u = chatRequests(up);
    expect((await chat('px-socks')).status).toBe(502);
    expect(chatRequests(up)).toBe(u);
  });
});

/** Two instances on one database and one Redis: proxy changes reach the other instance's pool. */
(redisUrl ? describe : describe.skip)('proxy pool: changes reach every instance (e2e)', () => {
  let x: TestApp;
  let y: TestApp;
  beforeAll(async () => {
    // Instances of one deployment share JWT_SECRET and ENCRYPTION_KEY (proxy credentials are sealed).
    const JWT_SECRET = 'proxy-multi-instance-secret-0123456789abcdef';
    const ENCRYPTION_KEY = 'a'.repeat(64);
    x = await bootApp({ JWT_SECRET, ENCRYPTION_KEY });
    const url = await x.app.get(DatabaseService).url();
    y = await bootApp({
      JWT_SECRET,
      ENCRYPTION_KEY,
      DATABASE_URL: url,
      REDIS_PREFIX: x.env.REDIS_PREFIX,
      DB_MIGRATIONS_RUN: 'false',
    });
  });
  afterAll(async () => {
    await y?.close();
    await x?.close();
  });

  it('creating and disabling a proxy on one instance updates the pool on the other', async () => {
    const token = await setupAdmin(x);
    const created = await x.http
      .post('/api/proxies')
      .set('Authorization', `Bearer ${token}`)
      .send({ name: 'shared', url: 'socks5://u:p-secret@127.0.0.1:1080' })
      .expect(201);
    const poolY = y.app.get(ProxyPoolService);
    const until = async (ok: () => boolean) => {
      for (let i = 0; i < 50 && !ok(); i++) await new Promise((r) => setTimeout(r, 50));
    };
    await until(() => !!poolY.entry(created.body.id));
    expect(poolY.entry(created.body.id)).toMatchObject({
      name: 'shared',
      scheme: 'socks5',
      enabled: true,
      password: 'p-secret',
    });
    await x.http
      .patch(`/api/proxies/${created.body.id}`)
      .set('Authorization', `Bearer ${token}`)
      .send({ enabled: false })
      .expect(200);
    await until(() => poolY.entry(created.body.id)?.enabled === false);
    expect(poolY.entry(created.body.id)?.enabled).toBe(false);
  });
});
