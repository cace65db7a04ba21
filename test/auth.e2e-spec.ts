import { DataSource } from 'typeorm';
import { migrations } from '../migrations';
import { ADMIN, bootApp, createUser, TestApp } from './helpers/test-app';

describe('auth (e2e)', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await bootApp();
  });
  afterAll(async () => {
    await t.close();
  });

  it('ran every migration on start, and they revert and re-apply cleanly', async () => {
    const ds = t.app.get(DataSource);
    const applied = await ds.query('SELECT name FROM migrations ORDER BY id');
    expect(applied.map((r: { name: string }) => r.name)).toEqual(
      migrations.map((m) => new m().name ?? m.name),
    );
    const tables = await ds.query(
      "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' ORDER BY table_name",
    );
    expect(tables.map((r: { table_name: string }) => r.table_name)).toEqual(
      expect.arrayContaining(['api_keys', 'migrations', 'refresh_tokens', 'tenants', 'users']),
    );
    for (let i = 0; i < migrations.length; i++) await ds.undoLastMigration();
    expect(await ds.query("SELECT to_regclass('public.users') AS t")).toEqual([{ t: null }]);
    await ds.runMigrations();
    expect(await ds.showMigrations()).toBe(false);
  });

  it('creates the first admin once; setup is refused after the first user', async () => {
    await t.http.get('/api/auth/setup').expect(200, { setupRequired: true });
    const [a, b] = await Promise.all([
      t.http.post('/api/auth/setup').send(ADMIN),
      t.http.post('/api/auth/setup').send({ email: 'other@example.com', password: 'another-password' }),
    ]);
    expect([a.status, b.status].sort()).toEqual([201, 403]);
    const winner = a.status === 201 ? a : b;
    expect(winner.body).toMatchObject({ tokenType: 'Bearer', user: { role: 'admin' } });
    await t.http.get('/api/auth/setup').expect(200, { setupRequired: false });
    const again = await t.http
      .post('/api/auth/setup')
      .send({ email: 'x@example.com', password: 'whatever-123' });
    expect(again.status).toBe(403);
    expect(again.body.message).toMatch(/already done/);
    // Make the known admin the one the rest of the file signs in as.
    if (winner.body.user.email !== ADMIN.email) {
      await t.http
        .post('/api/users')
        .set('Authorization', `Bearer ${winner.body.accessToken}`)
        .send({ ...ADMIN, role: 'admin' })
        .expect(201);
    }
  });

  it('validates input with a clear 400', async () => {
    const res = await t.http.post('/api/auth/login').send({ email: 'not-an-email' }).expect(400);
    expect(res.body).toMatchObject({ statusCode: 400, error: 'Bad Request' });
    expect(res.body.message).toMatch(/email must be an email/);
    expect(res.body.message).toMatch(/password/);
  });

  it('logs in with the right password and refuses a wrong one or an unknown email', async () => {
    const ok = await t.http.post('/api/auth/login').send(ADMIN).expect(200);
    expect(ok.body.accessToken).toEqual(expect.any(String));
    expect(ok.body.refreshToken).toMatch(/^rt_/);
    const me = await t.http
      .get('/api/auth/me')
      .set('Authorization', `Bearer ${ok.body.accessToken}`)
      .expect(200);
    expect(me.body).toMatchObject({ email: ADMIN.email, role: 'admin' });

    const wrong = await t.http
      .post('/api/auth/login')
      .send({ ...ADMIN, password: 'wrong-password' })
      .expect(401);
    expect(wrong.body.message).toBe('Invalid email or password');
    const unknown = await t.http
      .post('/api/auth/login')
      .send({ email: 'nobody@example.com', password: 'x-123456' })
      .expect(401);
    expect(unknown.body.message).toBe('Invalid email or password');
  });

  it('requires a valid JWT on /api/* but not on health, login and docs', async () => {
    for (const path of ['/api/users', '/api/api-keys', '/api/auth/me']) {
      await t.http.get(path).expect(401);
      await t.http.get(path).set('Authorization', 'Bearer not-a-jwt').expect(401);
    }
    const forged =
      'eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxIiwicm9sZSI6ImFkbWluIn0.c2lnbmF0dXJlLWlzLXdyb25n';
    await t.http.get('/api/users').set('Authorization', `Bearer ${forged}`).expect(401);
    await t.http.get('/health').expect(200);
    await t.http.get('/docs-json').expect(200);
  });

  it('rotates refresh tokens and refuses a revoked one (revoking its whole family)', async () => {
    const login = await t.http.post('/api/auth/login').send(ADMIN).expect(200);
    const first = login.body.refreshToken as string;
    const r1 = await t.http.post('/api/auth/refresh').send({ refreshToken: first }).expect(200);
    const second = r1.body.refreshToken as string;
    expect(second).not.toBe(first);
    await t.http.get('/api/auth/me').set('Authorization', `Bearer ${r1.body.accessToken}`).expect(200);

    // Replaying the first (revoked) token is refused and also kills the token that replaced it.
    const replay = await t.http.post('/api/auth/refresh').send({ refreshToken: first }).expect(401);
    expect(replay.body.message).toMatch(/revoked/);
    await t.http.post('/api/auth/refresh').send({ refreshToken: second }).expect(401);
    await t.http.post('/api/auth/refresh').send({ refreshToken: 'rt_does-not-exist' }).expect(401);
  });

  it('logout revokes the refresh token', async () => {
    const login = await t.http.post('/api/auth/login').send(ADMIN).expect(200);
    await t.http.post('/api/auth/logout').send({ refreshToken: login.body.refreshToken }).expect(204);
    await t.http.post('/api/auth/refresh').send({ refreshToken: login.body.refreshToken }).expect(401);
  });

  it('enforces roles: members and viewers cannot manage users; viewers are read-only', async () => {
    const admin = (await t.http.post('/api/auth/login').send(ADMIN).expect(200)).body.accessToken as string;
    const member = await createUser(t, admin, 'member@example.com', 'member');
    const viewer = await createUser(t, admin, 'viewer@example.com', 'viewer');
    await t.http.get('/api/users').set('Authorization', `Bearer ${member.token}`).expect(403);
    await t.http.get('/api/users').set('Authorization', `Bearer ${viewer.token}`).expect(403);
    await t.http.get('/api/users').set('Authorization', `Bearer ${admin}`).expect(200);
    await t.http.get('/api/api-keys').set('Authorization', `Bearer ${viewer.token}`).expect(200);
    const denied = await t.http
      .post('/api/api-keys')
      .set('Authorization', `Bearer ${viewer.token}`)
      .send({ name: 'nope' })
      .expect(403);
    expect(denied.body.message).toMatch(/read-only/);
  });

  it('a disabled user loses access at once, even with a valid token', async () => {
    const admin = (await t.http.post('/api/auth/login').send(ADMIN).expect(200)).body.accessToken as string;
    const u = await createUser(t, admin, 'leaver@example.com', 'member');
    await t.http.get('/api/auth/me').set('Authorization', `Bearer ${u.token}`).expect(200);
    await t.http
      .patch(`/api/users/${u.id}`)
      .set('Authorization', `Bearer ${admin}`)
      .send({ disabled: true })
      .expect(200);
    await t.http.get('/api/auth/me').set('Authorization', `Bearer ${u.token}`).expect(401);
    await t.http
      .post('/api/auth/login')
      .send({ email: 'leaver@example.com', password: 'user-password-1' })
      .expect(401);
  });

  it("an admin password reset ends the user's sessions", async () => {
    const admin = (await t.http.post('/api/auth/login').send(ADMIN).expect(200)).body.accessToken as string;
    const u = await createUser(t, admin, 'reset@example.com', 'member');
    const session = await t.http
      .post('/api/auth/login')
      .send({ email: 'reset@example.com', password: 'user-password-1' });
    await t.http
      .patch(`/api/users/${u.id}`)
      .set('Authorization', `Bearer ${admin}`)
      .send({ password: 'reset-password-9' })
      .expect(200);
    await t.http.post('/api/auth/refresh').send({ refreshToken: session.body.refreshToken }).expect(401);
    await t.http
      .post('/api/auth/login')
      .send({ email: 'reset@example.com', password: 'reset-password-9' })
      .expect(200);
  });

  it('changing the password signs out other sessions', async () => {
    const admin = (await t.http.post('/api/auth/login').send(ADMIN).expect(200)).body.accessToken as string;
    const u = await createUser(t, admin, 'mover@example.com', 'member');
    const other = await t.http
      .post('/api/auth/login')
      .send({ email: 'mover@example.com', password: 'user-password-1' });
    await t.http
      .patch('/api/auth/password')
      .set('Authorization', `Bearer ${u.token}`)
      .send({ currentPassword: 'wrong', newPassword: 'new-password-2' })
      .expect(401);
    await t.http
      .patch('/api/auth/password')
      .set('Authorization', `Bearer ${u.token}`)
      .send({ currentPassword: 'user-password-1', newPassword: 'new-password-2' })
      .expect(204);
    await t.http.post('/api/auth/refresh').send({ refreshToken: other.body.refreshToken }).expect(401);
    await t.http
      .post('/api/auth/login')
      .send({ email: 'mover@example.com', password: 'new-password-2' })
      .expect(200);
  });

  it('echoes x-request-id, or makes one', async () => {
    const a = await t.http.get('/health').set('x-request-id', 'req-123');
    expect(a.headers['x-request-id']).toBe('req-123');
    const b = await t.http.get('/health');
    expect(b.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
  });
});
