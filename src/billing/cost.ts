/**
 * Token counts of one request, as the gateway records them (input includes cache reads and cache
 * writes; output includes reasoning).
 */
export interface TokenUsage {
  inputTokens: number;
  outputTokens: number;
  cachedTokens: number;
  reasoningTokens: number;
  /** Input tokens written to a prompt cache (Anthropic `cache_creation_input_tokens`). */
  cacheWriteTokens?: number;
}

/** USD per one million tokens. */
export interface PriceRates {
  inputPerM: number;
  outputPerM: number;
  cachedInputPerM: number | null;
  cacheWritePerM?: number | null;
  reasoningPerM: number | null;
}

/** Nano-dollars (1e-9 USD): integer arithmetic for counters, exact enough for any single request. */
export const NANO = 1_000_000_000;
export const toNano = (usd: number) => Math.round(usd * NANO);
export const fromNano = (nano: number) => nano / NANO;

/**
 * The cost of one request in USD. Cache reads are billed at the cached-input rate, cache writes at
 * the cache-write rate and reasoning tokens at the reasoning rate (each falling back to the ordinary
 * rate); they are parts of the input and output totals, so they are not counted twice.
 */
export function costOf(u: TokenUsage, p: PriceRates): number {
  const cached = Math.min(Math.max(0, u.cachedTokens), Math.max(0, u.inputTokens));
  const written = Math.min(Math.max(0, u.cacheWriteTokens ?? 0), Math.max(0, u.inputTokens - cached));
  const reasoning = Math.min(Math.max(0, u.reasoningTokens), Math.max(0, u.outputTokens));
  const nanoPerToken = (perM: number) => perM * 1000; // USD per 1M tokens → nano-USD per token
  const nano =
    (u.inputTokens - cached - written) * nanoPerToken(p.inputPerM) +
    cached * nanoPerToken(p.cachedInputPerM ?? p.inputPerM) +
    written * nanoPerToken(p.cacheWritePerM ?? p.inputPerM) +
    (u.outputTokens - reasoning) * nanoPerToken(p.outputPerM) +
    reasoning * nanoPerToken(p.reasoningPerM ?? p.outputPerM);
  return Math.round(nano) / NANO;
}

/**
 * The thresholds (percent of `limit`) that a spend going from `before` to `after` crossed, in
 * ascending order; 100 stands for the hard limit. Each crossing belongs to exactly one settlement.
 */
export function crossedThresholds(
  thresholds: number[],
  limit: number,
  before: number,
  after: number,
): number[] {
  if (limit <= 0 || after <= before) return [];
  return [...new Set([...thresholds, 100])]
    .sort((a, b) => a - b)
    .filter((pct) => {
      const mark = (limit * pct) / 100;
      return before < mark && after >= mark;
    });
}
