import { ConfigValidationError, validateEnv } from '../../config/env.validation';
import { loadAppConfig } from '../../config/app-config';
import { redisConfigured } from '../alerts.module';
import { bullConnection } from './bullmq.queue';
import { backoffDelay } from './delivery-queue';

describe('delivery retry schedule', () => {
  it('waits backoff · 2^(n−1) after the n-th failure, like BullMQ’s exponential backoff', () => {
    expect([1, 2, 3, 4, 5].map((n) => backoffDelay(1000, n))).toEqual([1000, 2000, 4000, 8000, 16000]);
    expect(backoffDelay(25, 0)).toBe(25);
  });
});

describe('alert settings', () => {
  it('defaults to 5 attempts, 1 s backoff, 90 days of history, no private targets; validates the range', () => {
    const dir = {
      DATA_DIR: '/tmp/lrp-alerts-config-test',
      JWT_SECRET: 'x'.repeat(32),
      ENCRYPTION_KEY: 'a'.repeat(64),
    };
    expect(loadAppConfig(dir).alerts).toMatchObject({ maxAttempts: 5, backoffMs: 1000, retentionDays: 90 });
    expect(loadAppConfig(dir).alerts.allowPrivateTargets).toMatchObject({ all: false, cidrs: [] });
    const set = loadAppConfig({
      ...dir,
      ALERT_MAX_ATTEMPTS: '3',
      ALERT_BACKOFF_MS: '20',
      ALERT_RETENTION_DAYS: '0',
      ALERT_ALLOW_PRIVATE_TARGETS: '10.0.0.0/8,mailpit',
    }).alerts;
    expect(set).toMatchObject({ maxAttempts: 3, backoffMs: 20, retentionDays: 0 });
    expect(set.allowPrivateTargets.cidrs.map((c) => c.text)).toEqual(['10.0.0.0/8']);
    expect([...set.allowPrivateTargets.hosts]).toEqual(['mailpit']);
    expect(() => validateEnv({ ALERT_MAX_ATTEMPTS: '0' })).toThrow(ConfigValidationError);
    expect(() => validateEnv({ ALERT_MAX_ATTEMPTS: 'many' })).toThrow(
      'ALERT_MAX_ATTEMPTS must be an integer between 1 and 50',
    );
    expect(() => validateEnv({ ALERT_BACKOFF_MS: '0' })).toThrow(
      'ALERT_BACKOFF_MS must be an integer between 1 and 3600000',
    );
  });

  it('uses BullMQ only when REDIS_URL is set (overrides win over the environment)', () => {
    const saved = process.env.REDIS_URL;
    try {
      process.env.REDIS_URL = 'redis://127.0.0.1:6379';
      expect(redisConfigured()).toBe(true);
      expect(redisConfigured({ REDIS_URL: undefined })).toBe(false);
      expect(redisConfigured({ REDIS_URL: '' })).toBe(false);
      delete process.env.REDIS_URL;
      expect(redisConfigured()).toBe(false);
      expect(redisConfigured({ REDIS_URL: 'redis://h:1' })).toBe(true);
    } finally {
      if (saved === undefined) delete process.env.REDIS_URL;
      else process.env.REDIS_URL = saved;
    }
  });

  it('turns REDIS_URL into BullMQ connection options', () => {
    expect(bullConnection('redis://127.0.0.1:6379')).toMatchObject({ host: '127.0.0.1', port: 6379, db: 0 });
    expect(bullConnection('rediss://user:p%40ss@cache.example.com:6380/2')).toMatchObject({
      host: 'cache.example.com',
      port: 6380,
      username: 'user',
      password: 'p@ss',
      db: 2,
      tls: {},
    });
  });
});
