import { Agent, Dispatcher, Pool } from 'undici';

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

/** One origin's connection pool (undici's PoolStats). */
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

/** The pools of an origin reached one way: directly (`proxy` empty) or through the named proxy. */
export interface UpstreamPoolsEntry extends UpstreamPoolStats {
  origin: string;
  proxy: string;
}

/** A pool made for calls through a proxy (`proxiedPoolFactory`), kept until it closes. */
interface ProxiedPool {
  proxy: () => string;
  origin: string;
  pool: Pool;
}
const proxiedPools = new Set<ProxiedPool>();
/** Forgets the pools that closed (at each scrape, and before a new pool is kept: bounded without scrapes). */
const dropClosedPools = () => {
  for (const p of proxiedPools) if (p.pool.closed || p.pool.destroyed) proxiedPools.delete(p);
};

/**
 * The `factory` for a proxy's dispatcher (proxy-pool/dispatchers.ts): makes each origin's pool as
 * undici would by default, and keeps it so that /metrics shows the calls and connections through each
 * proxy. `proxy` names the proxy (read at each scrape, so a rename shows). For an http upstream behind
 * an http proxy, undici forwards through a pool to the proxy itself: its origin is the proxy's URL.
 */
export function proxiedPoolFactory(proxy: () => string) {
  return (origin: string | URL, opts: object): Dispatcher => {
    const pool = new Pool(origin, opts);
    dropClosedPools();
    proxiedPools.add({ proxy, origin: new URL(origin).origin, pool });
    return pool;
  };
}

/**
 * The upstream connection pools for /metrics (empty before the first call): the direct agent's by
 * origin, and those made through proxies by proxy and origin (pools of one proxy and origin added up;
 * closed ones dropped).
 */
export function upstreamPoolStats(): UpstreamPoolsEntry[] {
  const out = new Map<string, UpstreamPoolsEntry>();
  const add = (origin: string, proxy: string, s: Partial<UpstreamPoolStats>) => {
    const key = `${proxy}\n${origin}`;
    const e = out.get(key) ?? { origin, proxy, connected: 0, free: 0, running: 0, queued: 0 };
    e.connected += s.connected ?? 0;
    e.free += s.free ?? 0;
    e.running += s.running ?? 0;
    e.queued += s.queued ?? 0;
    out.set(key, e);
  };
  const direct = (agent?.stats ?? {}) as Record<string, Partial<UpstreamPoolStats>>;
  for (const [origin, s] of Object.entries(direct)) add(origin, '', s);
  dropClosedPools();
  for (const p of proxiedPools) add(p.origin, p.proxy(), p.pool.stats);
  return [...out.values()];
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
