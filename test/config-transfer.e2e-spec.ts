import { GatewayFixture } from './helpers/gateway-fixture';

describe('config export / import (e2e)', () => {
  const g = new GatewayFixture();
  const auth = () => ({ Authorization: `Bearer ${g.admin}` });
  beforeAll(async () => {
    await g.start();
    const mock = await g.provider({
      name: 'mock-x',
      type: 'mock',
      credentials: [{ key: 'sk-very-secret-000111' }],
      config: { latencyMs: 1 },
    });
    await g.model({
      name: 'exported',
      strategy: 'priority',
      routes: [{ providerId: mock, upstreamModel: 'm1', priority: 2 }],
    });
  });
  afterAll(() => g.close());

  it('exports without secrets by default, and with them only as ciphertext', async () => {
    const plain = await g.t.http.get('/api/config/export').set(auth()).expect(200);
    expect(plain.body.providers[0]).toMatchObject({
      name: 'mock-x',
      type: 'mock',
      credentials: [{ label: 'key-1', hint: 'sk-…0111' }],
    });
    expect(plain.body.providers[0].credentials[0].sealed).toBeUndefined();
    expect(plain.body.models[0]).toMatchObject({
      name: 'exported',
      strategy: 'priority',
      routes: [{ provider: 'mock-x', upstreamModel: 'm1', priority: 2 }],
    });
    const sealed = await g.t.http.get('/api/config/export?includeSecrets=true').set(auth()).expect(200);
    expect(sealed.body.providers[0].credentials[0].sealed).toMatch(/^v1\./);
    expect(JSON.stringify(sealed.body)).not.toContain('sk-very-secret');
  });

  it('imports back into an empty gateway, and the imported model answers', async () => {
    const doc = (await g.t.http.get('/api/config/export?includeSecrets=true').set(auth()).expect(200)).body;
    const ids = (await g.t.http.get('/api/providers').set(auth())).body.map((p: { id: string }) => p.id);
    await g.t.http.post('/api/providers/batch-delete').set(auth()).send({ ids }).expect(200);
    expect((await g.t.http.get('/api/models').set(auth())).body[0].routes).toHaveLength(0);

    // One credential sealed with another key is skipped with a warning, not imported as garbage.
    doc.providers[0].credentials.push({ label: 'foreign', sealed: 'v1.AAAA.BBBB.CCCC' });
    const res = await g.t.http.post('/api/config/import').set(auth()).send({ config: doc }).expect(200);
    expect(res.body).toMatchObject({ providersCreated: 1, modelsUpdated: 1 });
    expect(res.body.warnings).toEqual([
      'provider "mock-x": credential 2 skipped (sealed with another ENCRYPTION_KEY)',
    ]);
    const providers = (await g.t.http.get('/api/providers').set(auth())).body;
    expect(providers[0].credentials.map((c: { hint: string }) => c.hint)).toEqual(['sk-…0111']);

    const key = await g.key();
    let status = 0;
    for (let i = 0; i < 20 && status !== 200; i++) {
      status = (
        await g
          .client(key)
          .chat.completions.create({ model: 'exported', messages: [{ role: 'user', content: 'back' }] })
          .withResponse()
          .catch(() => ({ response: { status: 0 } }))
      ).response.status;
      if (status !== 200) await new Promise((r) => setTimeout(r, 50));
    }
    expect(status).toBe(200);
  });

  it('rejects a broken document with a clear 400', async () => {
    const bad = await g.t.http
      .post('/api/config/import')
      .set(auth())
      .send({ config: { version: 1, providers: [{ name: 'x', type: 'nope' }], models: [] } })
      .expect(400);
    expect(bad.body.message).toMatch(/valid type/);
    await g.t.http
      .post('/api/config/import')
      .set(auth())
      .send({ config: { version: 2, providers: [], models: [] } })
      .expect(400);
    await g.t.http.post('/api/config/import').set(auth()).send({}).expect(400);
  });
});
