import { DatabaseService } from '../src/database/database.service';
import { bootApp, redisUrl, setupAdmin, TestApp } from './helpers/test-app';

/**
 * Two gateway instances on one database and one Redis: a key change on one instance reaches the
 * other's in-memory cache through Redis pub/sub. (Needs Redis; without it there is one process.)
 */
(redisUrl ? describe : describe.skip)('cache invalidation across instances (e2e)', () => {
  let a: TestApp;
  let b: TestApp;
  beforeAll(async () => {
    // Instances of one deployment share JWT_SECRET (and passport's strategy registry is per process).
    const JWT_SECRET = 'multi-instance-test-secret-0123456789abcdef';
    a = await bootApp({ JWT_SECRET });
    const url = await a.app.get(DatabaseService).url();
    b = await bootApp({
      JWT_SECRET,
      DATABASE_URL: url,
      REDIS_PREFIX: a.env.REDIS_PREFIX,
      DB_MIGRATIONS_RUN: 'false',
    });
  });
  afterAll(async () => {
    await b?.close();
    await a?.close();
  });

  it('disabling a key on instance A makes instance B refuse it at once', async () => {
    const token = await setupAdmin(a);
    const created = await a.http
      .post('/api/api-keys')
      .set('Authorization', `Bearer ${token}`)
      .send({ name: 'shared' })
      .expect(201);
    const key = created.body.key as string;
    await b.http.get('/v1/key').set('x-api-key', key).expect(200); // B caches it
    await a.http
      .patch(`/api/api-keys/${created.body.id}`)
      .set('Authorization', `Bearer ${token}`)
      .send({ enabled: false })
      .expect(200);
    let status = 200;
    for (let i = 0; i < 20 && status === 200; i++) {
      status = (await b.http.get('/v1/key').set('x-api-key', key)).status;
      if (status === 200) await new Promise((r) => setTimeout(r, 50));
    }
    expect(status).toBe(401);
  });
});
