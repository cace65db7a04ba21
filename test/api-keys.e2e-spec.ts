import { ApiKeysService } from '../src/api-keys/api-keys.service';
import { bootApp, createUser, setupAdmin, TestApp } from './helpers/test-app';

describe('API keys (e2e)', () => {
  let t: TestApp;
  let admin: string;
  beforeAll(async () => {
    t = await bootApp();
    admin = await setupAdmin(t);
  });
  afterAll(async () => {
    await t.close();
  });

  const auth = (token: string) => ({ Authorization: `Bearer ${token}` });

  async function createKey(token: string, body: Record<string, unknown> = { name: 'test' }) {
    const res = await t.http.post('/api/api-keys').set(auth(token)).send(body).expect(201);
    return res.body as { id: string; key: string; prefix: string };
  }

  it('shows the secret once and stores only a hash and prefix', async () => {
    const created = await createKey(admin, { name: 'ci', allowedModels: ['gpt-4o'] });
    expect(created.key).toMatch(/^sk-[0-9A-Za-z]{40}$/);
    expect(created.key.startsWith(created.prefix)).toBe(true);
    const list = await t.http.get('/api/api-keys').set(auth(admin)).expect(200);
    const listed = list.body.find((k: { id: string }) => k.id === created.id);
    expect(listed).toMatchObject({ name: 'ci', allowedModels: ['gpt-4o'], enabled: true });
    expect(JSON.stringify(list.body)).not.toContain(created.key);
    const one = await t.http.get(`/api/api-keys/${created.id}`).set(auth(admin)).expect(200);
    expect(one.body.key).toBeUndefined();
  });

  it('accepts the key as Bearer, x-api-key, x-goog-api-key and ?key=', async () => {
    const { key, id } = await createKey(admin);
    const forms = [
      t.http.get('/v1/key').set('Authorization', `Bearer ${key}`),
      t.http.get('/v1/key').set('x-api-key', key),
      t.http.get('/v1/key').set('x-goog-api-key', key),
      t.http.get(`/v1/key?key=${key}`),
    ];
    for (const res of await Promise.all(forms)) {
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({ id, name: 'test' });
    }
  });

  it('rejects missing and unknown keys in the OpenAI error shape', async () => {
    const none = await t.http.get('/v1/key').expect(401);
    expect(none.body).toEqual({
      error: {
        message: 'Missing API key',
        type: 'authentication_error',
        param: null,
        code: 'invalid_api_key',
      },
    });
    const bad = await t.http.get('/v1/key').set('Authorization', 'Bearer sk-unknown').expect(401);
    expect(bad.body.error.code).toBe('invalid_api_key');
    // An admin JWT is not an API key.
    await t.http.get('/v1/key').set(auth(admin)).expect(401);
  });

  it('rejects a key after it is disabled, accepts it again when re-enabled, and after expiry refuses it', async () => {
    const { key, id } = await createKey(admin);
    await t.http.get('/v1/key').set('x-api-key', key).expect(200);
    await t.http.patch(`/api/api-keys/${id}`).set(auth(admin)).send({ enabled: false }).expect(200);
    const disabled = await t.http.get('/v1/key').set('x-api-key', key).expect(401);
    expect(disabled.body.error.code).toBe('api_key_disabled');
    await t.http.patch(`/api/api-keys/${id}`).set(auth(admin)).send({ enabled: true }).expect(200);
    await t.http.get('/v1/key').set('x-api-key', key).expect(200);

    const past = new Date(Date.now() - 1000).toISOString();
    await t.http.patch(`/api/api-keys/${id}`).set(auth(admin)).send({ expiresAt: past }).expect(200);
    const expired = await t.http.get('/v1/key').set('x-api-key', key).expect(401);
    expect(expired.body.error.code).toBe('api_key_expired');
    await t.http.patch(`/api/api-keys/${id}`).set(auth(admin)).send({ expiresAt: null }).expect(200);
    await t.http.get('/v1/key').set('x-api-key', key).expect(200);
  });

  it('a key created already expired is refused', async () => {
    const { key } = await createKey(admin, { name: 'old', expiresAt: '2020-01-01T00:00:00Z' });
    const res = await t.http.get('/v1/key').set('Authorization', `Bearer ${key}`).expect(401);
    expect(res.body.error.code).toBe('api_key_expired');
  });

  it('a deleted key stops working at once', async () => {
    const { key, id } = await createKey(admin);
    await t.http.get('/v1/key').set('x-api-key', key).expect(200);
    await t.http.delete(`/api/api-keys/${id}`).set(auth(admin)).expect(204);
    await t.http.get('/v1/key').set('x-api-key', key).expect(401);
    await t.http.get(`/api/api-keys/${id}`).set(auth(admin)).expect(404);
  });

  it('serves a warm key from memory: no database lookup per request', async () => {
    const { key } = await createKey(admin);
    const svc = t.app.get(ApiKeysService);
    await t.http.get('/v1/key').set('x-api-key', key).expect(200);
    const before = svc.lookups;
    for (let i = 0; i < 20; i++) await t.http.get('/v1/key').set('x-api-key', key).expect(200);
    expect(svc.lookups).toBe(before);
    // Unknown keys are cached briefly too, so garbage keys do not hammer the database.
    await t.http.get('/v1/key').set('x-api-key', 'sk-garbage-1').expect(401);
    const afterFirstMiss = svc.lookups;
    for (let i = 0; i < 10; i++) await t.http.get('/v1/key').set('x-api-key', 'sk-garbage-1').expect(401);
    expect(svc.lookups).toBe(afterFirstMiss);
  });

  it('members manage only their own keys; a disabled owner disables their keys', async () => {
    const alice = await createUser(t, admin, 'alice@example.com', 'member');
    const bob = await createUser(t, admin, 'bob@example.com', 'member');
    const aliceKey = await createKey(alice.token, { name: 'alice-key' });
    await createKey(bob.token, { name: 'bob-key' });

    const bobList = await t.http.get('/api/api-keys').set(auth(bob.token)).expect(200);
    expect(bobList.body.map((k: { name: string }) => k.name)).toEqual(['bob-key']);
    await t.http.get(`/api/api-keys/${aliceKey.id}`).set(auth(bob.token)).expect(404);
    await t.http
      .patch(`/api/api-keys/${aliceKey.id}`)
      .set(auth(bob.token))
      .send({ enabled: false })
      .expect(404);
    await t.http.delete(`/api/api-keys/${aliceKey.id}`).set(auth(bob.token)).expect(404);
    await t.http
      .post('/api/api-keys')
      .set(auth(bob.token))
      .send({ name: 'for-alice', userId: alice.id })
      .expect(403);

    // Admins see everyone's and can create keys for others.
    const forAlice = await createKey(admin, { name: 'from-admin', userId: alice.id });
    const adminView = await t.http.get(`/api/api-keys?userId=${alice.id}`).set(auth(admin)).expect(200);
    expect(adminView.body.map((k: { name: string }) => k.name).sort()).toEqual(['alice-key', 'from-admin']);

    await t.http.get('/v1/key').set('x-api-key', forAlice.key).expect(200);
    await t.http.patch(`/api/users/${alice.id}`).set(auth(admin)).send({ disabled: true }).expect(200);
    const res = await t.http.get('/v1/key').set('x-api-key', aliceKey.key).expect(401);
    expect(res.body.error.code).toBe('api_key_disabled');
  });

  it('validates key input', async () => {
    const res = await t.http
      .post('/api/api-keys')
      .set(auth(admin))
      .send({ name: '', expiresAt: 'tomorrow', allowedModels: 'gpt-4o', extra: 1 })
      .expect(400);
    expect(res.body.message).toMatch(/name must be longer/);
    expect(res.body.message).toMatch(/expiresAt must be a valid ISO 8601/);
    expect(res.body.message).toMatch(/allowedModels must be an array/);
    expect(res.body.message).toMatch(/property extra should not exist/);
    await t.http.get('/api/api-keys/not-a-uuid').set(auth(admin)).expect(400);
  });
});
