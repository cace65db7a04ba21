import {
  BadRequestException,
  ConflictException,
  Injectable,
  Logger,
  NotFoundException,
  OnApplicationShutdown,
  OnModuleInit,
} from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { DataSource, Repository } from 'typeorm';
import type { Dispatcher } from 'undici';
import { maskSecret, SecretBoxService } from '../common/crypto/secret-box';
import type { HealthStatus } from '../common/events/domain-events';
import { CacheBus } from '../common/redis/cache-bus.service';
import { CooldownTracker } from '../routing/cooldown';
import type { ProxyHop, ProxyMode, ProxyStrategy, RuntimeProxyRoute } from '../routing/runtime.types';
import { createProxyDispatcher } from './dispatchers';
import { CreateProxyDto, ProxyView, UpdateProxyDto } from './dto/proxy.dto';
import { Proxy, ProxyScheme } from './proxy.entity';
import { parseProxyUrl, ParsedProxyUrl } from './proxy-url';
import { demote, orderProxies } from './rotation';

/** Topic on the cache bus when proxies change: every instance reloads its pool and dispatchers. */
export const PROXIES_CHANGED = 'proxies';

const LATENCY_ALPHA = 0.3;

/** The in-memory, decrypted form of one proxy that outbound calls use. */
export interface PoolEntry {
  id: string;
  name: string;
  url: string;
  scheme: ProxyScheme;
  host: string;
  port: number;
  username?: string;
  password?: string;
  enabled: boolean;
  weight: number;
  tags: string[];
  checkUrl: string | null;
  status: HealthStatus;
  latencyMs: number | null;
  /** Changes when anything the dispatcher depends on changes. */
  key: string;
}

/** A connect failure/success of a proxy seen on live traffic (health listens). */
export type PassiveProxyListener = (proxyId: string, ok: boolean, error?: string) => void;

/**
 * The proxy pool: CRUD for `/api/proxies` (credentials sealed, returned masked), the in-memory pool
 * (reloaded on every instance when the `proxies` topic is published), one cached undici dispatcher
 * per proxy (closed when the proxy changes or goes away), and the per-provider selectors adapters
 * call through.
 */
@Injectable()
export class ProxyPoolService implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger('ProxyPool');
  private entries = new Map<string, PoolEntry>();
  private readonly dispatchers = new Map<string, { key: string; dispatcher: Dispatcher }>();
  /** Proxies that just failed to connect on live traffic go behind the others for a while. */
  readonly cooldowns = new CooldownTracker(1000, 30_000);
  private readonly listeners: PassiveProxyListener[] = [];
  private loading?: Promise<void>;
  private reloadAgain = false;

  constructor(
    @InjectRepository(Proxy) private readonly proxies: Repository<Proxy>,
    private readonly dataSource: DataSource,
    private readonly box: SecretBoxService,
    private readonly bus: CacheBus,
  ) {}

  async onModuleInit(): Promise<void> {
    this.bus.on(PROXIES_CHANGED, () => this.reload());
    await this.reload();
  }

  async onApplicationShutdown(): Promise<void> {
    const all = [...this.dispatchers.values()];
    this.dispatchers.clear();
    await Promise.all(all.map((d) => d.dispatcher.destroy().catch(() => undefined)));
  }

  // ---------------------------------------------------------------- admin CRUD

  toView(p: Proxy): ProxyView {
    const auth = this.openAuth(p);
    return {
      id: p.id,
      name: p.name,
      url: p.url,
      scheme: p.url.slice(0, p.url.indexOf(':')),
      username: auth?.username ? maskSecret(auth.username) : null,
      hasPassword: !!auth?.password,
      enabled: p.enabled,
      weight: p.weight,
      tags: p.tags,
      checkUrl: p.checkUrl,
      status: p.lastStatus,
      latencyMs: p.lastLatencyMs,
      lastError: p.lastError,
      lastCheckedAt: p.lastCheckedAt,
      createdAt: p.createdAt,
      updatedAt: p.updatedAt,
    };
  }

  list(): Promise<Proxy[]> {
    return this.proxies.find({ order: { name: 'ASC' } });
  }

  async get(id: string): Promise<Proxy> {
    const p = await this.proxies.findOne({ where: { id } });
    if (!p) throw new NotFoundException('Proxy not found');
    return p;
  }

  async exists(id: string): Promise<boolean> {
    return (await this.proxies.count({ where: { id } })) > 0;
  }

  async create(dto: CreateProxyDto): Promise<Proxy> {
    const parsed = this.parse(dto.url);
    await this.assertNameFree(dto.name);
    const saved = await this.proxies.save(
      this.proxies.create({
        name: dto.name,
        url: parsed.url,
        authSealed: this.sealAuth(dto.username ?? parsed.username, dto.password ?? parsed.password),
        enabled: dto.enabled ?? true,
        weight: dto.weight ?? 1,
        tags: dto.tags ?? [],
        checkUrl: dto.checkUrl ?? null,
      }),
    );
    await this.changed();
    return this.get(saved.id);
  }

  async update(id: string, dto: UpdateProxyDto): Promise<Proxy> {
    const p = await this.get(id);
    if (dto.name !== undefined && dto.name !== p.name) await this.assertNameFree(dto.name);
    const auth = this.openAuth(p) ?? {};
    let username = auth.username;
    let password = auth.password;
    if (dto.url !== undefined) {
      const parsed = this.parse(dto.url);
      p.url = parsed.url;
      if (parsed.username !== undefined) {
        username = parsed.username;
        password = parsed.password;
      }
    }
    if (dto.username !== undefined) username = dto.username ?? undefined;
    if (dto.password !== undefined) password = dto.password ?? undefined;
    p.authSealed = this.sealAuth(username, password);
    if (dto.name !== undefined) p.name = dto.name;
    if (dto.enabled !== undefined) p.enabled = dto.enabled;
    if (dto.weight !== undefined) p.weight = dto.weight;
    if (dto.tags !== undefined) p.tags = dto.tags;
    if (dto.checkUrl !== undefined) p.checkUrl = dto.checkUrl;
    await this.proxies.save(p);
    await this.changed();
    return this.get(id);
  }

  /** Refused (409) while a provider is pinned to this proxy: its calls would have no way out. */
  async remove(id: string): Promise<void> {
    await this.get(id);
    const users: { name: string }[] = await this.dataSource.query(
      `SELECT name FROM providers WHERE proxy_mode = 'single' AND proxy_id = $1 ORDER BY name`,
      [id],
    );
    if (users.length)
      throw new ConflictException(
        `proxy is used by provider(s) ${users.map((u) => `"${u.name}"`).join(', ')}; change their proxy setting first`,
      );
    await this.proxies.delete(id);
    await this.changed();
  }

  /** Records a health-check result on the row and in this instance's pool. */
  async recordStatus(
    id: string,
    status: HealthStatus,
    latencyMs: number | null,
    error: string | null,
    at: Date,
  ): Promise<void> {
    this.applyStatus(id, status, latencyMs);
    await this.proxies.update(
      { id },
      {
        lastStatus: status,
        ...(latencyMs !== null ? { lastLatencyMs: latencyMs } : {}),
        lastError: error,
        lastCheckedAt: at,
      },
    );
  }

  /** Health status from a check on this or another instance (no database write). */
  applyStatus(id: string, status: HealthStatus, latencyMs: number | null): void {
    const e = this.entries.get(id);
    if (!e) return;
    e.status = status;
    if (latencyMs !== null)
      e.latencyMs =
        e.latencyMs === null
          ? latencyMs
          : Math.round(e.latencyMs + LATENCY_ALPHA * (latencyMs - e.latencyMs));
    if (status === 'healthy') this.cooldowns.succeed(id);
  }

  // ---------------------------------------------------------------- runtime

  /** Every proxy of the pool as this instance knows it (enabled or not). */
  all(): PoolEntry[] {
    return [...this.entries.values()];
  }

  entry(id: string): PoolEntry | undefined {
    return this.entries.get(id);
  }

  /** The cached dispatcher of a proxy (created on first use). */
  dispatcher(e: PoolEntry): Dispatcher {
    const cached = this.dispatchers.get(e.id);
    if (cached && cached.key === e.key) return cached.dispatcher;
    if (cached) void cached.dispatcher.close().catch(() => undefined);
    const dispatcher = createProxyDispatcher(e, () => this.entries.get(e.id)?.name ?? e.name);
    this.dispatchers.set(e.id, { key: e.key, dispatcher });
    return dispatcher;
  }

  onPassive(listener: PassiveProxyListener): void {
    this.listeners.push(listener);
  }

  /** A live call's outcome through a proxy: failures cool the proxy down and go to health. */
  report(id: string, ok: boolean, error?: string): void {
    if (ok) {
      if (this.cooldowns.failures(id)) this.cooldowns.succeed(id);
    } else this.cooldowns.fail(id);
    for (const l of this.listeners) l(id, ok, error);
  }

  /**
   * The selector a provider's runtime view carries (null for `none`). It reads the pool live, so
   * proxy changes apply without rebuilding the routing table.
   */
  selector(
    mode: ProxyMode,
    proxyId: string | null,
    tag: string | null,
    strategy: ProxyStrategy,
  ): RuntimeProxyRoute | null {
    if (mode === 'none') return null;
    let turn = 0;
    const entries = () => this.entries;
    const cooling = (id: string) => this.cooldowns.coolingUntil(id) > 0;
    const hop = (e: PoolEntry) => this.hop(e);
    return {
      mode,
      proxyId,
      tag,
      strategy,
      hops(): ProxyHop[] {
        if (mode === 'single') {
          const e = proxyId ? entries().get(proxyId) : undefined;
          return e?.enabled ? [hop(e)] : [];
        }
        const members: PoolEntry[] = [];
        for (const e of entries().values()) if (e.enabled && (!tag || e.tags.includes(tag))) members.push(e);
        const ordered = orderProxies(members, strategy, { turn: turn++, random: Math.random });
        return demote(ordered, (e) => e.status === 'unhealthy' || cooling(e.id)).map(hop);
      },
      report: (id, ok, error) => this.report(id, ok, error),
    };
  }

  private hop(e: PoolEntry): ProxyHop {
    return { id: e.id, name: e.name, dispatcher: this.dispatcher(e) };
  }

  /** Reloads the pool from the database; calls during a load coalesce into one more. */
  reload(): Promise<void> {
    if (this.loading) {
      this.reloadAgain = true;
      return this.loading;
    }
    this.loading = (async () => {
      try {
        do {
          this.reloadAgain = false;
          await this.load();
        } while (this.reloadAgain);
      } catch (e) {
        this.logger.error(`proxy pool reload failed, keeping the previous one: ${(e as Error).message}`);
      } finally {
        this.loading = undefined;
      }
    })();
    return this.loading;
  }

  private async load(): Promise<void> {
    const next = new Map<string, PoolEntry>();
    for (const p of await this.list()) {
      let parsed: ParsedProxyUrl;
      let auth: { username?: string; password?: string } | undefined;
      try {
        parsed = parseProxyUrl(p.url);
        auth = this.openAuth(p);
      } catch (e) {
        // E.g. credentials sealed with another ENCRYPTION_KEY: that proxy is left out, not the pool.
        this.logger.error(`proxy "${p.name}" is unusable: ${(e as Error).message}`);
        continue;
      }
      const prev = this.entries.get(p.id);
      next.set(p.id, {
        id: p.id,
        name: p.name,
        url: p.url,
        scheme: parsed.scheme,
        host: parsed.host,
        port: parsed.port,
        username: auth?.username,
        password: auth?.password,
        enabled: p.enabled,
        weight: p.weight,
        tags: p.tags,
        checkUrl: p.checkUrl,
        status: prev?.status ?? (p.lastStatus as HealthStatus),
        latencyMs: prev?.latencyMs ?? p.lastLatencyMs,
        key: `${p.url}|${p.authSealed ?? ''}`,
      });
    }
    this.entries = next;
    // Close the dispatchers of proxies that are gone, disabled or changed.
    for (const [id, d] of this.dispatchers) {
      const e = next.get(id);
      if (!e || !e.enabled || e.key !== d.key) {
        this.dispatchers.delete(id);
        void d.dispatcher.close().catch(() => undefined);
      }
    }
  }

  private parse(url: string): ParsedProxyUrl {
    try {
      return parseProxyUrl(url);
    } catch (e) {
      throw new BadRequestException(`url: ${(e as Error).message}`);
    }
  }

  private async assertNameFree(name: string): Promise<void> {
    if (await this.proxies.findOne({ where: { name } }))
      throw new ConflictException(`name "${name}" is already used`);
  }

  private sealAuth(username?: string, password?: string): string | null {
    if (!username && !password) return null;
    return this.box.encrypt(JSON.stringify({ username: username ?? '', password: password ?? '' }));
  }

  private openAuth(p: Proxy): { username?: string; password?: string } | undefined {
    return p.authSealed
      ? (JSON.parse(this.box.decrypt(p.authSealed)) as { username: string; password: string })
      : undefined;
  }

  private changed(): Promise<void> {
    return this.bus.publish(PROXIES_CHANGED);
  }
}
