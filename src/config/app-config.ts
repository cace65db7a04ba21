import { resolve } from 'node:path';
import { AllowList, parseAllowList } from '../common/net/ip-address';
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
  /** IP lock-out after repeated bad API keys (threshold 0 = off). */
  readonly badKeyLockout: { threshold: number; windowMs: number; durationMs: number };
  readonly budgetReserveOutputTokens: number;
  /** How long a budget reservation counts at most (a dead instance's reservations lapse after it). */
  readonly budgetReservationTtlMs: number;
  readonly shutdownGraceMs: number;
  readonly swaggerEnabled: boolean;
  readonly demo: boolean;
  readonly logRetentionDays: number;
  /** Usage-ledger rows older than this many days are deleted (0 = kept); their hourly sums stay. */
  readonly ledgerRetentionDays: number;
  /** Body logging: off, or the byte cap per body. */
  readonly logBodies: false | number;
  /** Rows each batch writer (request logs, usage ledger) buffers while the database cannot be written. */
  readonly writeBufferMaxRows: number;
  /** Connections per upstream origin (UPSTREAM_MAX_CONNECTIONS); 0: no limit. */
  readonly upstreamMaxConnections: number;
  /** CORS: undefined (off), '*' or the allowed origins. */
  readonly corsOrigins?: '*' | string[];
  /**
   * Alerts: delivery retries (attempts per (alert, channel), first backoff, doubling), history
   * retention in days (0 = forever) and the non-public targets channels may reach.
   */
  readonly alerts: {
    maxAttempts: number;
    backoffMs: number;
    retentionDays: number;
    allowPrivateTargets: AllowList;
  };
  readonly health: {
    intervalMs: number;
    timeoutMs: number;
    degradedLatencyMs: number;
    failureThreshold: number;
    passiveFailureThreshold: number;
    retentionDays: number;
    lowBalanceThreshold: number;
    proxyCheckUrl: string;
  };
  /** Directory of the built dashboard (`web/dist`), when set explicitly. */
  readonly webDistDir?: string;
  /** Secrets generated on this start (to warn about once the logger is up). */
  readonly generatedSecrets: string[];
  /** Server-side sessions (src/memory). */
  readonly memory: {
    retentionDays: number;
    maxContextTokens: number;
    modelContextTokens: Map<string, number>;
    sessionFromUser: boolean;
    lockWaitMs: number;
    summaryModel?: string;
  };

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
    this.badKeyLockout = {
      threshold: env.BAD_KEY_LOCKOUT_THRESHOLD,
      windowMs: env.BAD_KEY_LOCKOUT_WINDOW * 1000,
      durationMs: env.BAD_KEY_LOCKOUT_DURATION * 1000,
    };
    this.budgetReserveOutputTokens = env.BUDGET_RESERVE_OUTPUT_TOKENS;
    this.budgetReservationTtlMs = env.BUDGET_RESERVATION_TTL_MS;
    this.shutdownGraceMs = env.SHUTDOWN_GRACE_MS;
    this.swaggerEnabled = env.SWAGGER_ENABLED;
    this.demo = env.DEMO;
    this.logRetentionDays = env.LOG_RETENTION_DAYS;
    this.ledgerRetentionDays = env.LEDGER_RETENTION_DAYS;
    this.logBodies = env.LOG_BODIES ? env.LOG_BODY_MAX_BYTES : false;
    this.writeBufferMaxRows = env.WRITE_BUFFER_MAX_ROWS;
    this.upstreamMaxConnections = env.UPSTREAM_MAX_CONNECTIONS;
    this.memory = {
      retentionDays: env.MEMORY_RETENTION_DAYS,
      maxContextTokens: env.MEMORY_MAX_CONTEXT_TOKENS,
      modelContextTokens: new Map(
        (env.MEMORY_MODEL_CONTEXT_TOKENS ?? '')
          .split(',')
          .map((pair) => pair.split('=').map((x) => x.trim()))
          .filter(([name, n]) => name && n)
          .map(([name, n]) => [name, Number(n)] as [string, number]),
      ),
      sessionFromUser: env.MEMORY_SESSION_FROM_USER,
      lockWaitMs: env.MEMORY_LOCK_WAIT_MS,
      summaryModel: env.MEMORY_SUMMARY_MODEL?.trim() || undefined,
    };
    this.alerts = {
      maxAttempts: env.ALERT_MAX_ATTEMPTS,
      backoffMs: env.ALERT_BACKOFF_MS,
      retentionDays: env.ALERT_RETENTION_DAYS,
      allowPrivateTargets: parseAllowList(env.ALERT_ALLOW_PRIVATE_TARGETS),
    };
    this.health = {
      intervalMs: env.HEALTH_CHECK_INTERVAL_MS,
      timeoutMs: env.HEALTH_CHECK_TIMEOUT_MS,
      degradedLatencyMs: env.HEALTH_DEGRADED_LATENCY_MS,
      failureThreshold: env.HEALTH_FAILURE_THRESHOLD,
      passiveFailureThreshold: env.HEALTH_PASSIVE_FAILURE_THRESHOLD,
      retentionDays: env.HEALTH_HISTORY_RETENTION_DAYS,
      lowBalanceThreshold: env.HEALTH_LOW_BALANCE_THRESHOLD,
      proxyCheckUrl: env.PROXY_CHECK_URL,
    };
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
