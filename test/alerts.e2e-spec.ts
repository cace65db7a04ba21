import { EventEmitter2 } from '@nestjs/event-emitter';
import { createHmac } from 'node:crypto';
import { createServer, IncomingMessage, Server, ServerResponse } from 'node:http';
import { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';
import { DataSource } from 'typeorm';
import { getQueueToken } from '@nestjs/bullmq';
import type { Queue } from 'bullmq';
import { ALERT_DELIVERY_QUEUE, DELIVERY_QUEUE, DeliveryQueue } from '../src/alerts/delivery/delivery-queue';
import { DeliverySweeper } from '../src/alerts/delivery/delivery-sweeper';
import { RulesService } from '../src/alerts/rules.service';
import { DatabaseService } from '../src/database/database.service';
import {
  BudgetEvent,
  DomainEvents,
  ProviderHealthChangedEvent,
  RequestCompletedEvent,
} from '../src/common/events/domain-events';
import { bootApp, createUser, redisUrl, setupAdmin, TestApp } from './helpers/test-app';
import { createTestDatabase, TestDatabase } from './helpers/test-db';

// ---- loopback receivers ----

/**
 * The receivers below listen on 127.0.0.1, which the SSRF guard refuses by default; these apps allow
 * exactly that address, the way an admin allows a receiver on a private network
 * (test/alert-targets.e2e-spec.ts covers the guard itself).
 */
const LOOPBACK_TARGETS = { ALERT_ALLOW_PRIVATE_TARGETS: '127.0.0.1' };

interface Received {
  path: string;
  query: URLSearchParams;
  headers: IncomingMessage['headers'];
  raw: string;
}

interface Receiver {
  url: string;
  received: Received[];
  close(): Promise<void>;
}

/** An HTTP server on 127.0.0.1 that records every request and answers with `answer(request, n)`. */
async function startReceiver(
  answer: (r: Received, n: number) => { status: number; body?: unknown },
): Promise<Receiver> {
  const received: Received[] = [];
  const server: Server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const u = new URL(req.url ?? '/', 'http://x');
      const r: Received = {
        path: u.pathname,
        query: u.searchParams,
        headers: req.headers,
        raw: Buffer.concat(chunks).toString('utf8'),
      };
      received.push(r);
      const { status, body } = answer(r, received.length);
      res.writeHead(status, { 'content-type': typeof body === 'string' ? 'text/plain' : 'application/json' });
      res.end(body === undefined ? '' : typeof body === 'string' ? body : JSON.stringify(body));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    received,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** Polls until `probe` returns a value (no timing assertions: the test timeout is the only limit). */
async function eventually<T>(probe: () => Promise<T | undefined | null | false>, what: string): Promise<T> {
  for (let i = 0; ; i++) {
    const v = await probe();
    if (v) return v;
    if (i > 1500) throw new Error(`gave up waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

function verifyWebhook(r: Received, secret: string): boolean {
  const ts = r.headers['x-alert-timestamp'];
  const sig = r.headers['x-signature'];
  if (typeof ts !== 'string' || typeof sig !== 'string') return false;
  const expected = `sha256=${createHmac('sha256', secret).update(`${ts}.${r.raw}`).digest('hex')}`;
  return sig === expected;
}

/** Decodes a quoted-printable MIME part well enough for assertions. */
function decodeQp(s: string): string {
  const bytes: number[] = [];
  const text = s.replace(/=\r?\n/g, '');
  for (let i = 0; i < text.length; i++) {
    if (text[i] === '=' && /^[0-9A-F]{2}$/.test(text.slice(i + 1, i + 3))) {
      bytes.push(parseInt(text.slice(i + 1, i + 3), 16));
      i += 2;
    } else bytes.push(...Buffer.from(text[i], 'utf8'));
  }
  return Buffer.from(bytes).toString('utf8');
}

const providerDown = (providerId: string, name = 'openai-main'): ProviderHealthChangedEvent => ({
  providerId,
  providerName: name,
  credentialId: null,
  from: 'healthy',
  to: 'unhealthy',
  error: 'HTTP 500 from upstream',
  latencyMs: 812,
  source: 'active',
});

interface AlertDetail {
  id: string;
  status: string;
  eventType: string;
  severity: string;
  title: string;
  payload: Record<string, unknown>;
  deliveryCounts: Record<string, number>;
  deliveries: {
    id: string;
    channelId: string | null;
    channelName: string;
    channelType: string;
    status: string;
    attempts: number;
    history: { attempt: number; ok: boolean; statusCode: number | null; error: string | null }[];
    lastError: string | null;
    sentAt: string | null;
  }[];
}

const PROVIDER_A = '11111111-1111-4111-8111-111111111111';
const PROVIDER_B = '22222222-2222-4222-8222-222222222222';

describe(`alerts (e2e, ${redisUrl ? 'BullMQ on Redis' : 'in-process queue'})`, () => {
  let t: TestApp;
  let admin: string;
  let events: EventEmitter2;
  const receivers: Receiver[] = [];
  const auth = () => ({ Authorization: `Bearer ${admin}` });

  beforeAll(async () => {
    t = await bootApp({
      ...LOOPBACK_TARGETS,
      ALERT_MAX_ATTEMPTS: '4',
      ALERT_BACKOFF_MS: '25',
      LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent',
    });
    admin = await setupAdmin(t);
    events = t.app.get(EventEmitter2);
  });
  afterAll(async () => {
    await t?.close();
    await Promise.all(receivers.map((r) => r.close()));
  });

  async function receiver(answer: Parameters<typeof startReceiver>[0]): Promise<Receiver> {
    const r = await startReceiver(answer);
    receivers.push(r);
    return r;
  }

  async function channel(body: Record<string, unknown>): Promise<string> {
    const res = await t.http.post('/api/alerts/channels').set(auth()).send(body);
    expect([res.status, res.body.message]).toEqual([201, undefined]);
    return res.body.id as string;
  }

  async function rule(body: Record<string, unknown>): Promise<string> {
    const res = await t.http.post('/api/alerts/rules').set(auth()).send(body).expect(201);
    return res.body.id as string;
  }

  async function alertsOf(ruleId: string): Promise<{ id: string; status: string; title: string }[]> {
    const res = await t.http.get(`/api/alerts?ruleId=${ruleId}`).set(auth()).expect(200);
    return res.body.items;
  }

  /** Waits for the rule's only alert to reach a final delivery status and returns its detail. */
  async function settledAlert(ruleId: string): Promise<AlertDetail> {
    const [a] = await eventually(async () => {
      const items = await alertsOf(ruleId);
      return items.length ? items : undefined;
    }, 'the alert');
    return eventually(async () => {
      const res = await t.http.get(`/api/alerts/${a.id}`).set(auth()).expect(200);
      return res.body.status !== 'pending' ? (res.body as AlertDetail) : undefined;
    }, 'the deliveries to settle');
  }

  it(`delivers through ${redisUrl ? 'BullMQ' : 'the in-process queue'}`, () => {
    expect(t.app.get<DeliveryQueue>(DELIVERY_QUEUE).kind).toBe(redisUrl ? 'bullmq' : 'in-process');
  });

  it('retries a failing webhook with backoff: 3 attempts in the history, status sent, signatures verify', async () => {
    const secret = 'whsec-e2e-signing-secret';
    const hook = await receiver((_r, n) =>
      n <= 2 ? { status: 503, body: 'busy' } : { status: 200, body: {} },
    );
    const ch = await channel({
      name: 'flaky-hook',
      type: 'webhook',
      config: { url: `${hook.url}/alerts` },
      secrets: { signingSecret: secret },
    });
    const r = await rule({ name: 'provider down', eventType: 'provider.unhealthy', channelIds: [ch] });

    await events.emitAsync(DomainEvents.ProviderHealthChanged, providerDown(PROVIDER_A));
    const alert = await settledAlert(r);

    expect(alert).toMatchObject({
      status: 'sent',
      eventType: 'provider.unhealthy',
      severity: 'critical',
      title: 'Provider openai-main is unhealthy',
      deliveryCounts: { pending: 0, sent: 1, failed: 0 },
    });
    const [d] = alert.deliveries;
    expect(d).toMatchObject({ channelId: ch, channelName: 'flaky-hook', status: 'sent', attempts: 3 });
    expect(d.history.map((h) => [h.attempt, h.ok, h.statusCode])).toEqual([
      [1, false, 503],
      [2, false, 503],
      [3, true, 200],
    ]);
    expect(d.history[0].error).toBe('HTTP 503: busy');
    expect(d.sentAt).toBeTruthy();

    expect(hook.received).toHaveLength(3);
    for (const req of hook.received) {
      expect(req.path).toBe('/alerts');
      expect(verifyWebhook(req, secret)).toBe(true);
      expect(verifyWebhook(req, 'some-other-secret')).toBe(false);
      expect(JSON.parse(req.raw)).toMatchObject({
        id: alert.id,
        type: 'alert',
        eventType: 'provider.unhealthy',
        title: 'Provider openai-main is unhealthy',
        rule: 'provider down',
        payload: { providerId: PROVIDER_A, error: 'HTTP 500 from upstream' },
      });
    }

    const sent = await t.http
      .get('/api/alerts?status=sent&eventType=provider.unhealthy')
      .set(auth())
      .expect(200);
    expect(sent.body.items.map((a: { id: string }) => a.id)).toContain(alert.id);
  });

  it('marks a delivery failed (dead letter) after ALERT_MAX_ATTEMPTS failures', async () => {
    const hook = await receiver(() => ({ status: 500, body: { error: 'down' } }));
    const ch = await channel({ name: 'dead-hook', type: 'webhook', config: { url: hook.url } });
    const r = await rule({ name: 'low balance', eventType: 'balance.low', channelIds: [ch] });

    await events.emitAsync(DomainEvents.BalanceLow, {
      providerId: PROVIDER_A,
      providerName: 'deepseek',
      balance: 1.5,
      currency: 'USD',
      threshold: 5,
    });
    const alert = await settledAlert(r);
    expect(alert.status).toBe('failed');
    const [d] = alert.deliveries;
    expect(d.status).toBe('failed');
    expect(d.attempts).toBe(4);
    expect(d.history).toHaveLength(4);
    expect(d.history.every((h) => !h.ok && h.statusCode === 500)).toBe(true);
    expect(d.lastError).toContain('HTTP 500');
    expect(hook.received).toHaveLength(4);
    // An unsigned channel sends no signature headers.
    expect(hook.received[0].headers['x-signature']).toBeUndefined();
    if (redisUrl) {
      // BullMQ keeps the dead job in its failed set.
      const queue = t.app.get<Queue>(getQueueToken(ALERT_DELIVERY_QUEUE), { strict: false });
      const job = await queue.getJob(d.id);
      expect(await job?.getState()).toBe('failed');
      expect(job?.attemptsMade).toBe(4);
      expect(job?.failedReason).toContain('HTTP 500');
    }

    const failed = await t.http.get('/api/alerts?status=failed').set(auth()).expect(200);
    expect(failed.body.items.map((a: { id: string }) => a.id)).toContain(alert.id);
    const pending = await t.http.get('/api/alerts?status=pending').set(auth()).expect(200);
    expect(pending.body.items.map((a: { id: string }) => a.id)).not.toContain(alert.id);
  });

  it('fires once per cooldown window for the same subject, again for another subject', async () => {
    const r = await rule({
      name: 'cooldown',
      eventType: 'provider.unhealthy',
      cooldownSeconds: 600,
      providerId: PROVIDER_B,
    });
    // The rule above filters to provider B; the earlier 'provider down' rule (no filter) also matches.
    await events.emitAsync(DomainEvents.ProviderHealthChanged, providerDown(PROVIDER_B, 'anthropic'));
    await events.emitAsync(DomainEvents.ProviderHealthChanged, providerDown(PROVIDER_B, 'anthropic'));
    expect(await alertsOf(r)).toHaveLength(1);
    // Another provider does not match the filter.
    await events.emitAsync(DomainEvents.ProviderHealthChanged, providerDown(PROVIDER_A));
    expect(await alertsOf(r)).toHaveLength(1);

    // A credential is its own subject; a recovery is another event type (no rule: no alert).
    await events.emitAsync(DomainEvents.ProviderHealthChanged, {
      ...providerDown(PROVIDER_B, 'anthropic'),
      credentialId: '33333333-3333-4333-8333-333333333333',
    });
    expect(await alertsOf(r)).toHaveLength(2);
    await events.emitAsync(DomainEvents.ProviderHealthChanged, {
      ...providerDown(PROVIDER_B, 'anthropic'),
      from: 'unhealthy',
      to: 'healthy',
    });
    expect(await alertsOf(r)).toHaveLength(2);

    // Disabled rules never fire; with cooldown 0 every event alerts.
    await t.http.patch(`/api/alerts/rules/${r}`).set(auth()).send({ enabled: false }).expect(200);
    await events.emitAsync(DomainEvents.ProviderHealthChanged, providerDown(PROVIDER_B, 'anthropic-2'));
    expect(await alertsOf(r)).toHaveLength(2);
    await t.http
      .patch(`/api/alerts/rules/${r}`)
      .set(auth())
      .send({ enabled: true, cooldownSeconds: 0 })
      .expect(200);
    await events.emitAsync(DomainEvents.ProviderHealthChanged, providerDown(PROVIDER_B, 'anthropic'));
    await events.emitAsync(DomainEvents.ProviderHealthChanged, providerDown(PROVIDER_B, 'anthropic'));
    const all = await alertsOf(r);
    expect(all).toHaveLength(4);
    // A rule without channels records the alert only.
    expect(all.every((a) => a.status === 'none')).toBe(true);
  });

  it('emails the alert through a real SMTP server on loopback (with SMTP auth)', async () => {
    const messages: { from: string; to: string[]; raw: string }[] = [];
    const logins: { user?: string | null; pass?: string | null }[] = [];
    const smtp = new SMTPServer({
      disabledCommands: ['STARTTLS'],
      allowInsecureAuth: true,
      logger: false,
      onAuth(a, _session, cb) {
        logins.push({ user: a.username, pass: a.password });
        if (a.username === 'alerts' && a.password === 'smtp-password-123') cb(null, { user: a.username });
        else cb(new Error('bad credentials'));
      },
      onData(stream, session, cb) {
        const chunks: Buffer[] = [];
        stream.on('data', (c: Buffer) => chunks.push(c));
        stream.on('end', () => {
          messages.push({
            from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
            to: session.envelope.rcptTo.map((r) => r.address),
            raw: Buffer.concat(chunks).toString('utf8'),
          });
          cb();
        });
      },
    });
    await new Promise<void>((resolve) => smtp.listen(0, '127.0.0.1', () => resolve()));
    try {
      const port = (smtp.server.address() as AddressInfo).port;
      const ch = await channel({
        name: 'ops-mail',
        type: 'email',
        config: {
          host: '127.0.0.1',
          port,
          security: 'none',
          from: 'LLM Gateway <alerts@gateway.test>',
          to: ['ops@example.com', 'oncall@example.com'],
          username: 'alerts',
        },
        secrets: { password: 'smtp-password-123' },
      });
      const r = await rule({ name: 'budget gone', eventType: 'budget.exhausted', channelIds: [ch] });
      const budget: BudgetEvent = {
        budgetId: '44444444-4444-4444-8444-444444444444',
        scope: 'key',
        scopeId: '55555555-5555-4555-8555-555555555555',
        scopeName: 'team-a',
        tenantId: null,
        period: 'monthly',
        periodStart: new Date('2026-11-01T00:00:00Z'),
        limitUsd: 100,
        spentUsd: 100.42,
        thresholdPct: 100,
      };
      await events.emitAsync(DomainEvents.BudgetExhausted, budget);
      const alert = await settledAlert(r);
      expect(alert.status).toBe('sent');
      expect(alert.deliveries[0]).toMatchObject({ channelType: 'email', status: 'sent', attempts: 1 });

      expect(messages).toHaveLength(1);
      const m = messages[0];
      expect(m.from).toBe('alerts@gateway.test');
      expect(m.to.sort()).toEqual(['oncall@example.com', 'ops@example.com']);
      const raw = m.raw.replace(/\r\n[ \t]+/g, ' ');
      expect(raw).toMatch(/^Subject: \[CRITICAL\] Budget of key team-a is exhausted$/m);
      const body = decodeQp(raw);
      expect(body).toContain(
        'Spent $100.42 of $100.00 (monthly budget of key team-a, period from 2026-11-01).',
      );
      expect(body).toContain(`alert id: ${alert.id}`);
      expect(body).toContain(
        '<h2 style="margin:0 0 12px;font-size:18px">Budget of key team-a is exhausted</h2>',
      );
      expect(logins).toEqual([{ user: 'alerts', pass: 'smtp-password-123' }]);

      // The test endpoint sends synchronously and reports the outcome.
      const test = await t.http.post(`/api/alerts/channels/${ch}/test`).set(auth()).expect(200);
      expect(test.body).toMatchObject({ ok: true, error: null });
      expect(messages).toHaveLength(2);
      expect(messages[1].raw).toContain('Test message from LLM Router Platform (ops-mail)');

      // A wrong password is reported, not thrown.
      await t.http
        .patch(`/api/alerts/channels/${ch}`)
        .set(auth())
        .send({ secrets: { password: 'wrong-password' } })
        .expect(200);
      const bad = await t.http.post(`/api/alerts/channels/${ch}/test`).set(auth()).expect(200);
      expect(bad.body.ok).toBe(false);
      expect(bad.body.error).toMatch(/bad credentials|Invalid login/i);
    } finally {
      await new Promise<void>((resolve) => smtp.close(() => resolve()));
    }
  });

  it('posts Slack blocks, a signed DingTalk markdown message and a signed Feishu card', async () => {
    const slack = await receiver((r) => {
      const doc = JSON.parse(r.raw) as { text?: unknown; blocks?: { type: string }[] };
      const ok =
        typeof doc.text === 'string' && Array.isArray(doc.blocks) && doc.blocks[0]?.type === 'header';
      return ok ? { status: 200, body: 'ok' } : { status: 400, body: 'invalid_blocks' };
    });
    const dingSecret = 'SECdingtalk-e2e-secret';
    const ding = await receiver((r) => {
      const ts = r.query.get('timestamp') ?? '';
      const sign = createHmac('sha256', dingSecret).update(`${ts}\n${dingSecret}`).digest('base64');
      const doc = JSON.parse(r.raw) as { msgtype?: string; markdown?: { title?: string; text?: string } };
      if (r.query.get('access_token') !== 'ding-token' || r.query.get('sign') !== sign)
        return { status: 200, body: { errcode: 310000, errmsg: 'sign not match' } };
      if (doc.msgtype !== 'markdown' || !doc.markdown?.text)
        return { status: 200, body: { errcode: 40035, errmsg: 'bad body' } };
      return { status: 200, body: { errcode: 0, errmsg: 'ok' } };
    });
    const feishuSecret = 'feishu-e2e-secret';
    const feishu = await receiver((r) => {
      const doc = JSON.parse(r.raw) as {
        timestamp?: string;
        sign?: string;
        msg_type?: string;
        card?: unknown;
      };
      const sign = createHmac('sha256', `${doc.timestamp}\n${feishuSecret}`).update('').digest('base64');
      if (doc.sign !== sign)
        return {
          status: 200,
          body: { code: 19021, msg: 'sign match fail or timestamp is not within one hour from current time' },
        };
      if (doc.msg_type !== 'interactive' || !doc.card)
        return { status: 200, body: { code: 9499, msg: 'Bad Request' } };
      return { status: 200, body: { code: 0, msg: 'success', data: {} } };
    });

    const slackId = await channel({
      name: 'slack',
      type: 'slack',
      secrets: { webhookUrl: `${slack.url}/services/T0/B0/slack-token-xyz` },
    });
    const dingId = await channel({
      name: 'dingtalk',
      type: 'dingtalk',
      config: { atMobiles: ['13800000000'] },
      secrets: { webhookUrl: `${ding.url}/robot/send?access_token=ding-token`, signSecret: dingSecret },
    });
    const feishuId = await channel({
      name: 'feishu',
      type: 'feishu',
      secrets: { webhookUrl: `${feishu.url}/open-apis/bot/v2/hook/feishu-token`, signSecret: feishuSecret },
    });

    // Through a rule and the queue …
    const r = await rule({
      name: 'proxy down',
      eventType: 'proxy.down',
      channelIds: [slackId, dingId, feishuId],
    });
    await events.emitAsync(DomainEvents.ProxyHealthChanged, {
      proxyId: '66666666-6666-4666-8666-666666666666',
      proxyName: 'proxy-eu-1',
      from: 'healthy',
      to: 'unhealthy',
      error: 'ECONNREFUSED',
      latencyMs: null,
    });
    const alert = await settledAlert(r);
    expect(alert.status).toBe('sent');
    expect(alert.deliveries.map((d) => [d.channelType, d.status, d.attempts]).sort()).toEqual([
      ['dingtalk', 'sent', 1],
      ['feishu', 'sent', 1],
      ['slack', 'sent', 1],
    ]);
    expect(slack.received[0].path).toBe('/services/T0/B0/slack-token-xyz');
    expect(JSON.parse(slack.received[0].raw).text).toContain('[CRITICAL] Proxy proxy-eu-1 is down');
    expect(JSON.parse(ding.received[0].raw).markdown.text).toContain('@13800000000');
    expect(JSON.parse(feishu.received[0].raw).card.header.title.content).toBe(
      '[CRITICAL] Proxy proxy-eu-1 is down',
    );

    // … and the synchronous test endpoint.
    for (const id of [slackId, dingId, feishuId]) {
      const res = await t.http.post(`/api/alerts/channels/${id}/test`).set(auth()).expect(200);
      expect(res.body).toMatchObject({ ok: true, statusCode: 200, error: null });
    }
    // A wrong signing secret is caught from the bots' 200 answers.
    await t.http
      .patch(`/api/alerts/channels/${dingId}`)
      .set(auth())
      .send({ secrets: { signSecret: 'SECwrong-secret' } })
      .expect(200);
    await t.http
      .patch(`/api/alerts/channels/${feishuId}`)
      .set(auth())
      .send({ secrets: { signSecret: 'wrong-secret' } })
      .expect(200);
    const d = await t.http.post(`/api/alerts/channels/${dingId}/test`).set(auth()).expect(200);
    expect(d.body).toMatchObject({ ok: false, error: '310000: sign not match' });
    const f = await t.http.post(`/api/alerts/channels/${feishuId}/test`).set(auth()).expect(200);
    expect(f.body.ok).toBe(false);
    expect(f.body.error).toMatch(/^19021: sign match fail/);
  });

  it('alerts on the error rate of a model over its window, once per cooldown', async () => {
    const r = await rule({
      name: 'errors on chat',
      eventType: 'model.error_rate',
      model: 'chat-model',
      threshold: 50,
      windowSeconds: 60,
      minRequests: 4,
    });
    const done = (status: number, model = 'chat-model'): RequestCompletedEvent => ({
      requestId: 'r',
      at: new Date(),
      tenantId: null,
      userId: null,
      apiKeyId: null,
      model,
      providerId: null,
      providerName: null,
      status,
      latencyMs: 120,
      ttftMs: null,
      inputTokens: 1,
      outputTokens: 1,
      costUsd: 0,
    });
    // 3 requests: under minRequests. Another model's errors do not count.
    for (const s of [500, 502, 200]) events.emit(DomainEvents.RequestCompleted, done(s));
    for (let i = 0; i < 10; i++) events.emit(DomainEvents.RequestCompleted, done(500, 'other-model'));
    // 4th: 3 of 4 failed = 75 % > 50 %.
    events.emit(DomainEvents.RequestCompleted, done(503));
    // Client errors are not failures; the rule is quiet during its cooldown anyway.
    for (let i = 0; i < 5; i++) events.emit(DomainEvents.RequestCompleted, done(500));
    const [a] = await eventually(async () => {
      const items = await alertsOf(r);
      return items.length ? items : undefined;
    }, 'the error-rate alert');
    const detail = (await t.http.get(`/api/alerts/${a.id}`).set(auth()).expect(200)).body;
    expect(detail).toMatchObject({
      eventType: 'model.error_rate',
      severity: 'critical',
      title: 'Error rate 75.0% on chat-model',
      payload: { model: 'chat-model', requests: 4, errors: 3, threshold: 50, windowSeconds: 60 },
    });
    expect(await alertsOf(r)).toHaveLength(1);
  });

  it('never returns channel secrets in full, and stores them encrypted', async () => {
    const secrets = {
      webhook: 'whsec-never-shown-0001',
      slack: 'https://hooks.slack.com/services/T000/B000/never-shown-0002',
      dingUrl: 'https://oapi.dingtalk.com/robot/send?access_token=never-shown-0003',
      dingSign: 'SECnever-shown-0004',
      password: 'never-shown-0005',
    };
    const created = [
      await t.http
        .post('/api/alerts/channels')
        .set(auth())
        .send({
          name: 's-webhook',
          type: 'webhook',
          config: { url: 'https://hooks.example.com/in' },
          secrets: { signingSecret: secrets.webhook },
        }),
      await t.http
        .post('/api/alerts/channels')
        .set(auth())
        .send({ name: 's-slack', type: 'slack', secrets: { webhookUrl: secrets.slack } }),
      await t.http
        .post('/api/alerts/channels')
        .set(auth())
        .send({
          name: 's-ding',
          type: 'dingtalk',
          secrets: { webhookUrl: secrets.dingUrl, signSecret: secrets.dingSign },
        }),
      await t.http
        .post('/api/alerts/channels')
        .set(auth())
        .send({
          name: 's-mail',
          type: 'email',
          config: {
            host: 'smtp.example.com',
            port: 587,
            from: 'a@example.com',
            to: ['b@example.com'],
            username: 'u',
          },
          secrets: { password: secrets.password },
        }),
    ];
    for (const c of created) expect(c.status).toBe(201);
    expect(created[0].body.secrets).toEqual({ signingSecret: 'whs…0001' });
    expect(created[1].body.secrets).toEqual({ webhookUrl: 'https://hooks.slack.com/…0002' });
    expect(created[1].body.config).toEqual({ host: 'hooks.slack.com' });
    expect(created[2].body.secrets).toEqual({
      webhookUrl: 'https://oapi.dingtalk.com/…0003',
      signSecret: 'SEC…0004',
    });
    expect(created[3].body.secrets).toEqual({ password: 'nev…0005' });

    const patched = await t.http
      .patch(`/api/alerts/channels/${created[0].body.id}`)
      .set(auth())
      .send({ name: 's-webhook-2' })
      .expect(200);
    const responses = [
      ...created.map((c) => c.body),
      patched.body,
      (await t.http.get('/api/alerts/channels').set(auth()).expect(200)).body,
      ...(
        await Promise.all(
          created.map((c) => t.http.get(`/api/alerts/channels/${c.body.id}`).set(auth()).expect(200)),
        )
      ).map((r) => r.body),
    ];
    const everything = JSON.stringify(responses);
    for (const s of Object.values(secrets)) expect(everything).not.toContain(s);
    for (const tail of ['never-shown-0002', 'never-shown-0003', 'access_token'])
      expect(everything).not.toContain(tail);

    const rows: { secrets_sealed: string; config: unknown }[] = await t.app
      .get(DataSource)
      .query(`SELECT secrets_sealed, config FROM alert_channels WHERE name LIKE 's-%'`);
    expect(rows).toHaveLength(4);
    const atRest = JSON.stringify(rows);
    for (const s of Object.values(secrets)) expect(atRest).not.toContain(s);
    expect(rows.every((r) => r.secrets_sealed.startsWith('v1.'))).toBe(true);

    // Removing an optional secret with null; a required one cannot be removed.
    const cleared = await t.http
      .patch(`/api/alerts/channels/${created[2].body.id}`)
      .set(auth())
      .send({ secrets: { signSecret: null } })
      .expect(200);
    expect(cleared.body.secrets).toEqual({ webhookUrl: 'https://oapi.dingtalk.com/…0003' });
    await t.http
      .patch(`/api/alerts/channels/${created[1].body.id}`)
      .set(auth())
      .send({ secrets: { webhookUrl: null } })
      .expect(400);
  });

  it('answers bad input with 400 (and unknown ids with 404)', async () => {
    const bad = async (path: string, body: unknown, match: RegExp) => {
      const res = await t.http
        .post(path)
        .set(auth())
        .send(body as object)
        .expect(400);
      expect(String(res.body.message)).toMatch(match);
    };
    await bad('/api/alerts/channels', { name: 'x', type: 'pager' }, /type must be one of/);
    await bad(
      '/api/alerts/channels',
      { name: 'x', type: 'webhook', config: {} },
      /config.url must be an http\(s\) URL/,
    );
    await bad(
      '/api/alerts/channels',
      { name: 'x', type: 'webhook', config: { url: 'file:///etc/passwd' } },
      /config.url/,
    );
    await bad(
      '/api/alerts/channels',
      { name: 'x', type: 'slack' },
      /secrets.webhookUrl must be an http\(s\) URL/,
    );
    await bad(
      '/api/alerts/channels',
      { name: 'x', type: 'email', config: { host: 'h', port: 70000, from: 'a@b.c', to: ['nope'] } },
      /config.port must be an integer between 1 and 65535.*config.to must hold email addresses/,
    );
    await bad(
      '/api/alerts/channels',
      { name: 'x', type: 'webhook', config: { url: 'https://x.test' }, secrets: { password: 'p' } },
      /secrets.password is not a secret of webhook channels/,
    );
    await bad(
      '/api/alerts/channels',
      { name: '', type: 'webhook', config: { url: 'https://x.test' } },
      /name/,
    );
    await bad(
      '/api/alerts/channels',
      { name: 'x', type: 'webhook', config: { url: 'https://x.test' }, extra: 1 },
      /property extra should not exist/,
    );

    await bad('/api/alerts/rules', { name: 'r', eventType: 'provider.exploded' }, /eventType must be one of/);
    await bad(
      '/api/alerts/rules',
      { name: 'r', eventType: 'model.error_rate' },
      /threshold is required for model.error_rate/,
    );
    await bad(
      '/api/alerts/rules',
      { name: 'r', eventType: 'model.error_rate', threshold: 150 },
      /percentage/,
    );
    await bad(
      '/api/alerts/rules',
      { name: 'r', eventType: 'budget.exhausted', model: 'gpt-4o' },
      /model only applies/,
    );
    await bad(
      '/api/alerts/rules',
      { name: 'r', eventType: 'provider.unhealthy', channelIds: ['77777777-7777-4777-8777-777777777777'] },
      /unknown channel ids: 77777777/,
    );
    await bad(
      '/api/alerts/rules',
      { name: 'r', eventType: 'provider.unhealthy', channelIds: ['nope'] },
      /channelIds must be channel ids/,
    );
    await bad(
      '/api/alerts/rules',
      { name: 'r', eventType: 'provider.unhealthy', cooldownSeconds: -1 },
      /cooldownSeconds/,
    );

    await t.http.get('/api/alerts?status=exploded').set(auth()).expect(400);
    await t.http.get('/api/alerts?pageSize=1000').set(auth()).expect(400);
    await t.http.get('/api/alerts?from=yesterday').set(auth()).expect(400);
    await t.http.get('/api/alerts/not-a-uuid').set(auth()).expect(400);
    await t.http.get('/api/alerts/77777777-7777-4777-8777-777777777777').set(auth()).expect(404);
    await t.http.get('/api/alerts/channels/77777777-7777-4777-8777-777777777777').set(auth()).expect(404);
    await t.http
      .post('/api/alerts/channels/77777777-7777-4777-8777-777777777777/test')
      .set(auth())
      .expect(404);

    // Duplicate names are a conflict.
    await channel({ name: 'dup', type: 'webhook', config: { url: 'https://x.test' } });
    await t.http
      .post('/api/alerts/channels')
      .set(auth())
      .send({ name: 'dup', type: 'webhook', config: { url: 'https://x.test' } })
      .expect(409);
  });

  it('lets members and viewers read, but only admins write or test channels', async () => {
    const member = await createUser(t, admin, 'member@example.com', 'member');
    const viewer = await createUser(t, admin, 'viewer@example.com', 'viewer');
    const id = await channel({ name: 'rbac-hook', type: 'webhook', config: { url: 'https://x.test' } });
    for (const u of [member, viewer]) {
      const as = { Authorization: `Bearer ${u.token}` };
      await t.http
        .post('/api/alerts/channels')
        .set(as)
        .send({ name: 'mine', type: 'webhook', config: { url: 'https://x.test' } })
        .expect(403);
      await t.http.patch(`/api/alerts/channels/${id}`).set(as).send({ enabled: false }).expect(403);
      await t.http.post(`/api/alerts/channels/${id}/test`).set(as).expect(403);
      await t.http.delete(`/api/alerts/channels/${id}`).set(as).expect(403);
      await t.http
        .post('/api/alerts/rules')
        .set(as)
        .send({ name: 'mine', eventType: 'balance.low' })
        .expect(403);
      await t.http.get('/api/alerts/channels').set(as).expect(200);
      await t.http.get('/api/alerts/rules').set(as).expect(200);
      await t.http.get('/api/alerts').set(as).expect(200);
    }
    await t.http.get('/api/alerts').expect(401);
  });

  it('resumes a delivery left pending without a live job (the sweeper)', async () => {
    let accept = false;
    const hook = await receiver(() => (accept ? { status: 200, body: {} } : { status: 500, body: 'no' }));
    const ch = await channel({ name: 'sweep-hook', type: 'webhook', config: { url: hook.url } });
    const r = await rule({ name: 'sweep', eventType: 'proxy.recovered', channelIds: [ch] });
    await events.emitAsync(DomainEvents.ProxyHealthChanged, {
      proxyId: '88888888-8888-4888-8888-888888888888',
      proxyName: 'proxy-us-2',
      from: 'unhealthy',
      to: 'healthy',
      error: null,
      latencyMs: 40,
    });
    const dead = await settledAlert(r);
    expect(dead.deliveries[0]).toMatchObject({ status: 'failed', attempts: 4 });

    // As if the last attempt had been sent but never recorded: pending in the database, no live job.
    await t.app
      .get(DataSource)
      .query(`UPDATE alert_deliveries SET status = 'pending' WHERE id = $1`, [dead.deliveries[0].id]);
    accept = true;
    expect(await t.app.get(DeliverySweeper).sweep(0)).toBeGreaterThanOrEqual(1);
    const healed = await settledAlert(r);
    expect(healed.deliveries[0]).toMatchObject({ status: 'sent', attempts: 5 });
    expect(healed.deliveries[0].history.at(-1)).toMatchObject({ attempt: 5, ok: true, statusCode: 200 });
  });

  it('takes a deleted channel out of its rules and keeps the alert history', async () => {
    const hook = await receiver(() => ({ status: 200, body: {} }));
    const ch = await channel({ name: 'short-lived', type: 'webhook', config: { url: hook.url } });
    const r = await rule({ name: 'invalid keys', eventType: 'apikey.invalid', channelIds: [ch] });
    await events.emitAsync(DomainEvents.ApiKeyInvalid, {
      ip: '203.0.113.9',
      keyPrefix: 'sk-abc',
      reason: 'unknown key',
      at: new Date(),
    });
    const alert = await settledAlert(r);
    expect(alert.status).toBe('sent');
    await t.http.delete(`/api/alerts/channels/${ch}`).set(auth()).expect(204);
    const after = await t.http.get(`/api/alerts/rules/${r}`).set(auth()).expect(200);
    expect(after.body.channelIds).toEqual([]);
    const detail = await t.http.get(`/api/alerts/${alert.id}`).set(auth()).expect(200);
    expect(detail.body.deliveries[0]).toMatchObject({ channelName: 'short-lived', status: 'sent' });
  });
});

describe(`alerts after a restart (e2e, ${redisUrl ? 'BullMQ on Redis' : 'in-process queue'})`, () => {
  let db: TestDatabase;
  let receiver: Receiver;
  let accept = false;
  beforeAll(async () => {
    db = await createTestDatabase();
    receiver = await startReceiver(() => (accept ? { status: 204 } : { status: 503, body: 'not yet' }));
  });
  afterAll(async () => {
    await receiver?.close();
    await db?.drop();
  });

  it('delivers a delivery that was still pending when the previous process stopped', async () => {
    // First process: the receiver fails and the next try is an hour away when the process stops.
    const first = await bootApp({ ...LOOPBACK_TARGETS, DATABASE_URL: db.url, ALERT_BACKOFF_MS: '3600000' });
    let deliveryId: string;
    try {
      const admin = await setupAdmin(first);
      const as = { Authorization: `Bearer ${admin}` };
      const ch = await first.http
        .post('/api/alerts/channels')
        .set(as)
        .send({ name: 'hook', type: 'webhook', config: { url: receiver.url } })
        .expect(201);
      await first.http
        .post('/api/alerts/rules')
        .set(as)
        .send({ name: 'keys', eventType: 'apikey.invalid', channelIds: [ch.body.id] })
        .expect(201);
      await first.app.get(EventEmitter2).emitAsync(DomainEvents.ApiKeyInvalid, {
        ip: '198.51.100.7',
        keyPrefix: null,
        reason: 'unknown key',
        at: new Date(),
      });
      const alert = await eventually(async () => {
        const list = await first.http.get('/api/alerts').set(as).expect(200);
        const id = list.body.items[0]?.id as string | undefined;
        if (!id) return undefined;
        const detail = (await first.http.get(`/api/alerts/${id}`).set(as).expect(200)).body as AlertDetail;
        return detail.deliveries[0]?.attempts === 1 ? detail : undefined;
      }, 'the first failed attempt');
      expect(alert.deliveries[0].status).toBe('pending');
      deliveryId = alert.deliveries[0].id;
    } finally {
      await first.close();
    }

    // Second process on the same database: the pending delivery is picked up again.
    accept = true;
    const second = await bootApp({ ...LOOPBACK_TARGETS, DATABASE_URL: db.url, ALERT_BACKOFF_MS: '10' });
    try {
      const rows = await eventually(async () => {
        const r: { status: string; attempts: number }[] = await second.app
          .get(DataSource)
          .query('SELECT status, attempts FROM alert_deliveries WHERE id = $1', [deliveryId]);
        return r[0]?.status === 'sent' ? r : undefined;
      }, 'the resumed delivery');
      expect(rows[0]).toEqual({ status: 'sent', attempts: 2 });
      expect(receiver.received.filter((r) => r.raw.includes('Invalid API key used'))).toHaveLength(2);
    } finally {
      await second.close();
    }
  });
});

/** Two instances on one database and one Redis: an event seen by both alerts once and is delivered once. */
(redisUrl ? describe : describe.skip)('alerts across instances (e2e, BullMQ on Redis)', () => {
  let a: TestApp;
  let b: TestApp;
  let hook: Receiver;
  beforeAll(async () => {
    // Instances of one deployment share JWT_SECRET and ENCRYPTION_KEY.
    const JWT_SECRET = 'alerts-multi-instance-secret-0123456789abcdef';
    const ENCRYPTION_KEY = 'ab'.repeat(32);
    a = await bootApp({ ...LOOPBACK_TARGETS, JWT_SECRET, ENCRYPTION_KEY });
    const url = await a.app.get(DatabaseService).url();
    b = await bootApp({
      ...LOOPBACK_TARGETS,
      JWT_SECRET,
      DATABASE_URL: url,
      REDIS_PREFIX: a.env.REDIS_PREFIX,
      DB_MIGRATIONS_RUN: 'false',
      ENCRYPTION_KEY,
    });
    hook = await startReceiver(() => ({ status: 200, body: {} }));
  });
  afterAll(async () => {
    await b?.close();
    await a?.close();
    await hook?.close();
  });

  it('fires once (SET NX cooldown) and delivers once (one BullMQ job) when both instances see the event', async () => {
    const admin = await setupAdmin(a);
    const as = { Authorization: `Bearer ${admin}` };
    const ch = await a.http
      .post('/api/alerts/channels')
      .set(as)
      .send({ name: 'shared-hook', type: 'webhook', config: { url: hook.url } })
      .expect(201);
    const r = await a.http
      .post('/api/alerts/rules')
      .set(as)
      .send({ name: 'shared rule', eventType: 'provider.unhealthy', channelIds: [ch.body.id] })
      .expect(201);
    // B learns about the new rule through the cache bus.
    await eventually(
      async () => b.app.get(RulesService).matching('provider.unhealthy').length === 1,
      'instance B to load the rule',
    );

    const event = providerDown(PROVIDER_A);
    await Promise.all([
      a.app.get(EventEmitter2).emitAsync(DomainEvents.ProviderHealthChanged, event),
      b.app.get(EventEmitter2).emitAsync(DomainEvents.ProviderHealthChanged, event),
    ]);
    const alerts = await a.http.get(`/api/alerts?ruleId=${r.body.id}`).set(as).expect(200);
    expect(alerts.body.total).toBe(1);
    await eventually(async () => {
      const d = await a.http.get(`/api/alerts/${alerts.body.items[0].id}`).set(as).expect(200);
      return d.body.status === 'sent';
    }, 'the delivery');
    expect(hook.received).toHaveLength(1);
  });
});
