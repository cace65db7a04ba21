export type HealthStatus = 'healthy' | 'degraded' | 'unhealthy' | 'unknown';

/** Badge tone for a health status. */
export function healthTone(status: HealthStatus): 'success' | 'warning' | 'danger' | 'neutral' {
  return status === 'healthy'
    ? 'success'
    : status === 'degraded'
      ? 'warning'
      : status === 'unhealthy'
        ? 'danger'
        : 'neutral';
}

/** One stored health check (`/api/health/history` items). */
export interface HealthCheck {
  id: string;
  targetType: 'provider-credential' | 'proxy';
  targetId: string;
  providerId: string | null;
  status: HealthStatus;
  ok: boolean;
  latencyMs: number | null;
  error: string | null;
  consecutiveFailures: number;
  source: 'active' | 'passive';
  checkedAt: string;
}

/**
 * Buckets checks by time (default one hour) into availability points: the share of passing checks
 * (0–100) and the mean latency of the passing ones, oldest bucket first. Empty buckets are left out.
 */
export function availabilitySeries(
  checks: Pick<HealthCheck, 'ok' | 'latencyMs' | 'checkedAt'>[],
  bucketMs = 3_600_000,
): { at: string; availability: number; latencyMs: number | null; checks: number }[] {
  const buckets = new Map<number, { ok: number; n: number; lat: number; latN: number }>();
  for (const c of checks) {
    const t = new Date(c.checkedAt).getTime();
    if (Number.isNaN(t)) continue;
    const k = Math.floor(t / bucketMs) * bucketMs;
    const b = buckets.get(k) ?? { ok: 0, n: 0, lat: 0, latN: 0 };
    b.n += 1;
    if (c.ok) {
      b.ok += 1;
      if (c.latencyMs != null) {
        b.lat += c.latencyMs;
        b.latN += 1;
      }
    }
    buckets.set(k, b);
  }
  return [...buckets.entries()]
    .sort((a, b) => a[0] - b[0])
    .map(([k, b]) => ({
      at: new Date(k).toISOString(),
      availability: Math.round((b.ok / b.n) * 10_000) / 100,
      latencyMs: b.latN ? Math.round(b.lat / b.latN) : null,
      checks: b.n,
    }));
}

/** "99.5%" for an availability percentage, "—" when there was no check. */
export function formatAvailability(p: number | null | undefined): string {
  if (p == null) return '—';
  return `${Number(p.toFixed(1))}%`;
}
