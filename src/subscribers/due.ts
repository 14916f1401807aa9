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
import { lastSendUnder, nextSendAfterChange } from '../schedule/gap.js';
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

function sameSchedule(a: DueFields, b: DueFields): boolean {
  const fa = a.frequency;
  const fb = b.frequency;
  return a.timezone === b.timezone && a.sendTime.hour === b.sendTime.hour && a.sendTime.minute === b.sendTime.minute &&
    fa.kind === fb.kind && (fa.kind === 'daily' || (fb.kind === 'weekly' && fa.weekday === fb.weekday));
}

export type DueBefore = DueFields & Partial<Pick<Subscriber, 'createdAt' | 'confirmedAt'>>;

/**
 * What the due index should hold after a write that turned `before` into `after`, given what it holds now
 * (`currentMs`, null when absent). Pure; the store calls it on every update.
 * - Nothing that decides when they are due changed (status, pause, zone, send time, frequency): keep the entry as it
 *   is — it may be a due edition the tick has not reached yet, or a send held back by the gap rule below.
 * - An active reader changed zone, send time or frequency: the next send keeps the minimum gap after the last one
 *   under the old schedule (schedule/gap.ts) — unless that "last one" came before they were active (never sent).
 * - Anything else: nextDueAt.
 */
export function dueAfterWrite(before: DueBefore, after: DueFields, now: Date, currentMs: number | null): Date | null {
  const next = nextDueAt(after, now);
  if (!next) return null;
  const schedule = sameSchedule(before, after);
  if (schedule && before.status === after.status && before.pausedUntil === after.pausedUntil && currentMs !== null) return new Date(currentMs);
  if (schedule || before.status !== 'active' || after.status !== 'active') return next;
  const last = lastSendUnder(before, now, currentMs);
  const since = Date.parse(before.confirmedAt ?? before.createdAt ?? '');
  if (Number.isFinite(since) && last.at.getTime() < since) return next;
  return nextSendAfterChange(after, now, last).at;
}
