import { createHmac } from 'node:crypto';
import { GatewayFixture } from './helpers/gateway-fixture';
import { createUser } from './helpers/test-app';

const b64url = (v: unknown) =>
  Buffer.from(typeof v === 'string' ? v : JSON.stringify(v)).toString('base64url');

/** Security checks: forged JWTs are refused, secrets never come back in full, security headers are set. */
describe('security (e2e)', () => {
  const g = new GatewayFixture();
  const JWT_SECRET = 'security-test-secret-0123456789abcdefghij';
  let adminId: string;
  let memberToken: string;

  beforeAll(async () => {
    await g.start({ JWT_SECRET });
    adminId = (await g.t.http.get('/api/auth/me').set('Authorization', `Bearer ${g.admin}`).expect(200)).body
      .id;
    memberToken = (await createUser(g.t, g.admin, 'member@example.com', 'member')).token;
  });
  afterAll(() => g.close());

  const sign = (header: Record<string, unknown>, payload: Record<string, unknown>, secret = JWT_SECRET) => {
    const head = `${b64url(header)}.${b64url(payload)}`;
    return `${head}.${createHmac('sha256', secret).update(head).digest('base64url')}`;
  };
  const me = (token: string) => g.t.http.get('/api/auth/me').set('Authorization', `Bearer ${token}`);

  it('accepts a correctly signed token (control)', async () => {
    const now = Math.floor(Date.now() / 1000);
    await me(sign({ alg: 'HS256', typ: 'JWT' }, { sub: adminId, iat: now, exp: now + 60 })).expect(200);
  });

  it('refuses a wrong signature, alg none, an expired token and a tampered payload', async () => {
    const now = Math.floor(Date.now() / 1000);
    const claims = { sub: adminId, iat: now, exp: now + 600 };
    await me(sign({ alg: 'HS256', typ: 'JWT' }, claims, 'another-secret-0123456789abcdefghijkl')).expect(401);
    await me(`${b64url({ alg: 'none', typ: 'JWT' })}.${b64url(claims)}.`).expect(401);
    await me(sign({ alg: 'none', typ: 'JWT' }, claims)).expect(401);
    await me(sign({ alg: 'HS512', typ: 'JWT' }, claims)).expect(401);
    await me(sign({ alg: 'HS256', typ: 'JWT' }, { sub: adminId, iat: now - 7200, exp: now - 3600 })).expect(
      401,
    );
    // A member's token with the payload edited to another user keeps the member's signature: refused.
    const [h, , s] = memberToken.split('.');
    await me(`${h}.${b64url({ sub: adminId, role: 'admin', iat: now, exp: now + 600 })}.${s}`).expect(401);
    await me('not.a.jwt').expect(401);
    await g.t.http.get('/api/auth/me').expect(401);
  });

  it('never returns a provider key, channel or API key secret in full', async () => {
    const upstreamKey = 'sk-upstream-secret-value-0123456789';
    const id = await g.provider({
      name: 'secretive',
      type: 'openai',
      baseUrl: 'http://127.0.0.1:9/v1',
      credentials: [{ key: upstreamKey }],
      headers: { 'x-extra-secret': 'header-secret-value-987654321' },
    });
    const created = await g.t.http
      .post('/api/api-keys')
      .set('Authorization', `Bearer ${g.admin}`)
      .send({ name: 'visible-once' })
      .expect(201);
    const secret = created.body.key as string;
    const bodies = await Promise.all(
      [
        '/api/providers',
        `/api/providers/${id}`,
        '/api/api-keys',
        `/api/api-keys/${created.body.id}`,
        '/api/config/export',
        '/api/config/export?includeSecrets=true',
        '/api/logs',
        '/api/dashboard/stats',
        '/docs-json',
      ].map(async (path) => (await g.t.http.get(path).set('Authorization', `Bearer ${g.admin}`)).text),
    );
    for (const text of bodies) {
      expect(text).not.toContain(upstreamKey);
      expect(text).not.toContain('header-secret-value-987654321');
      expect(text).not.toContain(secret);
    }
  });

  it('sets security headers on the dashboard, admin API and docs', async () => {
    for (const path of ['/api/auth/setup', '/health', '/docs']) {
      const res = await g.t.http.get(path);
      expect(res.headers['x-content-type-options']).toBe('nosniff');
      expect(res.headers['x-frame-options']).toBe('SAMEORIGIN');
      expect(res.headers['content-security-policy']).toContain("script-src 'self'");
      expect(res.headers['referrer-policy']).toBe('no-referrer');
      expect(res.headers['x-powered-by']).toBeUndefined();
    }
  });
});
