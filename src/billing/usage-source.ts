import { USAGE_ROLLUP_COUNTERS, USAGE_ROLLUP_KEY } from './usage-rollup.entity';

const HOUR = 3_600_000;
const KEYS = USAGE_ROLLUP_KEY.join(', ');
const COUNTERS = USAGE_ROLLUP_COUNTERS.join(', ');

/**
 * How a usage query over [from, to) is split: the whole UTC hours [hourFrom, hourTo) come from the
 * ledger's hourly sums, the part-hours [from, hourFrom) and [hourTo, to) from the ledger's rows. A
 * range without a whole hour in it is read from the ledger alone (hourFrom = hourTo = to).
 *
 * A range that reaches `now` takes the current hour's sums whole (hourTo is the end of that hour): the
 * ledger holds no rows from later than now, so the hour's sums are the ledger's up to `to` (with the
 * instances' clocks in step; rows stamped a moment ahead by another instance count too), and a report
 * "until now" reads no ledger rows at its end.
 *
 * `horizon`: the ledger's rows before it may be gone (LEDGER_RETENTION_DAYS), its hourly sums are not,
 * so there usage is known by the hour: a bound before the end of the horizon's hour is moved out to
 * its whole hour (`from` back to the hour's start, `to` on to its end).
 *
 * Returns [from, hourFrom, hourTo, to], `from` and `to` as they are read.
 */
export function usageBounds(
  from: Date,
  to: Date,
  now = new Date(),
  horizon?: Date,
): [Date, Date, Date, Date] {
  if (horizon) {
    const exact = Math.ceil(horizon.getTime() / HOUR) * HOUR; // the first hour whose rows are all kept
    if (from.getTime() < exact) from = new Date(Math.floor(from.getTime() / HOUR) * HOUR);
    if (to.getTime() < exact) to = new Date(Math.ceil(to.getTime() / HOUR) * HOUR);
  }
  const hourFrom = Math.ceil(from.getTime() / HOUR) * HOUR;
  const hourTo = (to >= now ? Math.ceil : Math.floor)(to.getTime() / HOUR) * HOUR;
  return hourFrom < hourTo ? [from, new Date(hourFrom), new Date(hourTo), to] : [from, to, to, to];
}

/** The start of the hour `ms` milliseconds before `to`: default report ranges begin on the hour. */
export const hourBefore = (to: Date, ms: number) => new Date(Math.floor((to.getTime() - ms) / HOUR) * HOUR);

/**
 * The usage ledger between two times as a subquery (alias it), its rows `(at, tenant_id, user_id,
 * api_key_id, model, provider_id, requests, input_tokens, output_tokens, cached_tokens,
 * reasoning_tokens, cost_usd)`: sum `requests` and the counters, group by the rest. Whole hours are
 * read from `usage_rollups` (one row per hour and tenant, user, key, model and provider, however many
 * requests), the part-hours at either end from `usage_ledger` (one row per request, `requests` = 1),
 * so the sums are exactly the ledger's over [from, to) at a cost that does not grow with traffic.
 *
 * `param` is the number of the first of four parameters, `usageBounds(from, to)` in order; `filter`
 * (optional) is a condition on the key columns, unqualified, applied to both tables.
 */
export function usageSourceSql(param: number, filter = ''): string {
  const [from, hourFrom, hourTo, to] = [0, 1, 2, 3].map((i) => `$${param + i}`);
  const and = filter ? ` AND (${filter})` : '';
  return (
    `(SELECT bucket AS at, ${KEYS}, requests, ${COUNTERS} FROM usage_rollups ` +
    `WHERE bucket >= ${hourFrom} AND bucket < ${hourTo}${and} ` +
    `UNION ALL SELECT created_at, ${KEYS}, 1, ${COUNTERS} FROM usage_ledger ` +
    `WHERE ((created_at >= ${from} AND created_at < ${hourFrom}) OR (created_at >= ${hourTo} AND created_at < ${to}))${and})`
  );
}
