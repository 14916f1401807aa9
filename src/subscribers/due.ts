// What the due index (ZSET id → ms) holds for a subscriber: the next instant the tick should look at them, or
// null when it never should. Pure; the store calls it on every write so the index and the record never disagree.
//
// - active: the first send instant strictly after `now`.
// - paused until D (YYYY-MM-DD, their zone): the first send instant on or after local midnight starting D (and
//   after `now`). When the tick reaches that entry it finds the subscriber still `paused` with the pause over
//   (`isPauseOver`), calls `store.resume(id)` (status → active, due index → the following send), and sends the
//   edition that fell due. Nothing else needs to run for a pause to end.
// - pending, unsubscribed, bouncing (and paused without a date): null — not in the index.
import { DateTime } from 'luxon';
import { nextSendAt } from '../schedule/schedule.js';
import type { Subscriber } from './subscriber.js';

export type DueFields = Pick<Subscriber, 'status' | 'pausedUntil' | 'timezone' | 'sendTime' | 'frequency'>;

/** Local midnight at the start of `date` in `zone`, as an instant. */
function startOfLocalDay(date: string, zone: string): Date | null {
  const d = DateTime.fromISO(date, { zone });
  return d.isValid ? d.startOf('day').toJSDate() : null;
}

export function nextDueAt(sub: DueFields, now: Date): Date | null {
  if (sub.status === 'active') return nextSendAt(sub, now);
  if (sub.status === 'paused' && sub.pausedUntil) {
    const resumeAt = startOfLocalDay(sub.pausedUntil, sub.timezone);
    if (!resumeAt) return null;
    // nextSendAt is strictly after; one ms before midnight makes a send at 00:00 on D count.
    const from = Math.max(now.getTime(), resumeAt.getTime() - 1);
    return nextSendAt(sub, new Date(from));
  }
  return null;
}

/** True when a paused subscriber's pause has ended at `now` (their local date is on or after pausedUntil). */
export function isPauseOver(sub: Pick<Subscriber, 'status' | 'pausedUntil' | 'timezone'>, now: Date): boolean {
  if (sub.status !== 'paused' || !sub.pausedUntil) return false;
  const resumeAt = startOfLocalDay(sub.pausedUntil, sub.timezone);
  return resumeAt !== null && now.getTime() >= resumeAt.getTime();
}
