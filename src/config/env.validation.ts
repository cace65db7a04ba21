import { plainToInstance, Transform } from 'class-transformer';
import {
  IsBoolean,
  IsIn,
  IsInt,
  IsNumber,
  IsOptional,
  IsUrl,
  IsString,
  Matches,
  Max,
  Min,
  MinLength,
  validateSync,
  ValidationError,
} from 'class-validator';
import { parseAllowList } from '../common/net/ip-address';

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

const toInt = ({ value }: { value: unknown }) =>
  value === undefined || value === '' ? undefined : typeof value === 'string' ? Number(value) : value;
const toBool = ({ value }: { value: unknown }) => {
  if (value === undefined || value === '') return undefined;
  if (typeof value === 'boolean') return value;
  const v = String(value).toLowerCase();
  if (['1', 'true', 'yes', 'on'].includes(v)) return true;
  if (['0', 'false', 'no', 'off'].includes(v)) return false;
  return value;
};
const emptyToUndefined = ({ value }: { value: unknown }) => (value === '' ? undefined : value);

/**
 * Every environment variable the service reads. Validated once at boot; a bad value stops the
 * process with one readable line (see `formatConfigErrors`).
 */
export class EnvironmentVariables {
  @Transform(toInt)
  @IsInt({ message: 'PORT must be an integer between 0 and 65535' })
  @Min(0, { message: 'PORT must be an integer between 0 and 65535' })
  @Max(65535, { message: 'PORT must be an integer between 0 and 65535' })
  PORT = 8080;

  @IsOptional()
  @Transform(emptyToUndefined)
  @Matches(/^postgres(ql)?:\/\/[^\s/]+(\/[^\s?]*)?(\?\S*)?$/, {
    message: 'DATABASE_URL must look like postgres://user:password@host:5432/database',
  })
  DATABASE_URL?: string;

  @IsOptional()
  @Transform(emptyToUndefined)
  @Matches(/^rediss?:\/\/\S+$/, { message: 'REDIS_URL must look like redis://host:6379' })
  REDIS_URL?: string;

  @IsString()
  @MinLength(1, { message: 'REDIS_PREFIX must not be empty' })
  REDIS_PREFIX = 'lrp:';

  @IsOptional()
  @Transform(emptyToUndefined)
  @IsString()
  @MinLength(32, { message: 'JWT_SECRET must be at least 32 characters' })
  JWT_SECRET?: string;

  @IsOptional()
  @Transform(emptyToUndefined)
  @Matches(/^([0-9a-fA-F]{64}|[A-Za-z0-9+/]{43}=)$/, {
    message: 'ENCRYPTION_KEY must be 32 bytes as 64 hex characters or 44 base64 characters',
  })
  ENCRYPTION_KEY?: string;

  @IsString()
  @MinLength(1, { message: 'DATA_DIR must not be empty' })
  DATA_DIR = './data';

  @IsOptional()
  @Transform(emptyToUndefined)
  @Matches(/^[^\s@]+@[^\s@]+$/, { message: 'ADMIN_EMAIL must be an email address' })
  ADMIN_EMAIL?: string;

  @IsOptional()
  @Transform(emptyToUndefined)
  @IsString()
  @MinLength(8, { message: 'ADMIN_PASSWORD must be at least 8 characters' })
  ADMIN_PASSWORD?: string;

  /** Express `trust proxy` value: empty (trust none), `true`, a hop count, or a comma list of addresses/CIDRs. */
  @IsOptional()
  @IsString()
  TRUSTED_PROXIES?: string;

  @IsIn(LOG_LEVELS, { message: `LOG_LEVEL must be one of ${LOG_LEVELS.join(', ')}` })
  LOG_LEVEL: LogLevel = 'info';

  @Transform(toBool)
  @IsBoolean({ message: 'DB_MIGRATIONS_RUN must be true or false' })
  DB_MIGRATIONS_RUN = true;

  @Transform(toInt)
  @IsInt({ message: 'DB_POOL_SIZE must be an integer between 1 and 100' })
  @Min(1, { message: 'DB_POOL_SIZE must be an integer between 1 and 100' })
  @Max(100, { message: 'DB_POOL_SIZE must be an integer between 1 and 100' })
  DB_POOL_SIZE = 10;

  @Transform(toInt)
  @IsInt({ message: 'JWT_ACCESS_TTL must be a number of seconds (60 or more)' })
  @Min(60, { message: 'JWT_ACCESS_TTL must be a number of seconds (60 or more)' })
  JWT_ACCESS_TTL = 900;

  @Transform(toInt)
  @IsInt({ message: 'JWT_REFRESH_TTL must be a number of seconds (300 or more)' })
  @Min(300, { message: 'JWT_REFRESH_TTL must be a number of seconds (300 or more)' })
  JWT_REFRESH_TTL = 30 * 24 * 3600;

  @Transform(toInt)
  @IsInt({ message: 'LOGIN_THROTTLE_LIMIT must be an integer of 1 or more' })
  @Min(1, { message: 'LOGIN_THROTTLE_LIMIT must be an integer of 1 or more' })
  LOGIN_THROTTLE_LIMIT = 10;

  @Transform(toInt)
  @IsInt({ message: 'LOGIN_THROTTLE_TTL must be a number of seconds (1 or more)' })
  @Min(1, { message: 'LOGIN_THROTTLE_TTL must be a number of seconds (1 or more)' })
  LOGIN_THROTTLE_TTL = 60;

  @Transform(toInt)
  @IsInt({ message: 'BCRYPT_ROUNDS must be an integer between 4 and 15' })
  @Min(4, { message: 'BCRYPT_ROUNDS must be an integer between 4 and 15' })
  @Max(15, { message: 'BCRYPT_ROUNDS must be an integer between 4 and 15' })
  BCRYPT_ROUNDS = 12;

  /** Lock an IP out of the gateway after this many bad API keys within the window (0 = off). */
  @Transform(toInt)
  @IsInt({ message: 'BAD_KEY_LOCKOUT_THRESHOLD must be an integer of 0 (off) or more' })
  @Min(0, { message: 'BAD_KEY_LOCKOUT_THRESHOLD must be an integer of 0 (off) or more' })
  BAD_KEY_LOCKOUT_THRESHOLD = 0;

  @Transform(toInt)
  @IsInt({ message: 'BAD_KEY_LOCKOUT_WINDOW must be a number of seconds (1 or more)' })
  @Min(1, { message: 'BAD_KEY_LOCKOUT_WINDOW must be a number of seconds (1 or more)' })
  BAD_KEY_LOCKOUT_WINDOW = 300;

  @Transform(toInt)
  @IsInt({ message: 'BAD_KEY_LOCKOUT_DURATION must be a number of seconds (1 or more)' })
  @Min(1, { message: 'BAD_KEY_LOCKOUT_DURATION must be a number of seconds (1 or more)' })
  BAD_KEY_LOCKOUT_DURATION = 900;

  /** On shutdown, how long in-flight gateway requests (streams) may take to finish before they are cut. */
  @Transform(toInt)
  @IsInt({ message: 'SHUTDOWN_GRACE_MS must be an integer of 0 or more' })
  @Min(0, { message: 'SHUTDOWN_GRACE_MS must be an integer of 0 or more' })
  SHUTDOWN_GRACE_MS = 25000;

  /** Output tokens assumed when reserving budget for a request that sets no max_tokens. */
  @Transform(toInt)
  @IsInt({ message: 'BUDGET_RESERVE_OUTPUT_TOKENS must be an integer of 0 or more' })
  @Min(0, { message: 'BUDGET_RESERVE_OUTPUT_TOKENS must be an integer of 0 or more' })
  BUDGET_RESERVE_OUTPUT_TOKENS = 1024;

  /**
   * How long a budget reservation counts at most (ms). A request settles its reservation when it
   * ends; one whose instance died never does, and its reservation lapses after this long. Make it
   * longer than the longest request (a stream of many minutes keeps its reservation until then).
   */
  @Transform(toInt)
  @IsInt({
    message: 'BUDGET_RESERVATION_TTL_MS must be an integer from 60000 (1 minute) to 86400000 (1 day)',
  })
  @Min(60_000, {
    message: 'BUDGET_RESERVATION_TTL_MS must be an integer from 60000 (1 minute) to 86400000 (1 day)',
  })
  @Max(86_400_000, {
    message: 'BUDGET_RESERVATION_TTL_MS must be an integer from 60000 (1 minute) to 86400000 (1 day)',
  })
  BUDGET_RESERVATION_TTL_MS = 3_600_000;

  @Transform(toBool)
  @IsBoolean({ message: 'SWAGGER_ENABLED must be true or false' })
  SWAGGER_ENABLED = true;

  @Transform(toInt)
  @IsInt({ message: 'LOG_RETENTION_DAYS must be an integer of 0 (keep forever) or more' })
  @Min(0, { message: 'LOG_RETENTION_DAYS must be an integer of 0 (keep forever) or more' })
  LOG_RETENTION_DAYS = 30;

  /**
   * Usage-ledger rows (one per billed request) older than this many days are deleted; 0 keeps them.
   * Their hourly sums stay, so reports keep every figure, by the hour before this horizon.
   */
  @Transform(toInt)
  @IsInt({ message: 'LEDGER_RETENTION_DAYS must be an integer of 0 (keep forever) or more' })
  @Min(0, { message: 'LEDGER_RETENTION_DAYS must be an integer of 0 (keep forever) or more' })
  LEDGER_RETENTION_DAYS = 0;

  /** Browser origins allowed by CORS: empty (off), `*`, or a comma-separated list of origins. */
  @IsOptional()
  @IsString()
  CORS_ORIGINS?: string;

  /** Store request and response bodies on log rows (off by default: they may hold personal data). */
  @Transform(toBool)
  @IsBoolean({ message: 'LOG_BODIES must be true or false' })
  LOG_BODIES = false;

  /**
   * Rows each batch writer (request logs, usage ledger) holds while the database cannot be written;
   * past that the oldest are dropped and counted (`gateway_writer_dropped_rows`).
   */
  @Transform(toInt)
  @IsInt({ message: 'WRITE_BUFFER_MAX_ROWS must be an integer between 1 and 10000000' })
  @Min(1, { message: 'WRITE_BUFFER_MAX_ROWS must be an integer between 1 and 10000000' })
  @Max(10_000_000, { message: 'WRITE_BUFFER_MAX_ROWS must be an integer between 1 and 10000000' })
  WRITE_BUFFER_MAX_ROWS = 100_000;

  /**
   * Connections the gateway may hold open to one upstream origin (per instance; through each proxy
   * alike). 0 (the default): no limit. A call holds its connection for its whole answer, so past the
   * limit calls wait for others to end.
   */
  @Transform(toInt)
  @IsInt({ message: 'UPSTREAM_MAX_CONNECTIONS must be an integer between 0 and 1000000 (0: no limit)' })
  @Min(0, { message: 'UPSTREAM_MAX_CONNECTIONS must be an integer between 0 and 1000000 (0: no limit)' })
  @Max(1_000_000, {
    message: 'UPSTREAM_MAX_CONNECTIONS must be an integer between 0 and 1000000 (0: no limit)',
  })
  UPSTREAM_MAX_CONNECTIONS = 0;

  @Transform(toInt)
  @IsInt({ message: 'LOG_BODY_MAX_BYTES must be an integer between 256 and 1048576' })
  @Min(256, { message: 'LOG_BODY_MAX_BYTES must be an integer between 256 and 1048576' })
  @Max(1048576, { message: 'LOG_BODY_MAX_BYTES must be an integer between 256 and 1048576' })
  LOG_BODY_MAX_BYTES = 16384;

  /** Scheduled health checks of provider credentials and proxies, in ms (jittered ±10%); 0 turns them off. */
  @Transform(toInt)
  @IsInt({ message: 'HEALTH_CHECK_INTERVAL_MS must be 0 (off) or an integer of 1000 or more' })
  @Min(0, { message: 'HEALTH_CHECK_INTERVAL_MS must be 0 (off) or an integer of 1000 or more' })
  HEALTH_CHECK_INTERVAL_MS = 60000;

  @Transform(toInt)
  @IsInt({ message: 'HEALTH_CHECK_TIMEOUT_MS must be an integer between 1000 and 120000' })
  @Min(1000, { message: 'HEALTH_CHECK_TIMEOUT_MS must be an integer between 1000 and 120000' })
  @Max(120000, { message: 'HEALTH_CHECK_TIMEOUT_MS must be an integer between 1000 and 120000' })
  HEALTH_CHECK_TIMEOUT_MS = 15000;

  /** A check that answers slower than this marks its target degraded. */
  @Transform(toInt)
  @IsInt({ message: 'HEALTH_DEGRADED_LATENCY_MS must be an integer of 1 or more' })
  @Min(1, { message: 'HEALTH_DEGRADED_LATENCY_MS must be an integer of 1 or more' })
  HEALTH_DEGRADED_LATENCY_MS = 5000;

  /** Consecutive failures (checks or live attempts) after which a target is unhealthy. */
  @Transform(toInt)
  @IsInt({ message: 'HEALTH_FAILURE_THRESHOLD must be an integer between 1 and 100' })
  @Min(1, { message: 'HEALTH_FAILURE_THRESHOLD must be an integer between 1 and 100' })
  @Max(100, { message: 'HEALTH_FAILURE_THRESHOLD must be an integer between 1 and 100' })
  HEALTH_FAILURE_THRESHOLD = 3;

  /** Failed live attempts in a row (gateway traffic) after which a key or proxy is unhealthy. */
  @Transform(toInt)
  @IsInt({ message: 'HEALTH_PASSIVE_FAILURE_THRESHOLD must be an integer between 1 and 1000' })
  @Min(1, { message: 'HEALTH_PASSIVE_FAILURE_THRESHOLD must be an integer between 1 and 1000' })
  @Max(1000, { message: 'HEALTH_PASSIVE_FAILURE_THRESHOLD must be an integer between 1 and 1000' })
  HEALTH_PASSIVE_FAILURE_THRESHOLD = 5;

  @Transform(toInt)
  @IsInt({ message: 'HEALTH_HISTORY_RETENTION_DAYS must be an integer of 0 (keep forever) or more' })
  @Min(0, { message: 'HEALTH_HISTORY_RETENTION_DAYS must be an integer of 0 (keep forever) or more' })
  HEALTH_HISTORY_RETENTION_DAYS = 30;

  /** Balance below which `balance.low` fires (account currency); a provider's config.balanceThreshold wins. */
  @Transform(toInt)
  @IsNumber({}, { message: 'HEALTH_LOW_BALANCE_THRESHOLD must be a number of 0 or more' })
  @Min(0, { message: 'HEALTH_LOW_BALANCE_THRESHOLD must be a number of 0 or more' })
  HEALTH_LOW_BALANCE_THRESHOLD = 5;

  /** Where a proxy's health check goes when it has no checkUrl and no provider uses it. */
  @IsUrl(
    { protocols: ['http', 'https'], require_protocol: true, require_tld: false },
    { message: 'PROXY_CHECK_URL must be an http(s) URL' },
  )
  PROXY_CHECK_URL = 'https://www.gstatic.com/generate_204';

  /** The built dashboard served at `/` (default: `web/dist` of the checkout). */
  @IsOptional()
  @IsString()
  WEB_DIST_DIR?: string;

  /** On a database with no providers yet: create a mock provider, `demo-chat`, an API key, print a curl. */
  @Transform(toBool)
  @IsBoolean({ message: 'DEMO must be true or false' })
  DEMO = false;

  /** Memory: delete sessions idle for more than this many days (hourly job). 0 keeps them forever. */
  @Transform(toInt)
  @IsInt({ message: 'MEMORY_RETENTION_DAYS must be an integer of 0 (keep forever) or more' })
  @Min(0, { message: 'MEMORY_RETENTION_DAYS must be an integer of 0 (keep forever) or more' })
  MEMORY_RETENTION_DAYS = 90;

  /** Memory: default context budget (history + new messages) when neither the session nor the model sets one. */
  @Transform(toInt)
  @IsInt({ message: 'MEMORY_MAX_CONTEXT_TOKENS must be an integer between 256 and 10000000' })
  @Min(256, { message: 'MEMORY_MAX_CONTEXT_TOKENS must be an integer between 256 and 10000000' })
  @Max(10_000_000, { message: 'MEMORY_MAX_CONTEXT_TOKENS must be an integer between 256 and 10000000' })
  MEMORY_MAX_CONTEXT_TOKENS = 8000;

  /** Memory: per-model context budgets, `model=tokens` pairs separated by commas. */
  @IsOptional()
  @Matches(/^\s*([^=,\s]+\s*=\s*\d+\s*)(,\s*[^=,\s]+\s*=\s*\d+\s*)*$/, {
    message: 'MEMORY_MODEL_CONTEXT_TOKENS must look like "gpt-4o=120000,claude-sonnet=180000"',
  })
  MEMORY_MODEL_CONTEXT_TOKENS?: string;

  /** Memory: also treat an OpenAI `user` field that is a session UUID as the session id (opt-in). */
  @Transform(toBool)
  @IsBoolean({ message: 'MEMORY_SESSION_FROM_USER must be true or false' })
  MEMORY_SESSION_FROM_USER = false;

  /** Memory: how long a request waits for another request on the same session before a 409. */
  @Transform(toInt)
  @IsInt({ message: 'MEMORY_LOCK_WAIT_MS must be an integer between 100 and 600000' })
  @Min(100, { message: 'MEMORY_LOCK_WAIT_MS must be an integer between 100 and 600000' })
  @Max(600_000, { message: 'MEMORY_LOCK_WAIT_MS must be an integer between 100 and 600000' })
  MEMORY_LOCK_WAIT_MS = 60_000;

  /** Memory: public chat model that summarises trimmed history (unset = trimmed turns are just left out). */
  @IsOptional()
  @IsString()
  MEMORY_SUMMARY_MODEL?: string;

  /** Delivery attempts per alert and channel before the delivery is marked failed (dead letter). */
  @Transform(toInt)
  @IsInt({ message: 'ALERT_MAX_ATTEMPTS must be an integer between 1 and 50' })
  @Min(1, { message: 'ALERT_MAX_ATTEMPTS must be an integer between 1 and 50' })
  @Max(50, { message: 'ALERT_MAX_ATTEMPTS must be an integer between 1 and 50' })
  ALERT_MAX_ATTEMPTS = 5;

  /** First retry delay of an alert delivery in ms; it doubles on every further try. */
  @Transform(toInt)
  @IsInt({ message: 'ALERT_BACKOFF_MS must be an integer between 1 and 3600000' })
  @Min(1, { message: 'ALERT_BACKOFF_MS must be an integer between 1 and 3600000' })
  @Max(3600000, { message: 'ALERT_BACKOFF_MS must be an integer between 1 and 3600000' })
  ALERT_BACKOFF_MS = 1000;

  /** Delete alerts (with their deliveries) older than this many days, hourly; pending ones are kept. 0 keeps them forever. */
  @Transform(toInt)
  @IsInt({ message: 'ALERT_RETENTION_DAYS must be an integer of 0 (keep forever) or more' })
  @Min(0, { message: 'ALERT_RETENTION_DAYS must be an integer of 0 (keep forever) or more' })
  ALERT_RETENTION_DAYS = 90;

  /**
   * Non-public addresses alert channels may reach (SSRF protection): `false` (none), `true` (no
   * check), or a comma-separated list of addresses, CIDR ranges and host names.
   */
  @IsString()
  ALERT_ALLOW_PRIVATE_TARGETS = 'false';
}

export class ConfigValidationError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration: ${problems.join('; ')}`);
    this.name = 'ConfigValidationError';
  }
}

function collect(errors: ValidationError[]): string[] {
  return errors.flatMap((e) => {
    const own = Object.values(e.constraints ?? {});
    // One message per variable is enough: the first rule that failed says what is wrong.
    return [...own.slice(0, 1), ...collect(e.children ?? [])];
  });
}

/** Validates raw `process.env`-style input; throws `ConfigValidationError` with readable messages. */
export function validateEnv(raw: Record<string, unknown>): EnvironmentVariables {
  const known = Object.keys(new EnvironmentVariables());
  const input: Record<string, unknown> = {};
  for (const k of [
    ...known,
    'DATABASE_URL',
    'REDIS_URL',
    'JWT_SECRET',
    'ENCRYPTION_KEY',
    'ADMIN_EMAIL',
    'ADMIN_PASSWORD',
    'TRUSTED_PROXIES',
  ]) {
    if (raw[k] !== undefined) input[k] = raw[k];
  }
  const env = plainToInstance(EnvironmentVariables, input, { exposeDefaultValues: true });
  const errors = validateSync(env, { skipMissingProperties: false, forbidUnknownValues: false });
  if (errors.length) throw new ConfigValidationError(collect(errors));
  if ((env.ADMIN_EMAIL && !env.ADMIN_PASSWORD) || (!env.ADMIN_EMAIL && env.ADMIN_PASSWORD)) {
    throw new ConfigValidationError(['ADMIN_EMAIL and ADMIN_PASSWORD must be set together']);
  }
  try {
    parseAllowList(env.ALERT_ALLOW_PRIVATE_TARGETS);
  } catch (e) {
    throw new ConfigValidationError([
      `ALERT_ALLOW_PRIVATE_TARGETS must be true, false, or a comma-separated list of addresses, CIDR ranges and host names: ${(e as Error).message}`,
    ]);
  }
  if (env.HEALTH_CHECK_INTERVAL_MS > 0 && env.HEALTH_CHECK_INTERVAL_MS < 1000) {
    throw new ConfigValidationError([
      'HEALTH_CHECK_INTERVAL_MS must be 0 (off) or an integer of 1000 or more',
    ]);
  }
  return env;
}
