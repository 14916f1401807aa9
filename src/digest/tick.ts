// The tick: fan out every subscriber whose next send instant has passed into one send job each, then advance
// their entry in the due index. Called by the `tick` queue's worker every tickEverySeconds (tick-scheduler.ts) and
// directly by tests with an injected clock.
//
// Exactly-once enqueueing without a lock:
// - The job id is deterministic (`digest-<subscriber>-<period>`), so a second enqueue of the same edition — a tick
//   that runs twice for one minute, two ticks racing, a tick that crashed between enqueue and advance — is absorbed
//   by BullMQ (and, should the job be gone already, by the send job's delivery ledger).
// - Jobs are enqueued BEFORE the index is advanced: a crash in between means a re-enqueue (absorbed), never a loss.
// - The advance is compare-and-set (Lua): an entry moves only if its score is still the one this tick read, so a
//   concurrent change by the subscriber store (pause, new send time, unsubscribe) is never overwritten.
// Catch-up: the edition sent is the LATEST occurrence at or before now, so a tick that was missed for an hour sends
// late, once, and a subscriber due days ago gets the current edition only, not one per missed period.
import type { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import type { Logger } from '../log.js';
import type { Settings } from '../ops/settings.js';
import { DEFAULT_JOB_OPTIONS, sendJobId, type SendJob } from '../queue/catalog.js';
import type { Keys } from '../redis/keys.js';
import { isPauseOver, nextDueAt } from '../subscribers/due.js';
import type { Subscriber } from '../subscribers/subscriber.js';
import { latestOccurrence } from './schedule.js';

/** Name of the jobs the tick adds to the send queue (the send worker processes every job in that queue). */
export const SEND_JOB_NAME = 'digest';
export const TICK_CHUNK = 500;

/** What the tick needs from the subscriber store (SubscriberStore satisfies it). */
export interface TickSubscribers {
  getMany(ids: string[]): Promise<(Subscriber | null)[]>;
  /** Status → active, due index → the next send after now. */
  resume(id: string): Promise<unknown>;
}

export interface TickDeps {
  redis: Redis;
  keys: Keys;
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
  /** Send jobs newly added. */
  enqueued: number;
  /** Send jobs that already existed (a repeated tick): absorbed by their deterministic id. */
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

// ARGV: triples (member, expected score, new score or '' to remove). Returns how many entries were changed.
// Returns one character per (id, expected, next) triple: '1' when this call moved the entry, '0' when another
// writer (a concurrent tick, a preferences change) got there first.
const COMPARE_AND_ADVANCE = `
local won = {}
for i = 1, #ARGV, 3 do
  local cur = redis.call('ZSCORE', KEYS[1], ARGV[i])
  if cur and tonumber(cur) == tonumber(ARGV[i + 1]) then
    if ARGV[i + 2] == '' then
      redis.call('ZREM', KEYS[1], ARGV[i])
    else
      redis.call('ZADD', KEYS[1], ARGV[i + 2], ARGV[i])
    end
    won[#won + 1] = '1'
  else
    won[#won + 1] = '0'
  end
end
return table.concat(won)
`;

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
  const { redis, keys, subscribers, sendQueue, log } = deps;
  const now = deps.clock();
  const nowMs = now.getTime();
  const chunk = deps.chunkSize ?? TICK_CHUNK;
  const result: TickResult = {
    at: now.toISOString(), paused: false, due: 0, enqueued: 0, duplicates: 0, advanced: 0, resumed: 0, removed: 0, stale: 0, raced: 0, errors: 0,
  };
  if (deps.settings.sendingPaused) {
    result.paused = true;
    result.due = await redis.zcount(keys.dueIndex, '-inf', nowMs);
    log.info({ due: result.due }, 'tick: sending is paused; nothing enqueued, nothing advanced');
    return result;
  }
  // Entries left in range (errors, lost races) are skipped by offset so they never block the ones behind them.
  // Rounds are bounded by what was due at the start (plus slack for entries that fall due meanwhile), so a writer
  // that keeps putting entries back in range cannot keep one tick running forever.
  let offset = 0;
  const maxRounds = Math.ceil((await redis.zcount(keys.dueIndex, '-inf', nowMs)) / chunk) + 10;
  for (let round = 0; round < maxRounds; round++) {
    const rows = await redis.zrangebyscore(keys.dueIndex, '-inf', nowMs, 'WITHSCORES', 'LIMIT', offset, chunk);
    if (rows.length === 0) break;
    const entries: { id: string; score: number }[] = [];
    for (let i = 0; i < rows.length; i += 2) entries.push({ id: rows[i]!, score: Number(rows[i + 1]) });
    result.due += entries.length;

    const subs = await subscribers.getMany(entries.map((e) => e.id));
    const plans = entries.map((e, i) => plan(subs[i] ?? null, e.id, e.score, now, log));

    // 1. enqueue (before advancing: a crash here re-enqueues next tick, absorbed by the job id)
    const sends = plans.flatMap((p) => (p.kind === 'send' ? [p.job] : []));
    const freshIds = new Set<string>();
    if (sends.length) {
      const ids = sends.map((j) => sendJobId(j.subscriberId, j.period));
      // Counted for the log (the add would absorb them anyway); the queue lives in the same Redis as the index.
      const exists = await Promise.all(ids.map((jid) => redis.exists(sendQueue.toKey(jid))));
      const fresh = sends.filter((_, i) => exists[i] === 0);
      for (const j of fresh) freshIds.add(j.subscriberId);
      if (fresh.length) {
        await sendQueue.addBulk(
          fresh.map((data) => ({ name: SEND_JOB_NAME, data, opts: { ...DEFAULT_JOB_OPTIONS.send, jobId: sendJobId(data.subscriberId, data.period) } })),
        );
      }
    }

    // 2. advance, compare-and-set
    const argv: string[] = [];
    const attemptedPlans: Plan[] = [];
    let attempted = 0;
    entries.forEach((e, i) => {
      const p = plans[i]!;
      if (p.kind === 'error') return;
      attempted++;
      attemptedPlans.push(p);
      argv.push(e.id, String(e.score), p.next === null ? '' : String(p.next));
      if (p.kind === 'advance') {
        if (p.why === 'stale') result.stale++;
        else if (p.next === null) result.removed++;
      }
      if (p.kind === 'send' && p.next === null) result.removed++;
    });
    const won = argv.length ? String(await redis.eval(COMPARE_AND_ADVANCE, 1, keys.dueIndex, ...argv)) : '';
    const changed = [...won].filter((c) => c === '1').length;
    // Attribution for the log and metrics: an edition counts as enqueued by the tick that created its job AND moved
    // its entry on; two ticks racing over the same entries both add (the job id absorbs one), only one wins here.
    attemptedPlans.forEach((p, i) => {
      if (p.kind !== 'send') return;
      if (won[i] === '1' && freshIds.has(p.job.subscriberId)) result.enqueued++;
      else result.duplicates++;
    });
    result.advanced += changed;
    result.raced += attempted - changed;
    result.errors += entries.length - attempted;

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
    offset += entries.length - attempted;
    if (rows.length < chunk * 2) break;
  }
  const level = result.due > 0 ? 'info' : 'debug';
  log[level]({ due: result.due, enqueued: result.enqueued, duplicates: result.duplicates, advanced: result.advanced, resumed: result.resumed, removed: result.removed, stale: result.stale, raced: result.raced, errors: result.errors }, 'tick');
  return result;
}
