import { DbProxy } from './helpers/db-proxy';
import { bootApp, setupAdmin, TestApp } from './helpers/test-app';
import { createTestDatabase, TestDatabase } from './helpers/test-db';

describe('readiness and database loss (e2e)', () => {
  let db: TestDatabase;
  let proxy: DbProxy;
  let t: TestApp;
  let token: string;

  beforeAll(async () => {
    db = await createTestDatabase();
    proxy = new DbProxy(db.url);
    await proxy.up();
    t = await bootApp({ DATABASE_URL: proxy.url });
    token = await setupAdmin(t);
  });
  afterAll(async () => {
    await t.close();
    await proxy.down();
    await db.drop();
  });

  it('is ready while the database answers', async () => {
    const res = await t.http.get('/health/ready').expect(200);
    expect(res.body).toMatchObject({ status: 'ok', database: { status: 'up', mode: 'postgres' } });
  });

  it('goes red (503) while the database is down, answers 503 to requests that need it, and recovers', async () => {
    await proxy.down();
    const ready = await t.http.get('/health/ready').expect(503);
    expect(ready.body).toMatchObject({ status: 'unavailable', database: { status: 'down' } });
    // Liveness stays green: the process is fine, only a dependency is missing.
    await t.http.get('/health').expect(200);
    const users = await t.http.get('/api/users').set('Authorization', `Bearer ${token}`);
    expect(users.status).toBe(503);
    expect(users.body).toMatchObject({ statusCode: 503, code: 'database_unavailable' });
    expect(users.headers['retry-after']).toBe('5');

    await proxy.up();
    let status = 0;
    for (let i = 0; i < 20 && status !== 200; i++) {
      status = (await t.http.get('/health/ready')).status;
      if (status !== 200) await new Promise((r) => setTimeout(r, 250));
    }
    expect(status).toBe(200);
    await t.http.get('/api/users').set('Authorization', `Bearer ${token}`).expect(200);
  });
});
