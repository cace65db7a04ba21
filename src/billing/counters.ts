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

/**
 * A reservation's lease: the reservation counts until the end of the lease's `minute` (minutes since
 * the epoch), then lapses by itself. A request settles long before (the lease outlives the longest
 * request), but one whose instance died never settles; its lease is what returns its reservation to
 * the budget. Reservations are summed per lease minute, so a budget holds a few sums, not one entry
 * per request. `now` is when the reservation is made.
 */
export interface Lease {
  minute: number;
  now: number;
}

const MINUTE = 60_000;

/** The lease of a reservation made at `now` that must outlive a request of up to `ms`. */
export function leaseFor(now: number, ms: number): Lease {
  return { minute: Math.ceil((now + ms) / MINUTE), now };
}

/** The first lease minute still counting at `now` (a lease ending in minute m counts until m × 1 min). */
const liveFrom = (now: number) => Math.floor(now / MINUTE) + 1;

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
  /**
   * Reserves `estNano` on every slot, under `lease`, unless one of them is already at or over its
   * limit (spent + the reservations of live leases). Lapsed leases are dropped on the way.
   */
  reserve(slots: BudgetSlot[], estNano: number, lease: Lease): Promise<ReserveResult>;
  /** Releases the reservation (unless its lease has lapsed) and adds the actual cost. */
  settle(slots: BudgetSlot[], estNano: number, actualNano: number, lease: Lease): Promise<SettleResult[]>;
  /** Raises a counter's spent amount to at least `spentNano` (warm-up from the ledger). */
  floor(slot: BudgetSlot, spentNano: number): Promise<void>;
  /** Spent, and reserved under leases live at `now`. */
  read(key: string, now?: number): Promise<{ spentNano: number; reservedNano: number }>;
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
  private readonly budgets = new Map<
    string,
    { spent: number; leases: Map<number, number>; expires: number }
  >();
  private readonly windows = new Map<string, { value: number; expires: number }>();
  private sweepAt = 0;

  private budget(slot: { key: string; ttlMs: number }, now = Date.now()) {
    let b = this.budgets.get(slot.key);
    if (!b || b.expires <= now) {
      b = { spent: 0, leases: new Map(), expires: slot.ttlMs > 0 ? now + slot.ttlMs : Infinity };
      this.budgets.set(slot.key, b);
    }
    return b;
  }

  /** The reservations of live leases (lapsed ones dropped). */
  private static reserved(leases: Map<number, number>, now: number): number {
    const from = liveFrom(now);
    let sum = 0;
    for (const [minute, nano] of leases) {
      if (minute < from) leases.delete(minute);
      else sum += nano;
    }
    return sum;
  }

  reserve(slots: BudgetSlot[], estNano: number, lease: Lease): Promise<ReserveResult> {
    const all = slots.map((s) => this.budget(s, lease.now));
    const reserved = all.map((b) => MemoryCounterStore.reserved(b.leases, lease.now));
    const i = all.findIndex((b, j) => b.spent + reserved[j] >= slots[j].limitNano);
    if (i >= 0)
      return Promise.resolve({ ok: false, index: i, spentNano: all[i].spent, reservedNano: reserved[i] });
    for (const b of all) b.leases.set(lease.minute, (b.leases.get(lease.minute) ?? 0) + estNano);
    return Promise.resolve({ ok: true });
  }

  settle(slots: BudgetSlot[], estNano: number, actualNano: number, lease: Lease): Promise<SettleResult[]> {
    return Promise.resolve(
      slots.map((s) => {
        const b = this.budget(s);
        const held = b.leases.get(lease.minute);
        if (held !== undefined) {
          if (held - estNano > 0) b.leases.set(lease.minute, held - estNano);
          else b.leases.delete(lease.minute);
        }
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

  read(key: string, now = Date.now()): Promise<{ spentNano: number; reservedNano: number }> {
    const b = this.budgets.get(key);
    return Promise.resolve({
      spentNano: b?.spent ?? 0,
      reservedNano: b ? MemoryCounterStore.reserved(b.leases, now) : 0,
    });
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

/**
 * A budget is a hash: `spent`, and per lease minute `r:<minute>` the reservations whose lease ends in
 * it. `budgetState(key, live)` reads one: spent and the reservations of live lease minutes (from the
 * first live one, `live`), dropping lapsed minutes on the way. Prepended to the scripts that read.
 */
const BUDGET_STATE_LUA = `
local function budgetState(key, live)
  local h = redis.call('HGETALL', key)
  local spent, reserved = 0, 0
  for j = 1, #h, 2 do
    local f = h[j]
    if f == 'spent' then
      spent = tonumber(h[j + 1]) or 0
    elseif string.sub(f, 1, 2) == 'r:' then
      if tonumber(string.sub(f, 3)) < live then redis.call('HDEL', key, f)
      else reserved = reserved + (tonumber(h[j + 1]) or 0) end
    end
  end
  return spent, reserved
end`;

/**
 * KEYS: the budgets; ARGV: estimate, the first live lease minute, the lease minute, then the limits
 * and the TTLs.
 */
const RESERVE_LUA = `${BUDGET_STATE_LUA}
local est = tonumber(ARGV[1])
local live = tonumber(ARGV[2])
local n = #KEYS
for i = 1, n do
  local spent, reserved = budgetState(KEYS[i], live)
  if spent + reserved >= tonumber(ARGV[3 + i]) then return {i, tostring(spent), tostring(reserved)} end
end
local field = 'r:' .. ARGV[3]
for i = 1, n do
  redis.call('HINCRBY', KEYS[i], field, est)
  local ttl = tonumber(ARGV[3 + n + i])
  if ttl > 0 then redis.call('PEXPIRE', KEYS[i], ttl) end
end
return {0}`;

/** KEYS: the budgets; ARGV: estimate, actual cost, the lease minute, then the TTLs. */
const SETTLE_LUA = `
local est = tonumber(ARGV[1])
local actual = tonumber(ARGV[2])
local field = 'r:' .. ARGV[3]
local out = {}
for i = 1, #KEYS do
  if est > 0 and redis.call('HEXISTS', KEYS[i], field) == 1 then
    if redis.call('HINCRBY', KEYS[i], field, 0 - est) <= 0 then redis.call('HDEL', KEYS[i], field) end
  end
  local after = redis.call('HINCRBY', KEYS[i], 'spent', actual)
  local ttl = tonumber(ARGV[3 + i])
  if ttl > 0 and redis.call('PTTL', KEYS[i]) < 0 then redis.call('PEXPIRE', KEYS[i], ttl) end
  out[#out + 1] = tostring(after - actual)
  out[#out + 1] = tostring(after)
end
return out`;

/** KEYS: a budget; ARGV: the first live lease minute. Spent and the live reservations (as reserve counts). */
const READ_LUA = `${BUDGET_STATE_LUA}
local spent, reserved = budgetState(KEYS[1], tonumber(ARGV[1]))
return {tostring(spent), tostring(reserved)}`;

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
  lrpRead(...args: (string | number)[]): Promise<string[]>;
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
      ['lrpRead', READ_LUA],
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

  async reserve(slots: BudgetSlot[], estNano: number, lease: Lease): Promise<ReserveResult> {
    const r = await this.r.lrpReserve(
      slots.length,
      ...slots.map((s) => s.key),
      estNano,
      liveFrom(lease.now),
      lease.minute,
      ...slots.map((s) => s.limitNano),
      ...slots.map((s) => s.ttlMs),
    );
    const index = Number(r[0]);
    if (index === 0) return { ok: true };
    return { ok: false, index: index - 1, spentNano: Number(r[1]), reservedNano: Number(r[2]) };
  }

  async settle(
    slots: BudgetSlot[],
    estNano: number,
    actualNano: number,
    lease: Lease,
  ): Promise<SettleResult[]> {
    const r = await this.r.lrpSettle(
      slots.length,
      ...slots.map((s) => s.key),
      estNano,
      actualNano,
      lease.minute,
      ...slots.map((s) => s.ttlMs),
    );
    return slots.map((_, i) => ({ beforeNano: Number(r[2 * i]), afterNano: Number(r[2 * i + 1]) }));
  }

  async floor(slot: BudgetSlot, spentNano: number): Promise<void> {
    await this.r.lrpFloor(1, slot.key, spentNano, slot.ttlMs);
  }

  async read(key: string, now = Date.now()): Promise<{ spentNano: number; reservedNano: number }> {
    const [spent, reserved] = await this.r.lrpRead(1, key, liveFrom(now));
    return { spentNano: Number(spent), reservedNano: Number(reserved) };
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
