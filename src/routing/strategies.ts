import type { RoutingStrategy } from '../models/model.entity';

export interface Weighted {
  id: string;
  weight: number;
  priority: number;
  cost: number;
}

export interface StrategyContext {
  /** Uniform random in [0, 1). */
  random: () => number;
  /** A counter that advances once per request of this model (round-robin). */
  turn: number;
  /** Moving-average latency of a route in ms, when known. */
  latency: (id: string) => number | undefined;
}

/** Weighted random order without replacement (Efraimidis–Spirakis): heavier items tend to come first. */
export function weightedShuffle<T extends { weight: number }>(items: T[], random: () => number): T[] {
  if (items.length <= 1) return items.slice(); // the common single key: nothing to draw
  return items
    .map((item) => {
      const w = Math.max(item.weight, 0);
      // Weight 0 items come last, in random order among themselves.
      const key = w > 0 ? Math.pow(random(), 1 / w) : -1 - random();
      return { item, key };
    })
    .sort((a, b) => b.key - a.key)
    .map((x) => x.item);
}

/** Orders routes for one request; the first is tried first. Pure apart from `ctx`. */
export function orderRoutes<T extends Weighted>(
  routes: T[],
  strategy: RoutingStrategy,
  ctx: StrategyContext,
): T[] {
  if (routes.length <= 1) return [...routes];
  switch (strategy) {
    case 'priority': {
      // Highest priority first; weights break ties within a priority level.
      const levels = [...new Set(routes.map((r) => r.priority))].sort((a, b) => b - a);
      return levels.flatMap((p) =>
        weightedShuffle(
          routes.filter((r) => r.priority === p),
          ctx.random,
        ),
      );
    }
    case 'round-robin': {
      const start = ((ctx.turn % routes.length) + routes.length) % routes.length;
      return [...routes.slice(start), ...routes.slice(0, start)];
    }
    case 'least-latency': {
      // Unmeasured routes go first so that every route gets measured.
      const shuffled = weightedShuffle(routes, ctx.random);
      return shuffled.sort((a, b) => (ctx.latency(a.id) ?? -1) - (ctx.latency(b.id) ?? -1));
    }
    case 'lowest-cost': {
      const shuffled = weightedShuffle(routes, ctx.random);
      return shuffled.sort((a, b) => a.cost - b.cost);
    }
    case 'weighted-random':
    default:
      return weightedShuffle(routes, ctx.random);
  }
}
