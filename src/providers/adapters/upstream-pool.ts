import { Agent } from 'undici';

/**
 * How many connections the gateway may hold open to one upstream origin (per instance, per proxy),
 * from UPSTREAM_MAX_CONNECTIONS; `null` is no limit, the default. An LLM call holds its connection
 * for the whole answer — seconds, a stream often a minute — and every key of a provider shares its
 * origin (api.openai.com), so a cap is a cap on concurrent calls: past it, calls wait in undici's
 * queue for a whole answer to end. A fixed 256 did that (measured: 1,000 clients streaming at a
 * model's pace got 0.26× the direct throughput, first bytes 11.6 s late at p50).
 */
let maxConnections: number | null = null;
let agent: Agent | undefined;

/** How long opening a connection to an upstream (or through a proxy to it) may take. */
export const UPSTREAM_CONNECT_TIMEOUT_MS = 10_000;

/** Pool settings every upstream dispatcher uses: this agent, and the proxy pool's (proxy-pool/dispatchers.ts). */
export function upstreamPoolOptions(): {
  keepAliveTimeout: number;
  keepAliveMaxTimeout: number;
  connections: number | null;
} {
  return { keepAliveTimeout: 30_000, keepAliveMaxTimeout: 600_000, connections: maxConnections };
}

/**
 * The agent for direct upstream calls: one keep-alive pool per origin inside it. Pipelining stays
 * off: LLM calls are long and must not queue behind each other.
 */
export function upstreamAgent(): Agent {
  return (agent ??= new Agent({
    ...upstreamPoolOptions(),
    connect: { timeout: UPSTREAM_CONNECT_TIMEOUT_MS },
  }));
}

/** One origin's pool in the direct agent (undici's PoolStats). */
export interface UpstreamPoolStats {
  /** Connections open. */
  connected: number;
  /** Open connections with no call on them. */
  free: number;
  /** Calls in progress. */
  running: number;
  /** Calls waiting for a connection (only under a cap). */
  queued: number;
}

/** The direct agent's pools by origin, for /metrics (empty before the first call). */
export function upstreamPoolStats(): Record<string, UpstreamPoolStats> {
  const out: Record<string, UpstreamPoolStats> = {};
  const all = (agent?.stats ?? {}) as Record<string, Partial<UpstreamPoolStats>>;
  for (const [origin, s] of Object.entries(all))
    out[origin] = {
      connected: s.connected ?? 0,
      free: s.free ?? 0,
      running: s.running ?? 0,
      queued: s.queued ?? 0,
    };
  return out;
}

/**
 * Sets the per-origin connection cap (0: none) for dispatchers made from now on; at boot, before any
 * call. A direct agent made before is closed once its calls end.
 */
export function configureUpstreamPool(max: number): void {
  const next = max > 0 ? max : null;
  if (next === maxConnections) return;
  maxConnections = next;
  const old = agent;
  agent = undefined;
  void old?.close().catch(() => undefined);
}
