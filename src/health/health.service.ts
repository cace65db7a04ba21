import {
  Inject,
  Injectable,
  Logger,
  NotFoundException,
  OnApplicationBootstrap,
  OnApplicationShutdown,
  OnModuleInit,
} from '@nestjs/common';
import { EventEmitter2 } from '@nestjs/event-emitter';
import { Cron, CronExpression, SchedulerRegistry } from '@nestjs/schedule';
import { InjectRepository } from '@nestjs/typeorm';
import { randomUUID } from 'node:crypto';
import type Redis from 'ioredis';
import { request } from 'undici';
import { Repository } from 'typeorm';
import {
  BalanceLowEvent,
  DomainEvents,
  HealthStatus,
  ProviderHealthChangedEvent,
  ProxyHealthChangedEvent,
} from '../common/events/domain-events';
import { CacheBus } from '../common/redis/cache-bus.service';
import { REDIS } from '../common/redis/redis.constants';
import { AppConfig } from '../config/app-config';
import { deleteInChunks } from '../database/chunked-delete';
import { Provider } from '../providers/provider.entity';
import { ProviderProbe } from '../providers/provider-probe.service';
import { ProvidersService } from '../providers/providers.service';
import { PoolEntry, ProxyPoolService } from '../proxy-pool/proxy-pool.service';
import { LiveOutcome, RoutingService } from '../routing/routing.service';
import type { RuntimeCredential, RuntimeProvider } from '../routing/runtime.types';
import { Availability, availabilitySql, AvailabilityCounts, toAvailability } from './availability';
import { Balance, balanceKind, fetchBalance } from './balance';
import { HealthCheck, HealthTargetType } from './health-check.entity';
import { nextHealth, nextLive, ProbeOutcome, rollup, Verdict, verdictOf } from './status';

/** Topic on the cache bus carrying health states to the other instances. */
export const HEALTH_CHANGED = 'health';
const TIMER = 'health-checks';
const CONCURRENCY = 4;
const PURGE_CHUNK = 5000;

/** What an instance knows about one target (credential, keyless provider, or proxy). */
export interface TargetState {
  type: HealthTargetType;
  targetId: string;
  providerId: string | null;
  status: HealthStatus;
  consecutiveFailures: number;
  /** Failed live attempts in a row (passive; HEALTH_PASSIVE_FAILURE_THRESHOLD makes it unhealthy). */
  liveFailures: number;
  latencyMs: number | null;
  error: string | null;
  checkedAt: string | null;
  source: 'active' | 'passive';
  balance: (Balance & { threshold: number; low: boolean; checkedAt: string }) | null;
}

type NewRow = Omit<HealthCheck, 'id' | 'checkedAt'> & { checkedAt: Date };

export interface HistoryQuery {
  targetType?: HealthTargetType;
  targetId?: string;
  providerId?: string;
  status?: HealthStatus;
  source?: 'active' | 'passive';
  from?: string;
  to?: string;
  page?: number;
  pageSize?: number;
}

/**
 * Active and passive health of provider credentials and proxies.
 *
 * - Active: a jittered timer (HEALTH_CHECK_INTERVAL_MS) checks every enabled credential (the
 *   upstream's model list, else a 1-token chat, via ProviderProbe) and every enabled proxy (a request
 *   through it). With Redis, a `SET NX PX` lock lets one instance run each round.
 * - Passive: RoutingService reports every live attempt; consecutive failures count the same way.
 * - Status changes feed routing's breaker (unhealthy credentials leave the rotation), emit the
 *   domain events, are written to `health_checks`, and reach the other instances over the cache bus.
 */
@Injectable()
export class HealthService implements OnModuleInit, OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('Health');
  private readonly states = new Map<string, TargetState>();
  private readonly instanceId = randomUUID();
  private running?: Promise<void>;
  private stopped = false;
  /** Scheduled rounds this instance ran / skipped because another instance held the lock. */
  readonly rounds = { ran: 0, skipped: 0 };
  lastRoundAt: Date | null = null;

  constructor(
    @InjectRepository(HealthCheck) private readonly checks: Repository<HealthCheck>,
    @Inject(REDIS) private readonly redis: Redis | null,
    private readonly config: AppConfig,
    private readonly providers: ProvidersService,
    private readonly probe: ProviderProbe,
    private readonly pool: ProxyPoolService,
    private readonly routing: RoutingService,
    private readonly bus: CacheBus,
    private readonly events: EventEmitter2,
    private readonly scheduler: SchedulerRegistry,
  ) {}

  onModuleInit(): void {
    this.routing.observe((providerId, credentialId, outcome) =>
      this.onLive(providerId, credentialId, outcome),
    );
    this.pool.onPassive((proxyId, ok, error) => this.onProxyLive(proxyId, ok, error));
    this.bus.on(HEALTH_CHANGED, (payload) => this.applyRemote(payload));
  }

  async onApplicationBootstrap(): Promise<void> {
    await this.loadLatest().catch((e: Error) =>
      this.logger.warn(`could not load the last health states: ${e.message}`),
    );
    this.schedule();
  }

  async onApplicationShutdown(): Promise<void> {
    this.stopped = true;
    if (this.scheduler.doesExist('timeout', TIMER)) this.scheduler.deleteTimeout(TIMER);
    await this.running?.catch(() => undefined);
  }

  private get cfg() {
    return this.config.health;
  }

  // ------------------------------------------------------------------ scheduling

  private schedule(): void {
    if (this.stopped || !this.cfg.intervalMs) return;
    const jitter = (Math.random() * 0.2 - 0.1) * this.cfg.intervalMs;
    const t = setTimeout(
      () => {
        if (this.scheduler.doesExist('timeout', TIMER)) this.scheduler.deleteTimeout(TIMER);
        void this.tick().finally(() => this.schedule());
      },
      Math.round(this.cfg.intervalMs + jitter),
    );
    t.unref();
    this.scheduler.addTimeout(TIMER, t);
  }

  /**
   * One scheduled round: runs when this instance gets the round's lock (always without Redis).
   * Returns whether it ran.
   */
  async tick(): Promise<boolean> {
    if (this.running || this.stopped) return false;
    if (!(await this.acquireLock())) {
      this.rounds.skipped++;
      return false;
    }
    this.rounds.ran++;
    this.running = this.checkAll()
      .catch((e: Error) => this.logger.warn(`health round failed: ${e.message}`))
      .finally(() => (this.running = undefined));
    await this.running;
    return true;
  }

  /** `SET lock NX PX` for half an interval: other instances' ticks of the same round find it taken. */
  private async acquireLock(): Promise<boolean> {
    if (!this.redis) return true;
    const ttl = Math.max(1000, Math.floor((this.cfg.intervalMs || 60_000) / 2));
    try {
      return (await this.redis.set('health:round-lock', this.instanceId, 'PX', ttl, 'NX')) === 'OK';
    } catch (e) {
      this.logger.warn(`health lock unavailable, checking locally: ${(e as Error).message}`);
      return true;
    }
  }

  /** Checks every enabled provider credential and every enabled proxy (a bounded number at a time). */
  async checkAll(): Promise<void> {
    const rows: NewRow[] = [];
    const tasks: (() => Promise<void>)[] = [];
    for (const p of await this.providers.list()) {
      if (!p.enabled) continue;
      try {
        tasks.push(...this.providerTasks(p, rows));
      } catch (e) {
        // E.g. keys sealed with another ENCRYPTION_KEY: skip this provider, check the others.
        this.logger.warn(`cannot check provider ${p.name}: ${(e as Error).message}`);
      }
    }
    for (const e of this.pool.all())
      if (e.enabled) tasks.push(async () => void rows.push(await this.checkProxyEntry(e)));
    await runLimited(tasks, CONCURRENCY);
    this.lastRoundAt = new Date();
    await this.persist(rows);
  }

  // ------------------------------------------------------------------ providers

  /** Checks one provider's enabled credentials now (manual check; any provider, enabled or not). */
  async checkProvider(id: string): Promise<void> {
    const p = await this.providers.get(id);
    const rows: NewRow[] = [];
    await runLimited(this.providerTasks(p, rows), CONCURRENCY);
    await this.persist(rows);
  }

  private providerTasks(p: Provider, rows: NewRow[]): (() => Promise<void>)[] {
    const runtime = this.providers.runtime(p, true);
    const targets: (RuntimeCredential | null)[] = runtime.credentials.length
      ? runtime.credentials
      : p.type === 'mock' || p.type === 'openai-compatible'
        ? [null]
        : [];
    const kind = balanceKind(runtime.config);
    return targets.map((cred) => async () => {
      rows.push(await this.checkCredential(runtime, cred));
      if (kind) await this.checkBalance(runtime, cred);
    });
  }

  private fallbackModel(provider: RuntimeProvider): string | undefined {
    const configured = provider.config.healthCheckModel;
    if (typeof configured === 'string' && configured) return configured;
    for (const m of this.routing.allModels())
      for (const r of m.routes) if (r.provider.id === provider.id) return r.upstreamModel;
    return undefined;
  }

  private async checkCredential(provider: RuntimeProvider, cred: RuntimeCredential | null): Promise<NewRow> {
    const r = await this.probe.checkCredential(
      provider,
      cred,
      this.fallbackModel(provider),
      this.cfg.timeoutMs,
    );
    const targetId = cred?.id || provider.id;
    const outcome: ProbeOutcome = { status: r.status, ok: r.ok, latencyMs: r.latencyMs };
    const state = this.observe(
      'provider-credential',
      targetId,
      provider.id,
      verdictOf(outcome, this.cfg.degradedLatencyMs),
      r.latencyMs,
      r.error ?? null,
      'active',
      provider.name,
    );
    return this.row(state, r.ok || r.status === 429 || r.status === 402);
  }

  private async checkBalance(provider: RuntimeProvider, cred: RuntimeCredential | null): Promise<void> {
    const kind = balanceKind(provider.config)!;
    const targetId = cred?.id || provider.id;
    const state = this.state('provider-credential', targetId, provider.id);
    const configured = Number(provider.config.balanceThreshold);
    const threshold = Number.isFinite(configured) ? configured : this.cfg.lowBalanceThreshold;
    try {
      const b = await fetchBalance(kind, provider, cred, this.cfg.timeoutMs);
      const low = b.amount < threshold;
      const wasLow = state.balance?.low ?? false;
      state.balance = { ...b, threshold, low, checkedAt: new Date().toISOString() };
      if (low && !wasLow) {
        const ev: BalanceLowEvent = {
          providerId: provider.id,
          providerName: provider.name,
          credentialId: cred?.id ?? null,
          balance: b.amount,
          currency: b.currency,
          threshold,
        };
        this.events.emit(DomainEvents.BalanceLow, ev);
      }
    } catch (e) {
      this.logger.warn(`balance of ${provider.name}: ${(e as Error).message}`);
    }
  }

  /**
   * Passive health from the gateway's attempts. This runs on the request path: a success on a
   * target that is not failing returns after one map lookup, and nothing is written unless the
   * status changes.
   */
  private onLive(providerId: string, credentialId: string, outcome: LiveOutcome): void {
    const targetId = credentialId === 'none' ? providerId : credentialId;
    const s = this.states.get(targetId);
    const ok = outcome === 'ok';
    if (ok && (!s || (s.liveFailures === 0 && s.consecutiveFailures === 0 && s.status !== 'unhealthy')))
      return;
    if (outcome === 429 || outcome === 402) return; // rate limits are not failures
    this.live('provider-credential', targetId, providerId, ok, ok ? null : liveError(outcome), () =>
      this.providerName(providerId),
    );
  }

  private providerName(id: string): string {
    for (const m of this.routing.allModels())
      for (const r of m.routes) if (r.provider.id === id) return r.provider.name;
    return id;
  }

  // ------------------------------------------------------------------ proxies

  async checkProxy(id: string): Promise<void> {
    await this.pool.get(id); // 404 when it does not exist
    if (!this.pool.entry(id)) await this.pool.reload();
    const entry = this.pool.entry(id);
    if (!entry) throw new NotFoundException('Proxy not found');
    await this.persist([await this.checkProxyEntry(entry)]);
  }

  /** Where a proxy's check goes: its checkUrl, else a provider using it, else PROXY_CHECK_URL. */
  async proxyTarget(e: PoolEntry): Promise<string> {
    if (e.checkUrl) return e.checkUrl;
    for (const p of await this.providers.list()) {
      if (!p.enabled || p.type === 'mock') continue;
      const uses =
        (p.proxyMode === 'single' && p.proxyId === e.id) ||
        (p.proxyMode === 'pool' && (!p.proxyTag || e.tags.includes(p.proxyTag)));
      if (uses) return p.baseUrl;
    }
    return this.cfg.proxyCheckUrl;
  }

  private async checkProxyEntry(e: PoolEntry): Promise<NewRow> {
    const url = await this.proxyTarget(e);
    const t0 = performance.now();
    let outcome: ProbeOutcome;
    let error: string | null = null;
    try {
      // Any answer proves the proxy carried the request; the upstream's status is not the proxy's.
      const res = await request(url, {
        method: 'GET',
        dispatcher: this.pool.dispatcher(e),
        signal: AbortSignal.timeout(this.cfg.timeoutMs),
        headersTimeout: this.cfg.timeoutMs,
      });
      await res.body.dump();
      outcome = { status: 200, ok: true, latencyMs: Math.round(performance.now() - t0) };
    } catch (err) {
      const x = err as { code?: string; name?: string; message?: string };
      error = `${x.code ?? x.name ?? 'error'}: ${x.message ?? String(err)}`.slice(0, 500);
      outcome = { status: null, ok: false, latencyMs: Math.round(performance.now() - t0) };
    }
    const state = this.observe(
      'proxy',
      e.id,
      null,
      verdictOf(outcome, this.cfg.degradedLatencyMs),
      outcome.latencyMs,
      error,
      'active',
      e.name,
    );
    await this.pool
      .recordStatus(e.id, state.status, state.latencyMs, state.error, new Date())
      .catch((x: Error) => this.logger.warn(`proxy status write failed: ${x.message}`));
    return this.row(state, outcome.ok);
  }

  /** A live connect failure/success through a proxy. */
  private onProxyLive(proxyId: string, ok: boolean, error?: string): void {
    const s = this.states.get(proxyId);
    if (ok && (!s || (s.liveFailures === 0 && s.consecutiveFailures === 0 && s.status !== 'unhealthy')))
      return;
    const changed = this.live(
      'proxy',
      proxyId,
      null,
      ok,
      error ?? null,
      () => this.pool.entry(proxyId)?.name ?? proxyId,
    );
    const state = this.states.get(proxyId);
    if (changed && state)
      void this.pool
        .recordStatus(proxyId, state.status, null, state.error, new Date())
        .catch((x: Error) => this.logger.warn(`proxy status write failed: ${x.message}`));
  }

  /** Applies one live outcome; a status change is written and sent to the other instances. */
  private live(
    type: HealthTargetType,
    targetId: string,
    providerId: string | null,
    ok: boolean,
    error: string | null,
    name: () => string,
  ): boolean {
    const s = this.state(type, targetId, providerId);
    const from = s.status;
    const next = nextLive(s, ok, this.cfg.passiveFailureThreshold);
    s.liveFailures = next.liveFailures;
    s.consecutiveFailures = next.consecutiveFailures;
    if (next.status === from) return false;
    s.status = next.status;
    s.error = ok ? null : error;
    s.checkedAt = new Date().toISOString();
    s.source = 'passive';
    this.transition(s, from, 'passive', name);
    // Only status changes are written (and sent to the other instances): the request path stays DB-free.
    void this.persist([this.row(s, ok)]);
    return true;
  }

  // ------------------------------------------------------------------ state

  private state(type: HealthTargetType, targetId: string, providerId: string | null): TargetState {
    let s = this.states.get(targetId);
    if (!s) {
      s = {
        type,
        targetId,
        providerId,
        status: 'unknown',
        consecutiveFailures: 0,
        liveFailures: 0,
        latencyMs: null,
        error: null,
        checkedAt: null,
        source: 'active',
        balance: null,
      };
      this.states.set(targetId, s);
    }
    return s;
  }

  /** Applies one observation; on a status change: routing breaker, domain event, other instances. */
  private observe(
    type: HealthTargetType,
    targetId: string,
    providerId: string | null,
    verdict: Verdict,
    latencyMs: number | null,
    error: string | null,
    source: 'active' | 'passive',
    name: string | (() => string),
  ): TargetState {
    const s = this.state(type, targetId, providerId);
    const from = s.status;
    const next = nextHealth(s, verdict, this.cfg.failureThreshold);
    s.status = next.status;
    s.consecutiveFailures = next.consecutiveFailures;
    if (verdict === 'pass') s.liveFailures = 0;
    if (latencyMs !== null) s.latencyMs = latencyMs;
    s.error = verdict === 'pass' ? null : (error ?? s.error);
    s.checkedAt = new Date().toISOString();
    s.source = source;
    if (from !== s.status) this.transition(s, from, source, name);
    return s;
  }

  /** A status change: routing's breaker, the domain event, a log line. */
  private transition(
    s: TargetState,
    from: HealthStatus,
    source: 'active' | 'passive',
    name: string | (() => string),
  ): void {
    const { type, targetId, providerId } = s;
    if (typeof name === 'function') name = name();
    if (type === 'provider-credential') {
      this.routing.setUnhealthy(targetId, s.status === 'unhealthy');
      const ev: ProviderHealthChangedEvent = {
        providerId: providerId ?? targetId,
        providerName: name,
        credentialId: targetId === providerId ? null : targetId,
        from,
        to: s.status,
        error: s.error,
        latencyMs: s.latencyMs,
        source,
      };
      this.events.emit(DomainEvents.ProviderHealthChanged, ev);
    } else {
      const ev: ProxyHealthChangedEvent = {
        proxyId: targetId,
        proxyName: name,
        from,
        to: s.status,
        error: s.error,
        latencyMs: s.latencyMs,
      };
      this.events.emit(DomainEvents.ProxyHealthChanged, ev);
    }
    this.logger.log(
      `${type} ${name}${targetId !== providerId && providerId ? ` (${targetId})` : ''}: ${from} → ${s.status} (${source})`,
    );
  }

  private row(s: TargetState, ok: boolean): NewRow {
    return {
      targetType: s.type,
      targetId: s.targetId,
      providerId: s.providerId,
      status: s.status,
      ok,
      latencyMs: s.latencyMs,
      error: s.error,
      consecutiveFailures: s.consecutiveFailures,
      source: s.source,
      checkedAt: new Date(),
    };
  }

  private async persist(rows: NewRow[]): Promise<void> {
    if (!rows.length) return;
    try {
      await this.checks.insert(rows);
    } catch (e) {
      this.logger.warn(`could not write ${rows.length} health rows: ${(e as Error).message}`);
    }
    this.broadcast(rows.map((r) => this.states.get(r.targetId)!).filter(Boolean));
  }

  /** Sends states to the other instances (they apply them without emitting events). */
  private broadcast(states: TargetState[]): void {
    if (!states.length || !this.redis) return;
    void this.bus.publish(HEALTH_CHANGED, JSON.stringify({ from: this.instanceId, states }));
  }

  private applyRemote(payload: string): void {
    let msg: { from: string; states: TargetState[] };
    try {
      msg = JSON.parse(payload) as { from: string; states: TargetState[] };
    } catch {
      return;
    }
    if (msg.from === this.instanceId) return;
    for (const s of msg.states) this.apply(s);
  }

  private apply(s: TargetState): void {
    this.states.set(s.targetId, { ...s });
    if (s.type === 'provider-credential') this.routing.setUnhealthy(s.targetId, s.status === 'unhealthy');
    else this.pool.applyStatus(s.targetId, s.status, null);
  }

  /** The newest row per target seeds the states at start (statuses survive restarts). */
  private async loadLatest(): Promise<void> {
    const rows: {
      target_type: HealthTargetType;
      target_id: string;
      provider_id: string | null;
      status: HealthStatus;
      latency_ms: number | null;
      error: string | null;
      consecutive_failures: number;
      source: 'active' | 'passive';
      checked_at: Date;
    }[] = await this.checks.query(
      `SELECT DISTINCT ON (target_type, target_id) target_type, target_id, provider_id, status, latency_ms, error,
         consecutive_failures, source, checked_at
       FROM health_checks WHERE checked_at > now() - interval '7 days'
       ORDER BY target_type, target_id, checked_at DESC`,
    );
    for (const r of rows)
      this.apply({
        type: r.target_type,
        targetId: r.target_id,
        providerId: r.provider_id,
        status: r.status,
        consecutiveFailures: r.consecutive_failures,
        liveFailures: 0,
        latencyMs: r.latency_ms,
        error: r.error,
        checkedAt: new Date(r.checked_at).toISOString(),
        source: r.source,
        balance: null,
      });
  }

  // ------------------------------------------------------------------ reads

  stateOf(targetId: string): TargetState | undefined {
    return this.states.get(targetId);
  }

  async availability(
    type: HealthTargetType,
    by: 'target_id' | 'provider_id',
  ): Promise<Map<string, Availability>> {
    const rows: (AvailabilityCounts & { id: string })[] = await this.checks.query(availabilitySql(by), [
      type,
    ]);
    return new Map(rows.map((r) => [r.id, toAvailability(r)]));
  }

  /** Provider health views (one provider when `id` is given). */
  async providerViews(id?: string) {
    const list = id ? [await this.providers.get(id)] : await this.providers.list();
    const [byTarget, byProvider] = await Promise.all([
      this.availability('provider-credential', 'target_id'),
      this.availability('provider-credential', 'provider_id'),
    ]);
    const none = toAvailability(undefined);
    return list.map((p) => {
      const creds = (p.credentials ?? [])
        .slice()
        .sort((a, b) => a.createdAt.getTime() - b.createdAt.getTime())
        .map((c) => ({ id: c.id, label: c.label, hint: c.hint, enabled: c.enabled }));
      const keyless = !creds.length && (p.type === 'mock' || p.type === 'openai-compatible');
      const targets = keyless ? [{ id: p.id, label: '(no key)', hint: null, enabled: true }] : creds;
      const credentials = targets.map((c) => {
        const s = this.states.get(c.id);
        return {
          credentialId: keyless ? null : c.id,
          label: c.label,
          hint: c.hint,
          enabled: c.enabled,
          status: s?.status ?? 'unknown',
          latencyMs: s?.latencyMs ?? null,
          lastError: s?.error ?? null,
          consecutiveFailures: s?.consecutiveFailures ?? 0,
          liveFailures: s?.liveFailures ?? 0,
          lastCheckedAt: s?.checkedAt ?? null,
          source: s?.source ?? null,
          inRotation: !(s?.status === 'unhealthy'),
          balance: s?.balance ?? null,
          availability: byTarget.get(c.id) ?? none,
        };
      });
      return {
        id: p.id,
        name: p.name,
        type: p.type,
        enabled: p.enabled,
        status: rollup(credentials.filter((c) => c.enabled).map((c) => c.status)),
        availability: byProvider.get(p.id) ?? none,
        credentials,
      };
    });
  }

  async proxyViews() {
    const avail = await this.availability('proxy', 'target_id');
    const none = toAvailability(undefined);
    return (await this.pool.list()).map((p) => {
      const s = this.states.get(p.id);
      return {
        id: p.id,
        name: p.name,
        url: p.url,
        enabled: p.enabled,
        tags: p.tags,
        status: (s?.status ?? p.lastStatus) as HealthStatus,
        latencyMs: s?.latencyMs ?? p.lastLatencyMs,
        lastError: s?.error ?? p.lastError,
        consecutiveFailures: s?.consecutiveFailures ?? 0,
        liveFailures: s?.liveFailures ?? 0,
        lastCheckedAt: s?.checkedAt ?? p.lastCheckedAt?.toISOString() ?? null,
        availability: avail.get(p.id) ?? none,
      };
    });
  }

  async history(q: HistoryQuery) {
    const page = q.page ?? 1;
    const pageSize = q.pageSize ?? 50;
    const qb = this.checks.createQueryBuilder('h');
    if (q.targetType) qb.andWhere('h.target_type = :tt', { tt: q.targetType });
    if (q.targetId) qb.andWhere('h.target_id = :tid', { tid: q.targetId });
    if (q.providerId) qb.andWhere('h.provider_id = :pid', { pid: q.providerId });
    if (q.status) qb.andWhere('h.status = :st', { st: q.status });
    if (q.source) qb.andWhere('h.source = :src', { src: q.source });
    if (q.from) qb.andWhere('h.checked_at >= :from', { from: new Date(q.from) });
    if (q.to) qb.andWhere('h.checked_at < :to', { to: new Date(q.to) });
    const [items, total] = await qb
      .orderBy('h.checked_at', 'DESC')
      .skip((page - 1) * pageSize)
      .take(pageSize)
      .getManyAndCount();
    return { items, total, page, pageSize };
  }

  /** Counts per status for the public summary (no names, ids or URLs). */
  async summary() {
    const providers = await this.providerViews();
    const count = (statuses: HealthStatus[]) => {
      const c = { healthy: 0, degraded: 0, unhealthy: 0, unknown: 0 };
      for (const s of statuses) c[s]++;
      return c;
    };
    const enabled = providers.filter((p) => p.enabled);
    const proxies = (await this.proxyViews()).filter((p) => p.enabled);
    const p = count(enabled.map((x) => x.status));
    return {
      status: !enabled.length || p.unhealthy < enabled.length ? 'ok' : 'down',
      providers: p,
      credentials: count(enabled.flatMap((x) => x.credentials.filter((c) => c.enabled).map((c) => c.status))),
      proxies: count(proxies.map((x) => x.status)),
      checksEnabled: this.cfg.intervalMs > 0,
      lastRoundAt: this.lastRoundAt?.toISOString() ?? null,
    };
  }

  // ------------------------------------------------------------------ retention

  @Cron(CronExpression.EVERY_HOUR)
  async scheduledPurge(): Promise<void> {
    if (!this.cfg.retentionDays) return;
    try {
      const n = await this.purge(new Date(Date.now() - this.cfg.retentionDays * 86_400_000));
      if (n) this.logger.log(`purged ${n} health checks older than ${this.cfg.retentionDays} days`);
    } catch (e) {
      this.logger.warn(`health history purge failed: ${(e as Error).message}`);
    }
  }

  /** Deletes rows checked before `cutoff`, in chunks; returns how many. */
  purge(cutoff: Date): Promise<number> {
    return deleteInChunks(this.checks, 'health_checks', 'checked_at < $1', [cutoff], PURGE_CHUNK);
  }
}

function liveError(outcome: LiveOutcome): string {
  if (outcome === 'timeout') return 'live traffic: timeout';
  if (outcome === 'error') return 'live traffic: connection or stream error';
  return `live traffic: upstream answered ${String(outcome)}`;
}

async function runLimited(tasks: (() => Promise<void>)[], limit: number): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < tasks.length) await tasks[next++]();
  };
  await Promise.all(Array.from({ length: Math.min(limit, tasks.length) }, worker));
}
