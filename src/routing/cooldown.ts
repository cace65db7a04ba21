/**
 * Per-target circuit breaker with cooldowns: a failing route/credential is skipped until its
 * cooldown ends (the upstream's Retry-After when it gave one, else exponential backoff). A success
 * closes it again. Health checks (later) feed the same tracker.
 */
export class CooldownTracker {
  private readonly state = new Map<string, { until: number; failures: number }>();

  constructor(
    private readonly baseMs = 1000,
    private readonly maxMs = 60_000,
    private readonly now: () => number = Date.now,
  ) {}

  fail(key: string, retryAfterMs?: number): number {
    const prev = this.state.get(key);
    const failures = (prev?.failures ?? 0) + 1;
    const backoff = Math.min(this.baseMs * 2 ** (failures - 1), this.maxMs);
    const until =
      this.now() + (retryAfterMs !== undefined ? Math.min(retryAfterMs, 10 * this.maxMs) : backoff);
    this.state.set(key, { until, failures });
    return until;
  }

  succeed(key: string): void {
    this.state.delete(key);
  }

  /** When the cooldown ends (ms epoch), or 0 when the target is usable now. */
  coolingUntil(key: string): number {
    const s = this.state.get(key);
    return s && s.until > this.now() ? s.until : 0;
  }

  clear(): void {
    this.state.clear();
  }

  /** Targets cooling down right now (metrics). */
  get cooling(): number {
    const now = this.now();
    let n = 0;
    for (const s of this.state.values()) if (s.until > now) n++;
    return n;
  }

  failures(key: string): number {
    return this.state.get(key)?.failures ?? 0;
  }
}

/** Parses Retry-After (seconds or HTTP date) into milliseconds. */
export function parseRetryAfter(value: string | string[] | undefined, now = Date.now()): number | undefined {
  const v = Array.isArray(value) ? value[0] : value;
  if (!v) return undefined;
  if (/^\d+(\.\d+)?$/.test(v.trim())) return Math.round(Number(v) * 1000);
  const at = Date.parse(v);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}
