// The gap between two digests after a change of zone, send time or frequency, pure. Moving a reader west (or
// east) can put the new schedule's next send minutes after the last one — two digests 12 minutes apart, for two
// local dates. After such a change the next send is the first occurrence of the new schedule that
// - comes at least MIN_GAP after the last send of the old one (20 h for daily, 6 days for weekly: the cadence less
//   a margin, so a modest move of the send time still lands on the next natural day or week), and
// - is another edition than the last one: moving west repeats a local date, and that edition was delivered already
//   (its job id and the ledger would absorb it — better not to schedule it at all).
import { latestOccurrence, nextOccurrence, type Occurrence } from './schedule.js';
import type { Frequency, ScheduleSpec } from './spec.js';

const HOUR_MS = 3_600_000;

/** The least time between two digests of one reader after a schedule change. */
export function minGapMs(frequency: Frequency): number {
  return frequency.kind === 'daily' ? 20 * HOUR_MS : 6 * 24 * HOUR_MS;
}

/**
 * The last send under `prev` as of `now`: its latest occurrence at or before now — unless the due index still holds
 * that occurrence unsent (`dueMs` at or before now: the tick has not reached it), then the one before.
 */
export function lastSendUnder(prev: ScheduleSpec, now: Date, dueMs: number | null): Occurrence {
  const ref = dueMs !== null && dueMs <= now.getTime() ? Math.min(now.getTime(), dueMs - 1) : now.getTime();
  return latestOccurrence(prev, new Date(ref));
}

/** The first send of `next` strictly after `now` that keeps the gap after `last` and is not `last`'s edition. */
export function nextSendAfterChange(next: ScheduleSpec, now: Date, last: Pick<Occurrence, 'at' | 'period'> | null): Occurrence {
  let from = now.getTime();
  if (last) from = Math.max(from, last.at.getTime() + minGapMs(next.frequency) - 1);
  for (let i = 0; ; i++) {
    const occ = nextOccurrence(next, new Date(from));
    if (!last || occ.period !== last.period || i >= 3) return occ;
    from = occ.at.getTime();
  }
}
