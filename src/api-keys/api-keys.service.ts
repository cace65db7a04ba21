import {
  BadRequestException,
  ForbiddenException,
  Injectable,
  Logger,
  NotFoundException,
  OnApplicationShutdown,
  OnModuleInit,
} from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { hash, randomBytes } from 'node:crypto';
import proxyaddr from 'proxy-addr';
import { In, Repository } from 'typeorm';
import type { AuthUser } from '../auth/decorators';
import { CacheBus } from '../common/redis/cache-bus.service';
import { UserRole } from '../users/user.entity';
import { UsersService } from '../users/users.service';
import { ApiKey } from './api-key.entity';
import { CreateApiKeyDto, KeyLimitsDto, UpdateApiKeyDto } from './dto/api-key.dto';

/** What the gateway knows about a presented key once it is authenticated (all from memory). */
export interface ResolvedApiKey {
  id: string;
  name: string;
  prefix: string;
  userId: string;
  tenantId: string;
  role: UserRole;
  allowedModels: string[];
  expiresAt: number | null;
  enabled: boolean;
  rpmLimit: number | null;
  tpmLimit: number | null;
  /** Per-model limits by public model name. */
  modelLimits: Map<string, { rpm: number | null; tpm: number | null }>;
  /** Allowed operations (null: all). */
  scopes: ReadonlySet<string> | null;
  /** IP allow-list check (null: any IP). */
  ipAllowed: ((ip: string) => boolean) | null;
  /** Server-side sessions allowed for this key (src/memory). */
  memoryEnabled: boolean;
}

/** Compiles an IP / CIDR allow-list; throws on an entry that is neither. */
export function compileIpAllowList(list: string[]): ((ip: string) => boolean) | null {
  if (!list.length) return null;
  const trust = proxyaddr.compile(list);
  return (ip: string) => {
    try {
      return trust(ip, 0);
    } catch {
      return false;
    }
  };
}

export type ApiKeyCheck =
  | { ok: true; key: ResolvedApiKey }
  | {
      ok: false;
      status: 401;
      code: 'invalid_api_key' | 'api_key_disabled' | 'api_key_expired';
      message: string;
    };

/** Rate limits are an admin's decision; the owner may still set the IP allow-list. */
function checkLimits(actor: AuthUser, dto: KeyLimitsDto): void {
  const limits = dto.rpmLimit !== undefined || dto.tpmLimit !== undefined || dto.modelLimits !== undefined;
  if (limits && actor.role !== 'admin') throw new ForbiddenException('Only admins set rate limits on keys');
  if (dto.allowedIps?.length) {
    try {
      proxyaddr.compile(dto.allowedIps);
    } catch (e) {
      throw new BadRequestException(`allowedIps: ${(e as Error).message}`);
    }
  }
}

/** A stored allow-list that no longer compiles locks the key rather than opening it. */
function safeAllowList(list: string[]): ((ip: string) => boolean) | null {
  try {
    return compileIpAllowList(list);
  } catch {
    return () => false;
  }
}

const BASE62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';

export function generateApiKeySecret(): string {
  const bytes = randomBytes(48);
  let out = '';
  for (const b of bytes) if (b < 248) out += BASE62[b % 62]; // 248 = 4·62: no modulo bias
  return `sk-${out.slice(0, 40).padEnd(40, BASE62[bytes[0] % 62])}`;
}

/** SHA-256 of a key, hex (the one-shot `crypto.hash`: a third of a Hash object's time per request). */
export const hashApiKey = (secret: string) => hash('sha256', secret, 'hex');

const TOPIC_KEY = 'api-key';
const NEGATIVE_TTL_MS = 30_000;
/** Safety net: even if an invalidation message were lost, a cached key is re-read this often. */
const POSITIVE_TTL_MS = 5 * 60_000;
const MAX_CACHE = 50_000;
const TOUCH_FLUSH_MS = 30_000;
/** A known key whose re-read failed (database unreachable) is tried again after this long. */
const REFRESH_RETRY_MS = 30_000;

/**
 * Gateway API keys: CRUD with ownership rules, and the authentication the `/v1` API calls on every
 * request. Lookups are cached by key hash (unknown keys briefly too, so garbage keys cannot hammer the
 * database) and invalidated on every change, across instances through the cache bus.
 */
@Injectable()
export class ApiKeysService implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger('ApiKeys');
  private readonly cache = new Map<string, { key: ResolvedApiKey | null; at: number }>();
  private readonly touched = new Map<string, number>();
  private readonly loading = new Map<string, Promise<ResolvedApiKey | null>>();
  private flushTimer?: NodeJS.Timeout;
  /** Database lookups made by `authenticate` (cache misses); exposed for tests and metrics. */
  lookups = 0;

  constructor(
    @InjectRepository(ApiKey) private readonly keys: Repository<ApiKey>,
    private readonly users: UsersService,
    private readonly bus: CacheBus,
  ) {}

  onModuleInit(): void {
    this.bus.on(TOPIC_KEY, (hash) => {
      this.cache.delete(hash);
    });
    // User changes already travel the bus (UsersService); each instance drops that owner's keys.
    this.users.onUserChanged((userId) => {
      for (const [hash, entry] of this.cache) if (entry.key?.userId === userId) this.cache.delete(hash);
    });
    this.flushTimer = setInterval(() => void this.flushTouched(), TOUCH_FLUSH_MS);
    this.flushTimer.unref();
  }

  async onApplicationShutdown(): Promise<void> {
    clearInterval(this.flushTimer);
    await this.flushTouched();
  }

  /**
   * Authenticates a presented secret. Once warm, this makes no database query: a known key past its
   * re-read time is answered from the cache while it is re-read in the background, so a slow or
   * unreachable database never holds up (or fails) requests of keys this instance knows. Only an
   * unknown secret waits for the database (and throws when it is unreachable).
   */
  async authenticate(secret: string | undefined): Promise<ApiKeyCheck> {
    if (!secret) return { ok: false, status: 401, code: 'invalid_api_key', message: 'Missing API key' };
    const hash = hashApiKey(secret);
    const entry = this.cache.get(hash);
    const age = entry ? Date.now() - entry.at : Infinity;
    if (entry && age <= (entry.key === null ? NEGATIVE_TTL_MS : POSITIVE_TTL_MS))
      return this.check(entry.key);
    if (entry?.key) {
      this.refresh(hash, entry);
      return this.check(entry.key);
    }
    return this.check(await this.loadOnce(hash));
  }

  /** One database lookup per hash at a time (a burst of requests with a new key makes one query). */
  private loadOnce(hash: string): Promise<ResolvedApiKey | null> {
    let p = this.loading.get(hash);
    if (!p) {
      p = this.load(hash)
        .then((key) => {
          if (this.cache.size >= MAX_CACHE) this.cache.delete(this.cache.keys().next().value as string);
          this.cache.set(hash, { key, at: Date.now() });
          return key;
        })
        .finally(() => this.loading.delete(hash));
      this.loading.set(hash, p);
    }
    return p;
  }

  /** Re-reads a known key in the background; while the database is unreachable it keeps the cached one. */
  private refresh(hash: string, entry: { key: ResolvedApiKey | null; at: number }): void {
    if (this.loading.has(hash)) return;
    this.loadOnce(hash).catch((e: Error) => {
      // Keep serving the cached key (unless it was invalidated meanwhile) and try again in a while,
      // not on every request.
      entry.at = Date.now() - POSITIVE_TTL_MS + REFRESH_RETRY_MS;
      this.logger.debug(`could not re-read a cached API key, keeping it: ${e.message}`);
    });
  }

  private check(key: ResolvedApiKey | null): ApiKeyCheck {
    if (!key) return { ok: false, status: 401, code: 'invalid_api_key', message: 'Invalid API key' };
    if (!key.enabled)
      return { ok: false, status: 401, code: 'api_key_disabled', message: 'This API key is disabled' };
    if (key.expiresAt !== null && key.expiresAt <= Date.now()) {
      return { ok: false, status: 401, code: 'api_key_expired', message: 'This API key has expired' };
    }
    this.touched.set(key.id, Date.now());
    return { ok: true, key };
  }

  private async load(hash: string): Promise<ResolvedApiKey | null> {
    this.lookups++;
    const row = await this.keys
      .createQueryBuilder('k')
      .innerJoinAndSelect('k.user', 'u')
      .where('k.keyHash = :hash', { hash })
      .getOne();
    if (!row || !row.user) return null;
    return {
      id: row.id,
      name: row.name,
      prefix: row.prefix,
      userId: row.userId,
      tenantId: row.user.tenantId,
      role: row.user.role,
      allowedModels: row.allowedModels,
      expiresAt: row.expiresAt ? row.expiresAt.getTime() : null,
      rpmLimit: row.rpmLimit,
      tpmLimit: row.tpmLimit,
      modelLimits: new Map(
        (row.modelLimits ?? []).map((l) => [l.model, { rpm: l.rpm ?? null, tpm: l.tpm ?? null }]),
      ),
      ipAllowed: safeAllowList(row.allowedIps ?? []),
      scopes: row.scopes?.length ? new Set(row.scopes) : null,
      // A disabled owner disables their keys.
      enabled: row.enabled && !row.user.disabled,
      memoryEnabled: row.memoryEnabled,
    };
  }

  private async flushTouched(): Promise<void> {
    if (!this.touched.size) return;
    const batch = [...this.touched];
    this.touched.clear();
    // One statement for the whole batch.
    const byTime = new Map<number, string[]>();
    for (const [id, at] of batch) {
      const t = Math.floor(at / 1000) * 1000;
      byTime.set(t, [...(byTime.get(t) ?? []), id]);
    }
    try {
      for (const [t, ids] of byTime) await this.keys.update({ id: In(ids) }, { lastUsedAt: new Date(t) });
    } catch (e) {
      // Kept for the next flush (a newer use recorded meanwhile wins).
      for (const [id, at] of batch) if (!this.touched.has(id)) this.touched.set(id, at);
      this.logger.warn(`could not record last use of ${batch.length} keys: ${(e as Error).message}`);
    }
  }

  // ---- admin / owner operations -------------------------------------------------------------

  private scope(actor: AuthUser): { userId?: string } {
    return actor.role === 'admin' ? {} : { userId: actor.id };
  }

  async list(actor: AuthUser, userId?: string): Promise<ApiKey[]> {
    if (userId && actor.role !== 'admin' && userId !== actor.id) return []; // others' keys: none of yours
    const where = { ...(userId ? { userId } : {}), ...this.scope(actor) };
    return this.keys.find({ where, order: { createdAt: 'DESC' } });
  }

  async get(actor: AuthUser, id: string): Promise<ApiKey> {
    const key = await this.keys.findOne({ where: { id, ...this.scope(actor) } });
    if (!key) throw new NotFoundException('API key not found');
    return key;
  }

  async create(actor: AuthUser, dto: CreateApiKeyDto): Promise<{ key: ApiKey; secret: string }> {
    checkLimits(actor, dto);
    let userId = actor.id;
    if (dto.userId && dto.userId !== actor.id) {
      if (actor.role !== 'admin') throw new ForbiddenException('Only admins create keys for other users');
      await this.users.findOne(dto.userId);
      userId = dto.userId;
    }
    const secret = generateApiKeySecret();
    const hash = hashApiKey(secret);
    const saved = await this.keys.save(
      this.keys.create({
        name: dto.name,
        prefix: secret.slice(0, 10),
        keyHash: hash,
        userId,
        allowedModels: dto.allowedModels ?? [],
        expiresAt: dto.expiresAt ? new Date(dto.expiresAt) : null,
        enabled: true,
        lastUsedAt: null,
        rpmLimit: dto.rpmLimit ?? null,
        tpmLimit: dto.tpmLimit ?? null,
        modelLimits: dto.modelLimits ?? [],
        allowedIps: dto.allowedIps ?? [],
        scopes: dto.scopes ?? [],
        memoryEnabled: dto.memoryEnabled ?? true,
      }),
    );
    void this.bus.publish(TOPIC_KEY, hash); // drop a cached "unknown key" entry, on every instance
    return { key: await this.get(actor, saved.id), secret };
  }

  async update(actor: AuthUser, id: string, dto: UpdateApiKeyDto): Promise<ApiKey> {
    checkLimits(actor, dto);
    const key = await this.get(actor, id);
    if (dto.name !== undefined) key.name = dto.name;
    if (dto.rpmLimit !== undefined) key.rpmLimit = dto.rpmLimit;
    if (dto.tpmLimit !== undefined) key.tpmLimit = dto.tpmLimit;
    if (dto.modelLimits !== undefined) key.modelLimits = dto.modelLimits;
    if (dto.allowedIps !== undefined) key.allowedIps = dto.allowedIps;
    if (dto.scopes !== undefined) key.scopes = dto.scopes;
    if (dto.enabled !== undefined) key.enabled = dto.enabled;
    if (dto.allowedModels !== undefined) key.allowedModels = dto.allowedModels;
    if (dto.expiresAt !== undefined) key.expiresAt = dto.expiresAt === null ? null : new Date(dto.expiresAt);
    if (dto.memoryEnabled !== undefined) key.memoryEnabled = dto.memoryEnabled;
    await this.keys.save(key);
    await this.invalidate(id);
    return this.get(actor, id);
  }

  /** A new secret for the same key (settings, budgets and usage history stay); the old one stops working at once. */
  async rotate(actor: AuthUser, id: string): Promise<{ key: ApiKey; secret: string }> {
    await this.get(actor, id);
    const old = await this.keys
      .createQueryBuilder('k')
      .addSelect('k.keyHash')
      .where('k.id = :id', { id })
      .getOneOrFail();
    const secret = generateApiKeySecret();
    const hash = hashApiKey(secret);
    await this.keys.update({ id }, { keyHash: hash, prefix: secret.slice(0, 10) });
    // After the write: no instance can re-cache the old secret as valid.
    await this.bus.publish(TOPIC_KEY, old.keyHash);
    await this.bus.publish(TOPIC_KEY, hash);
    return { key: await this.get(actor, id), secret };
  }

  async remove(actor: AuthUser, id: string): Promise<void> {
    await this.get(actor, id);
    await this.invalidate(id);
    await this.keys.delete(id);
  }

  private async invalidate(id: string): Promise<void> {
    const row = await this.keys
      .createQueryBuilder('k')
      .addSelect('k.keyHash')
      .where('k.id = :id', { id })
      .getOne();
    if (row) await this.bus.publish(TOPIC_KEY, row.keyHash);
  }
}
