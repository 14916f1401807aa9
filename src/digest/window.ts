// The listing days an edition draws from, pure: papers with listedOn >= firstDay (the sent-papers ledger keeps out
// what an earlier edition already carried, so windows may overlap).
//
// - daily: the reader's local date and the lookbackDays-1 days before it (setting, default 3): HF lists a day's
//   papers over that day, and a reader far ahead of UTC sends before the day is complete.
// - weekly: the days since the previous edition. The previous edition was scheduled on the same weekday one week
//   before this one, so the window starts on that date (papers listed later that day missed it) and runs to today:
//   eight listing days, more when the send is late. The first-ever weekly edition covers the same week: a reader who
//   just subscribed expects "this week's papers", not three days of them. Never narrower than the daily lookback.
// Local dates are calendar dates in the reader's zone, and the arithmetic is on dates, never on instants, so a DST
// change inside the week changes nothing. Windows are capped at MAX_WINDOW_DAYS, which bounds what the paper store
// must keep (papers/store.ts prune).
import { DateTime } from 'luxon';
import { addDays, localDateIn } from '../schedule/schedule.js';
import type { Frequency, Weekday } from '../schedule/spec.js';

/** Longest window any edition draws from (a very late weekly send included); papers are kept this long + archive. */
export const MAX_WINDOW_DAYS = 14;

export interface EditionWindow {
  /** The reader's local date at `now`. */
  today: string;
  /** The first listing day drawn from (YYYY-MM-DD). */
  firstDay: string;
  /** Listing days from firstDay to today inclusive: the lookbackDays to give selectPapers. */
  days: number;
}

const dayNumber = (date: string) => Date.parse(`${date}T00:00:00Z`) / 86_400_000;

/** The local date a weekly period (YYYY-Www) is scheduled on for `weekday`, or null when the period is not weekly. */
export function weeklyScheduledDate(period: string, weekday: Weekday): string | null {
  const m = /^(\d{4})-W(\d{2})$/.exec(period);
  if (!m) return null;
  const d = DateTime.fromObject({ weekYear: Number(m[1]), weekNumber: Number(m[2]), weekday }, { zone: 'utc' });
  return d.isValid ? d.toISODate() : null;
}

export function editionWindow(
  sub: { timezone: string; frequency: Frequency },
  period: string | null,
  now: Date,
  lookbackDays: number,
): EditionWindow {
  const today = localDateIn(sub.timezone, now);
  const lookback = Math.min(MAX_WINDOW_DAYS, Math.max(1, Math.floor(lookbackDays)));
  let firstDay = addDays(today, -(lookback - 1));
  if (sub.frequency.kind === 'weekly') {
    const scheduled = (period && weeklyScheduledDate(period, sub.frequency.weekday)) || today;
    const sincePrevious = addDays(scheduled < today ? scheduled : today, -7);
    if (sincePrevious < firstDay) firstDay = sincePrevious;
    const earliest = addDays(today, -(MAX_WINDOW_DAYS - 1));
    if (firstDay < earliest) firstDay = earliest;
  }
  return { today, firstDay, days: dayNumber(today) - dayNumber(firstDay) + 1 };
}
