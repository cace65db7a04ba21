/**
 * In-process domain events (`@nestjs/event-emitter`). Producers emit them with
 * `EventEmitter2.emit(name, payload)`; listeners use `@OnEvent(name)`. They never cross instances —
 * Redis pub/sub (CacheBus) carries only cache invalidation.
 *
 *   gateway  ─► request.completed           ─► alerts (error-rate / latency rules)
 *   billing  ─► budget.threshold / exhausted ─► alerts
 *   health   ─► provider.health.changed, proxy.health.changed, balance.low ─► alerts, routing
 *   api-keys ─► apikey.invalid              ─► alerts
 */
export const DomainEvents = {
  RequestCompleted: 'request.completed',
  BudgetThreshold: 'budget.threshold',
  BudgetExhausted: 'budget.exhausted',
  ProviderHealthChanged: 'provider.health.changed',
  ProxyHealthChanged: 'proxy.health.changed',
  BalanceLow: 'balance.low',
  ApiKeyInvalid: 'apikey.invalid',
} as const;

export type DomainEventName = (typeof DomainEvents)[keyof typeof DomainEvents];

/** One finished gateway request (after its log row was queued). */
export interface RequestCompletedEvent {
  requestId: string;
  at: Date;
  tenantId: string | null;
  userId: string | null;
  apiKeyId: string | null;
  model: string | null;
  providerId: string | null;
  providerName: string | null;
  status: number;
  latencyMs: number;
  ttftMs: number | null;
  inputTokens: number;
  outputTokens: number;
  costUsd: number;
}

export type BudgetScope = 'key' | 'user' | 'tenant';

/** A budget crossed a soft threshold (`budget.threshold`) or its hard limit (`budget.exhausted`). */
export interface BudgetEvent {
  budgetId: string;
  scope: BudgetScope;
  scopeId: string;
  /** Human label: the key's name, the user's email or the tenant's name. */
  scopeName: string;
  tenantId: string | null;
  period: 'daily' | 'weekly' | 'monthly' | 'total';
  periodStart: Date;
  limitUsd: number;
  spentUsd: number;
  /** Percent of the limit that was crossed (e.g. 80; 100 for exhausted). */
  thresholdPct: number;
}

export type HealthStatus = 'healthy' | 'degraded' | 'unhealthy' | 'unknown';

/** A provider (or one of its credentials) changed health status. */
export interface ProviderHealthChangedEvent {
  providerId: string;
  providerName: string;
  credentialId: string | null;
  from: HealthStatus;
  to: HealthStatus;
  error: string | null;
  latencyMs: number | null;
  /** `active` from a scheduled/manual check, `passive` from live traffic. */
  source: 'active' | 'passive';
}

export interface ProxyHealthChangedEvent {
  proxyId: string;
  proxyName: string;
  from: HealthStatus;
  to: HealthStatus;
  error: string | null;
  latencyMs: number | null;
}

/** An upstream account's balance/credit fell below its threshold. */
export interface BalanceLowEvent {
  providerId: string;
  providerName: string;
  balance: number;
  currency: string;
  threshold: number;
  /** The credential whose account it is (null for a provider without credentials). */
  credentialId?: string | null;
}

/** A request came with an unknown, disabled or expired API key. */
export interface ApiKeyInvalidEvent {
  ip: string | null;
  keyPrefix: string | null;
  reason: string;
  at: Date;
}
