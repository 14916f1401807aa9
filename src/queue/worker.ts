// The one way a queue is worked in this process (scrape, tick and send alike): the queue handle and its BullMQ
// worker on connections of their own, errors in the structured log (BullMQ prints them raw to stderr without a
// listener), operator settings applied live, and a bounded, ordered stop.
//
// Stop order: stop following settings → stop taking jobs → wait for the jobs in flight in this process (no longer
// than shutdownTimeoutMs) → close the worker (gracefully when they are done, by force past the bound: a job cut off
// is taken over by BullMQ's stalled-job recovery) → close the queue handle. (worker.pause(false) would wait for the
// jobs too, but BullMQ 6 reconnects the worker's blocking connection when such a pause ends, even after a close,
// and the connection then outlives the worker.)
import { Queue, Worker, type Job, type WorkerOptions } from 'bullmq';
import type { Redis } from 'ioredis';
import type { Logger } from '../log.js';
import type { LiveSettings } from '../settings/live.js';
import type { Settings } from '../settings/schema.js';
import { throttledErrorLog } from '../util/error-throttle.js';
import { QUEUE_STREAMS, type QueueName } from './catalog.js';

export interface QueueWorkerOptions<R, S> {
  queue: QueueName;
  /** A new BullMQ connection (maxRetriesPerRequest: null), named for the log; closed by its owner. */
  connect: (name: string) => Redis;
  /** BullMQ key prefix (REDIS_PREFIX). */
  prefix: string;
  log: Logger;
  processor: (job: Job, token?: string) => Promise<R>;
  /** BullMQ worker options (concurrency, lock duration, backoff strategy…). */
  worker?: Omit<WorkerOptions, 'connection' | 'prefix' | 'autorun'>;
  /** A failed job worth a log line (default: all); the send worker leaves out its own delays and throttles. */
  logFailure?: (err: Error) => boolean;
  /** Operator settings this worker applies live: `apply` runs now, then whenever `select`'s slice changes. */
  settings?: { live: LiveSettings; select: (s: Settings) => S; apply: (value: S, queue: Queue, worker: Worker) => void | Promise<void> };
  /** Longest wait for the jobs in flight at stop (SHUTDOWN_TIMEOUT_MS). */
  shutdownTimeoutMs: number;
  /** Start processing at once (default true). */
  autorun?: boolean;
}

export interface QueueWorker {
  queue: Queue;
  worker: Worker;
  stop(): Promise<void>;
}

export async function startQueueWorker<R, S = unknown>(opts: QueueWorkerOptions<R, S>): Promise<QueueWorker> {
  const { log } = opts;
  const queue = new Queue(opts.queue, { connection: opts.connect(`${opts.queue}-queue`), prefix: opts.prefix, streams: QUEUE_STREAMS });
  // The same error over and over (Redis gone: every reconnect fails) is one line a minute (util/error-throttle.ts).
  queue.on('error', throttledErrorLog(log, 'warn', `${opts.queue} queue error`));

  let running = 0;
  let drained: (() => void) | null = null;
  const worker = new Worker(
    opts.queue,
    async (job: Job, token?: string) => {
      running++;
      try {
        return await opts.processor(job, token);
      } finally {
        if (--running === 0) drained?.();
      }
    },
    { ...opts.worker, connection: opts.connect(`${opts.queue}-worker`), prefix: opts.prefix, autorun: false },
  );
  worker.on('failed', (job, err) => {
    if (opts.logFailure && !opts.logFailure(err)) return;
    log.warn({ jobId: job?.id, attemptsMade: job?.attemptsMade, err }, `${opts.queue} job failed`);
  });
  worker.on('error', throttledErrorLog(log, 'error', `${opts.queue} worker error`));

  let unfollow: (() => void) | null = null;
  try {
    if (opts.settings) {
      const { live, select, apply } = opts.settings;
      unfollow = await live.on(select, (value) => apply(value, queue, worker));
    }
  } catch (err) {
    await worker.close();
    await queue.close();
    throw err;
  }
  if (opts.autorun ?? true) void worker.run().catch((err: unknown) => log.error({ err }, `${opts.queue} worker stopped`));

  let stopping: Promise<void> | null = null;
  const stop = () =>
    (stopping ??= (async () => {
      unfollow?.();
      await worker.pause(true);
      let timer: NodeJS.Timeout | undefined;
      const finished = await Promise.race([
        new Promise<boolean>((resolve) => {
          if (running === 0) return resolve(true);
          drained = () => resolve(true);
        }),
        new Promise<boolean>((resolve) => {
          timer = setTimeout(() => resolve(false), opts.shutdownTimeoutMs);
        }),
      ]);
      clearTimeout(timer);
      if (!finished) {
        log.warn({ timeoutMs: opts.shutdownTimeoutMs, inFlight: running }, `${opts.queue}: jobs in flight did not finish in time; leaving them to stalled-job recovery`);
      }
      await worker.close(!finished);
      await queue.close();
    })());

  return { queue, worker, stop };
}
