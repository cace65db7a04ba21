import Redis from 'ioredis';
import { ADMIN, bootApp, redisUrl, setupAdmin, TestApp } from './helpers/test-app';

describe('login throttling (e2e)', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await bootApp({ LOGIN_THROTTLE_LIMIT: '3', LOGIN_THROTTLE_TTL: '60' });
    await setupAdmin(t);
  });
  afterAll(async () => {
    await t.close();
  });

  it('locks out an (address, email) after too many attempts, even with the right password', async () => {
    for (let i = 0; i < 3; i++) {
      await t.http
        .post('/api/auth/login')
        .send({ ...ADMIN, password: `wrong-${i}` })
        .expect(401);
    }
    const locked = await t.http.post('/api/auth/login').send(ADMIN).expect(429);
    expect(locked.body).toMatchObject({
      statusCode: 429,
      message: 'Too many sign-in attempts; try again later',
    });
    expect(Number(locked.headers['retry-after-login'] ?? locked.headers['retry-after'])).toBeGreaterThan(0);
  });

  it('the lock-out is per email first; spraying many emails from one address is capped too', async () => {
    // Another account from the same address still gets its own attempts…
    await t.http
      .post('/api/auth/login')
      .send({ email: 'other@example.com', password: 'x-1234567' })
      .expect(401);
    // …until the per-address budget (5× the per-account limit) is spent.
    let last = 0;
    for (let i = 0; i < 15; i++) {
      const res = await t.http
        .post('/api/auth/login')
        .send({ email: `spray${i}@example.com`, password: 'x-1234567' });
      last = res.status;
      if (last === 429) break;
    }
    expect(last).toBe(429);
  });

  (redisUrl ? it : it.skip)('keeps the counters in Redis under the deployment prefix', async () => {
    const r = new Redis(redisUrl!);
    const keys = await r.keys(`${t.env.REDIS_PREFIX}*`);
    await r.quit();
    expect(keys.length).toBeGreaterThan(0);
  });
});
