// What the tick does with one due entry, pure: send the edition that fell due and move the entry on, only move it
// (stale or not sendable), or leave it (cannot schedule). `now` is fixed for a whole tick, so every subscriber with
// the same zone, send time and frequency falls due at the same occurrence and moves on to the same next instant:
// TickSchedules computes that once per schedule (a million readers of 08:00 Berlin cost one schedule computation,
// not a million), from the fields the store reads for the tick (store.dueRecords), never the whole record.
import type { SendJob } from '../queue/catalog.js';
import { latestOccurrence, nextSendAt } from '../schedule/schedule.js';
import type { ScheduleSpec } from '../schedule/spec.js';
import { isPauseOver, nextDueAt } from '../subscribers/due.js';
import { parseFrequency, parseSendTime } from '../subscribers/preferences.js';
import type { DueRecord } from '../subscribers/store.js';

export type Plan =
  | { kind: 'send'; job: SendJob; next: number | null; resume: boolean }
  | { kind: 'advance'; next: number | null; why: 'stale' | 'removed' }
  | { kind: 'error'; err: unknown };

/** An active schedule at the tick's instant: the edition that fell due last, and the send instant after now. */
interface Due {
  period: string;
  atMs: number;
  dueAt: string;
  nextMs: number;
}

/** Per-tick memo of schedule computations, keyed by the stored zone, send time and frequency. */
export class TickSchedules {
  private readonly memo = new Map<string, Due | Error>();
  private readonly specs = new Map<string, ScheduleSpec | Error>();

  constructor(readonly now: Date) {}

  spec(rec: DueRecord): ScheduleSpec {
    const key = `${rec.timezone}\x1f${rec.sendTime}\x1f${rec.frequency}`;
    let s = this.specs.get(key);
    if (s === undefined) {
      const sendTime = parseSendTime(rec.sendTime);
      const frequency = parseFrequency(rec.frequency);
      s = sendTime && frequency && rec.timezone ? { timezone: rec.timezone, sendTime, frequency } : new Error('subscriber record is corrupt (send time, frequency or zone)');
      this.specs.set(key, s);
    }
    if (s instanceof Error) throw s;
    return s;
  }

  /** For an active subscriber (or one whose pause is over): the edition due at or before now, and the next send. */
  due(rec: DueRecord): Due {
    const key = `${rec.timezone}\x1f${rec.sendTime}\x1f${rec.frequency}`;
    let d = this.memo.get(key);
    if (d === undefined) {
      try {
        const spec = this.spec(rec);
        const occ = latestOccurrence(spec, this.now);
        d = { period: occ.period, atMs: occ.at.getTime(), dueAt: occ.at.toISOString(), nextMs: nextSendAt(spec, this.now).getTime() };
      } catch (err) {
        d = err instanceof Error ? err : new Error(String(err));
      }
      this.memo.set(key, d);
    }
    if (d instanceof Error) throw d;
    return d;
  }
}

export function planEntry(rec: DueRecord | null, id: string, score: number, schedules: TickSchedules): Plan {
  if (!rec) return { kind: 'advance', next: null, why: 'removed' };
  const now = schedules.now;
  try {
    const pauseOver = rec.status === 'paused' && isPauseOver(rec, now);
    if (rec.status !== 'active' && !pauseOver) {
      // Paused and not over yet (changed after the read), or never due at all: whatever the store says now.
      const spec = schedules.spec(rec);
      const next = nextDueAt({ status: rec.status, pausedUntil: rec.pausedUntil, ...spec }, now);
      return { kind: 'advance', next: next ? next.getTime() : null, why: next ? 'stale' : 'removed' };
    }
    const due = schedules.due(rec);
    // The score should be an occurrence of the current schedule. Earlier than it means the schedule changed after
    // this tick read the index: do not guess an edition, follow the current schedule.
    if (due.atMs < score) return { kind: 'advance', next: due.nextMs, why: 'stale' };
    return { kind: 'send', job: { subscriberId: id, period: due.period, dueAt: due.dueAt }, next: due.nextMs, resume: pauseOver };
  } catch (err) {
    return { kind: 'error', err };
  }
}
