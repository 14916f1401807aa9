// The tick: fan out every subscriber whose next send instant has passed into send jobs (one each when few are due,
// batches of up to 50 editions when many are: fanOutJobs), then advance their entry in the due index. Called by the `tick` queue's worker every tickEverySeconds (tick-scheduler.ts) and
// directly by tests with an injected clock.
//
// Exactly-once enqueueing without a lock:
// - The job id is deterministic (`digest-<subscriber>-<period>`; a batch's is a hash of its editions), so a second
//   enqueue of the same edition — a tick that crashed between enqueue and advance and re-reads the same entries —
//   is absorbed by BullMQ; otherwise (two ticks racing, reading different batches; the job gone already) by the
//   send job's delivery ledger, whose claim lets one job deliver an edition and the others find it settled.
// - Jobs are enqueued BEFORE the index is advanced: a crash in between means a re-enqueue (absorbed), never a loss.
// - The advance is compare-and-set (the subscriber store's advanceDue): an entry moves only if its score is still the
//   one this tick read, so a concurrent change (pause, new send time, unsubscribe) is never overwritten.
// Catch-up: the edition sent is the LATEST occurrence at or before now, so a tick that was missed for an hour sends
// late, once, and a subscriber due days ago gets the current edition only, not one per missed period.
//
// Throughput (a million due at once must fan out within one tick interval): per batch of entries, one ZRANGEBYSCORE,
// one script reading just the five fields the schedule needs (store.dueRecords), one BullMQ addBulk (20 jobs of 50 when
// a million are due),
// one compare-and-set script; the schedule is computed once per distinct (zone, send time, frequency) (tick-plan.ts).
// Up to `concurrency` batches are in flight so Node prepares one while Redis runs another's scripts. Reading ahead
// while earlier batches are unadvanced uses an offset that skips the entries still in flight; the advances and the
// reads go over the same connection in order, so the offset is exact unless another writer moves entries meanwhile —
// then an entry is seen twice (its job id and the compare-and-set absorb it: counted a duplicate) or skipped by
// this read and found by the final pass, which re-reads from the start once nothing is in flight.
import type { Queue } from 'bullmq';
import type { Logger } from '../log.js';
import type { Settings } from '../settings/schema.js';
import { DEFAULT_JOB_OPTIONS, JOB_NAMES, SEND_BATCH_JOB_NAME, SEND_BATCH_MAX, sendBatchJobId, sendJobId, type SendBatchJob, type SendJob } from '../queue/catalog.js';
import type { DueEntry, SubscriberStore } from '../subscribers/store.js';
import { planEntry, TickSchedules, type Plan } from './tick-plan.js';

export const TICK_CHUNK = 1_000;
/** Batches in flight at once: enough to keep Node and Redis both busy on two cores. */
export const TICK_CONCURRENCY = 3;

/** What the tick needs from the subscriber store: the due index, the fields it schedules by, and resume. */
export type TickSubscribers = Pick<SubscriberStore, 'dueRecords' | 'resume' | 'countDue' | 'dueEntries' | 'advanceDue'>;

export interface TickDeps {
  subscribers: TickSubscribers;
  sendQueue: Queue;
  clock: () => Date;
  log: Logger;
  /** sendConcurrency: sends the fleet runs at once (default 8); batch jobs are sized to give each slot at least one (batchSizeFor). */
  settings: Pick<Settings, 'sendingPaused'> & Partial<Pick<Settings, 'sendConcurrency'>>;
  /** Entries read, jobs added and entries advanced per round trip (default 1,000). */
  chunkSize?: number;
  /** Batches in flight at once (default 3). */
  concurrency?: number;
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

const SEND_OPTS = DEFAULT_JOB_OPTIONS.send;
const DEFAULT_SPREAD = 8;

type FanOutJob =
  | { name: typeof JOB_NAMES.send; data: SendJob; opts: typeof SEND_OPTS & { jobId: string } }
  | { name: typeof SEND_BATCH_JOB_NAME; data: SendBatchJob; opts: typeof SEND_OPTS & { jobId: string } };

/**
 * Editions per send job for a tick that found `due` entries: at least one job per send slot of the fleet
 * (`spread` = sendConcurrency), at most SEND_BATCH_MAX editions each. A large range costs one BullMQ job per 50
 * editions instead of one each (most of the tick's CPU and Redis work per subscriber was BullMQ's add); a moderate
 * one still reaches every slot; a few due subscribers get a job each. (Four jobs per slot, tried, made the steady
 * bench's small ticks cost 36 µs per subscriber instead of 30 in paired runs on a loaded machine — 16–17 µs alone —
 * for a shorter tail that is well under a second.)
 */
export function batchSizeFor(due: number, spread: number): number {
  return Math.max(1, Math.min(SEND_BATCH_MAX, Math.ceil(due / (JOBS_PER_SLOT * Math.max(1, spread)))));
}
export const JOBS_PER_SLOT = 1;

/** One read's editions as send jobs of about `size` editions, sizes as even as possible; a job of one is a plain `digest` job. */
export function fanOutJobs(sends: readonly SendJob[], size: number): FanOutJob[] {
  const count = Math.ceil(sends.length / Math.max(1, size));
  const jobs: FanOutJob[] = [];
  let start = 0;
  for (let j = 1; j <= count; j++) {
    const end = Math.round((j * sends.length) / count);
    const part = sends.slice(start, end);
    start = end;
    if (part.length === 1) jobs.push({ name: JOB_NAMES.send, data: part[0]!, opts: { ...SEND_OPTS, jobId: sendJobId(part[0]!.subscriberId, part[0]!.period) } });
    else jobs.push({ name: SEND_BATCH_JOB_NAME, data: { editions: part }, opts: { ...SEND_OPTS, jobId: sendBatchJobId(part) } });
  }
  return jobs;
}

export async function runTick(deps: TickDeps): Promise<TickResult> {
  const { subscribers, sendQueue, log } = deps;
  const now = deps.clock();
  const chunk = deps.chunkSize ?? TICK_CHUNK;
  const concurrency = Math.max(1, deps.concurrency ?? TICK_CONCURRENCY);
  const result: TickResult = {
    at: now.toISOString(), paused: false, due: 0, enqueued: 0, duplicates: 0, advanced: 0, resumed: 0, removed: 0, stale: 0, raced: 0, errors: 0,
  };
  if (deps.settings.sendingPaused) {
    result.paused = true;
    result.due = await subscribers.countDue(atOrBefore(now));
    log.info({ due: result.due }, 'tick: sending is paused; nothing enqueued, nothing advanced');
    return result;
  }
  const schedules = new TickSchedules(now);
  let batchSize = 1; // set from the due count before the first read
  // Read offset = entries known to stay in range (errors) + entries read whose advance has not been sent yet.
  const offset = { stays: 0, inFlight: 0 };

  const runBatch = async (entries: DueEntry[]): Promise<void> => {
    const recs = await subscribers.dueRecords(entries.map((e) => e.id));
    const plans: Plan[] = new Array<Plan>(entries.length);
    const sends: SendJob[] = [];
    for (let i = 0; i < entries.length; i++) {
      const e = entries[i]!;
      const p = planEntry(recs[i] ?? null, e.id, e.dueMs, schedules);
      plans[i] = p;
      if (p.kind === 'send') sends.push(p.job);
      else if (p.kind === 'error') log.error({ err: p.err, subscriberId: e.id }, 'cannot schedule subscriber (left in the due index)');
    }

    // 1. enqueue (before advancing: a crash here re-enqueues next tick, absorbed by the job id)
    if (sends.length) await sendQueue.addBulk(fanOutJobs(sends, batchSize));

    // 2. advance, compare-and-set
    const moves: { id: string; expectedMs: number; nextMs: number | null }[] = [];
    const attempted: Plan[] = [];
    for (let i = 0; i < entries.length; i++) {
      const p = plans[i]!;
      if (p.kind === 'error') continue;
      attempted.push(p);
      moves.push({ id: entries[i]!.id, expectedMs: entries[i]!.dueMs, nextMs: p.next });
      if (p.kind === 'advance') {
        if (p.why === 'stale') result.stale++;
        else if (p.next === null) result.removed++;
      } else if (p.next === null) result.removed++;
    }
    // From the moment the advance is sent, a read behind it sees these entries moved on (same connection, in order).
    offset.inFlight -= entries.length;
    offset.stays += entries.length - moves.length;
    const won = await subscribers.advanceDue(moves);
    let changed = 0;
    // Attribution for the log and metrics: an edition counts as enqueued by the tick that moved its entry on — one
    // tick, whatever raced it. Two ticks racing over the same entries both add (the job id absorbs one); the one
    // whose advance lost counts a duplicate. (A tick that crashed between its add and its advance counted nothing;
    // the next one counts the edition once.)
    for (let i = 0; i < attempted.length; i++) {
      if (won[i]) changed++;
      if (attempted[i]!.kind !== 'send') continue;
      if (won[i]) result.enqueued++;
      else result.duplicates++;
    }
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
  };

  // Reads are bounded by what was due at the start (plus slack for entries that fall due meanwhile), so a writer
  // that keeps putting entries back in range cannot keep one tick running forever.
  const dueAtStart = await subscribers.countDue(atOrBefore(now));
  const maxReads = Math.ceil(dueAtStart / chunk) + 10;
  batchSize = batchSizeFor(dueAtStart, deps.settings.sendConcurrency ?? DEFAULT_SPREAD);
  const running = new Set<Promise<void>>();
  let failure: { err: unknown } | null = null;
  for (let reads = 0; reads < maxReads && !failure; ) {
    if (running.size >= concurrency) {
      await Promise.race(running);
      continue;
    }
    const entries = await subscribers.dueEntries(now, offset.stays + offset.inFlight, chunk);
    if (entries.length === 0) {
      if (running.size === 0) break;
      await Promise.all(running); // then read once more from the start: nothing in flight, the offset is exact
      continue;
    }
    reads++;
    result.due += entries.length;
    offset.inFlight += entries.length;
    const batch: Promise<void> = runBatch(entries)
      .catch((err: unknown) => {
        failure ??= { err };
      })
      .finally(() => running.delete(batch));
    running.add(batch);
  }
  await Promise.all(running);
  if (failure) throw (failure as { err: unknown }).err;
  const level = result.due > 0 ? 'info' : 'debug';
  log[level]({ due: result.due, enqueued: result.enqueued, duplicates: result.duplicates, advanced: result.advanced, resumed: result.resumed, removed: result.removed, stale: result.stale, raced: result.raced, errors: result.errors }, 'tick');
  return result;
}

/** The bound that makes countDue (exclusive) count what the tick takes (at or before now): scores are whole ms. */
function atOrBefore(now: Date): Date {
  return new Date(now.getTime() + 1);
}
