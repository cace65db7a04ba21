import { HealthCounters, LiveCounters, nextHealth, nextLive, rollup, verdictOf } from './status';

const run = (verdicts: Parameters<typeof nextHealth>[1][], threshold = 3): HealthCounters[] => {
  let s: HealthCounters = { status: 'unknown', consecutiveFailures: 0 };
  return verdicts.map((v) => (s = nextHealth(s, v, threshold)));
};

describe('health status transitions', () => {
  it('classifies answers: 429/402 warn, errors fail, slow answers slow', () => {
    expect(verdictOf({ status: 200, ok: true, latencyMs: 100 }, 5000)).toBe('pass');
    expect(verdictOf({ status: 200, ok: true, latencyMs: 6000 }, 5000)).toBe('slow');
    expect(verdictOf({ status: 429, ok: false, latencyMs: 10 }, 5000)).toBe('warn');
    expect(verdictOf({ status: 402, ok: false, latencyMs: 10 }, 5000)).toBe('warn');
    expect(verdictOf({ status: 500, ok: false, latencyMs: 10 }, 5000)).toBe('fail');
    expect(verdictOf({ status: 401, ok: false, latencyMs: 10 }, 5000)).toBe('fail');
    expect(verdictOf({ status: null, ok: false, latencyMs: null }, 5000)).toBe('fail');
  });

  it('goes degraded on the first failure and unhealthy at the threshold, then heals on a pass', () => {
    expect(run(['pass', 'fail', 'fail', 'fail', 'fail', 'pass'])).toEqual([
      { status: 'healthy', consecutiveFailures: 0 },
      { status: 'degraded', consecutiveFailures: 1 },
      { status: 'degraded', consecutiveFailures: 2 },
      { status: 'unhealthy', consecutiveFailures: 3 },
      { status: 'unhealthy', consecutiveFailures: 4 },
      { status: 'healthy', consecutiveFailures: 0 },
    ]);
  });

  it('an answer in between resets the failure count (failures must be consecutive)', () => {
    expect(run(['fail', 'fail', 'warn', 'fail', 'fail']).map((s) => s.status)).toEqual([
      'degraded',
      'degraded',
      'degraded',
      'degraded',
      'degraded',
    ]);
    expect(run(['fail', 'slow', 'fail', 'fail', 'fail']).at(-1)).toEqual({
      status: 'unhealthy',
      consecutiveFailures: 3,
    });
  });

  it('threshold 1 makes the first failure unhealthy', () => {
    expect(run(['fail'], 1)[0].status).toBe('unhealthy');
  });

  it('rolls credentials up into a provider status', () => {
    expect(rollup([])).toBe('unknown');
    expect(rollup(['unknown', 'unknown'])).toBe('unknown');
    expect(rollup(['healthy', 'unknown'])).toBe('healthy');
    expect(rollup(['healthy', 'unhealthy'])).toBe('degraded');
    expect(rollup(['healthy', 'degraded'])).toBe('degraded');
    expect(rollup(['unhealthy', 'unhealthy', 'unknown'])).toBe('unhealthy');
  });

  it('live failures only count until the passive threshold, then make the target unhealthy', () => {
    let s: LiveCounters = { status: 'healthy', consecutiveFailures: 0, liveFailures: 0 };
    const seen: string[] = [];
    for (let i = 0; i < 5; i++) seen.push((s = nextLive(s, false, 5)).status);
    expect(seen).toEqual(['healthy', 'healthy', 'healthy', 'healthy', 'unhealthy']);
    expect(s.liveFailures).toBe(5);
    expect(nextLive(s, true, 5)).toEqual({ status: 'healthy', consecutiveFailures: 0, liveFailures: 0 });
  });

  it('a live success resets the live count, heals a failing target, and leaves a slow one degraded', () => {
    expect(nextLive({ status: 'healthy', consecutiveFailures: 0, liveFailures: 4 }, true, 5)).toEqual({
      status: 'healthy',
      consecutiveFailures: 0,
      liveFailures: 0,
    });
    expect(nextLive({ status: 'degraded', consecutiveFailures: 2, liveFailures: 0 }, true, 5).status).toBe(
      'healthy',
    );
    expect(nextLive({ status: 'degraded', consecutiveFailures: 0, liveFailures: 1 }, true, 5).status).toBe(
      'degraded',
    );
    expect(nextLive({ status: 'unknown', consecutiveFailures: 0, liveFailures: 0 }, false, 1).status).toBe(
      'unhealthy',
    );
  });
});
