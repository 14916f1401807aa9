// What is coming up, pure: how many digests fall due in each hour ahead. The shape matches ops/due-histogram.ts
// (which counts straight from the due index with ZCOUNT), so the dashboard and `schedule show` can use either:
// - dueHistogram: from due instants (the index's scores, or anything else holding one instant per subscriber);
// - sendsHistogram: from schedules, counting EVERY send in the window (a 23-hour DST day can put two sends of one
//   daily subscriber inside 24 hours; the index only ever holds the next one).
// Hours are aligned to UTC hours; the first bucket starts at the current hour but counts only instants after `now`;
// instants at or before `now` are `overdue` (the backlog the next tick fans out).
import type { ScheduleSpec } from '../subscribers/subscriber.js';
import { occurrencesBetween } from './schedule.js';

export interface DueHour {
  start: Date; // the hour's first instant, UTC, aligned to the hour
  count: number;
}

export interface DueHistogram {
  overdue: number;
  hours: DueHour[];
}

const HOUR = 3_600_000;

function bucketize(instants: Iterable<number>, now: Date, hours: number): DueHistogram {
  const from = now.getTime();
  const firstHour = Math.floor(from / HOUR) * HOUR;
  const end = firstHour + hours * HOUR;
  const counts = new Array<number>(hours).fill(0);
  let overdue = 0;
  for (const t of instants) {
    if (!Number.isFinite(t)) continue;
    if (t <= from) overdue++;
    else if (t < end) counts[Math.floor((t - firstHour) / HOUR)]! += 1;
  }
  return { overdue, hours: counts.map((count, i) => ({ start: new Date(firstHour + i * HOUR), count })) };
}

/** One count per due instant (ms since epoch or Date). */
export function dueHistogram(dueAt: Iterable<number | Date>, now: Date, hours = 24): DueHistogram {
  function* ms() {
    for (const d of dueAt) yield typeof d === 'number' ? d : d.getTime();
  }
  return bucketize(ms(), now, hours);
}

/** Every send of every schedule in (now, now + hours], bucketed by hour; `overdue` is always 0 here. */
export function sendsHistogram(specs: Iterable<ScheduleSpec>, now: Date, hours = 24): DueHistogram {
  const until = new Date(Math.floor(now.getTime() / HOUR) * HOUR + hours * HOUR - 1);
  function* ms() {
    for (const s of specs) for (const o of occurrencesBetween(s, now, until)) yield o.at.getTime();
  }
  return bucketize(ms(), now, hours);
}
