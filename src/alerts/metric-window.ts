/**
 * Request outcomes of one model over a sliding time window, for the error-rate and p95-latency rules.
 * Called on every gateway request, so `record` is O(1) and allocation-free once built:
 *
 * - The window is split into at most 60 slots (≥ 1 s each) in a ring. Each slot holds a request
 *   count, an error count and a latency histogram; running totals are kept alongside, and a slot's
 *   counts are subtracted from them when it falls out of the window.
 * - Latencies go into log-spaced buckets (each 10 % wider than the last, 1 ms … ~30 min), so p95 is
 *   one scan over 160 counters and is reported as its bucket's upper bound (≤ 10 % high).
 */
const GROWTH = 1.1;
const LN_GROWTH = Math.log(GROWTH);
export const LATENCY_BUCKETS = 160;
const MAX_SLOTS = 60;

/** Upper bound (ms) of latency bucket `i`. */
export function bucketUpperMs(i: number): number {
  return Math.round(GROWTH ** i);
}

function bucketOf(ms: number): number {
  if (!(ms > 1)) return 0;
  const i = Math.ceil(Math.log(ms) / LN_GROWTH);
  return i < LATENCY_BUCKETS ? i : LATENCY_BUCKETS - 1;
}

export class SlidingWindow {
  readonly slotMs: number;
  private readonly slots: number;
  private readonly slotCount: Uint32Array;
  private readonly slotErrors: Uint32Array;
  private readonly slotHist: Uint32Array;
  private readonly hist = new Uint32Array(LATENCY_BUCKETS);
  private total = 0;
  private errors = 0;
  private head = -1;

  constructor(readonly windowMs: number) {
    this.slotMs = Math.max(1000, Math.ceil(windowMs / MAX_SLOTS));
    this.slots = Math.max(1, Math.ceil(windowMs / this.slotMs));
    this.slotCount = new Uint32Array(this.slots);
    this.slotErrors = new Uint32Array(this.slots);
    this.slotHist = new Uint32Array(this.slots * LATENCY_BUCKETS);
  }

  record(nowMs: number, latencyMs: number, error: boolean): void {
    const epoch = this.advance(nowMs);
    const i = epoch % this.slots;
    const b = bucketOf(latencyMs);
    this.slotCount[i]++;
    this.total++;
    this.slotHist[i * LATENCY_BUCKETS + b]++;
    this.hist[b]++;
    if (error) {
      this.slotErrors[i]++;
      this.errors++;
    }
  }

  /** Requests currently in the window. */
  requests(nowMs: number): number {
    this.advance(nowMs);
    return this.total;
  }

  /** Failed requests currently in the window. */
  errorCount(nowMs: number): number {
    this.advance(nowMs);
    return this.errors;
  }

  /** Both counts (allocates; for tests and display, not the hot path). */
  counts(nowMs: number): { requests: number; errors: number } {
    return { requests: this.requests(nowMs), errors: this.errorCount(nowMs) };
  }

  /** Error share in percent (0 with no requests). */
  errorRatePct(nowMs: number): number {
    this.advance(nowMs);
    return this.total ? (this.errors / this.total) * 100 : 0;
  }

  /** The latency under which `q` (0–1) of the window's requests finished, in ms (0 with none). */
  quantileMs(nowMs: number, q: number): number {
    this.advance(nowMs);
    if (!this.total) return 0;
    const rank = Math.ceil(q * this.total);
    let seen = 0;
    for (let b = 0; b < LATENCY_BUCKETS; b++) {
      seen += this.hist[b];
      if (seen >= rank) return bucketUpperMs(b);
    }
    return bucketUpperMs(LATENCY_BUCKETS - 1);
  }

  /** Moves the ring to `nowMs`, expiring slots that left the window; returns the current slot epoch. */
  private advance(nowMs: number): number {
    const epoch = Math.floor(nowMs / this.slotMs);
    if (epoch <= this.head) return this.head;
    const from = Math.max(this.head + 1, epoch - this.slots + 1);
    for (let e = from; e <= epoch; e++) this.clear(e % this.slots);
    this.head = epoch;
    return epoch;
  }

  private clear(i: number): void {
    if (this.slotCount[i]) {
      this.total -= this.slotCount[i];
      this.errors -= this.slotErrors[i];
      const base = i * LATENCY_BUCKETS;
      for (let b = 0; b < LATENCY_BUCKETS; b++) {
        const n = this.slotHist[base + b];
        if (n) {
          this.hist[b] -= n;
          this.slotHist[base + b] = 0;
        }
      }
    }
    this.slotCount[i] = 0;
    this.slotErrors[i] = 0;
  }
}
