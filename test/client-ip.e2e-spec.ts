import { GatewayFixture } from './helpers/gateway-fixture';

/**
 * The client address a gateway request is logged (and IP-allow-listed) under: the peer's address,
 * or — only behind a trusted proxy (TRUSTED_PROXIES) — the one it forwarded in X-Forwarded-For.
 */
describe('gateway client IP (e2e)', () => {
  const g = new GatewayFixture();
  let key: string;

  beforeAll(async () => {
    await g.start({ TRUSTED_PROXIES: '127.0.0.1' });
    const providerId = await g.provider({
      name: 'm',
      type: 'mock',
      baseUrl: 'http://mock.invalid',
      credentials: [{ key: 'mock-key-0001' }],
    });
    await g.model({ name: 'm', routes: [{ providerId, upstreamModel: 'mock-upstream' }] });
    key = await g.key({ name: 'ip' });
  });
  afterAll(() => g.close());

  const chat = (requestId: string, headers: Record<string, string> = {}) =>
    fetch(`${g.baseURL}/v1/chat/completions`, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${key}`,
        'content-type': 'application/json',
        'x-request-id': requestId,
        ...headers,
      },
      body: JSON.stringify({ model: 'm', messages: [{ role: 'user', content: 'hi' }] }),
    });

  it('takes X-Forwarded-For from a trusted proxy, and the peer address without it', async () => {
    expect((await chat('ip-forwarded', { 'x-forwarded-for': '203.0.113.7' })).status).toBe(200);
    expect((await chat('ip-direct')).status).toBe(200);
    const logs = await g.logs();
    const ip = (id: string) => logs.find((l) => l.requestId === id)?.clientIp;
    expect(ip('ip-forwarded')).toBe('203.0.113.7');
    expect(ip('ip-direct')).toMatch(/^(::ffff:)?127\.0\.0\.1$/);
  });
});
