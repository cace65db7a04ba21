import { createHmac } from 'node:crypto';
import { createServer, Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { GatewayFixture } from './helpers/gateway-fixture';
import { MockUpstream, startMockUpstream } from './helpers/mock-upstreams';

interface Hook {
  url: string;
  bodies: { eventType: string; title: string; payload: Record<string, unknown> }[];
  close(): Promise<void>;
}

/** A webhook receiver on loopback that verifies the HMAC signature of every delivery. */
async function webhookReceiver(secret: string): Promise<Hook> {
  const bodies: Hook['bodies'] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const raw = Buffer.concat(chunks).toString('utf8');
      const ts = req.headers['x-alert-timestamp'];
      const expected = `sha256=${createHmac('sha256', secret)
        .update(`${String(ts)}.${raw}`)
        .digest('hex')}`;
      if (req.headers['x-signature'] !== expected) {
        res.writeHead(401).end();
        return;
      }
      bodies.push(JSON.parse(raw) as Hook['bodies'][number]);
      res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`,
    bodies,
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}

async function eventually<T>(
  fn: () => T | undefined | Promise<T | undefined>,
  what: string,
  ms = 10_000,
): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/**
 * The operations modules together: an upstream that starts failing turns unhealthy after the
 * threshold, routing stops sending it traffic, one alert is delivered (cooldown respected), and a
 * recovery alert follows when it heals. Budgets and bad keys reach the same channels.
 */
describe('operations: health → routing → alerts (e2e)', () => {
  const g = new GatewayFixture();
  const secret = 'ops-webhook-secret';
  let hook: Hook;
  let a: MockUpstream;
  let b: MockUpstream;
  let pa: string;
  let key: string;
  const auth = () => ({ Authorization: `Bearer ${g.admin}` });
  const check = () => g.t.http.post(`/api/health/providers/${pa}/check`).set(auth()).expect(200);
  const chat = (secretKey = key) =>
    fetch(`${g.baseURL}/v1/chat/completions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${secretKey}`, 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'ops-chat', messages: [{ role: 'user', content: 'hi' }] }),
    });
  const of = (type: string) => hook.bodies.filter((x) => x.eventType === type);

  beforeAll(async () => {
    await g.start({
      HEALTH_CHECK_INTERVAL_MS: '0',
      HEALTH_FAILURE_THRESHOLD: '3',
      ALERT_BACKOFF_MS: '20',
      // The webhook receiver is on loopback, which the alerts' SSRF guard refuses unless allowed.
      ALERT_ALLOW_PRIVATE_TARGETS: '127.0.0.1',
    });
    hook = await webhookReceiver(secret);
    [a, b] = await Promise.all([startMockUpstream('openai'), startMockUpstream('openai')]);
    pa = await g.provider({
      name: 'ops-a',
      type: 'openai-compatible',
      baseUrl: a.url,
      credentials: [{ key: 'sk-ops-a-000001' }],
    });
    const pb = await g.provider({
      name: 'ops-b',
      type: 'openai-compatible',
      baseUrl: b.url,
      credentials: [{ key: 'sk-ops-b-000002' }],
    });
    await g.model({
      name: 'ops-chat',
      strategy: 'priority',
      routes: [
        { providerId: pa, upstreamModel: 'a-model', priority: 2 },
        { providerId: pb, upstreamModel: 'b-model', priority: 1 },
      ],
    });
    await g.t.http
      .post('/api/prices')
      .set(auth())
      .send({ model: 'ops-chat', inputPerM: 1000, outputPerM: 1000 })
      .expect(201);
    const channel = await g.t.http
      .post('/api/alerts/channels')
      .set(auth())
      .send({
        name: 'ops-hook',
        type: 'webhook',
        config: { url: hook.url },
        secrets: { signingSecret: secret },
      })
      .expect(201);
    const channelIds = [channel.body.id as string];
    for (const eventType of [
      'provider.unhealthy',
      'provider.recovered',
      'budget.exhausted',
      'apikey.invalid',
    ])
      await g.t.http
        .post('/api/alerts/rules')
        .set(auth())
        .send({ name: eventType, eventType, channelIds, cooldownSeconds: 600 })
        .expect(201);
    key = await g.key({ name: 'ops' });
  });
  afterAll(async () => {
    await Promise.all([a?.close(), b?.close(), hook?.close()]);
    await g.close();
  });

  it('unhealthy after the threshold → no traffic → one alert (cooldown) → recovery alert', async () => {
    await check();
    a.flip({ kind: 'status', status: 500 });
    for (let i = 0; i < 3; i++) await check();
    const down = await eventually(
      () => (of('provider.unhealthy').length ? of('provider.unhealthy') : undefined),
      'the unhealthy alert',
    );
    expect(down[0].title).toContain('ops-a');

    a.reset();
    for (let i = 0; i < 4; i++) expect((await chat()).status).toBe(200);
    expect(a.requests.filter((r) => r.path === '/v1/chat/completions')).toHaveLength(0);

    // More failing checks: still unhealthy, no second alert inside the cooldown.
    for (let i = 0; i < 3; i++) await check();
    await new Promise((r) => setTimeout(r, 300));
    expect(of('provider.unhealthy')).toHaveLength(1);

    a.flip(null);
    await check();
    const up = await eventually(
      () => (of('provider.recovered').length ? of('provider.recovered') : undefined),
      'the recovery alert',
    );
    expect(up).toHaveLength(1);
    a.reset();
    expect((await chat()).status).toBe(200);
    expect(a.requests.filter((r) => r.path === '/v1/chat/completions')).toHaveLength(1);
  });

  it('an exhausted budget and bad API keys reach the same channel, each once per cooldown', async () => {
    const created = await g.t.http.post('/api/api-keys').set(auth()).send({ name: 'budgeted' }).expect(201);
    await g.t.http
      .post('/api/budgets')
      .set(auth())
      .send({ scope: 'key', scopeId: created.body.id, period: 'daily', amountUsd: 0.000001 })
      .expect(201);
    expect((await chat(created.body.key)).status).toBe(200); // the first request uses it up
    expect((await chat(created.body.key)).status).toBe(429);
    const gone = await eventually(
      () => (of('budget.exhausted').length ? of('budget.exhausted') : undefined),
      'the budget alert',
    );
    expect(gone[0].payload).toMatchObject({ scope: 'key', scopeName: 'budgeted' });

    for (let i = 0; i < 3; i++) expect((await chat('sk-not-a-real-key')).status).toBe(401);
    await eventually(() => (of('apikey.invalid').length ? true : undefined), 'the invalid-key alert');
    await new Promise((r) => setTimeout(r, 300));
    expect(of('apikey.invalid')).toHaveLength(1);
  });
});
