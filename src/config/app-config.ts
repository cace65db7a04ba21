import { resolve } from 'node:path';
import { EnvironmentVariables, LogLevel, validateEnv } from './env.validation';
import { resolveSecrets } from './secrets';

/**
 * The typed, validated configuration every module reads (injected as `AppConfig`).
 * Built once from the environment by `loadAppConfig`.
 */
export class AppConfig {
  readonly port: number;
  readonly databaseUrl?: string;
  readonly redisUrl?: string;
  readonly redisPrefix: string;
  readonly jwtSecret: string;
  readonly encryptionKey: Buffer;
  readonly dataDir: string;
  readonly admin?: { email: string; password: string };
  readonly trustedProxies?: string;
  readonly logLevel: LogLevel;
  readonly migrationsRun: boolean;
  readonly dbPoolSize: number;
  readonly jwtAccessTtl: number;
  readonly jwtRefreshTtl: number;
  readonly loginThrottle: { limit: number; ttlSeconds: number };
  readonly bcryptRounds: number;
  readonly swaggerEnabled: boolean;
  readonly demo: boolean;
  readonly logRetentionDays: number;
  /** Body logging: off, or the byte cap per body. */
  readonly logBodies: false | number;
  /** CORS: undefined (off), '*' or the allowed origins. */
  readonly corsOrigins?: '*' | string[];
  /** Directory of the built dashboard (`web/dist`), when set explicitly. */
  readonly webDistDir?: string;
  /** Secrets generated on this start (to warn about once the logger is up). */
  readonly generatedSecrets: string[];

  constructor(env: EnvironmentVariables) {
    this.port = env.PORT;
    this.databaseUrl = env.DATABASE_URL;
    this.redisUrl = env.REDIS_URL;
    this.redisPrefix = env.REDIS_PREFIX;
    this.dataDir = resolve(env.DATA_DIR);
    const secrets = resolveSecrets(this.dataDir, env);
    this.jwtSecret = secrets.jwtSecret;
    this.encryptionKey = secrets.encryptionKey;
    this.generatedSecrets = secrets.generated;
    this.admin =
      env.ADMIN_EMAIL && env.ADMIN_PASSWORD
        ? { email: env.ADMIN_EMAIL.toLowerCase(), password: env.ADMIN_PASSWORD }
        : undefined;
    this.trustedProxies = env.TRUSTED_PROXIES;
    this.logLevel = env.LOG_LEVEL;
    this.migrationsRun = env.DB_MIGRATIONS_RUN;
    this.dbPoolSize = env.DB_POOL_SIZE;
    this.jwtAccessTtl = env.JWT_ACCESS_TTL;
    this.jwtRefreshTtl = env.JWT_REFRESH_TTL;
    this.loginThrottle = { limit: env.LOGIN_THROTTLE_LIMIT, ttlSeconds: env.LOGIN_THROTTLE_TTL };
    this.bcryptRounds = env.BCRYPT_ROUNDS;
    this.swaggerEnabled = env.SWAGGER_ENABLED;
    this.demo = env.DEMO;
    this.logRetentionDays = env.LOG_RETENTION_DAYS;
    this.logBodies = env.LOG_BODIES ? env.LOG_BODY_MAX_BYTES : false;
    this.webDistDir = env.WEB_DIST_DIR ? resolve(env.WEB_DIST_DIR) : undefined;
    const cors = env.CORS_ORIGINS?.trim();
    this.corsOrigins = !cors
      ? undefined
      : cors === '*'
        ? '*'
        : cors
            .split(',')
            .map((o) => o.trim().replace(/\/$/, ''))
            .filter(Boolean);
  }

  /** Express `trust proxy` setting derived from TRUSTED_PROXIES. */
  get trustProxySetting(): boolean | number | string[] {
    const v = this.trustedProxies?.trim();
    if (!v) return false;
    if (v === 'true') return true;
    if (/^\d+$/.test(v)) return Number(v);
    return v
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean);
  }
}

export function loadAppConfig(raw: Record<string, unknown> = process.env): AppConfig {
  return new AppConfig(validateEnv(raw));
}
