import { DataSource } from 'typeorm';
import { ProvidersService } from '../src/providers/providers.service';
import { bootApp, createUser, setupAdmin, TestApp } from './helpers/test-app';

describe('providers admin API (e2e)', () => {
  let t: TestApp;
  let admin: string;
  beforeAll(async () => {
    t = await bootApp();
    admin = await setupAdmin(t);
  });
  afterAll(async () => {
    await t.close();
  });
  const auth = () => ({ Authorization: `Bearer ${admin}` });

  it('creates a provider with keys stored encrypted and returned masked', async () => {
    const res = await t.http
      .post('/api/providers')
      .set(auth())
      .send({
        name: 'openai-main',
        type: 'openai',
        credentials: [
          { key: 'sk-proj-secret-value-1111' },
          { label: 'backup', key: 'sk-proj-secret-value-2222', weight: 3 },
        ],
        headers: { 'OpenAI-Organization': 'org-very-secret-42' },
      })
      .expect(201);
    expect(res.body).toMatchObject({
      name: 'openai-main',
      type: 'openai',
      baseUrl: 'https://api.openai.com/v1',
      headers: { 'OpenAI-Organization': 'org-…t-42' },
      credentials: [
        { label: 'key-1', hint: 'sk-…1111', weight: 1, enabled: true },
        { label: 'backup', hint: 'sk-…2222', weight: 3, enabled: true },
      ],
    });
    const body = JSON.stringify(res.body);
    expect(body).not.toContain('secret-value');
    expect(body).not.toContain('org-very-secret');

    // At rest: ciphertext only; the service can still open it for adapters.
    const rows = await t.app.get(DataSource).query('SELECT secret_sealed FROM provider_credentials');
    expect(JSON.stringify(rows)).not.toContain('secret-value');
    const svc = t.app.get(ProvidersService);
    const p = await svc.get(res.body.id);
    expect(p.credentials!.map((c) => svc.openSecret(c)).sort()).toEqual([
      'sk-proj-secret-value-1111',
      'sk-proj-secret-value-2222',
    ]);
    expect(svc.openHeaders(p)).toEqual({ 'OpenAI-Organization': 'org-very-secret-42' });
  });

  it('validates: unknown type, bad URL, openai-compatible without URL, bad headers, duplicate name', async () => {
    const bad = await t.http
      .post('/api/providers')
      .set(auth())
      .send({ name: 'x', type: 'azure', baseUrl: 'ftp://nope', timeoutMs: 5 })
      .expect(400);
    expect(bad.body.message).toMatch(/type must be one of the following values/);
    expect(bad.body.message).toMatch(/baseUrl must be a URL address/);
    expect(bad.body.message).toMatch(/timeoutMs must not be less than 1000/);

    const noUrl = await t.http
      .post('/api/providers')
      .set(auth())
      .send({ name: 'vllm', type: 'openai-compatible' })
      .expect(400);
    expect(noUrl.body.message).toMatch(/baseUrl is required for openai-compatible/);

    const headers = await t.http
      .post('/api/providers')
      .set(auth())
      .send({ name: 'h', type: 'mock', headers: { 'bad name': 'v', Host: 'x' } })
      .expect(400);
    expect(headers.body.message).toMatch(/not a valid HTTP header name/);
    expect(headers.body.message).toMatch(/cannot be overridden/);

    await t.http.post('/api/providers').set(auth()).send({ name: 'openai-main', type: 'mock' }).expect(409);

    const dry = await t.http
      .post('/api/providers/validate')
      .set(auth())
      .send({ name: 'openai-main', type: 'anthropic' })
      .expect(200);
    expect(dry.body).toEqual({
      valid: false,
      problems: ['name "openai-main" is already used'],
      baseUrl: 'https://api.anthropic.com',
    });
    const ok = await t.http
      .post('/api/providers/validate')
      .set(auth())
      .send({ name: 'local-vllm', type: 'openai-compatible', baseUrl: 'http://127.0.0.1:8000/v1' })
      .expect(200);
    expect(ok.body).toEqual({ valid: true, problems: [], baseUrl: 'http://127.0.0.1:8000/v1' });
    const list = await t.http.get('/api/providers').set(auth()).expect(200);
    expect(list.body.map((p: { name: string }) => p.name)).toEqual(['openai-main']); // validate saved nothing
  });

  it('updates a provider and manages its credentials', async () => {
    const created = await t.http
      .post('/api/providers')
      .set(auth())
      .send({ name: 'claude', type: 'anthropic', credentials: [{ key: 'sk-ant-aaaaaaaaaaaa1234' }] })
      .expect(201);
    const id = created.body.id as string;
    const updated = await t.http
      .patch(`/api/providers/${id}`)
      .set(auth())
      .send({ timeoutMs: 30000, notes: 'eu account', enabled: false })
      .expect(200);
    expect(updated.body).toMatchObject({
      timeoutMs: 30000,
      notes: 'eu account',
      enabled: false,
      baseUrl: 'https://api.anthropic.com',
    });

    const added = await t.http
      .post(`/api/providers/${id}/credentials`)
      .set(auth())
      .send({ label: 'second', key: 'sk-ant-bbbbbbbbbbbb5678' })
      .expect(201);
    expect(added.body.credentials.map((c: { hint: string }) => c.hint)).toEqual(['sk-…1234', 'sk-…5678']);
    const credId = added.body.credentials[1].id as string;
    const changed = await t.http
      .patch(`/api/providers/${id}/credentials/${credId}`)
      .set(auth())
      .send({ enabled: false, key: 'sk-ant-cccccccccccc9999' })
      .expect(200);
    expect(changed.body.credentials[1]).toMatchObject({ enabled: false, hint: 'sk-…9999' });
    await t.http.delete(`/api/providers/${id}/credentials/${credId}`).set(auth()).expect(204);
    await t.http.delete(`/api/providers/${id}/credentials/${credId}`).set(auth()).expect(404);
  });

  it('batch-deletes and deletes', async () => {
    const ids: string[] = [];
    for (const name of ['m1', 'm2', 'm3']) {
      ids.push(
        (await t.http.post('/api/providers').set(auth()).send({ name, type: 'mock' }).expect(201)).body.id,
      );
    }
    const res = await t.http
      .post('/api/providers/batch-delete')
      .set(auth())
      .send({ ids: ids.slice(0, 2) })
      .expect(200);
    expect(res.body).toEqual({ deleted: 2 });
    await t.http.delete(`/api/providers/${ids[2]}`).set(auth()).expect(204);
    await t.http.get(`/api/providers/${ids[2]}`).set(auth()).expect(404);
    await t.http.post('/api/providers/batch-delete').set(auth()).send({ ids: [] }).expect(400);
  });

  it('members and viewers can read but not change providers', async () => {
    const member = await createUser(t, admin, 'pm@example.com', 'member');
    await t.http.get('/api/providers').set('Authorization', `Bearer ${member.token}`).expect(200);
    await t.http
      .post('/api/providers')
      .set('Authorization', `Bearer ${member.token}`)
      .send({ name: 'nope', type: 'mock' })
      .expect(403);
  });
});
