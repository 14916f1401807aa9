// Are the papers fresh by what they are, not only by when a scrape last succeeded? Loading a 69-day-old file made
// the dashboard's "Papers fresh" green and /readyz 200 while every live scrape was failing. The newest listed
// day is judged against today (in the scrape zone) in weekdays: HF lists nothing on most weekends, and a public
// holiday or two may pass without a listing, so up to MAX_MISSING_WEEKDAYS weekdays without one are tolerated
// (today itself is not counted: its listing may not have started yet). Pure.
import { DateTime } from 'luxon';

export const MAX_MISSING_WEEKDAYS = 2;

export interface ListingFreshness {
  newestDay: string | null;
  /** Weekdays strictly between the newest listed day and today. */
  missingWeekdays: number | null;
  fresh: boolean;
  /** Why not fresh, in words an operator acts on; null when fresh. */
  reason: string | null;
}

export function judgeListingFreshness(newestDay: string | null, now: Date, zone: string): ListingFreshness {
  // Nothing listed yet (a fresh install whose scrapes found quiet days): the scrape age alone judges.
  if (!newestDay) return { newestDay, missingWeekdays: null, fresh: true, reason: null };
  const today = DateTime.fromJSDate(now, { zone }).startOf('day');
  let missing = 0;
  for (let d = DateTime.fromISO(newestDay, { zone }).plus({ days: 1 }); d < today && missing <= 366; d = d.plus({ days: 1 })) {
    if (d.weekday <= 5) missing++;
  }
  const fresh = missing <= MAX_MISSING_WEEKDAYS;
  return {
    newestDay,
    missingWeekdays: missing,
    fresh,
    reason: fresh
      ? null
      : `the newest listed day is ${newestDay}, ${missing} weekdays without a listing since: scrapes succeed but bring no new days (an old file loaded, or a source stuck)`,
  };
}
