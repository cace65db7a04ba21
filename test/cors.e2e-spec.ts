import { bootApp, TestApp } from './helpers/test-app';

describe('CORS (e2e)', () => {
  let on: TestApp;
  let off: TestApp;
  beforeAll(async () => {
    on = await bootApp({ CORS_ORIGINS: 'https://dash.example.com, http://localhost:5173/' });
    off = await bootApp();
  });
  afterAll(async () => {
    await on?.close();
    await off?.close();
  });

  it('answers preflights for allowed origins on gateway and admin routes', async () => {
    for (const path of ['/v1/chat/completions', '/api/auth/login']) {
      const res = await on.http
        .options(path)
        .set('Origin', 'http://localhost:5173')
        .set('Access-Control-Request-Method', 'POST')
        .set('Access-Control-Request-Headers', 'authorization, content-type')
        .expect(204);
      expect(res.headers['access-control-allow-origin']).toBe('http://localhost:5173');
      expect(res.headers['access-control-allow-headers']).toContain('x-api-key');
    }
    const simple = await on.http.get('/health').set('Origin', 'https://dash.example.com').expect(200);
    expect(simple.headers['access-control-allow-origin']).toBe('https://dash.example.com');
    expect(simple.headers['access-control-expose-headers']).toContain('x-request-id');
  });

  it('adds nothing for other origins, or when CORS_ORIGINS is unset', async () => {
    const other = await on.http.get('/health').set('Origin', 'https://evil.example').expect(200);
    expect(other.headers['access-control-allow-origin']).toBeUndefined();
    const unset = await off.http.get('/health').set('Origin', 'http://localhost:5173').expect(200);
    expect(unset.headers['access-control-allow-origin']).toBeUndefined();
  });
});
