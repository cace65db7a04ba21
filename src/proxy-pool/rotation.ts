import type { ProxyStrategy } from '../routing/runtime.types';
import { weightedShuffle } from '../routing/strategies';

export interface RotatableProxy {
  id: string;
  weight: number;
  /** Moving-average latency of its health checks, when measured. */
  latencyMs: number | null;
}

export interface RotationContext {
  /** Advances once per call (round-robin). */
  turn: number;
  random: () => number;
}

/**
 * Orders a provider's proxies for one call (pure apart from `ctx`):
 * - `round-robin`: rotates the list by the call counter;
 * - `weighted`: weighted random order without replacement (weight 0 last);
 * - `least-latency`: fastest measured first, unmeasured after them (weighted random among those).
 */
export function orderProxies<T extends RotatableProxy>(
  items: T[],
  strategy: ProxyStrategy,
  ctx: RotationContext,
): T[] {
  if (items.length <= 1) return [...items];
  switch (strategy) {
    case 'round-robin': {
      const start = ctx.turn % items.length;
      return [...items.slice(start), ...items.slice(0, start)];
    }
    case 'least-latency': {
      const shuffled = weightedShuffle(items, ctx.random);
      const rank = (p: T) => (p.latencyMs === null ? Number.MAX_SAFE_INTEGER : p.latencyMs);
      return shuffled.sort((a, b) => rank(a) - rank(b));
    }
    case 'weighted':
    default:
      return weightedShuffle(items, ctx.random);
  }
}

/** Moves the proxies `bad` says are unusable behind the others, keeping each group's order. */
export function demote<T>(items: T[], bad: (item: T) => boolean): T[] {
  const good: T[] = [];
  const rest: T[] = [];
  for (const i of items) (bad(i) ? rest : good).push(i);
  return good.concat(rest);
}
