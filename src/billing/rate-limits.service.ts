import { Inject, Injectable } from '@nestjs/common';
import type { ResolvedApiKey } from '../api-keys/api-keys.service';
import { COUNTERS } from './counter-store.provider';
import type { CounterStore, RateSlot, RateState } from './counters';

const WINDOW_MS = 60_000;

export interface RateHold {
  /** Token-window keys that counted the estimate (reconciled with the actual tokens). */
  tokenKeys: string[];
  estTokens: number;
}

export type RateCheck =
  | { ok: true; hold: RateHold | null; headers: Record<string, string> }
  | { ok: false; retryAfterMs: number; headers: Record<string, string>; message: string };

/** OpenAI's reset format: `1s`, `6m0s`, `250ms`. */
export function formatReset(ms: number): string {
  if (ms < 1000) return `${Math.max(1, Math.ceil(ms))}ms`;
  const s = Math.ceil(ms / 1000);
  return s < 60 ? `${s}s` : `${Math.floor(s / 60)}m${s % 60}s`;
}

/**
 * Requests-per-minute and tokens-per-minute limits per API key and per (key, model), on a sliding
 * window shared through Redis when it is configured. Token limits count an estimate up front and are
 * corrected with the real usage when the request completes. Answers carry OpenAI's
 * `x-ratelimit-*` headers.
 */
@Injectable()
export class RateLimitsService {
  constructor(@Inject(COUNTERS) private readonly counters: CounterStore) {}

  /** Whether the key has any limit for this model (the gateway skips token estimation otherwise). */
  applies(key: ResolvedApiKey, model: string): boolean {
    return key.rpmLimit !== null || key.tpmLimit !== null || key.modelLimits.has(model);
  }

  async check(key: ResolvedApiKey, model: string, estTokens: number, now = Date.now()): Promise<RateCheck> {
    const slots: RateSlot[] = [];
    const kinds: ('requests' | 'tokens')[] = [];
    /** Slots of the per-model limits (for the refusal message). */
    const perModel = new Set<number>();
    const push = (k: string, limit: number | null, kind: 'requests' | 'tokens', forModel = false) => {
      if (limit === null) return;
      if (forModel) perModel.add(slots.length);
      slots.push({ key: k, limit, cost: kind === 'requests' ? 1 : estTokens });
      kinds.push(kind);
    };
    push(`rl:rpm:${key.id}`, key.rpmLimit, 'requests');
    push(`rl:tpm:${key.id}`, key.tpmLimit, 'tokens');
    const m = key.modelLimits.get(model);
    if (m) {
      push(`rl:rpm:${key.id}:${model}`, m.rpm, 'requests', true);
      push(`rl:tpm:${key.id}:${model}`, m.tpm, 'tokens', true);
    }
    if (!slots.length) return { ok: true, hold: null, headers: {} };
    const r = await this.counters.hit(slots, now, WINDOW_MS);
    const headers = rateHeaders(kinds, r.states);
    if (!r.ok) {
      const kind = kinds[r.denied];
      const scope = perModel.has(r.denied) ? ` for model '${model}'` : '';
      headers['retry-after'] = String(Math.ceil(r.retryAfterMs / 1000));
      return {
        ok: false,
        retryAfterMs: r.retryAfterMs,
        headers,
        message:
          `Rate limit reached on ${kind} per minute${scope} for this API key: ` +
          `limit ${slots[r.denied].limit}. Try again in ${formatReset(r.retryAfterMs)}.`,
      };
    }
    const tokenKeys = slots.filter((_, i) => kinds[i] === 'tokens').map((s) => s.key);
    return { ok: true, hold: tokenKeys.length ? { tokenKeys, estTokens } : null, headers };
  }

  /** Replaces the token estimate with the tokens the request really used. */
  async reconcile(hold: RateHold, actualTokens: number, now = Date.now()): Promise<void> {
    const delta = actualTokens - hold.estTokens;
    if (delta) await Promise.all(hold.tokenKeys.map((k) => this.counters.add(k, delta, now, WINDOW_MS)));
  }
}

/** The tightest limit of each kind becomes OpenAI's `x-ratelimit-*` headers. */
function rateHeaders(kinds: ('requests' | 'tokens')[], states: RateState[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const kind of ['requests', 'tokens'] as const) {
    let best: RateState | undefined;
    kinds.forEach((k, i) => {
      if (k === kind && (!best || states[i].remaining < best.remaining)) best = states[i];
    });
    if (!best) continue;
    out[`x-ratelimit-limit-${kind}`] = String(best.limit);
    out[`x-ratelimit-remaining-${kind}`] = String(best.remaining);
    out[`x-ratelimit-reset-${kind}`] = formatReset(best.resetMs);
  }
  return out;
}
