import { EventEmitter2 } from '@nestjs/event-emitter';
import { createServer, Server } from 'node:http';
import { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';
import { DataSource } from 'typeorm';
import { DomainEvents } from '../src/common/events/domain-events';
import { bootApp, setupAdmin, TestApp } from './helpers/test-app';

/** A loopback HTTP receiver that counts what reaches it. */
async function receiver(): Promise<{ port: number; hits: string[]; close(): Promise<void> }> {
  const hits: string[] = [];
  const server: Server = createServer((req, res) => {
    hits.push(req.url ?? '');
    req.resume();
    req.on('end', () => res.writeHead(200, { 'content-type': 'application/json' }).end('{}'));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    port: (server.address() as AddressInfo).port,
    hits,
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}

async function eventually<T>(probe: () => Promise<T | undefined>, what: string): Promise<T> {
  for (let i = 0; ; i++) {
    const v = await probe();
    if (v !== undefined) return v;
    if (i > 1500) throw new Error(`gave up waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

const ALLOW_HINT = /set ALERT_ALLOW_PRIVATE_TARGETS=/;

/**
 * The SSRF guard of alert channels with the default setting: non-public targets are refused when a
 * channel is saved (400) and again when it sends, also for a name that resolves to one.
 */
describe('alert channel targets: SSRF guard (e2e)', () => {
  let t: TestApp;
  let admin: string;
  let hook: Awaited<ReturnType<typeof receiver>>;
  const auth = () => ({ Authorization: `Bearer ${admin}` });
  const create = (body: Record<string, unknown>) =>
    t.http.post('/api/alerts/channels').set(auth()).send(body);
  const webhook = (url: string) =>
    create({ name: `hook-${Math.random()}`, type: 'webhook', config: { url } });
  /** A channel written straight to the database: saved before the guard, or DNS changed since. */
  const stored = async (type: string, config: Record<string, unknown>): Promise<string> => {
    const rows: { id: string }[] = await t.app
      .get(DataSource)
      .query(`INSERT INTO alert_channels (name, type, config) VALUES ($1, $2, $3::jsonb) RETURNING id`, [
        `stored-${Math.random()}`,
        type,
        JSON.stringify(config),
      ]);
    return rows[0].id;
  };

  beforeAll(async () => {
    t = await bootApp({ ALERT_MAX_ATTEMPTS: '2', ALERT_BACKOFF_MS: '10' });
    admin = await setupAdmin(t);
    hook = await receiver();
  });
  afterAll(async () => {
    await t?.close();
    await hook?.close();
  });

  it.each([
    ['loopback', `http://127.0.0.1:1/hook`, /^config\.url: host 127\.0\.0\.1 is a loopback address\./],
    [
      'the cloud metadata service',
      'http://169.254.169.254/latest/meta-data/',
      /^config\.url: host 169\.254\.169\.254 is a link-local address \(the cloud metadata service\)\./,
    ],
    [
      'a private network',
      'https://10.20.30.40/alerts',
      /^config\.url: host 10\.20\.30\.40 is a private address\./,
    ],
    ['172.16/12', 'http://172.20.1.1:8080/', /is a private address/],
    ['192.168/16', 'http://192.168.0.10/', /is a private address/],
    ['IPv4-mapped IPv6 loopback', 'http://[::ffff:127.0.0.1]:9/', /host ::ffff:7f00:1 is a loopback address/],
    ['IPv6 loopback', 'http://[::1]:9/', /host ::1 is a loopback address/],
    ['IPv6 link-local', 'http://[fe80::1]/', /host fe80::1 is a link-local address/],
    ['IPv6 unique local', 'http://[fd00::5]/', /host fd00::5 is a private address/],
    ['the unspecified address', 'http://0.0.0.0:9/', /host 0\.0\.0\.0 is an unspecified address/],
    ['multicast', 'http://224.0.0.1/', /host 224\.0\.0\.1 is a multicast address/],
    [
      'a name resolving to loopback',
      'http://localhost:9/x',
      /host "localhost" resolves to (127\.0\.0\.1|::1), a loopback/,
    ],
  ])('refuses a webhook URL on %s with a 400 that names the variable', async (_what, url, message) => {
    const res = await webhook(url);
    expect(res.status).toBe(400);
    expect(res.body.message).toMatch(message);
    expect(res.body.message).toMatch(ALLOW_HINT);
  });

  it('refuses the decimal and hex IPv4 forms too (not valid channel URLs)', async () => {
    for (const url of ['http://2130706433/', 'http://0x7f.1/', 'http://0177.0.0.1/']) {
      const res = await webhook(url);
      expect([url, res.status]).toEqual([url, 400]);
    }
  });

  it('checks bot URLs and SMTP hosts, without echoing the bot URL token', async () => {
    const slack = await create({
      name: 'private-slack',
      type: 'slack',
      secrets: { webhookUrl: 'http://10.0.0.8/services/T0/B0/secret-token-123' },
    });
    expect(slack.status).toBe(400);
    expect(slack.body.message).toMatch(/^secrets\.webhookUrl: host 10\.0\.0\.8 is a private address\./);
    expect(JSON.stringify(slack.body)).not.toContain('secret-token-123');
    for (const host of ['127.0.0.1', '2130706433', '192.168.1.25', 'localhost']) {
      const mail = await create({
        name: `mail-${host}`,
        type: 'email',
        config: { host, port: 25, from: 'a@example.com', to: ['b@example.com'] },
      });
      expect([host, mail.status]).toEqual([host, 400]);
      expect(mail.body.message).toMatch(/^config\.host: host /);
      expect(mail.body.message).toMatch(ALLOW_HINT);
    }
  });

  it('accepts public targets, and refuses an update that points a channel inward (unchanged)', async () => {
    const ok = await create({
      name: 'public-hook',
      type: 'webhook',
      config: { url: 'https://93.184.216.34/in' },
    });
    expect(ok.status).toBe(201);
    const bad = await t.http
      .patch(`/api/alerts/channels/${ok.body.id}`)
      .set(auth())
      .send({ config: { url: 'http://169.254.169.254/latest' } });
    expect(bad.status).toBe(400);
    expect(bad.body.message).toMatch(/cloud metadata/);
    const after = await t.http.get(`/api/alerts/channels/${ok.body.id}`).set(auth()).expect(200);
    expect(after.body.config.url).toBe('https://93.184.216.34/in');
  });

  it('refuses at send time a stored channel whose target is (or resolves to) a private address', async () => {
    const literal = await stored('webhook', { url: `http://127.0.0.1:${hook.port}/literal` });
    const named = await stored('webhook', { url: `http://localhost:${hook.port}/named` });
    const mapped = await stored('webhook', { url: `http://[::ffff:127.0.0.1]:${hook.port}/mapped` });
    const mail = await stored('email', {
      host: 'localhost',
      port: hook.port,
      from: 'a@example.com',
      to: ['b@example.com'],
    });
    const test = async (id: string) =>
      (await t.http.post(`/api/alerts/channels/${id}/test`).set(auth()).expect(200)).body as {
        ok: boolean;
        error: string;
      };
    expect(await test(literal)).toMatchObject({
      ok: false,
      error: expect.stringMatching(/^refused: host 127\.0\.0\.1 is a loopback address\./),
    });
    expect(await test(named)).toMatchObject({
      ok: false,
      error: expect.stringMatching(/^refused: host "localhost" resolves to .*, a loopback address\./),
    });
    expect(await test(mapped)).toMatchObject({
      ok: false,
      error: expect.stringMatching(/^refused: host ::ffff:7f00:1 is a loopback address/),
    });
    expect(await test(mail)).toMatchObject({
      ok: false,
      error: expect.stringMatching(/^refused: host "localhost" resolves to/),
    });

    // The queued delivery of a fired alert is refused the same way and ends as failed.
    await t.http
      .post('/api/alerts/rules')
      .set(auth())
      .send({ name: 'keys', eventType: 'apikey.invalid', channelIds: [named] })
      .expect(201);
    await t.app.get(EventEmitter2).emitAsync(DomainEvents.ApiKeyInvalid, {
      ip: '198.51.100.9',
      keyPrefix: null,
      reason: 'unknown key',
      at: new Date(),
    });
    const detail = await eventually(async () => {
      const list = await t.http.get('/api/alerts').set(auth()).expect(200);
      const id = list.body.items[0]?.id as string | undefined;
      if (!id) return undefined;
      const d = (await t.http.get(`/api/alerts/${id}`).set(auth()).expect(200)).body;
      return d.status === 'failed' ? d : undefined;
    }, 'the refused delivery to fail');
    expect(detail.deliveries[0].history).toHaveLength(2);
    expect(detail.deliveries[0].lastError).toMatch(/^refused: host "localhost" resolves to/);
    expect(hook.hits).toEqual([]);
  });
});

/** ALERT_ALLOW_PRIVATE_TARGETS lists what an admin runs on a private network; nothing else opens. */
describe('alert channel targets: allow-list (e2e)', () => {
  let t: TestApp;
  let admin: string;
  let hook: Awaited<ReturnType<typeof receiver>>;
  let smtp: SMTPServer;
  let smtpPort: number;
  const mails: string[] = [];
  const auth = () => ({ Authorization: `Bearer ${admin}` });
  const create = (body: Record<string, unknown>) =>
    t.http.post('/api/alerts/channels').set(auth()).send(body);

  beforeAll(async () => {
    t = await bootApp({ ALERT_ALLOW_PRIVATE_TARGETS: 'localhost, 10.0.0.0/8' });
    admin = await setupAdmin(t);
    hook = await receiver();
    smtp = new SMTPServer({
      disabledCommands: ['STARTTLS', 'AUTH'],
      logger: false,
      onData(stream, _session, cb) {
        const chunks: Buffer[] = [];
        stream.on('data', (c: Buffer) => chunks.push(c));
        stream.on('end', () => {
          mails.push(Buffer.concat(chunks).toString('utf8'));
          cb();
        });
      },
    });
    await new Promise<void>((r) => smtp.listen(0, '127.0.0.1', () => r()));
    smtpPort = (smtp.server.address() as AddressInfo).port;
  });
  afterAll(async () => {
    await t?.close();
    await hook?.close();
    await new Promise<void>((r) => smtp.close(() => r()));
  });

  it('allows a listed host name and range, and still refuses what is not listed', async () => {
    const named = await create({
      name: 'local-hook',
      type: 'webhook',
      config: { url: `http://localhost:${hook.port}/in` },
    });
    expect(named.status).toBe(201);
    expect(
      (await create({ name: 'ranged', type: 'webhook', config: { url: 'http://10.1.2.3:9/in' } })).status,
    ).toBe(201);
    const literal = await create({
      name: 'literal',
      type: 'webhook',
      config: { url: `http://127.0.0.1:${hook.port}/` },
    });
    expect(literal.status).toBe(400);
    expect(literal.body.message).toMatch(/ALERT_ALLOW_PRIVATE_TARGETS=127\.0\.0\.1 /);
    expect(
      (await create({ name: 'meta', type: 'webhook', config: { url: 'http://169.254.169.254/' } })).status,
    ).toBe(400);

    const sent = await t.http.post(`/api/alerts/channels/${named.body.id}/test`).set(auth()).expect(200);
    expect(sent.body).toMatchObject({ ok: true, statusCode: 200, error: null });
    expect(hook.hits).toEqual(['/in']);
  });

  it('sends email to a listed relay host, connecting to the address it checked', async () => {
    const mail = await create({
      name: 'relay',
      type: 'email',
      config: {
        host: 'localhost',
        port: smtpPort,
        security: 'none',
        from: 'a@example.com',
        to: ['ops@example.com'],
      },
    });
    expect(mail.status).toBe(201);
    const sent = await t.http.post(`/api/alerts/channels/${mail.body.id}/test`).set(auth()).expect(200);
    expect(sent.body).toMatchObject({ ok: true, error: null });
    expect(mails).toHaveLength(1);
    expect(mails[0]).toContain('Test message from LLM Router Platform (relay)');
  });
});
