import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { NestExpressApplication } from '@nestjs/platform-express';
import Redis from 'ioredis';
import request from 'supertest';
import { createApp } from '../../src/app.factory';
import { createTestDatabase, realDatabaseUrl, TestDatabase } from './test-db';

export interface TestApp {
  app: NestExpressApplication;
  http: ReturnType<typeof request>;
  env: Record<string, string | undefined>;
  close(): Promise<void>;
}

export const redisUrl = process.env.REDIS_URL || undefined;

/**
 * Boots the whole application on a random port against a fresh database: a new database on the
 * DATABASE_URL server when set, else the app's own embedded PGlite in a temp DATA_DIR (the default
 * path a user gets). Redis (REDIS_URL) is used under a unique key prefix.
 */
export async function bootApp(extraEnv: Record<string, string | undefined> = {}): Promise<TestApp> {
  const dataDir = mkdtempSync(join(tmpdir(), 'lrp-app-'));
  let db: TestDatabase | undefined;
  if (realDatabaseUrl && !('DATABASE_URL' in extraEnv)) db = await createTestDatabase();
  const prefix = `lrp-test:${randomBytes(4).toString('hex')}:`;
  const env: Record<string, string | undefined> = {
    PORT: '0',
    DATA_DIR: dataDir,
    DATABASE_URL: db?.url,
    REDIS_URL: redisUrl,
    REDIS_PREFIX: prefix,
    LOG_LEVEL: 'silent',
    BCRYPT_ROUNDS: '4',
    JWT_SECRET: undefined,
    ENCRYPTION_KEY: undefined,
    ADMIN_EMAIL: undefined,
    ADMIN_PASSWORD: undefined,
    // No scheduled health rounds unless a test asks: they would add requests to mock upstreams.
    HEALTH_CHECK_INTERVAL_MS: '0',
    ...extraEnv,
  };
  const app = await createApp(env);
  await app.listen(0, '127.0.0.1');
  const http = request(app.getHttpServer());
  return {
    app,
    http,
    env,
    close: async () => {
      await app.close();
      await db?.drop();
      rmSync(dataDir, { recursive: true, force: true });
      if (redisUrl) {
        const r = new Redis(redisUrl);
        const keys = await r.keys(`${prefix}*`);
        if (keys.length) await r.del(...keys);
        await r.quit();
      }
    },
  };
}

export const ADMIN = { email: 'admin@example.com', password: 'admin-password-1' };

/** Runs first-admin setup and returns the admin's access token. */
export async function setupAdmin(t: TestApp): Promise<string> {
  const res = await t.http.post('/api/auth/setup').send(ADMIN).expect(201);
  return res.body.accessToken as string;
}

/** Creates a user as the admin and signs them in; returns their access token and id. */
export async function createUser(
  t: TestApp,
  adminToken: string,
  email: string,
  role: 'admin' | 'member' | 'viewer',
): Promise<{ token: string; id: string }> {
  const password = 'user-password-1';
  const created = await t.http
    .post('/api/users')
    .set('Authorization', `Bearer ${adminToken}`)
    .send({ email, password, role })
    .expect(201);
  const login = await t.http.post('/api/auth/login').send({ email, password }).expect(200);
  return { token: login.body.accessToken as string, id: created.body.id as string };
}
