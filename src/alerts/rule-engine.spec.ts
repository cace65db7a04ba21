import { EventEmitter2 } from '@nestjs/event-emitter';
import type { DataSource } from 'typeorm';
import type { RequestCompletedEvent } from '../common/events/domain-events';
import type { AlertEventType, AlertRule } from './alert.entity';
import { CooldownStore } from './cooldown.store';
import type { DeliveryQueue } from './delivery/delivery-queue';
import { AlertCandidate, isErrorStatus, RuleEngine } from './rule-engine.service';
import type { RulesService } from './rules.service';

function rule(over: Partial<AlertRule>): AlertRule {
  return {
    id: over.id ?? 'rule-1',
    name: 'r',
    eventType: 'provider.unhealthy',
    enabled: true,
    channelIds: [],
    cooldownSeconds: 300,
    providerId: null,
    proxyId: null,
    model: null,
    threshold: null,
    windowSeconds: 60,
    minRequests: 5,
    severity: null,
    createdAt: new Date(),
    updatedAt: new Date(),
    ...over,
  };
}

function engineWith(rules: AlertRule[]) {
  const stub = {
    version: 1,
    matching: (t: AlertEventType) => rules.filter((r) => r.eventType === t),
    metricRules: () => rules.filter((r) => r.eventType.startsWith('model.')),
    onReload: () => undefined,
  } as unknown as RulesService;
  const queue: DeliveryQueue = {
    kind: 'in-process',
    enqueue: () => Promise.resolve(),
    resume: () => Promise.resolve(),
  };
  const engine = new RuleEngine(stub, new CooldownStore(null), {} as DataSource, queue, new EventEmitter2());
  const fired: { rule: AlertRule; c: AlertCandidate }[] = [];
  jest.spyOn(engine, 'fire').mockImplementation((r: AlertRule, c: AlertCandidate) => {
    fired.push({ rule: r, c });
    return Promise.resolve(null);
  });
  return { engine, fired };
}

const request = (model: string, status: number, latencyMs: number): RequestCompletedEvent => ({
  requestId: 'x',
  at: new Date(),
  tenantId: null,
  userId: null,
  apiKeyId: null,
  model,
  providerId: null,
  providerName: null,
  status,
  latencyMs,
  ttftMs: null,
  inputTokens: 0,
  outputTokens: 0,
  costUsd: 0,
});

describe('RuleEngine', () => {
  it('maps health changes to unhealthy / recovered and ignores the rest', async () => {
    const { engine, fired } = engineWith([
      rule({ id: 'down', eventType: 'provider.unhealthy' }),
      rule({ id: 'up', eventType: 'provider.recovered' }),
    ]);
    const base = {
      providerId: 'p',
      providerName: 'openai',
      credentialId: null,
      error: null,
      latencyMs: null,
      source: 'active' as const,
    };
    await engine.onProviderHealth({ ...base, from: 'healthy', to: 'unhealthy' });
    await engine.onProviderHealth({ ...base, from: 'unhealthy', to: 'unhealthy' });
    await engine.onProviderHealth({ ...base, from: 'healthy', to: 'degraded' });
    await engine.onProviderHealth({ ...base, from: 'unhealthy', to: 'healthy' });
    expect(fired.map((f) => [f.rule.id, f.c.eventType, f.c.dedupeKey])).toEqual([
      ['down', 'provider.unhealthy', 'provider:p:*:down'],
      ['up', 'provider.recovered', 'provider:p:*:up'],
    ]);
    expect(fired[1].c.title).toBe('Provider openai recovered');
  });

  it('applies provider and proxy filters', async () => {
    const { engine, fired } = engineWith([
      rule({ id: 'only-a', eventType: 'proxy.down', proxyId: 'a' }),
      rule({ id: 'any', eventType: 'proxy.down' }),
    ]);
    await engine.onProxyHealth({
      proxyId: 'b',
      proxyName: 'b',
      from: 'healthy',
      to: 'unhealthy',
      error: 'x',
      latencyMs: null,
    });
    expect(fired.map((f) => f.rule.id)).toEqual(['any']);
  });

  it('fires a p95 latency rule once the window has enough slow requests, then stays quiet', () => {
    const { engine, fired } = engineWith([
      rule({ id: 'p95', eventType: 'model.latency_p95', threshold: 1000, minRequests: 5, model: 'm' }),
    ]);
    for (let i = 0; i < 4; i++) engine.onRequestCompleted(request('m', 200, 5000));
    expect(fired).toHaveLength(0); // under minRequests
    engine.onRequestCompleted(request('other', 200, 5000));
    expect(fired).toHaveLength(0); // another model
    engine.onRequestCompleted(request('m', 200, 5000));
    expect(fired).toHaveLength(1);
    expect(fired[0].c).toMatchObject({ eventType: 'model.latency_p95', dedupeKey: 'model:m' });
    expect(fired[0].c.payload.p95Ms).toBeGreaterThanOrEqual(5000);
    for (let i = 0; i < 20; i++) engine.onRequestCompleted(request('m', 200, 5000));
    expect(fired).toHaveLength(1);
  });

  it('keeps fast traffic under a p95 threshold silent and tracks models separately for unfiltered rules', () => {
    const { engine, fired } = engineWith([
      rule({ id: 'p95', eventType: 'model.latency_p95', threshold: 1000, minRequests: 3 }),
      rule({ id: 'err', eventType: 'model.error_rate', threshold: 40, minRequests: 3 }),
    ]);
    for (let i = 0; i < 10; i++) engine.onRequestCompleted(request('fast', 200, 100));
    for (const s of [200, 400, 404, 499]) engine.onRequestCompleted(request('fast', s, 100));
    expect(fired).toHaveLength(0);
    for (const s of [500, 429, 200]) engine.onRequestCompleted(request('flaky', s, 100));
    expect(fired.map((f) => [f.rule.id, f.c.dedupeKey])).toEqual([['err', 'model:flaky']]);
  });

  it('counts 5xx, 429 and 408 as errors, not client mistakes', () => {
    expect([500, 502, 503, 504, 429, 408].every(isErrorStatus)).toBe(true);
    expect([200, 400, 401, 403, 404, 413, 499].some(isErrorStatus)).toBe(false);
  });

  it('listens to request.completed only while an error-rate or latency rule is enabled', () => {
    const rules: AlertRule[] = [rule({ eventType: 'provider.unhealthy' })];
    let reloaded = () => undefined as void;
    const stub = {
      version: 1,
      matching: () => [],
      metricRules: () => rules.filter((r) => r.eventType.startsWith('model.')),
      onReload: (fn: () => void) => (reloaded = fn),
    } as unknown as RulesService;
    const events = new EventEmitter2();
    const engine = new RuleEngine(
      stub,
      new CooldownStore(null),
      {} as DataSource,
      {} as DeliveryQueue,
      events,
    );
    engine.onModuleInit();
    // No metric rule: the gateway sees no listener and builds no event per request.
    expect(events.hasListeners('request.completed')).toBe(false);
    rules.push(rule({ id: 'p95', eventType: 'model.latency_p95', threshold: 1000, minRequests: 1 }));
    reloaded();
    expect(events.listeners('request.completed')).toHaveLength(1);
    reloaded(); // a reload that changes nothing does not subscribe twice
    expect(events.listeners('request.completed')).toHaveLength(1);
    const seen = jest.spyOn(engine, 'onRequestCompleted');
    events.emit('request.completed', request('m', 200, 5000));
    expect(seen).toHaveBeenCalledTimes(1);
    rules.pop();
    reloaded();
    expect(events.hasListeners('request.completed')).toBe(false);
  });
});
