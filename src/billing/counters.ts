import type Redis from 'ioredis';

/**
 * Atomic counters for budgets and rate limits. Two implementations with the same semantics: Redis
 * (Lua scripts, so parallel requests on several gateway instances check and reserve in one step) and
 * in-process maps (one instance, no Redis). All money is integer nano-dollars.
 */

export interface BudgetSlot {
  /** Counter key, e.g. `budget:<id>:<periodStart>`. */
  key: string;
  limitNano: number;
  /** Time to live of the counter in ms (period end + a margin); 0 = never expires. */
  ttlMs: number;
}

export type ReserveResult =
  { ok: true } | { ok: false; index: number; spentNano: number; reservedNano: number };

/** Spent amount of each slot before and after a settlement (for threshold crossing). */
export interface SettleResult {
  beforeNano: number;
  afterNano: number;
}

export interface RateSlot {
  key: string;
  limit: number;
  cost: number;
}

export interface RateState {
  limit: number;
  remaining: number;
  /** Ms until the window has fully rolled over. */
  resetMs: number;
}

export interface RateResult {
  ok: boolean;
  /** Index of the first slot that refused (−1 when ok). */
  denied: number;
  retryAfterMs: number;
  states: RateState[];
}

export interface CounterStore {
  /** Reserves `estNano` on every slot unless one of them is already at or over its limit. */
  reserve(slots: BudgetSlot[], estNano: number): Promise<ReserveResult>;
  /** Releases the reservation and adds the actual cost. */
  settle(slots: BudgetSlot[], estNano: number, actualNano: number): Promise<SettleResult[]>;
  /** Raises a counter's spent amount to at least `spentNano` (warm-up from the ledger). */
  floor(slot: BudgetSlot, spentNano: number): Promise<void>;
  read(key: string): Promise<{ spentNano: number; reservedNano: number }>;
  /** Sliding-window check-and-count: counts `cost` on every slot only if all of them allow it. */
  hit(slots: RateSlot[], now: number, windowMs: number): Promise<RateResult>;
  /** Adds (or, negative, removes) units in the current window without checking (TPM reconciliation). */
  add(key: string, delta: number, now: number, windowMs: number): Promise<void>;
  /** Counts one event in a fixed window and returns the count so far (lock-outs). */
  incr(key: string, ttlMs: number): Promise<number>;
}

// ---- the sliding-window arithmetic, shared by both stores ---------------------------------------

function windowOf(now: number, windowMs: number) {
  const index = Math.floor(now / windowMs);
  const into = now - index * windowMs;
  return { index, into, frac: into / windowMs };
}

/** Weighted count of the previous window plus the current one (Cloudflare's sliding window counter). */
function slidingUsed(prev: number, cur: number, frac: number): number {
  return Math.max(0, prev * (1 - frac) + cur);
}

function rateDecision(
  counts: { prev: number; cur: number }[],
  slots: RateSlot[],
  now: number,
  windowMs: number,
): RateResult {
  const { into, frac } = windowOf(now, windowMs);
  const toWindowEnd = windowMs - into;
  let denied = -1;
  let retryAfterMs = 0;
  const used = counts.map((c) => slidingUsed(c.prev, c.cur, frac));
  slots.forEach((s, i) => {
    if (denied === -1 && used[i] + s.cost > s.limit) {
      denied = i;
      const excess = used[i] + s.cost - s.limit;
      const prev = counts[i].prev;
      // The previous window's weight decays linearly; if that alone frees enough, wait for it.
      retryAfterMs =
        prev > 0 && excess <= prev * (1 - frac) ? Math.ceil((excess / prev) * windowMs) : toWindowEnd;
    }
  });
  const ok = denied === -1;
  return {
    ok,
    denied,
    retryAfterMs: Math.max(1, retryAfterMs),
    states: slots.map((s, i) => ({
      limit: s.limit,
      remaining: Math.max(0, Math.floor(s.limit - used[i] - (ok ? s.cost : 0))),
      resetMs: toWindowEnd,
    })),
  };
}

// ---- in-process ---------------------------------------------------------------------------------

export class MemoryCounterStore implements CounterStore {
  private readonly budgets = new Map<string, { spent: number; reserved: number; expires: number }>();
  private readonly windows = new Map<string, { value: number; expires: number }>();
  private sweepAt = 0;

  private budget(slot: { key: string; ttlMs: number }, now = Date.now()) {
    let b = this.budgets.get(slot.key);
    if (!b || b.expires <= now) {
      b = { spent: 0, reserved: 0, expires: slot.ttlMs > 0 ? now + slot.ttlMs : Infinity };
      this.budgets.set(slot.key, b);
    }
    return b;
  }

  reserve(slots: BudgetSlot[], estNano: number): Promise<ReserveResult> {
    const now = Date.now();
    const all = slots.map((s) => this.budget(s, now));
    const i = all.findIndex((b, j) => b.spent + b.reserved >= slots[j].limitNano);
    if (i >= 0)
      return Promise.resolve({ ok: false, index: i, spentNano: all[i].spent, reservedNano: all[i].reserved });
    for (const b of all) b.reserved += estNano;
    return Promise.resolve({ ok: true });
  }

  settle(slots: BudgetSlot[], estNano: number, actualNano: number): Promise<SettleResult[]> {
    return Promise.resolve(
      slots.map((s) => {
        const b = this.budget(s);
        b.reserved = Math.max(0, b.reserved - estNano);
        const beforeNano = b.spent;
        b.spent += actualNano;
        return { beforeNano, afterNano: b.spent };
      }),
    );
  }

  floor(slot: BudgetSlot, spentNano: number): Promise<void> {
    const b = this.budget(slot);
    if (b.spent < spentNano) b.spent = spentNano;
    return Promise.resolve();
  }

  read(key: string): Promise<{ spentNano: number; reservedNano: number }> {
    const b = this.budgets.get(key);
    return Promise.resolve({ spentNano: b?.spent ?? 0, reservedNano: b?.reserved ?? 0 });
  }

  private count(key: string, now: number): number {
    const w = this.windows.get(key);
    return w && w.expires > now ? w.value : 0;
  }

  private bump(key: string, delta: number, now: number, ttlMs: number): number {
    const w = this.windows.get(key);
    if (w && w.expires > now) w.value += delta;
    else this.windows.set(key, { value: delta, expires: now + ttlMs });
    if (now > this.sweepAt) this.sweep(now);
    return this.windows.get(key)!.value;
  }

  private sweep(now: number): void {
    this.sweepAt = now + 60_000;
    for (const [k, w] of this.windows) if (w.expires <= now) this.windows.delete(k);
    for (const [k, b] of this.budgets) if (b.expires <= now) this.budgets.delete(k);
  }

  hit(slots: RateSlot[], now: number, windowMs: number): Promise<RateResult> {
    const { index } = windowOf(now, windowMs);
    const counts = slots.map((s) => ({
      prev: this.count(`${s.key}:${index - 1}`, now),
      cur: this.count(`${s.key}:${index}`, now),
    }));
    const r = rateDecision(counts, slots, now, windowMs);
    if (r.ok) for (const s of slots) this.bump(`${s.key}:${index}`, s.cost, now, 2 * windowMs);
    return Promise.resolve(r);
  }

  add(key: string, delta: number, now: number, windowMs: number): Promise<void> {
    this.bump(`${key}:${windowOf(now, windowMs).index}`, delta, now, 2 * windowMs);
    return Promise.resolve();
  }

  incr(key: string, ttlMs: number): Promise<number> {
    return Promise.resolve(this.bump(key, 1, Date.now(), ttlMs));
  }
}

// ---- Redis --------------------------------------------------------------------------------------

const RESERVE_LUA = `
local est = tonumber(ARGV[1])
local n = #KEYS
for i = 1, n do
  local v = redis.call('HMGET', KEYS[i], 'spent', 'reserved')
  local spent = tonumber(v[1]) or 0
  local reserved = tonumber(v[2]) or 0
  if spent + reserved >= tonumber(ARGV[1 + i]) then return {i, tostring(spent), tostring(reserved)} end
end
for i = 1, n do
  redis.call('HINCRBY', KEYS[i], 'reserved', est)
  local ttl = tonumber(ARGV[1 + n + i])
  if ttl > 0 then redis.call('PEXPIRE', KEYS[i], ttl) end
end
return {0}`;

const SETTLE_LUA = `
local est = tonumber(ARGV[1])
local actual = tonumber(ARGV[2])
local out = {}
for i = 1, #KEYS do
  if est > 0 then
    local r = redis.call('HINCRBY', KEYS[i], 'reserved', 0 - est)
    if r < 0 then redis.call('HSET', KEYS[i], 'reserved', 0) end
  end
  local after = redis.call('HINCRBY', KEYS[i], 'spent', actual)
  local ttl = tonumber(ARGV[2 + i])
  if ttl > 0 and redis.call('PTTL', KEYS[i]) < 0 then redis.call('PEXPIRE', KEYS[i], ttl) end
  out[#out + 1] = tostring(after - actual)
  out[#out + 1] = tostring(after)
end
return out`;

const FLOOR_LUA = `
local s = tonumber(redis.call('HGET', KEYS[1], 'spent')) or 0
if s < tonumber(ARGV[1]) then redis.call('HSET', KEYS[1], 'spent', ARGV[1]) end
if tonumber(ARGV[2]) > 0 then redis.call('PEXPIRE', KEYS[1], ARGV[2]) end
return 1`;

/** KEYS: (current, previous) window key pairs; ARGV: frac, windowMs, then limit/cost pairs. */
const HIT_LUA = `
local n = #KEYS / 2
local counts = {}
for i = 1, n do
  local cur = tonumber(redis.call('GET', KEYS[2 * i - 1])) or 0
  local prev = tonumber(redis.call('GET', KEYS[2 * i])) or 0
  counts[#counts + 1] = tostring(cur)
  counts[#counts + 1] = tostring(prev)
end
local frac = tonumber(ARGV[1])
for i = 1, n do
  local cur = tonumber(counts[2 * i - 1])
  local prev = tonumber(counts[2 * i])
  local used = prev * (1 - frac) + cur
  if used < 0 then used = 0 end
  if used + tonumber(ARGV[2 + 2 * i]) > tonumber(ARGV[1 + 2 * i]) then
    table.insert(counts, 1, '0')
    return counts
  end
end
for i = 1, n do
  redis.call('INCRBY', KEYS[2 * i - 1], tonumber(ARGV[2 + 2 * i]))
  redis.call('PEXPIRE', KEYS[2 * i - 1], 2 * tonumber(ARGV[2]))
end
table.insert(counts, 1, '1')
return counts`;

const ADD_LUA = `
redis.call('INCRBY', KEYS[1], tonumber(ARGV[1]))
redis.call('PEXPIRE', KEYS[1], tonumber(ARGV[2]))
return 1`;

const INCR_LUA = `
local v = redis.call('INCR', KEYS[1])
if v == 1 then redis.call('PEXPIRE', KEYS[1], tonumber(ARGV[1])) end
return v`;

type Scripted = Redis & {
  lrpReserve(...args: (string | number)[]): Promise<(string | number)[]>;
  lrpSettle(...args: (string | number)[]): Promise<string[]>;
  lrpFloor(...args: (string | number)[]): Promise<number>;
  lrpHit(...args: (string | number)[]): Promise<string[]>;
  lrpAdd(...args: (string | number)[]): Promise<number>;
  lrpIncr(...args: (string | number)[]): Promise<number>;
};

export class RedisCounterStore implements CounterStore {
  private readonly r: Scripted;

  constructor(redis: Redis) {
    const defs: [string, string][] = [
      ['lrpReserve', RESERVE_LUA],
      ['lrpSettle', SETTLE_LUA],
      ['lrpFloor', FLOOR_LUA],
      ['lrpHit', HIT_LUA],
      ['lrpAdd', ADD_LUA],
      ['lrpIncr', INCR_LUA],
    ];
    for (const [name, lua] of defs) {
      if (!(name in redis)) redis.defineCommand(name, { lua });
    }
    this.r = redis as Scripted;
  }

  async reserve(slots: BudgetSlot[], estNano: number): Promise<ReserveResult> {
    const r = await this.r.lrpReserve(
      slots.length,
      ...slots.map((s) => s.key),
      estNano,
      ...slots.map((s) => s.limitNano),
      ...slots.map((s) => s.ttlMs),
    );
    const index = Number(r[0]);
    if (index === 0) return { ok: true };
    return { ok: false, index: index - 1, spentNano: Number(r[1]), reservedNano: Number(r[2]) };
  }

  async settle(slots: BudgetSlot[], estNano: number, actualNano: number): Promise<SettleResult[]> {
    const r = await this.r.lrpSettle(
      slots.length,
      ...slots.map((s) => s.key),
      estNano,
      actualNano,
      ...slots.map((s) => s.ttlMs),
    );
    return slots.map((_, i) => ({ beforeNano: Number(r[2 * i]), afterNano: Number(r[2 * i + 1]) }));
  }

  async floor(slot: BudgetSlot, spentNano: number): Promise<void> {
    await this.r.lrpFloor(1, slot.key, spentNano, slot.ttlMs);
  }

  async read(key: string): Promise<{ spentNano: number; reservedNano: number }> {
    const [spent, reserved] = await this.r.hmget(key, 'spent', 'reserved');
    return { spentNano: Number(spent ?? 0), reservedNano: Number(reserved ?? 0) };
  }

  async hit(slots: RateSlot[], now: number, windowMs: number): Promise<RateResult> {
    const { index, frac } = windowOf(now, windowMs);
    const keys = slots.flatMap((s) => [`${s.key}:${index}`, `${s.key}:${index - 1}`]);
    const r = await this.r.lrpHit(
      keys.length,
      ...keys,
      frac,
      windowMs,
      ...slots.flatMap((s) => [s.limit, s.cost]),
    );
    const counts = slots.map((_, i) => ({ cur: Number(r[1 + 2 * i]), prev: Number(r[2 + 2 * i]) }));
    // The script decided atomically; recompute the same figures locally for the headers.
    const d = rateDecision(counts, slots, now, windowMs);
    const ok = r[0] === '1';
    if (ok === d.ok) return d;
    return ok ? { ...d, ok, denied: -1 } : { ...d, ok, denied: Math.max(0, d.denied) };
  }

  async add(key: string, delta: number, now: number, windowMs: number): Promise<void> {
    await this.r.lrpAdd(1, `${key}:${windowOf(now, windowMs).index}`, Math.round(delta), 2 * windowMs);
  }

  async incr(key: string, ttlMs: number): Promise<number> {
    return Number(await this.r.lrpIncr(1, key, ttlMs));
  }
}
