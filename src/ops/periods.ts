// Which editions are "today's" right now. Editions are keyed by each subscriber's *local* date (or ISO week), so
// at any instant two or three daily periods are under way somewhere on Earth: local dates run from UTC−12 to
// UTC+14. A dashboard or `editions status` that only looked at the UTC date would miss the subscribers east of
// UTC after their midnight (their edition is already tomorrow's, in UTC terms) and those west of it before ours.
// Pure: the instant in, period keys out.
import { DateTime } from 'luxon';

/** The westernmost and easternmost offsets in use (Etc/GMT+12 … Pacific/Kiritimati). */
const WEST = 'UTC-12';
const EAST = 'UTC+14';

export interface PeriodsNow {
  /** Daily periods (YYYY-MM-DD) that are "today" in some zone now, newest first (two, or three around 10–12 UTC). */
  daily: string[];
  /** ISO weeks (YYYY-Www) those days fall in, newest first (one, or two around a week boundary). */
  weekly: string[];
  /** The newest daily period that is over everywhere (yesterday even in UTC−12): complete, for comparison. */
  previousDaily: string;
}

export function periodsNow(now: Date): PeriodsNow {
  const west = DateTime.fromJSDate(now, { zone: WEST }).startOf('day');
  const east = DateTime.fromJSDate(now, { zone: EAST }).startOf('day');
  const daily: string[] = [];
  const weekly: string[] = [];
  for (let d = DateTime.fromISO(east.toISODate()!, { zone: 'utc' }); d.toISODate()! >= west.toISODate()!; d = d.minus({ days: 1 })) {
    daily.push(d.toISODate()!);
    const week = d.toFormat("kkkk-'W'WW");
    if (!weekly.includes(week)) weekly.push(week);
  }
  return { daily, weekly, previousDaily: DateTime.fromISO(west.toISODate()!, { zone: 'utc' }).minus({ days: 1 }).toISODate()! };
}
