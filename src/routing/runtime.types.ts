import type { ModelType, RoutingStrategy } from '../models/model.entity';
import type { ProviderType } from '../providers/provider.entity';

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
