import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadAppConfig } from './app-config';
import { ConfigValidationError, validateEnv } from './env.validation';
import { resolveSecrets } from './secrets';

describe('validateEnv', () => {
  it('applies defaults', () => {
    const env = validateEnv({});
    expect(env).toMatchObject({
      PORT: 8080,
      DATA_DIR: './data',
      LOG_LEVEL: 'info',
      DB_MIGRATIONS_RUN: true,
      WRITE_BUFFER_MAX_ROWS: 100_000,
      UPSTREAM_MAX_CONNECTIONS: 0,
    });
    expect(env.DATABASE_URL).toBeUndefined();
  });

  it('coerces numbers and booleans', () => {
    const env = validateEnv({
      PORT: '9000',
      DB_MIGRATIONS_RUN: 'false',
      SWAGGER_ENABLED: '0',
      WRITE_BUFFER_MAX_ROWS: '250',
      UPSTREAM_MAX_CONNECTIONS: '512',
    });
    expect(env).toMatchObject({
      PORT: 9000,
      DB_MIGRATIONS_RUN: false,
      SWAGGER_ENABLED: false,
      WRITE_BUFFER_MAX_ROWS: 250,
      UPSTREAM_MAX_CONNECTIONS: 512,
    });
  });

  it('treats empty strings as unset', () => {
    expect(validateEnv({ DATABASE_URL: '', REDIS_URL: '' }).DATABASE_URL).toBeUndefined();
  });

  it.each([
    [
      { DATABASE_URL: 'mysql://root@localhost/db' },
      'DATABASE_URL must look like postgres://user:password@host:5432/database',
    ],
    [{ DATABASE_URL: 'not a url' }, 'DATABASE_URL must look like'],
    [{ PORT: 'eighty' }, 'PORT must be an integer between 0 and 65535'],
    [{ PORT: '70000' }, 'PORT must be an integer between 0 and 65535'],
    [{ REDIS_URL: 'localhost:6379' }, 'REDIS_URL must look like redis://host:6379'],
    [{ LOG_LEVEL: 'loud' }, 'LOG_LEVEL must be one of fatal, error, warn, info, debug, trace, silent'],
    [{ ENCRYPTION_KEY: 'short' }, 'ENCRYPTION_KEY must be 32 bytes'],
    [{ JWT_SECRET: 'short' }, 'JWT_SECRET must be at least 32 characters'],
    [{ ADMIN_EMAIL: 'a@b.co' }, 'ADMIN_EMAIL and ADMIN_PASSWORD must be set together'],
    [{ DB_MIGRATIONS_RUN: 'maybe' }, 'DB_MIGRATIONS_RUN must be true or false'],
    [{ ALERT_RETENTION_DAYS: '-1' }, 'ALERT_RETENTION_DAYS must be an integer of 0 (keep forever) or more'],
    [
      { ALERT_ALLOW_PRIVATE_TARGETS: '10.0.0.0/8, 10.0.0.0/40' },
      'ALERT_ALLOW_PRIVATE_TARGETS must be true, false, or a comma-separated list of addresses, CIDR ranges and host names: "10.0.0.0/40" is not',
    ],
    [{ WRITE_BUFFER_MAX_ROWS: '0' }, 'WRITE_BUFFER_MAX_ROWS must be an integer between 1 and 10000000'],
    [{ WRITE_BUFFER_MAX_ROWS: 'lots' }, 'WRITE_BUFFER_MAX_ROWS must be an integer between 1 and 10000000'],
    [
      { UPSTREAM_MAX_CONNECTIONS: '-1' },
      'UPSTREAM_MAX_CONNECTIONS must be an integer between 0 and 1000000 (0: no limit)',
    ],
  ])('%j → a readable one-line error', (input, message) => {
    let err: unknown;
    try {
      validateEnv(input);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ConfigValidationError);
    const text = (err as Error).message;
    expect(text).toContain(message);
    expect(text.startsWith('Invalid configuration: ')).toBe(true);
    expect(text).not.toContain('\n');
  });

  it('reads the alert retention and the private-target allow-list', () => {
    expect(validateEnv({})).toMatchObject({ ALERT_RETENTION_DAYS: 90, ALERT_ALLOW_PRIVATE_TARGETS: 'false' });
    const env = validateEnv({ ALERT_RETENTION_DAYS: '0', ALERT_ALLOW_PRIVATE_TARGETS: '127.0.0.1,mailpit' });
    expect(env).toMatchObject({ ALERT_RETENTION_DAYS: 0, ALERT_ALLOW_PRIVATE_TARGETS: '127.0.0.1,mailpit' });
  });

  it('reports every bad variable at once', () => {
    expect(() => validateEnv({ PORT: 'x', LOG_LEVEL: 'y' })).toThrow(/PORT must be.*; LOG_LEVEL must be/);
  });
});

describe('secrets', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'lrp-secrets-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('generates JWT_SECRET and ENCRYPTION_KEY once, persists them (0600) and reuses them', () => {
    const first = resolveSecrets(dir, {});
    expect(first.generated).toEqual(['JWT_SECRET', 'ENCRYPTION_KEY']);
    expect(first.encryptionKey).toHaveLength(32);
    const file = join(dir, 'secrets.json');
    expect(statSync(file).mode & 0o777).toBe(0o600);
    const second = resolveSecrets(dir, {});
    expect(second.generated).toEqual([]);
    expect(second.fromFile).toEqual(['JWT_SECRET', 'ENCRYPTION_KEY']);
    expect(second.jwtSecret).toBe(first.jwtSecret);
    expect(second.encryptionKey.equals(first.encryptionKey)).toBe(true);
  });

  it('prefers the environment and writes nothing then', () => {
    const key = 'ab'.repeat(32);
    const s = resolveSecrets(dir, { JWT_SECRET: 'x'.repeat(40), ENCRYPTION_KEY: key });
    expect(s.generated).toEqual([]);
    expect(s.encryptionKey.toString('hex')).toBe(key);
    expect(() => readFileSync(join(dir, 'secrets.json'))).toThrow();
  });

  it('loadAppConfig resolves DATA_DIR and trust proxy settings', () => {
    const c = loadAppConfig({ DATA_DIR: dir, TRUSTED_PROXIES: '10.0.0.0/8, 127.0.0.1' });
    expect(c.dataDir).toBe(dir);
    expect(c.trustProxySetting).toEqual(['10.0.0.0/8', '127.0.0.1']);
    expect(loadAppConfig({ DATA_DIR: dir, TRUSTED_PROXIES: '2' }).trustProxySetting).toBe(2);
    expect(loadAppConfig({ DATA_DIR: dir }).trustProxySetting).toBe(false);
  });
});
