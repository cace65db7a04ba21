import type { BudgetPeriod } from './budget.entity';

const DAY = 86_400_000;

/** Start of the budget period containing `at` (UTC calendar: days, ISO weeks from Monday, months). */
export function periodStart(period: BudgetPeriod, at: number): number {
  const d = new Date(at);
  switch (period) {
    case 'daily':
      return Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate());
    case 'weekly': {
      const day = Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate());
      return day - ((d.getUTCDay() + 6) % 7) * DAY;
    }
    case 'monthly':
      return Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), 1);
    case 'total':
      return 0;
  }
}

/** End (exclusive) of the period that starts at `start`; Infinity for `total`. */
export function periodEnd(period: BudgetPeriod, start: number): number {
  const d = new Date(start);
  switch (period) {
    case 'daily':
      return start + DAY;
    case 'weekly':
      return start + 7 * DAY;
    case 'monthly':
      return Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 1);
    case 'total':
      return Number.POSITIVE_INFINITY;
  }
}
