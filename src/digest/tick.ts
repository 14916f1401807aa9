// The tick: fan out every subscriber whose next send instant has passed into one send job each, then advance
// their entry in the due index. Called by the `tick` queue's worker every tickEverySeconds (tick-scheduler.ts) and
// directly by tests with an injected clock.
//
// Exactly-once enqueueing without a lock:
// - The job id is deterministic (`digest-<subscriber>-<period>`), so a second enqueue of the same edition — a tick
//   that runs twice for one minute, two ticks racing, a tick that crashed between enqueue and advance — is absorbed
//   by BullMQ (and, should the job be gone already, by the send job's delivery ledger).
// - Jobs are enqueued BEFORE the index is advanced: a crash in between means a re-enqueue (absorbed), never a loss.
// - The advance is compare-and-set (the subscriber store's advanceDue): an entry moves only if its score is still the
//   one this tick read, so a concurrent change (pause, new send time, unsubscribe) is never overwritten.
// Catch-up: the edition sent is the LATEST occurrence at or before now, so a tick that was missed for an hour sends
// late, once, and a subscriber due days ago gets the current edition only, not one per missed period.
import type { Queue } from 'bullmq';
import type { Logger } from '../log.js';
import type { Settings } from '../settings/schema.js';
import { DEFAULT_JOB_OPTIONS, JOB_NAMES, sendJobId, type SendJob } from '../queue/catalog.js';
import { isPauseOver, nextDueAt } from '../subscribers/due.js';
import type { SubscriberStore } from '../subscribers/store.js';
import type { Subscriber } from '../subscribers/subscriber.js';
import { latestOccurrence } from '../schedule/schedule.js';

export const TICK_CHUNK = 500;

/** What the tick needs from the subscriber store: the due index, the records, and resume (status → active). */
export type TickSubscribers = Pick<SubscriberStore, 'getMany' | 'resume' | 'countDue' | 'dueEntries' | 'advanceDue'>;

export interface TickDeps {
  subscribers: TickSubscribers;
  sendQueue: Queue;
  clock: () => Date;
  log: Logger;
  settings: Pick<Settings, 'sendingPaused'>;
  /** Entries read, jobs added and entries advanced per round trip (default 500). */
  chunkSize?: number;
}

export interface TickResult {
  at: string;
  /** sendingPaused was on: nothing enqueued, nothing advanced. */
  paused: boolean;
  /** Entries in the due index with a score at or before now. */
  due: number;
  /** Editions fanned out: their send job added and their entry moved on by this tick. */
  enqueued: number;
  /** Editions another tick fanned out first (racing over the same entries): the job id absorbed this add. */
  duplicates: number;
  /** Entries moved to their next send instant (or removed). */
  advanced: number;
  /** Paused subscribers whose pause was over: resumed. */
  resumed: number;
  /** Entries that should not be in the index (unsubscribed, bouncing, pending, gone): removed. */
  removed: number;
  /** Entries due by score but not by the subscriber's current schedule (changed meanwhile): re-advanced, not sent. */
  stale: number;
  /** Entries whose compare-and-set lost to a concurrent change (left as the other writer put them). */
  raced: number;
  /** Subscribers that could not be processed (logged; left in place for the next tick). */
  errors: number;
}

type Plan =
  | { kind: 'send'; job: SendJob; next: number | null; resume: boolean }
  | { kind: 'advance'; next: number | null; why: 'stale' | 'removed' }
  | { kind: 'error' };

function plan(sub: Subscriber | null, id: string, score: number, now: Date, log: Logger): Plan {
  if (!sub) return { kind: 'advance', next: null, why: 'removed' };
  try {
    const pauseOver = sub.status === 'paused' && isPauseOver(sub, now);
    if (sub.status !== 'active' && !pauseOver) {
      // Paused and not over yet (changed after the read), or never due at all: whatever the store says now.
      const next = nextDueAt(sub, now);
      return { kind: 'advance', next: next ? next.getTime() : null, why: next ? 'stale' : 'removed' };
    }
    const occ = latestOccurrence(sub, now);
    const active: Subscriber = { ...sub, status: 'active' };
    const next = nextDueAt(active, now)!.getTime();
    // The score should be an occurrence of the current schedule. Earlier than it means the schedule changed after
    // this tick read the index: do not guess an edition, follow the current schedule.
    if (occ.at.getTime() < score) return { kind: 'advance', next, why: 'stale' };
    return { kind: 'send', job: { subscriberId: id, period: occ.period, dueAt: occ.at.toISOString() }, next, resume: pauseOver };
  } catch (err) {
    log.error({ err, subscriberId: id }, 'cannot schedule subscriber (left in the due index)');
    return { kind: 'error' };
  }
}

export async function runTick(deps: TickDeps): Promise<TickResult> {
  const { subscribers, sendQueue, log } = deps;
  const now = deps.clock();
  const chunk = deps.chunkSize ?? TICK_CHUNK;
  const result: TickResult = {
    at: now.toISOString(), paused: false, due: 0, enqueued: 0, duplicates: 0, advanced: 0, resumed: 0, removed: 0, stale: 0, raced: 0, errors: 0,
  };
  if (deps.settings.sendingPaused) {
    result.paused = true;
    result.due = await subscribers.countDue(atOrBefore(now));
    log.info({ due: result.due }, 'tick: sending is paused; nothing enqueued, nothing advanced');
    return result;
  }
  // Entries left in range (errors, lost races) are skipped by offset so they never block the ones behind them.
  // Rounds are bounded by what was due at the start (plus slack for entries that fall due meanwhile), so a writer
  // that keeps putting entries back in range cannot keep one tick running forever.
  let offset = 0;
  const maxRounds = Math.ceil((await subscribers.countDue(atOrBefore(now))) / chunk) + 10;
  for (let round = 0; round < maxRounds; round++) {
    const entries = await subscribers.dueEntries(now, offset, chunk);
    if (entries.length === 0) break;
    result.due += entries.length;

    const subs = await subscribers.getMany(entries.map((e) => e.id));
    const plans = entries.map((e, i) => plan(subs[i] ?? null, e.id, e.dueMs, now, log));

    // 1. enqueue (before advancing: a crash here re-enqueues next tick, absorbed by the job id)
    const sends = plans.flatMap((p) => (p.kind === 'send' ? [p.job] : []));
    if (sends.length) {
      await sendQueue.addBulk(sends.map((data) => ({ name: JOB_NAMES.send, data, opts: { ...DEFAULT_JOB_OPTIONS.send, jobId: sendJobId(data.subscriberId, data.period) } })));
    }

    // 2. advance, compare-and-set
    const moves: { id: string; expectedMs: number; nextMs: number | null }[] = [];
    const attemptedPlans: Plan[] = [];
    entries.forEach((e, i) => {
      const p = plans[i]!;
      if (p.kind === 'error') return;
      attemptedPlans.push(p);
      moves.push({ id: e.id, expectedMs: e.dueMs, nextMs: p.next });
      if (p.kind === 'advance') {
        if (p.why === 'stale') result.stale++;
        else if (p.next === null) result.removed++;
      }
      if (p.kind === 'send' && p.next === null) result.removed++;
    });
    const won = await subscribers.advanceDue(moves);
    const changed = won.filter(Boolean).length;
    // Attribution for the log and metrics: an edition counts as enqueued by the tick that moved its entry on — one
    // tick, whatever raced it. Two ticks racing over the same entries both add (the job id absorbs one); the one
    // whose advance lost counts a duplicate. (A tick that crashed between its add and its advance counted nothing;
    // the next one counts the edition once.)
    attemptedPlans.forEach((p, i) => {
      if (p.kind !== 'send') return;
      if (won[i]) result.enqueued++;
      else result.duplicates++;
    });
    result.advanced += changed;
    result.raced += moves.length - changed;
    result.errors += entries.length - moves.length;

    // 3. end pauses whose date has come (the store moves the index on from the edition just enqueued)
    for (const p of plans) {
      if (p.kind !== 'send' || !p.resume) continue;
      try {
        await subscribers.resume(p.job.subscriberId);
        result.resumed++;
      } catch (err) {
        log.error({ err, subscriberId: p.job.subscriberId }, 'could not resume subscriber after the pause');
      }
    }

    // Advanced entries left the range; raced ones may or may not have (the other writer set a future score in
    // every path the store has), errors stayed. Skip what is known to stay.
    offset += entries.length - moves.length;
    if (entries.length < chunk) break;
  }
  const level = result.due > 0 ? 'info' : 'debug';
  log[level]({ due: result.due, enqueued: result.enqueued, duplicates: result.duplicates, advanced: result.advanced, resumed: result.resumed, removed: result.removed, stale: result.stale, raced: result.raced, errors: result.errors }, 'tick');
  return result;
}

/** The bound that makes countDue (exclusive) count what the tick takes (at or before now): scores are whole ms. */
function atOrBefore(now: Date): Date {
  return new Date(now.getTime() + 1);
}
