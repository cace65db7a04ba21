import { HttpException, Injectable, Logger, OnApplicationBootstrap, OnModuleInit } from '@nestjs/common';
import { PricesService } from '../billing/prices.service';
import { CacheBus } from '../common/redis/cache-bus.service';
import { MODELS_CHANGED, ModelsService } from '../models/models.service';
import { PROVIDERS_CHANGED, ProvidersService } from '../providers/providers.service';
import { PROXIES_CHANGED } from '../proxy-pool/proxy-pool.service';
import { CooldownTracker } from './cooldown';
import { Candidate, Requirements, RuntimeModel, RuntimeProvider, RuntimeRoute } from './runtime.types';
import { orderRoutes, weightedShuffle } from './strategies';

const LATENCY_ALPHA = 0.2;
/** Sorts unhealthy targets after every cooling one (they are tried only when nothing else is left). */
const UNHEALTHY_UNTIL = Number.MAX_SAFE_INTEGER;
/** A provider without keys: one candidate with no credential. */
const NO_CREDENTIAL = [{ id: 'none', secret: '', weight: 1 }];

/** What a live attempt did: the upstream's HTTP status, a timeout, another error, or success. */
export type LiveOutcome = number | 'timeout' | 'error' | 'ok';
/** Passive health: told about every live attempt (must be cheap; it runs on the request path). */
export type LiveObserver = (providerId: string, credentialId: string, outcome: LiveOutcome) => void;

/**
 * Owns every routing decision. The routing table (models → routes → providers → decrypted
 * credentials) lives in memory, is built at start and rebuilt when an admin changes providers or
 * models (on every instance, through the cache bus); the request path never queries the database.
 */
@Injectable()
export class RoutingService implements OnModuleInit, OnApplicationBootstrap {
  private readonly logger = new Logger('Routing');
  private table = new Map<string, RuntimeModel>();
  private rebuilding?: Promise<void>;
  private pending = false;
  private readonly turns = new Map<string, number>();
  private readonly latency = new Map<string, number>();
  private readonly sticky = new Map<string, { routeId: string; credentialId: string; until: number }>();
  readonly cooldowns = new CooldownTracker();
  /**
   * The health circuit breaker: credential ids (or provider ids for keyless providers, whose
   * candidates use the credential id `none`) that health marked unhealthy. They leave the rotation
   * until a passing check (or a live success) marks them healthy again.
   */
  private readonly unhealthy = new Set<string>();
  private observer?: LiveObserver;
  /** Table builds so far (tests check that requests do not trigger any). */
  builds = 0;

  constructor(
    private readonly models: ModelsService,
    private readonly providers: ProvidersService,
    private readonly bus: CacheBus,
    private readonly prices: PricesService,
  ) {}

  onModuleInit(): void {
    this.bus.on(PROVIDERS_CHANGED, () => this.rebuild());
    this.bus.on(MODELS_CHANGED, () => this.rebuild());
    this.prices.onChanged(() => this.rebuild());
    this.bus.on(PROXIES_CHANGED, () => this.rebuild());
  }

  /** Health's passive feed (one observer). */
  observe(observer: LiveObserver): void {
    this.observer = observer;
  }

  /** Takes a credential (or keyless provider) out of the rotation, or puts it back. */
  /** Targets health took out of the rotation (metrics). */
  get unhealthyCount(): number {
    return this.unhealthy.size;
  }

  setUnhealthy(targetId: string, unhealthy: boolean): void {
    if (unhealthy) this.unhealthy.add(targetId);
    else this.unhealthy.delete(targetId);
  }

  isUnhealthy(providerId: string, credentialId: string): boolean {
    return this.unhealthy.size > 0 && this.unhealthy.has(credentialId === 'none' ? providerId : credentialId);
  }

  async onApplicationBootstrap(): Promise<void> {
    await this.rebuild();
  }

  /** Rebuilds the table; calls during a build coalesce into one more build. */
  rebuild(): Promise<void> {
    if (this.rebuilding) {
      this.pending = true;
      return this.rebuilding;
    }
    this.rebuilding = (async () => {
      try {
        do {
          this.pending = false;
          this.table = await this.build();
          this.builds++;
        } while (this.pending);
      } catch (e) {
        this.logger.error(`routing table rebuild failed, keeping the previous one: ${(e as Error).message}`);
      } finally {
        this.rebuilding = undefined;
      }
    })();
    return this.rebuilding;
  }

  private async build(): Promise<Map<string, RuntimeModel>> {
    const providers = new Map<string, RuntimeProvider>();
    for (const p of await this.providers.list()) {
      if (!p.enabled) continue;
      providers.set(p.id, this.providers.runtime(p, true));
    }
    const table = new Map<string, RuntimeModel>();
    for (const m of await this.models.list()) {
      if (!m.enabled) continue;
      const routes: RuntimeRoute[] = [];
      for (const r of m.routes ?? []) {
        const provider = providers.get(r.providerId);
        // A provider without credentials can still serve when it needs none (mock, local servers).
        if (!r.enabled || !provider) continue;
        if (!provider.credentials.length && provider.type !== 'mock' && provider.type !== 'openai-compatible')
          continue;
        routes.push({
          id: r.id,
          provider,
          upstreamModel: r.upstreamModel,
          weight: r.weight,
          priority: r.priority,
          caps: {
            tools: r.supportsTools,
            structuredOutput: r.supportsStructuredOutput,
            vision: r.supportsVision,
          },
          headerPassthrough: r.headerPassthrough,
          // The price table wins; the route's own `cost` covers models without a price.
          cost: this.prices.blended(m.name, provider.id, r.upstreamModel) ?? r.cost,
        });
      }
      table.set(m.name, {
        id: m.id,
        name: m.name,
        type: m.type,
        strategy: m.strategy,
        maxAttempts: m.maxAttempts,
        sticky: m.sticky,
        stickyTtlMs: m.stickyTtlSeconds * 1000,
        routes,
      });
    }
    return table;
  }

  model(name: string): RuntimeModel | undefined {
    return this.table.get(name);
  }

  allModels(): RuntimeModel[] {
    return [...this.table.values()];
  }

  /**
   * The ordered attempts for one request: routes that meet the requirements, ordered by the model's
   * strategy, each with a credential; cooling-down targets move behind the usable ones, soonest
   * recovery first (never "no deployments available" while something could still answer).
   */
  plan(model: RuntimeModel, req: Requirements, stickyKey?: string): Candidate[] {
    const eligible = model.routes.filter(
      (r) =>
        (!req.tools || r.caps.tools) &&
        (!req.structuredOutput || r.caps.structuredOutput) &&
        (!req.vision || r.caps.vision),
    );
    if (!eligible.length) {
      const need = [req.tools && 'tools', req.structuredOutput && 'structured output', req.vision && 'images']
        .filter(Boolean)
        .join(', ');
      throw new HttpException(
        {
          message: model.routes.length
            ? `No route of model "${model.name}" supports ${need}`
            : `Model "${model.name}" has no usable route`,
          code: model.routes.length ? 'unsupported_capability' : 'model_unavailable',
        },
        model.routes.length ? 400 : 503,
      );
    }
    const turn = this.turns.get(model.id) ?? 0;
    this.turns.set(model.id, turn + 1);
    const ordered = orderRoutes(eligible, model.strategy, {
      random: Math.random,
      turn,
      latency: (id) => this.latency.get(id),
    });
    // Ready candidates in order; cooling ones after them, soonest back first.
    const ready: Candidate[] = [];
    let cooling: (Candidate & { until: number })[] | undefined;
    for (const route of ordered) {
      const creds = route.provider.credentials.length
        ? weightedShuffle(route.provider.credentials, Math.random)
        : NO_CREDENTIAL;
      for (const credential of creds) {
        const until = this.isUnhealthy(route.provider.id, credential.id)
          ? UNHEALTHY_UNTIL
          : this.cooldowns.coolingUntil(this.key(route.id, credential.id));
        if (!until) ready.push({ route, credential });
        else (cooling ??= []).push({ route, credential, until });
      }
    }
    if (model.sticky && stickyKey && ready.length > 1) {
      // The session's last route goes first while it is ready.
      const s = this.sticky.get(`${model.id}|${stickyKey}`);
      if (s && s.until > Date.now()) {
        const i = ready.findIndex((c) => c.route.id === s.routeId && c.credential.id === s.credentialId);
        if (i > 0) ready.unshift(...ready.splice(i, 1));
      }
    }
    const max = Math.max(1, model.maxAttempts);
    if (!cooling) return ready.length > max ? ready.slice(0, max) : ready;
    cooling.sort((a, b) => a.until - b.until);
    for (const { route, credential } of cooling) ready.push({ route, credential });
    return ready.slice(0, max);
  }

  key(routeId: string, credentialId: string): string {
    return `${routeId}|${credentialId}`;
  }

  reportSuccess(model: RuntimeModel, c: Candidate, latencyMs: number, stickyKey?: string): void {
    this.cooldowns.succeed(this.key(c.route.id, c.credential.id));
    this.observer?.(c.route.provider.id, c.credential.id, 'ok');
    const prev = this.latency.get(c.route.id);
    this.latency.set(c.route.id, prev === undefined ? latencyMs : prev + LATENCY_ALPHA * (latencyMs - prev));
    if (model.sticky && stickyKey) {
      if (this.sticky.size > 100_000) this.sticky.clear();
      this.sticky.set(`${model.id}|${stickyKey}`, {
        routeId: c.route.id,
        credentialId: c.credential.id,
        until: Date.now() + model.stickyTtlMs,
      });
    }
  }

  /** Closes every breaker (admin action; tests). */
  clearCooldowns(): void {
    this.cooldowns.clear();
  }

  /** A failed live attempt: cools the target down and tells passive health what happened. */
  reportFailure(c: Candidate, retryAfterMs?: number, outcome: LiveOutcome = 'error'): void {
    this.cooldowns.fail(this.key(c.route.id, c.credential.id), retryAfterMs);
    this.observer?.(c.route.provider.id, c.credential.id, outcome);
  }
}
