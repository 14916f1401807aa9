// `--period`: a real day (YYYY-MM-DD) or a real ISO week (YYYY-Www). The pattern alone let 2026-13-45 and
// 2026-02-30 through; they are refused with exit code 2 like any usage error.
import { DateTime } from 'luxon';
import { ShortUsageError } from './command.js';

export function isRealPeriod(p: string): boolean {
  if (/^\d{4}-\d{2}-\d{2}$/.test(p)) return DateTime.fromISO(p, { zone: 'utc' }).isValid;
  const w = /^(\d{4})-W(\d{2})$/.exec(p);
  if (!w) return false;
  const week = Number(w[2]);
  return week >= 1 && week <= DateTime.fromObject({ year: Number(w[1]), month: 12, day: 28 }, { zone: 'utc' }).weekNumber;
}

/** Throws a usage error unless `p` is absent or a real period. */
export function checkPeriod(p: string | undefined): void {
  if (p !== undefined && !isRealPeriod(p)) throw new ShortUsageError(`--period must be a real day YYYY-MM-DD or ISO week YYYY-Www (got ${p})`);
}
