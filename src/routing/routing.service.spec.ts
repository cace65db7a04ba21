import { HttpException } from '@nestjs/common';
import { RoutingService } from './routing.service';
import type { RuntimeModel, RuntimeProvider, RuntimeRoute } from './runtime.types';

const provider = (id: string, creds = 1): RuntimeProvider => ({
  id,
  name: id,
  type: 'openai-compatible',
  baseUrl: 'http://x',
  headers: {},
  timeoutMs: 1000,
  config: {},
  credentials: Array.from({ length: creds }, (_, i) => ({ id: `${id}-k${i}`, secret: 's', weight: 1 })),
});
const route = (
  id: string,
  priority: number,
  caps = { tools: true, structuredOutput: true, vision: true },
): RuntimeRoute => ({
  id,
  provider: provider(`p-${id}`),
  upstreamModel: id,
  weight: 1,
  priority,
  caps,
  headerPassthrough: false,
  cost: 0,
});
const model = (routes: RuntimeRoute[], maxAttempts = 5): RuntimeModel => ({
  id: 'm',
  name: 'm',
  type: 'chat',
  strategy: 'priority',
  maxAttempts,
  sticky: false,
  stickyTtlMs: 0,
  routes,
});

describe('RoutingService.plan (failover order)', () => {
  const svc = new RoutingService(
    {} as never,
    {} as never,
    { on: () => undefined } as never,
    {
      onChanged: () => undefined,
    } as never,
  );
  beforeEach(() => svc.clearCooldowns());

  it('orders by the strategy, then moves cooling targets to the back, soonest recovery first', () => {
    const m = model([route('a', 3), route('b', 2), route('c', 1)]);
    expect(svc.plan(m, {}).map((c) => c.route.id)).toEqual(['a', 'b', 'c']);
    svc.reportFailure(svc.plan(m, {})[0], 60_000); // a cools for a minute
    svc.reportFailure(
      svc.plan(m, {}).find((c) => c.route.id === 'b')!,
      5_000,
    ); // b for 5 s
    expect(svc.plan(m, {}).map((c) => c.route.id)).toEqual(['c', 'b', 'a']);
  });

  it('never returns nothing while a route exists, and caps attempts at maxAttempts', () => {
    const m = model([route('a', 3), route('b', 2), route('c', 1)], 2);
    for (const c of svc.plan(m, {})) svc.reportFailure(c, 1000);
    const plan = svc.plan(m, {});
    expect(plan).toHaveLength(2);
  });

  it('filters by capability, with a clear 400 when nothing fits', () => {
    const m = model([
      route('plain', 2, { tools: false, structuredOutput: false, vision: false }),
      route('tools', 1),
    ]);
    expect(svc.plan(m, { tools: true }).map((c) => c.route.id)).toEqual(['tools']);
    const none = model([route('plain', 2, { tools: false, structuredOutput: false, vision: false })]);
    expect(() => svc.plan(none, { vision: true })).toThrow(HttpException);
    expect(() => svc.plan(none, { vision: true })).toThrow(/supports images/);
  });

  it('success closes the breaker', () => {
    const m = model([route('a', 2), route('b', 1)]);
    const [a] = svc.plan(m, {});
    svc.reportFailure(a);
    expect(svc.plan(m, {})[0].route.id).toBe('b');
    svc.reportSuccess(m, a, 10);
    expect(svc.plan(m, {})[0].route.id).toBe('a');
  });

  it('the health breaker: unhealthy credentials go behind every other target, and are still tried last', () => {
    const m = model([route('a', 3), route('b', 2), route('c', 1)]);
    svc.setUnhealthy('p-a-k0', true);
    expect(svc.plan(m, {}).map((c) => c.route.id)).toEqual(['b', 'c', 'a']);
    // Behind cooling targets too: a cooldown ends, an unhealthy mark waits for a passing check.
    svc.reportFailure(svc.plan(m, {})[0], 60_000); // b cools
    expect(svc.plan(m, {}).map((c) => c.route.id)).toEqual(['c', 'b', 'a']);
    svc.setUnhealthy('p-b-k0', true);
    svc.setUnhealthy('p-c-k0', true);
    expect(svc.plan(m, {}).map((c) => c.route.id)).toHaveLength(3); // never nothing
    for (const id of ['p-a-k0', 'p-b-k0', 'p-c-k0']) svc.setUnhealthy(id, false);
    svc.clearCooldowns();
    expect(svc.plan(m, {}).map((c) => c.route.id)).toEqual(['a', 'b', 'c']);
  });

  it('keyless providers are marked by provider id; live outcomes reach the observer', () => {
    expect(svc.isUnhealthy('prov', 'none')).toBe(false);
    svc.setUnhealthy('prov', true);
    expect(svc.isUnhealthy('prov', 'none')).toBe(true);
    expect(svc.isUnhealthy('other', 'prov')).toBe(true);
    svc.setUnhealthy('prov', false);
    const seen: unknown[] = [];
    svc.observe((p, c, o) => seen.push([p, c, o]));
    const m = model([route('a', 1)]);
    const [a] = svc.plan(m, {});
    svc.reportFailure(a, undefined, 503);
    svc.reportFailure(a, undefined, 'timeout');
    svc.reportSuccess(m, a, 5);
    expect(seen).toEqual([
      ['p-a', 'p-a-k0', 503],
      ['p-a', 'p-a-k0', 'timeout'],
      ['p-a', 'p-a-k0', 'ok'],
    ]);
  });
});
