import { LogWriter } from '../src/logs/log-writer.service';
import { GatewayFixture } from './helpers/gateway-fixture';
import { createUser } from './helpers/test-app';

interface Member {
  id: string;
  token: string;
  keyId: string;
  secret: string;
}

/**
 * Tenancy is enforced in the API, not in the UI: a member reaches only their own keys, logs, usage and
 * budgets on every list and detail endpoint; a member of another tenant sees none of it either.
 */
describe('tenancy: members see only their own data (e2e)', () => {
  const g = new GatewayFixture();
  let alice: Member;
  let bob: Member;
  let carol: Member; // another tenant
  let viewer: { id: string; token: string };
  let otherTenant: string;
  const bobIds: Record<string, string> = {};

  const as = (token: string) => ({ Authorization: `Bearer ${token}` });
  const send = (secret: string) =>
    fetch(`${g.baseURL}/v1/chat/completions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${secret}`, 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'shared', messages: [{ role: 'user', content: 'tenant test' }] }),
    }).then((r) => r.text());

  const member = async (email: string, tenantId?: string): Promise<Member> => {
    const u = await createUser(g.t, g.admin, email, 'member');
    if (tenantId) await g.t.http.patch(`/api/users/${u.id}`).set(as(g.admin)).send({ tenantId }).expect(200);
    const token = (
      await g.t.http.post('/api/auth/login').send({ email, password: 'user-password-1' }).expect(200)
    ).body.accessToken as string;
    const key = await g.t.http
      .post('/api/api-keys')
      .set(as(token))
      .send({ name: `${email}-key` })
      .expect(201);
    return { id: u.id, token, keyId: key.body.id, secret: key.body.key };
  };

  beforeAll(async () => {
    await g.start();
    const mockId = await g.provider({
      name: 'mock',
      type: 'mock',
      baseUrl: 'http://mock.invalid',
      credentials: [{ key: 'mock-key-0001' }],
    });
    await g.model({ name: 'shared', routes: [{ providerId: mockId, upstreamModel: 'mock-shared' }] });
    await g.t.http
      .post('/api/prices')
      .set(as(g.admin))
      .send({ model: 'shared', inputPerM: 1, outputPerM: 2 })
      .expect(201);
    otherTenant = (
      await g.t.http.post('/api/tenants').set(as(g.admin)).send({ name: 'Other Org' }).expect(201)
    ).body.id;
    alice = await member('alice@example.com');
    bob = await member('bob@example.com');
    carol = await member('carol@example.com', otherTenant);
    viewer = await createUser(g.t, g.admin, 'viewer@example.com', 'viewer');
    for (const m of [alice, bob, bob, carol]) await send(m.secret);
    await g.t.app.get(LogWriter).flush();
    const logs = await g.logs();
    bobIds.log = logs.find((l) => l.apiKeyId === bob.keyId)!.id;
    bobIds.budget = (
      await g.t.http
        .post('/api/budgets')
        .set(as(g.admin))
        .send({ scope: 'key', scopeId: bob.keyId, period: 'monthly', amountUsd: 5 })
        .expect(201)
    ).body.id;
    await g.t.http
      .post('/api/budgets')
      .set(as(g.admin))
      .send({ scope: 'key', scopeId: alice.keyId, period: 'monthly', amountUsd: 5 })
      .expect(201);
  });
  afterAll(() => g.close());

  it('API keys: list, detail, update and delete reach only one’s own', async () => {
    const list = await g.t.http.get('/api/api-keys').set(as(alice.token)).expect(200);
    expect(list.body.map((k: { id: string }) => k.id)).toEqual([alice.keyId]);
    const filtered = await g.t.http.get(`/api/api-keys?userId=${bob.id}`).set(as(alice.token)).expect(200);
    expect(filtered.body).toEqual([]);
    await g.t.http.get(`/api/api-keys/${bob.keyId}`).set(as(alice.token)).expect(404);
    await g.t.http
      .patch(`/api/api-keys/${bob.keyId}`)
      .set(as(alice.token))
      .send({ name: 'mine' })
      .expect(404);
    await g.t.http.delete(`/api/api-keys/${bob.keyId}`).set(as(alice.token)).expect(404);
    await g.t.http
      .post('/api/api-keys')
      .set(as(alice.token))
      .send({ name: 'for-bob', userId: bob.id })
      .expect(403);
    await g.t.http
      .patch(`/api/api-keys/${alice.keyId}`)
      .set(as(alice.token))
      .send({ rpmLimit: 100000 })
      .expect(403);
  });

  it('logs: list, detail and CSV export show only one’s own traffic', async () => {
    const list = await g.t.http.get('/api/logs').set(as(alice.token)).expect(200);
    expect(list.body.total).toBe(1);
    expect(list.body.items.every((l: { apiKeyId: string }) => l.apiKeyId === alice.keyId)).toBe(true);
    const filtered = await g.t.http.get(`/api/logs?apiKeyId=${bob.keyId}`).set(as(alice.token)).expect(200);
    expect(filtered.body.total).toBe(0);
    await g.t.http.get(`/api/logs/${bobIds.log}`).set(as(alice.token)).expect(404);
    const csv = await g.t.http.get('/api/logs/export').set(as(alice.token)).expect(200);
    expect(csv.text.trim().split('\n')).toHaveLength(2);
    expect(csv.text).not.toContain(bob.keyId);
  });

  it('dashboard statistics count only one’s own traffic', async () => {
    const stats = await g.t.http.get('/api/dashboard/stats').set(as(bob.token)).expect(200);
    expect(stats.body.requests).toBe(2);
    expect(stats.body.byKey.map((k: { apiKeyId: string }) => k.apiKeyId)).toEqual([bob.keyId]);
    const realtime = await g.t.http.get('/api/dashboard/realtime').set(as(alice.token)).expect(200);
    expect(JSON.stringify(realtime.body)).not.toContain(bob.keyId);
    const all = await g.t.http.get('/api/dashboard/stats').set(as(g.admin)).expect(200);
    expect(all.body.requests).toBe(4);
  });

  it('usage and billing reports: only one’s own rows, whatever the filters', async () => {
    for (const kind of ['usage', 'billing']) {
      const mine = await g.t.http.get(`/api/reports/${kind}?groupBy=key`).set(as(bob.token)).expect(200);
      expect(mine.body.totals.requests).toBe(2);
      expect(mine.body.rows.map((r: { group: string }) => r.group)).toEqual([bob.keyId]);
      const snoop = await g.t.http
        .get(`/api/reports/${kind}?userId=${alice.id}&apiKeyId=${alice.keyId}`)
        .set(as(bob.token))
        .expect(200);
      expect(snoop.body.totals.requests).toBe(0);
      const csv = await g.t.http
        .get(`/api/reports/${kind}?format=csv&groupBy=user`)
        .set(as(alice.token))
        .expect(200);
      expect(csv.text).not.toContain('bob@example.com');
      const admin = await g.t.http.get(`/api/reports/${kind}?groupBy=tenant`).set(as(g.admin)).expect(200);
      expect(admin.body.totals.requests).toBe(4);
      expect(admin.body.rows.map((r: { groupName: string }) => r.groupName)).toEqual(
        expect.arrayContaining(['Other Org']),
      );
    }
    const v1 = await fetch(`${g.baseURL}/v1/usage`, { headers: { authorization: `Bearer ${alice.secret}` } });
    expect(((await v1.json()) as { totals: { requests: number } }).totals.requests).toBe(1);
  });

  it('budgets: only those that apply to oneself; writes are admin-only', async () => {
    const list = await g.t.http.get('/api/budgets').set(as(alice.token)).expect(200);
    expect(list.body.map((b: { scopeId: string }) => b.scopeId)).toEqual([alice.keyId]);
    await g.t.http.get(`/api/budgets/${bobIds.budget}`).set(as(alice.token)).expect(404);
    await g.t.http
      .post('/api/budgets')
      .set(as(alice.token))
      .send({ scope: 'key', scopeId: alice.keyId, period: 'daily', amountUsd: 1000 })
      .expect(403);
    await g.t.http
      .patch(`/api/budgets/${bobIds.budget}`)
      .set(as(alice.token))
      .send({ amountUsd: 1 })
      .expect(403);
    await g.t.http.delete(`/api/budgets/${bobIds.budget}`).set(as(alice.token)).expect(403);
  });

  it('users and tenants: members see no users and only their own tenant', async () => {
    await g.t.http.get('/api/users').set(as(alice.token)).expect(403);
    await g.t.http.get(`/api/users/${bob.id}`).set(as(alice.token)).expect(403);
    const tenants = await g.t.http.get('/api/tenants').set(as(carol.token)).expect(200);
    expect(tenants.body.map((t: { id: string }) => t.id)).toEqual([otherTenant]);
    const mine = await g.t.http.get('/api/tenants').set(as(alice.token)).expect(200);
    await g.t.http.get(`/api/tenants/${otherTenant}`).set(as(alice.token)).expect(404);
    await g.t.http.get(`/api/tenants/${mine.body[0].id}`).set(as(carol.token)).expect(404);
    await g.t.http.post('/api/tenants').set(as(alice.token)).send({ name: 'Mine' }).expect(403);
    await g.t.http.delete(`/api/tenants/${otherTenant}`).set(as(g.admin)).expect(409); // carol is in it
  });

  it('another tenant’s member sees nothing of this tenant', async () => {
    const keys = await g.t.http.get('/api/api-keys').set(as(carol.token)).expect(200);
    expect(keys.body.map((k: { id: string }) => k.id)).toEqual([carol.keyId]);
    const logs = await g.t.http.get('/api/logs').set(as(carol.token)).expect(200);
    expect(logs.body.total).toBe(1);
    const report = await g.t.http
      .get(`/api/reports/usage?tenantId=${alice.id}`)
      .set(as(carol.token))
      .expect(200);
    expect(report.body.totals.requests).toBe(0);
    await g.t.http.get(`/api/api-keys/${alice.keyId}`).set(as(carol.token)).expect(404);
    await g.t.http.get(`/api/logs/${bobIds.log}`).set(as(carol.token)).expect(404);
  });

  it('viewers read their own data and cannot write', async () => {
    await g.t.http.get('/api/api-keys').set(as(viewer.token)).expect(200);
    await g.t.http.get('/api/reports/usage').set(as(viewer.token)).expect(200);
    await g.t.http.post('/api/api-keys').set(as(viewer.token)).send({ name: 'nope' }).expect(403);
    await g.t.http
      .post('/api/prices')
      .set(as(viewer.token))
      .send({ model: 'x', inputPerM: 1, outputPerM: 1 })
      .expect(403);
    const logs = await g.t.http.get('/api/logs').set(as(viewer.token)).expect(200);
    expect(logs.body.total).toBe(0);
  });
});
