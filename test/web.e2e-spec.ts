import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GatewayFixture } from './helpers/gateway-fixture';
import { bootApp, TestApp } from './helpers/test-app';

/** The gateway serves the built dashboard at `/` with an SPA fallback, leaving API routes alone. */
describe('web dashboard serving (e2e)', () => {
  const g = new GatewayFixture();
  let dist: string;
  const INDEX = '<!doctype html><html><body><div id="root"></div>dashboard-index</body></html>';

  beforeAll(async () => {
    dist = mkdtempSync(join(tmpdir(), 'lrp-web-'));
    mkdirSync(join(dist, 'assets'));
    writeFileSync(join(dist, 'index.html'), INDEX);
    writeFileSync(join(dist, 'assets', 'app-abc123.js'), 'console.log("app")');
    writeFileSync(join(dist, 'favicon.svg'), '<svg xmlns="http://www.w3.org/2000/svg"/>');
    await g.start({ WEB_DIST_DIR: dist });
  });

  afterAll(async () => {
    await g.close();
    rmSync(dist, { recursive: true, force: true });
  });

  it('serves index.html at / and for client-side routes', async () => {
    for (const path of ['/', '/providers', '/logs/abc', '/login?next=%2Fkeys']) {
      const res = await g.t.http.get(path).expect(200);
      expect(res.headers['content-type']).toMatch(/text\/html/);
      expect(res.headers['cache-control']).toBe('no-cache');
      expect(res.text).toContain('dashboard-index');
    }
    const head = await g.t.http.head('/models').expect(200);
    expect(head.headers['content-length']).toBe(String(Buffer.byteLength(INDEX)));
  });

  it('serves built files with their type; hashed assets are cached for a year', async () => {
    const js = await g.t.http.get('/assets/app-abc123.js').expect(200);
    expect(js.headers['content-type']).toMatch(/text\/javascript/);
    expect(js.headers['cache-control']).toContain('immutable');
    const svg = await g.t.http.get('/favicon.svg').expect(200);
    expect(svg.headers['content-type']).toBe('image/svg+xml');
  });

  it('a missing file is a 404, and paths outside the directory are never served', async () => {
    await g.t.http.get('/assets/missing-000.js').expect(404);
    await g.t.http.get('/../package.json').expect(404);
    const res = await g.t.http.get('/%2e%2e/%2e%2e/etc/passwd');
    expect(res.text).not.toContain('root:');
    await g.t.http.get('/assets/..%2f..%2fpackage.json').expect(404);
  });

  it('leaves the API, gateway, docs, health and metrics untouched', async () => {
    const api = await g.t.http.get('/api/providers').expect(401);
    expect(api.headers['content-type']).toMatch(/json/);
    await g.t.http
      .get('/api/does-not-exist')
      .set({ Authorization: `Bearer ${g.admin}` })
      .expect(404);
    const v1 = await g.t.http.get('/v1/models').expect(401);
    expect(v1.text).not.toContain('dashboard-index');
    const docs = await g.t.http.get('/docs-json').expect(200);
    expect(docs.body.openapi).toBeDefined();
    const health = await g.t.http.get('/health').expect(200);
    expect(health.text).not.toContain('dashboard-index');
    const metrics = await g.t.http.get('/metrics').expect(200);
    expect(metrics.text).not.toContain('dashboard-index');
    const gem = await g.t.http.get('/gemini/v1beta/models');
    expect(gem.text).not.toContain('dashboard-index');
    // Writes to page paths are not the dashboard's either.
    await g.t.http.post('/providers').send({}).expect(404);
  });

  it('dashboard stats carry a time series and the top keys', async () => {
    const auth = { Authorization: `Bearer ${g.admin}` };
    const pid = await g.provider({ name: 'web-mock', type: 'mock' });
    await g.model({ name: 'web-model', routes: [{ providerId: pid, upstreamModel: 'mock-1' }] });
    const key = await g.key({ name: 'web-key' });
    for (let i = 0; i < 2; i++) {
      const r = await fetch(`${g.baseURL}/v1/chat/completions`, {
        method: 'POST',
        headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
        body: JSON.stringify({ model: 'web-model', messages: [{ role: 'user', content: 'hi' }] }),
      });
      expect(r.status).toBe(200);
    }
    await g.logs();
    const day = await g.t.http.get('/api/dashboard/stats').set(auth).expect(200);
    expect(day.body.series.length).toBeGreaterThanOrEqual(24);
    expect(day.body.series.length).toBeLessThanOrEqual(26);
    const total = day.body.series.reduce((n: number, b: { requests: number }) => n + b.requests, 0);
    expect(total).toBe(day.body.requests);
    const tokens = day.body.series.reduce(
      (n: number, b: { inputTokens: number; outputTokens: number }) => n + b.inputTokens + b.outputTokens,
      0,
    );
    expect(tokens).toBe(day.body.inputTokens + day.body.outputTokens);
    expect(day.body.byKey).toEqual([
      expect.objectContaining({
        name: 'web-key',
        requests: 2,
        tokens: day.body.inputTokens + day.body.outputTokens,
      }),
    ]);
    const hour = await g.t.http.get('/api/dashboard/realtime').set(auth).expect(200);
    expect(hour.body.series.length).toBeGreaterThanOrEqual(12);
    expect(hour.body.series.length).toBeLessThanOrEqual(14);
    expect(hour.body.series.at(-1).requests).toBeGreaterThanOrEqual(0);
    const logs = await g.t.http.get('/api/logs').set(auth).expect(200);
    const one = await g.t.http.get(`/api/logs/${logs.body.items[0].id}`).set(auth).expect(200);
    expect(one.body).toMatchObject({ model: 'web-model', providerName: 'web-mock', status: 200 });
    expect(one.body.attempts).toHaveLength(1);
  });

  describe('without a built dashboard', () => {
    let t: TestApp;
    let empty: string;
    beforeAll(async () => {
      empty = mkdtempSync(join(tmpdir(), 'lrp-web-empty-'));
      t = await bootApp({ WEB_DIST_DIR: empty });
    });
    afterAll(async () => {
      await t.close();
      rmSync(empty, { recursive: true, force: true });
    });

    it('/ explains how to build it; other paths are 404', async () => {
      const res = await t.http.get('/').expect(200);
      expect(res.text).toContain('npm --prefix web');
      await t.http.get('/providers').expect(404);
    });
  });
});
