import { DemoService } from '../src/system/demo.service';
import { bootApp, TestApp } from './helpers/test-app';

describe('DEMO=1 (e2e)', () => {
  let t: TestApp;
  afterAll(() => t?.close());

  it('seeds a mock provider, demo-chat and an API key on an empty database, and the printed request works', async () => {
    t = await bootApp({ DEMO: 'true' });
    const demo = t.app.get(DemoService).result!;
    expect(demo.apiKey).toMatch(/^sk-/);
    expect(demo.adminEmail).toBe('admin@demo.local');
    expect(demo.curl).toContain('/v1/chat/completions');
    const body = JSON.parse(/-d '(.*)'$/.exec(demo.curl)![1]);
    const res = await t.http
      .post('/v1/chat/completions')
      .set('Authorization', `Bearer ${demo.apiKey}`)
      .send(body)
      .expect(200);
    expect(res.body.choices[0].message.content).toBe('echo: Hello, gateway!');
    const login = await t.http
      .post('/api/auth/login')
      .send({ email: demo.adminEmail, password: demo.adminPassword })
      .expect(200);
    const models = await t.http
      .get('/api/models')
      .set('Authorization', `Bearer ${login.body.accessToken}`)
      .expect(200);
    expect(models.body.map((m: { name: string }) => m.name)).toEqual(['demo-chat', 'demo-embed']);
  });
});
