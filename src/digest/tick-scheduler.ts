// BullMQ wiring for the tick: a job scheduler in its own `tick` queue (so a tick never waits behind send jobs)
// firing every `tickEverySeconds`, re-applied live when the setting changes, and a worker (concurrency 1) that runs
// runTick with the settings read fresh each time. Upserting the scheduler is idempotent, so every worker process
// may do it.
import { Queue, Worker } from 'bullmq';
import type { Context } from '../context.js';
import type { Metrics } from '../ops/metrics.js';
import { DEFAULT_JOB_OPTIONS, QUEUES, TICK_SCHEDULER_ID } from '../queue/catalog.js';
import { runTick, type TickResult, type TickSubscribers } from './tick.js';

export interface TickSchedulerOptions {
  ctx: Context;
  subscribers: TickSubscribers;
  /** The send queue producer; one is opened (and closed) here when not given. */
  sendQueue?: Queue;
  /** Counts each tick's outcomes (papers_digest_tick_entries_total). */
  metrics?: Pick<Metrics, 'tickEntries'>;
  /** Called after each tick (tests). */
  onTick?: (result: TickResult) => void;
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
  await tickQueue.upsertJobScheduler(TICK_SCHEDULER_ID, tickRepeat(everySeconds), { name: 'tick', data: {}, opts: { ...DEFAULT_JOB_OPTIONS.tick } });
}

export async function startTickScheduler(opts: TickSchedulerOptions): Promise<TickScheduler> {
  const { ctx } = opts;
  const log = ctx.log.child({ mod: 'tick' });
  const prefix = ctx.config.redisPrefix;
  const tickQueue = new Queue(QUEUES.tick, { connection: ctx.newRedis('tick-queue', true), prefix });
  const ownSendQueue = !opts.sendQueue;
  const sendQueue = opts.sendQueue ?? new Queue(QUEUES.send, { connection: ctx.newRedis('send-producer', true), prefix });
  // Without a listener BullMQ prints connection errors raw to stderr; keep them in the structured log.
  tickQueue.on('error', (err) => log.warn({ err }, 'tick queue error'));
  if (ownSendQueue) sendQueue.on('error', (err) => log.warn({ err }, 'send queue error'));

  const worker = new Worker(
    QUEUES.tick,
    async () => {
      const settings = await ctx.settings.get();
      const result = await runTick({ redis: ctx.redis, keys: ctx.keys, subscribers: opts.subscribers, sendQueue, clock: ctx.clock, log, settings });
      if (opts.metrics) {
        const c = opts.metrics.tickEntries;
        const counts = { enqueued: result.enqueued, duplicate: result.duplicates, stale: result.stale, removed: result.removed, raced: result.raced, error: result.errors };
        for (const [outcome, n] of Object.entries(counts)) if (n > 0) c.inc({ outcome }, n);
      }
      opts.onTick?.(result);
      return result;
    },
    { connection: ctx.newRedis('tick-worker', true), prefix, concurrency: 1 },
  );
  worker.on('failed', (job, err) => log.error({ err, jobId: job?.id }, 'tick failed'));
  worker.on('error', (err) => log.error({ err }, 'tick worker error'));

  let every = 0;
  let stopWatch: (() => Promise<void>) | null = null;
  try {
    stopWatch = await ctx.settings.watch(
      ctx.newRedis('tick-settings'),
      async (s) => {
        if (s.tickEverySeconds === every) return;
        await upsertTickScheduler(tickQueue, s.tickEverySeconds);
        log.info({ from: every || null, everySeconds: s.tickEverySeconds }, 'tick scheduler set');
        every = s.tickEverySeconds;
      },
      log,
    );
  } catch (err) {
    await worker.close();
    await tickQueue.close();
    if (ownSendQueue) await sendQueue.close();
    throw err;
  }

  return {
    tickQueue,
    sendQueue,
    worker,
    everySeconds: () => every,
    async stop() {
      await stopWatch?.();
      await worker.close();
      await tickQueue.close();
      if (ownSendQueue) await sendQueue.close();
    },
  };
}
