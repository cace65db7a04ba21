import { Inject, Injectable, Logger, OnModuleInit } from '@nestjs/common';
import { EventEmitter2, OnEvent } from '@nestjs/event-emitter';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, In } from 'typeorm';
import {
  ApiKeyInvalidEvent,
  BalanceLowEvent,
  BudgetEvent,
  DomainEvents,
  ProviderHealthChangedEvent,
  ProxyHealthChangedEvent,
  RequestCompletedEvent,
} from '../common/events/domain-events';
import { Alert, AlertChannel, AlertDelivery, AlertEventType, AlertRule, Severity } from './alert.entity';
import { CooldownStore } from './cooldown.store';
import { DELIVERY_QUEUE, DeliveryQueue } from './delivery/delivery-queue';
import { SlidingWindow } from './metric-window';
import { RulesService } from './rules.service';

/** What an event would alert with; each matching rule turns it into one alert (after its cooldown). */
export interface AlertCandidate {
  eventType: AlertEventType;
  /** Identifies the subject (provider, proxy, budget period, model, …) for the cooldown. */
  dedupeKey: string;
  title: string;
  message: string;
  payload: Record<string, unknown>;
}

export const DEFAULT_SEVERITY: Record<AlertEventType, Severity> = {
  'provider.unhealthy': 'critical',
  'provider.recovered': 'info',
  'apikey.invalid': 'warning',
  'balance.low': 'warning',
  'proxy.down': 'critical',
  'proxy.recovered': 'info',
  'budget.threshold': 'warning',
  'budget.exhausted': 'critical',
  'model.error_rate': 'critical',
  'model.latency_p95': 'warning',
};

/** Requests that count as errors for error-rate rules: upstream and gateway failures, not client mistakes. */
export function isErrorStatus(status: number): boolean {
  return status >= 500 || status === 429 || status === 408;
}

/** Distinct models tracked per metric rule (beyond that, new model names are ignored). */
const MAX_MODELS_PER_RULE = 1000;

interface WindowState {
  window: SlidingWindow;
  /** No evaluation before this time (the rule just fired here). */
  quietUntil: number;
}

/**
 * Listens to the domain events, matches them against the enabled rules (from memory), applies each
 * rule's cooldown per dedupe key, and records one alert plus one delivery per enabled channel, then
 * queues the deliveries. Error-rate and p95 rules keep a sliding window per (rule, model).
 */
@Injectable()
export class RuleEngine implements OnModuleInit {
  private readonly logger = new Logger('AlertRules');
  private windows = new Map<string, Map<string, WindowState>>();
  private windowsVersion = -1;

  constructor(
    private readonly rules: RulesService,
    private readonly cooldown: CooldownStore,
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(DELIVERY_QUEUE) private readonly queue: DeliveryQueue,
    private readonly events: EventEmitter2,
  ) {
    rules.onReload(() => this.syncRequestSubscription());
  }

  onModuleInit(): void {
    this.syncRequestSubscription();
  }

  private readonly requestListener = (e: RequestCompletedEvent) => this.onRequestCompleted(e);
  private subscribed = false;

  /**
   * Listens to `request.completed` only while an error-rate or latency rule is enabled: the gateway
   * emits the event only when it has a listener, so without such rules a request builds no event.
   */
  private syncRequestSubscription(): void {
    const want = this.rules.metricRules().length > 0;
    if (want === this.subscribed) return;
    if (want) this.events.on(DomainEvents.RequestCompleted, this.requestListener);
    else this.events.off(DomainEvents.RequestCompleted, this.requestListener);
    this.subscribed = want;
  }

  // ---- event → candidate ----

  @OnEvent(DomainEvents.ProviderHealthChanged)
  onProviderHealth(e: ProviderHealthChangedEvent): Promise<number> {
    const type: AlertEventType | null =
      e.to === 'unhealthy' && e.from !== 'unhealthy'
        ? 'provider.unhealthy'
        : e.from === 'unhealthy' && (e.to === 'healthy' || e.to === 'degraded')
          ? 'provider.recovered'
          : null;
    if (!type) return Promise.resolve(0);
    const subject = e.credentialId ? `${e.providerName} (credential ${e.credentialId})` : e.providerName;
    const detail = [
      `${subject} went ${e.from} → ${e.to} (${e.source} check)`,
      e.error ? `: ${e.error}` : '',
      e.latencyMs !== null && e.latencyMs !== undefined ? ` · latency ${e.latencyMs} ms` : '',
    ].join('');
    return this.dispatch(
      {
        eventType: type,
        dedupeKey: `provider:${e.providerId}:${e.credentialId ?? '*'}:${type === 'provider.unhealthy' ? 'down' : 'up'}`,
        title:
          type === 'provider.unhealthy'
            ? `Provider ${e.providerName} is unhealthy`
            : `Provider ${e.providerName} recovered`,
        message: detail,
        payload: { ...e },
      },
      (r) => !r.providerId || r.providerId === e.providerId,
    );
  }

  @OnEvent(DomainEvents.ProxyHealthChanged)
  onProxyHealth(e: ProxyHealthChangedEvent): Promise<number> {
    const type: AlertEventType | null =
      e.to === 'unhealthy' && e.from !== 'unhealthy'
        ? 'proxy.down'
        : e.from === 'unhealthy' && (e.to === 'healthy' || e.to === 'degraded')
          ? 'proxy.recovered'
          : null;
    if (!type) return Promise.resolve(0);
    return this.dispatch(
      {
        eventType: type,
        dedupeKey: `proxy:${e.proxyId}:${type === 'proxy.down' ? 'down' : 'up'}`,
        title: type === 'proxy.down' ? `Proxy ${e.proxyName} is down` : `Proxy ${e.proxyName} recovered`,
        message: `${e.proxyName} went ${e.from} → ${e.to}${e.error ? `: ${e.error}` : ''}`,
        payload: { ...e },
      },
      (r) => !r.proxyId || r.proxyId === e.proxyId,
    );
  }

  @OnEvent(DomainEvents.BalanceLow)
  onBalanceLow(e: BalanceLowEvent): Promise<number> {
    return this.dispatch(
      {
        eventType: 'balance.low',
        dedupeKey: `balance:${e.providerId}`,
        title: `Low balance on ${e.providerName}`,
        message: `${e.providerName} has ${e.balance} ${e.currency} left (threshold ${e.threshold} ${e.currency}).`,
        payload: { ...e },
      },
      (r) => !r.providerId || r.providerId === e.providerId,
    );
  }

  @OnEvent(DomainEvents.ApiKeyInvalid)
  onApiKeyInvalid(e: ApiKeyInvalidEvent): Promise<number> {
    const key = e.keyPrefix ? `key ${e.keyPrefix}…` : 'no known key';
    return this.dispatch({
      eventType: 'apikey.invalid',
      dedupeKey: `apikey:${e.keyPrefix ?? '-'}:${e.ip ?? '-'}`,
      title: 'Invalid API key used',
      message: `A request from ${e.ip ?? 'an unknown address'} used ${key}: ${e.reason}.`,
      payload: { ...e },
    });
  }

  @OnEvent(DomainEvents.BudgetThreshold)
  onBudgetThreshold(e: BudgetEvent): Promise<number> {
    return this.dispatch({
      eventType: 'budget.threshold',
      dedupeKey: `budget:${e.budgetId}:${isoDay(e.periodStart)}:${e.thresholdPct}`,
      title: `Budget of ${e.scope} ${e.scopeName} reached ${e.thresholdPct}%`,
      message: budgetLine(e),
      payload: { ...e },
    });
  }

  @OnEvent(DomainEvents.BudgetExhausted)
  onBudgetExhausted(e: BudgetEvent): Promise<number> {
    return this.dispatch({
      eventType: 'budget.exhausted',
      dedupeKey: `budget:${e.budgetId}:${isoDay(e.periodStart)}:exhausted`,
      title: `Budget of ${e.scope} ${e.scopeName} is exhausted`,
      message: budgetLine(e),
      payload: { ...e },
    });
  }

  /**
   * Every gateway request (while subscribed, see above): O(1) window updates for the metric rules
   * that match its model, no allocation once the (rule, model) window exists; a rule that fired stays
   * quiet for its cooldown.
   */
  onRequestCompleted(e: RequestCompletedEvent): void {
    const rules = this.rules.metricRules();
    if (!rules.length || !e.model) return;
    if (this.windowsVersion !== this.rules.version) {
      this.windows = new Map();
      this.windowsVersion = this.rules.version;
    }
    const now = Date.now();
    const error = isErrorStatus(e.status);
    for (const rule of rules) {
      if (rule.model !== null && rule.model !== e.model) continue;
      const state = this.windowFor(rule, e.model);
      if (!state) continue;
      state.window.record(now, e.latencyMs, error);
      if (now < state.quietUntil) continue;
      const candidate = this.evaluate(rule, e.model, state.window, now);
      if (!candidate) continue;
      state.quietUntil = now + Math.max(rule.cooldownSeconds * 1000, state.window.slotMs);
      void this.fire(rule, candidate).catch((err: Error) =>
        this.logger.warn(`rule ${rule.name}: ${err.message}`),
      );
    }
  }

  private windowFor(rule: AlertRule, model: string): WindowState | null {
    let perRule = this.windows.get(rule.id);
    if (!perRule) this.windows.set(rule.id, (perRule = new Map()));
    let state = perRule.get(model);
    if (!state) {
      if (perRule.size >= MAX_MODELS_PER_RULE) return null;
      state = { window: new SlidingWindow(rule.windowSeconds * 1000), quietUntil: 0 };
      perRule.set(model, state);
    }
    return state;
  }

  private evaluate(rule: AlertRule, model: string, w: SlidingWindow, now: number): AlertCandidate | null {
    const requests = w.requests(now);
    if (requests < rule.minRequests || rule.threshold === null) return null;
    if (rule.eventType === 'model.error_rate') {
      const errors = w.errorCount(now);
      const rate = (errors / requests) * 100;
      if (rate <= rule.threshold) return null;
      const window = humanWindow(rule.windowSeconds);
      return {
        eventType: 'model.error_rate',
        dedupeKey: `model:${model}`,
        title: `Error rate ${rate.toFixed(1)}% on ${model}`,
        message: `${errors} of ${requests} requests to ${model} failed in the last ${window} (threshold ${rule.threshold}%).`,
        payload: {
          model,
          requests,
          errors,
          errorRatePct: round(rate),
          threshold: rule.threshold,
          windowSeconds: rule.windowSeconds,
        },
      };
    }
    const p95 = w.quantileMs(now, 0.95);
    if (p95 <= rule.threshold) return null;
    const window = humanWindow(rule.windowSeconds);
    return {
      eventType: 'model.latency_p95',
      dedupeKey: `model:${model}`,
      title: `p95 latency ${p95} ms on ${model}`,
      message: `The slowest 5% of ${requests} requests to ${model} in the last ${window} took over ${p95} ms (threshold ${rule.threshold} ms).`,
      payload: { model, requests, p95Ms: p95, threshold: rule.threshold, windowSeconds: rule.windowSeconds },
    };
  }

  // ---- candidate → alert ----

  /** Fires the candidate for every matching enabled rule; resolves to the number of alerts created. */
  async dispatch(c: AlertCandidate, filter: (r: AlertRule) => boolean = () => true): Promise<number> {
    let fired = 0;
    for (const rule of this.rules.matching(c.eventType)) {
      if (!filter(rule)) continue;
      try {
        if (await this.fire(rule, c)) fired++;
      } catch (e) {
        this.logger.warn(`rule ${rule.name}: could not fire: ${(e as Error).message}`);
      }
    }
    return fired;
  }

  /** Cooldown check, then the alert row, one delivery row per enabled channel, and their jobs. */
  async fire(rule: AlertRule, c: AlertCandidate): Promise<Alert | null> {
    const allowed = await this.cooldown.acquire(`${rule.id}:${c.dedupeKey}`, rule.cooldownSeconds * 1000);
    if (!allowed) return null;
    const { alert, deliveryIds } = await this.dataSource.transaction(async (m) => {
      const alert = await m.save(
        m.create(Alert, {
          ruleId: rule.id,
          ruleName: rule.name,
          eventType: c.eventType,
          severity: rule.severity ?? DEFAULT_SEVERITY[c.eventType],
          title: c.title.slice(0, 300),
          message: c.message,
          payload: c.payload,
          dedupeKey: c.dedupeKey.slice(0, 300),
        }),
      );
      const channels = rule.channelIds.length
        ? await m.find(AlertChannel, {
            where: { id: In(rule.channelIds), enabled: true },
            order: { name: 'ASC' },
          })
        : [];
      const deliveries = channels.length
        ? await m.save(
            channels.map((ch) =>
              m.create(AlertDelivery, {
                alertId: alert.id,
                channelId: ch.id,
                channelName: ch.name,
                channelType: ch.type,
              }),
            ),
          )
        : [];
      return { alert, deliveryIds: deliveries.map((d) => d.id) };
    });
    try {
      await this.queue.enqueue(deliveryIds);
    } catch (e) {
      // The rows stay pending; the queue picks pending deliveries up again at start.
      this.logger.warn(`could not queue deliveries of alert ${alert.id}: ${(e as Error).message}`);
    }
    return alert;
  }
}

function budgetLine(e: BudgetEvent): string {
  return (
    `Spent $${e.spentUsd.toFixed(2)} of $${e.limitUsd.toFixed(2)} ` +
    `(${e.period} budget of ${e.scope} ${e.scopeName}, period from ${isoDay(e.periodStart)}).`
  );
}

function isoDay(d: Date | string): string {
  const date = d instanceof Date ? d : new Date(d);
  return Number.isNaN(date.getTime()) ? String(d) : date.toISOString().slice(0, 10);
}

function humanWindow(seconds: number): string {
  if (seconds % 3600 === 0) return `${seconds / 3600} h`;
  if (seconds % 60 === 0) return `${seconds / 60} min`;
  return `${seconds} s`;
}

function round(n: number): number {
  return Math.round(n * 100) / 100;
}
