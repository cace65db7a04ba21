import type { ModelType, RoutingStrategy } from '../models/model.entity';
import type { ProviderType } from '../providers/provider.entity';
import type { Dispatcher } from 'undici';

/** In-memory, decrypted view of the routing configuration that the hot path reads. */
export interface RuntimeCredential {
  id: string;
  secret: string;
  weight: number;
}

export interface RuntimeProvider {
  id: string;
  name: string;
  type: ProviderType;
  baseUrl: string;
  headers: Record<string, string>;
  timeoutMs: number;
  config: Record<string, unknown>;
  credentials: RuntimeCredential[];
  /** Outbound proxy for this provider's calls; null = direct. */
  proxy?: RuntimeProxyRoute | null;
}

/** How a provider reaches its upstream: directly, through one proxy, or through the pool. */
export const PROXY_MODES = ['none', 'single', 'pool'] as const;
export type ProxyMode = (typeof PROXY_MODES)[number];
export const PROXY_STRATEGIES = ['round-robin', 'weighted', 'least-latency'] as const;
export type ProxyStrategy = (typeof PROXY_STRATEGIES)[number];

/** One proxy an outbound call can go through (its dispatcher is cached per proxy). */
export interface ProxyHop {
  id: string;
  name: string;
  dispatcher: Dispatcher;
}

/**
 * A provider's proxy setting, resolved live against the proxy pool: `hops()` gives the proxies to
 * try for one call, preferred first (a failing proxy is skipped for the next one); `report` feeds
 * the pool's passive health. An empty list means no usable proxy: the call fails (never direct).
 */
export interface RuntimeProxyRoute {
  mode: 'single' | 'pool';
  proxyId: string | null;
  tag: string | null;
  strategy: ProxyStrategy;
  hops(): ProxyHop[];
  report(proxyId: string, ok: boolean, error?: string): void;
}

export interface RouteCapabilities {
  tools: boolean;
  structuredOutput: boolean;
  vision: boolean;
}

export interface RuntimeRoute {
  id: string;
  provider: RuntimeProvider;
  upstreamModel: string;
  weight: number;
  priority: number;
  caps: RouteCapabilities;
  headerPassthrough: boolean;
  cost: number;
}

export interface RuntimeModel {
  id: string;
  name: string;
  type: ModelType;
  strategy: RoutingStrategy;
  maxAttempts: number;
  sticky: boolean;
  stickyTtlMs: number;
  routes: RuntimeRoute[];
}

/** One upstream attempt: a route and the credential to use on it. */
export interface Candidate {
  route: RuntimeRoute;
  credential: RuntimeCredential;
}

/** What a request needs from a route. */
export interface Requirements {
  tools?: boolean;
  structuredOutput?: boolean;
  vision?: boolean;
}
