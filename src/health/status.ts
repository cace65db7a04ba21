import type { HealthStatus } from '../common/events/domain-events';

/** The outcome of one check (active) or one live attempt (passive), reduced to what health needs. */
export interface ProbeOutcome {
  /** HTTP status of the answer, or null when none came (connection error, timeout). */
  status: number | null;
  ok: boolean;
  latencyMs: number | null;
}

/**
 * - `pass`: answered fine and fast;
 * - `slow`: answered fine but slower than the degraded threshold;
 * - `warn`: rate limited (429) or out of quota (402): the credential works but is held back;
 * - `fail`: an error answer (5xx, 401/403 …), a connection error or a timeout.
 */
export type Verdict = 'pass' | 'slow' | 'warn' | 'fail';

export function verdictOf(o: ProbeOutcome, degradedLatencyMs: number): Verdict {
  if (o.status === 429 || o.status === 402) return 'warn';
  if (!o.ok) return 'fail';
  if (o.latencyMs !== null && o.latencyMs > degradedLatencyMs) return 'slow';
  return 'pass';
}

export interface HealthCounters {
  status: HealthStatus;
  consecutiveFailures: number;
}

/**
 * The status transition of one target: failures count up and make it `degraded`, then `unhealthy`
 * once `threshold` failures in a row are reached; any answer (pass, slow or warn) resets the count.
 */
export function nextHealth(prev: HealthCounters, verdict: Verdict, threshold: number): HealthCounters {
  switch (verdict) {
    case 'pass':
      return { status: 'healthy', consecutiveFailures: 0 };
    case 'slow':
    case 'warn':
      return { status: 'degraded', consecutiveFailures: 0 };
    case 'fail': {
      const n = prev.consecutiveFailures + 1;
      return { status: n >= Math.max(1, threshold) ? 'unhealthy' : 'degraded', consecutiveFailures: n };
    }
  }
}

/** A provider's status from its credentials': unknown until checked; all unhealthy → unhealthy; any trouble → degraded. */
export function rollup(statuses: HealthStatus[]): HealthStatus {
  const known = statuses.filter((s) => s !== 'unknown');
  if (!known.length) return 'unknown';
  if (known.every((s) => s === 'unhealthy')) return 'unhealthy';
  if (known.every((s) => s === 'healthy')) return 'healthy';
  return 'degraded';
}

export interface LiveCounters extends HealthCounters {
  /** Failed live attempts in a row (they change nothing until the passive threshold). */
  liveFailures: number;
}

/**
 * Live traffic (passive health). Single failures are noise (a huge prompt timing out, a transient
 * 5xx), so they only count; `threshold` failures in a row make the target unhealthy. A live success
 * resets the count and heals a target that was failing (checks or traffic).
 */
export function nextLive(prev: LiveCounters, ok: boolean, threshold: number): LiveCounters {
  if (ok) {
    if (prev.status === 'unhealthy' || prev.consecutiveFailures > 0)
      return { status: 'healthy', consecutiveFailures: 0, liveFailures: 0 };
    return { status: prev.status, consecutiveFailures: prev.consecutiveFailures, liveFailures: 0 };
  }
  const n = prev.liveFailures + 1;
  return {
    status: n >= Math.max(1, threshold) ? 'unhealthy' : prev.status,
    consecutiveFailures: prev.consecutiveFailures,
    liveFailures: n,
  };
}
