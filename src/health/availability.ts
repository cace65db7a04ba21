/** The windows availability is reported over. */
export const AVAILABILITY_WINDOWS = { '1h': '1 hour', '24h': '24 hours', '7d': '7 days' } as const;
export type AvailabilityWindow = keyof typeof AVAILABILITY_WINDOWS;
export type Availability = Record<AvailabilityWindow, number | null>;

/** Check counts per window as the SQL below returns them (strings from pg's bigint). */
export interface AvailabilityCounts {
  n_1h: string | number;
  ok_1h: string | number;
  n_24h: string | number;
  ok_24h: string | number;
  n_7d: string | number;
  ok_7d: string | number;
}

/** Percent of passing active checks, 2 decimals; null when there was no check in the window. */
export function availabilityPct(ok: number, total: number): number | null {
  if (!total) return null;
  return Math.round((Math.min(ok, total) / total) * 10_000) / 100;
}

export function toAvailability(c: AvailabilityCounts | undefined): Availability {
  const n = (v: string | number | undefined) => Number(v ?? 0);
  return {
    '1h': availabilityPct(n(c?.ok_1h), n(c?.n_1h)),
    '24h': availabilityPct(n(c?.ok_24h), n(c?.n_24h)),
    '7d': availabilityPct(n(c?.ok_7d), n(c?.n_7d)),
  };
}

/**
 * Counts per window for each value of `groupBy` (`target_id` or `provider_id`), over active checks
 * of one target type in the last 7 days: `$1` is the target type.
 */
export function availabilitySql(groupBy: 'target_id' | 'provider_id'): string {
  const cols = Object.entries(AVAILABILITY_WINDOWS)
    .map(
      ([k, interval]) =>
        `count(*) FILTER (WHERE checked_at > now() - interval '${interval}') AS n_${k}, ` +
        `count(*) FILTER (WHERE ok AND checked_at > now() - interval '${interval}') AS ok_${k}`,
    )
    .join(', ');
  return (
    `SELECT ${groupBy} AS id, ${cols} FROM health_checks ` +
    `WHERE target_type = $1 AND source = 'active' AND checked_at > now() - interval '7 days' ` +
    `AND ${groupBy} IS NOT NULL GROUP BY ${groupBy}`
  );
}
