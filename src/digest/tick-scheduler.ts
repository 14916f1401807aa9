// BullMQ wiring for the tick: a job scheduler in its own `tick` queue (so a tick never waits behind send jobs)
// firing every `tickEverySeconds`, re-applied live when the setting changes, and a worker (concurrency 1) that runs
// runTick with the settings read fresh each time. Upserting the scheduler is idempotent, so every worker process
// may do it. The same queue carries the daily papers prune (papers older than the longest selection window plus the
// archive's 30 days go): one job per day whichever worker takes it, and the prune itself is idempotent.
import { Queue, type Worker } from 'bullmq';
import type { Context } from '../context.js';
import type { Metrics } from '../metrics/metrics.js';
import type { PaperStore } from '../papers/store.js';
import { ARCHIVE_RETENTION_DAYS } from '../papers/store.js';
import { DEFAULT_JOB_OPTIONS, JOB_NAMES, PRUNE_JOB, QUEUE_STREAMS, QUEUES, TICK_SCHEDULER_ID } from '../queue/catalog.js';
import { startQueueWorker, type QueueWorker } from '../queue/worker.js';
import { runTick, type TickResult, type TickSubscribers } from './tick.js';
import { MAX_WINDOW_DAYS } from './window.js';
import { throttledErrorLog } from '../util/error-throttle.js';

/** Listing days of papers kept: the longest selection window plus the archive's retention. */
export const PAPERS_KEEP_DAYS = MAX_WINDOW_DAYS + ARCHIVE_RETENTION_DAYS;

export interface TickSchedulerOptions {
  ctx: Context;
  subscribers: TickSubscribers;
  /** The send queue producer; one is opened (and closed) here when not given. */
  sendQueue?: Queue;
  /** Counts each tick's outcomes (papers_digest_tick_entries_total). */
  metrics?: Pick<Metrics, 'tickEntries'>;
  /** Called after each tick (tests). */
  onTick?: (result: TickResult) => void;
  /** When given, the daily prune of old papers runs in this queue too. */
  papers?: Pick<PaperStore, 'prune'>;
}

export interface TickScheduler {
  tickQueue: Queue;
  sendQueue: Queue;
  worker: Worker;
  /** The interval currently applied to the scheduler, in seconds. */
  everySeconds(): number;
  stop(): Promise<void>;
}

/**
 * The tick's repeat rule. An interval that divides a minute or an hour becomes a UTC cron pattern with a seconds
 * field, so ticks land on the minute (:00) and a digest due at 07:30:00 goes out within moments, not up to a whole
 * interval later as with a plain `every` counted from whenever the scheduler was first created. Other intervals
 * fall back to `every`.
 */
export function tickRepeat(everySeconds: number): { pattern: string; tz: string } | { every: number } {
  if (everySeconds <= 60 && 60 % everySeconds === 0) {
    return { pattern: everySeconds === 60 ? '0 * * * * *' : `*/${everySeconds} * * * * *`, tz: 'UTC' };
  }
  if (everySeconds % 60 === 0 && 3600 % everySeconds === 0) return { pattern: `0 */${everySeconds / 60} * * * *`, tz: 'UTC' };
  return { every: everySeconds * 1000 };
}

export async function upsertTickScheduler(tickQueue: Queue, everySeconds: number): Promise<void> {
  await tickQueue.upsertJobScheduler(TICK_SCHEDULER_ID, tickRepeat(everySeconds), { name: JOB_NAMES.tick, data: {}, opts: { ...DEFAULT_JOB_OPTIONS.tick } });
}

export async function startTickScheduler(opts: TickSchedulerOptions): Promise<TickScheduler> {
  const { ctx } = opts;
  const log = ctx.log.child({ mod: 'tick' });
  const live = await ctx.liveSettings();
  const ownSendQueue = !opts.sendQueue;
  const sendQueue = opts.sendQueue ?? new Queue(QUEUES.send, { connection: ctx.newRedis('send-producer', true), prefix: ctx.config.redisPrefix, streams: QUEUE_STREAMS });
  // Without a listener BullMQ prints connection errors raw to stderr; keep them in the structured log.
  if (ownSendQueue) sendQueue.on('error', throttledErrorLog(log, 'warn', 'send queue error'));

  let every = 0;
  let qw: QueueWorker;
  try {
    qw = await startQueueWorker({
      queue: QUEUES.tick,
      connect: (name) => ctx.newRedis(name, true),
      prefix: ctx.config.redisPrefix,
      log,
      worker: { concurrency: 1 },
      shutdownTimeoutMs: ctx.config.shutdownTimeoutMs,
      processor: async (job) => {
        if (job.name === PRUNE_JOB.name) {
          if (!opts.papers) return { skipped: 'no paper store in this process' };
          const pruned = await opts.papers.prune(PAPERS_KEEP_DAYS);
          log.info(pruned, 'papers pruned');
          return pruned;
        }
        const settings = await ctx.settings.get(); // read afresh: a pause set a moment ago applies to this tick
        const result = await runTick({ subscribers: opts.subscribers, sendQueue, clock: ctx.clock, log, settings });
        if (opts.metrics) {
          const c = opts.metrics.tickEntries;
          const counts = { enqueued: result.enqueued, duplicate: result.duplicates, stale: result.stale, removed: result.removed, raced: result.raced, error: result.errors };
          for (const [outcome, n] of Object.entries(counts)) if (n > 0) c.inc({ outcome }, n);
        }
        opts.onTick?.(result);
        return result;
      },
      settings: {
        live,
        select: (s) => s.tickEverySeconds,
        apply: async (seconds: number, tickQueue) => {
          await upsertTickScheduler(tickQueue, seconds);
          if (opts.papers) {
            await tickQueue.upsertJobScheduler(PRUNE_JOB.schedulerId, { pattern: PRUNE_JOB.pattern, tz: 'UTC' }, { name: PRUNE_JOB.name, data: {}, opts: { ...DEFAULT_JOB_OPTIONS.prune } });
          }
          log.info({ from: every || null, everySeconds: seconds }, 'tick scheduler set');
          every = seconds;
        },
      },
    });
  } catch (err) {
    if (ownSendQueue) await sendQueue.close();
    throw err;
  }
  return {
    tickQueue: qw.queue,
    sendQueue,
    worker: qw.worker,
    everySeconds: () => every,
    async stop() {
      await qw.stop();
      if (ownSendQueue) await sendQueue.close();
    },
  };
}
