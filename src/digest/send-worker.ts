// The send queue's worker: BullMQ plumbing around runSendJob (send.ts). Operator settings apply live: a fleet-wide
// rate limit and concurrency (stored on the queue itself, so every worker process obeys one number), this worker's
// local concurrency, and sendingPaused (queue.pause/resume). Shutdown stops taking jobs and waits for the in-flight
// ones up to a bound; a job cut off after that is picked up again through BullMQ's stalled-job recovery, and the
// ledger decides whether it may be resent.
import { DelayedError, Queue, UnrecoverableError, Worker, type Job } from 'bullmq';
import type { Redis } from 'ioredis';
import type { Settings } from '../ops/settings.js';
import type { Services } from '../services.js';
import { TOPICS } from '../subscribers/topics.js';
import { QUEUES } from '../queue/catalog.js';
import { runSendJob, type SendDeps, type SendOutcome } from './send.js';

export interface SendWorkerOptions {
  /** A BullMQ connection (maxRetriesPerRequest: null). The queue handle shares it. */
  connection: Redis;
  /** BullMQ key prefix (REDIS_PREFIX). */
  prefix: string;
  /** Initial settings; call `apply()` with every change (or use `watchSettings`). */
  settings: Settings;
  /** First retry delay for transient failures; doubles per attempt, with jitter (default 30 s). */
  backoffBaseMs?: number;
  /** Longest retry delay (default 30 min). */
  backoffMaxMs?: number;
  /** How long the whole queue pauses on a 421/451 (default 60 s). */
  throttleMs?: number;
  /** BullMQ lock duration / stalled check interval: how soon a dead worker's jobs are taken over. */
  lockDurationMs?: number;
  stalledIntervalMs?: number;
  /** Bound on waiting for in-flight jobs at shutdown (SHUTDOWN_TIMEOUT_MS). */
  shutdownTimeoutMs?: number;
  /** Start processing at once (default true). */
  autorun?: boolean;
  /**
   * Most jobs this process runs at once, whatever the fleet-wide `sendConcurrency` (default: no cap). The send
   * role sets it from the SMTP pool: a worker holding more slots than it has connections only makes the jobs wait
   * on its pool while other workers sit idle.
   */
  localConcurrencyCap?: number;
  /** Called after each job with its outcome (tests, bench). */
  onOutcome?: (jobId: string, outcome: SendOutcome) => void;
}

export interface SendWorker {
  worker: Worker;
  queue: Queue;
  /** Re-apply operator settings (rate, concurrency, pause) without a restart. */
  apply(settings: Settings): Promise<void>;
  stop(): Promise<void>;
}

/** Exponential backoff with full jitter in [50 %, 100 %] of the step, capped. */
export function jitterBackoff(attemptsMade: number, baseMs: number, maxMs: number, random: () => number = Math.random): number {
  const step = Math.min(maxMs, baseMs * 2 ** Math.max(0, attemptsMade - 1));
  return Math.round(step * (0.5 + random() / 2));
}

export async function startSendWorker(deps: Omit<SendDeps, 'settings'>, opts: SendWorkerOptions): Promise<SendWorker> {
  const log = deps.log.child({ mod: 'send' });
  let current = opts.settings;
  const throttleMs = opts.throttleMs ?? 60_000;
  const localConcurrency = (s: Settings) => Math.max(1, Math.min(s.sendConcurrency, opts.localConcurrencyCap ?? Infinity));
  const jobDeps: SendDeps = { candidateCache: new Map(), ...deps, log, settings: () => current };
  const queue = new Queue(QUEUES.send, { connection: opts.connection, prefix: opts.prefix });
  queue.on('error', (err) => log.warn({ err }, 'send queue error')); // else BullMQ prints them raw to stderr

  // Sends in flight in this process, so shutdown can wait for exactly them (see stop()).
  let inFlight = 0;
  let drained: (() => void) | null = null;
  const processor = async (job: Job, token?: string) => {
    inFlight++;
    try {
      return await handle(job, token);
    } finally {
      if (--inFlight === 0) drained?.();
    }
  };
  const handle = async (job: Job, token?: string) => {
    const outcome = await runSendJob(jobDeps, {
      id: job.id ?? 'unknown',
      data: job.data,
      attemptsMade: job.attemptsMade,
      attempts: job.opts.attempts ?? 1,
    });
    opts.onOutcome?.(job.id ?? 'unknown', outcome);
    switch (outcome.kind) {
      case 'sent':
        return { messageId: outcome.messageId, response: outcome.response, papers: outcome.papers };
      case 'settled':
        // A permanent failure stays visible among the failed jobs (and for `retry-failed`), without retries.
        if (outcome.state === 'failed') throw new UnrecoverableError(outcome.reason);
        return { state: outcome.state, reason: outcome.reason };
      case 'wait':
        await job.moveToDelayed(Date.now() + outcome.delayMs, token);
        throw new DelayedError(outcome.reason);
      case 'retry':
        throw new Error(`${outcome.error.kind} SMTP failure ${outcome.error.code ?? ''}: ${outcome.error.message}`);
      case 'throttle':
        // Alertable: the relay is throttling us (or refusing our credentials/sender) and the fleet is holding.
        log.warn(
          { event: 'smtp.throttled', code: outcome.error.code, smtp: outcome.error.message, ms: throttleMs },
          'SMTP refusal for every send alike (throttling, credentials, sender): holding the whole send queue',
        );
        deps.metrics.alerts?.inc({ event: 'smtp.throttled' });
        await queue.rateLimit(throttleMs);
        throw Worker.RateLimitError();
    }
  };

  const worker = new Worker(QUEUES.send, processor, {
    connection: opts.connection,
    prefix: opts.prefix,
    concurrency: localConcurrency(current),
    autorun: false,
    lockDuration: opts.lockDurationMs ?? 30_000,
    stalledInterval: opts.stalledIntervalMs ?? 30_000,
    // A job whose worker died is retried; the ledger (lease + sending marker) prevents a second delivery.
    maxStalledCount: 3,
    settings: {
      backoffStrategy: (attemptsMade: number) => jitterBackoff(attemptsMade, opts.backoffBaseMs ?? 30_000, opts.backoffMaxMs ?? 30 * 60_000),
    },
  });
  worker.on('failed', (job, err) => {
    if (err instanceof DelayedError || err.name === 'RateLimitError') return;
    log.warn({ jobId: job?.id, attemptsMade: job?.attemptsMade, err: { message: err.message, name: err.name } }, 'send job failed');
  });
  worker.on('error', (err) => log.error({ err }, 'send worker error'));

  let paused: boolean | null = null;
  const apply = async (s: Settings) => {
    current = s;
    worker.concurrency = localConcurrency(s);
    await queue.setGlobalConcurrency(s.sendConcurrency);
    await queue.setGlobalRateLimit(s.sendRatePerSecond, 1000);
    if (paused !== s.sendingPaused) {
      paused = s.sendingPaused;
      if (s.sendingPaused) await queue.pause();
      else await queue.resume();
      log.info({ paused }, s.sendingPaused ? 'sending paused' : 'sending running');
    }
  };
  await apply(current);
  if (opts.autorun ?? true) void worker.run().catch((err: unknown) => log.error({ err }, 'send worker stopped'));

  let stopping: Promise<void> | null = null;
  const stop = () =>
    (stopping ??= (async () => {
      const bound = opts.shutdownTimeoutMs ?? 20_000;
      // Stop taking jobs, wait (bounded) for the sends in flight, then close: gracefully when they are done, by force
      // past the bound. (worker.pause(false) would wait too, but BullMQ reconnects the worker's blocking connection
      // when such a pause ends, even after a close: the connection then outlives the worker.)
      await worker.pause(true);
      let timer: NodeJS.Timeout | undefined;
      const finished = await Promise.race([
        new Promise<boolean>((resolve) => {
          if (inFlight === 0) return resolve(true);
          drained = () => resolve(true);
        }),
        new Promise<boolean>((resolve) => {
          timer = setTimeout(() => resolve(false), bound);
        }),
      ]);
      clearTimeout(timer);
      if (!finished) {
        // Cut off: their ledger entries stay claimed (sent by another worker after the lease) or 'sending'
        // (recorded unknown, never re-sent), and BullMQ's stalled-job check re-queues the jobs.
        log.warn({ timeoutMs: bound, inFlight }, 'in-flight sends did not finish in time; leaving them to stalled-job recovery');
      }
      await worker.close(!finished);
      await queue.close();
    })());

  return { worker, queue, apply, stop };
}

/**
 * The worker role's send worker, built from Services: its own BullMQ connection, settings re-applied live from
 * the settings channel. Returns the stop function (stop taking jobs, wait for in-flight ones up to
 * SHUTDOWN_TIMEOUT_MS); the mailer is closed afterwards by the context.
 */
export async function startSendRole(services: Services, extra: Partial<SendWorkerOptions> = {}): Promise<SendWorker> {
  const { ctx } = services;
  const w = await startSendWorker(
    {
      redis: ctx.redis,
      keys: ctx.keys,
      clock: ctx.clock,
      log: ctx.log,
      config: ctx.config,
      linkSecrets: ctx.secrets.linkSecrets,
      subscribers: services.subscribers,
      papers: services.papers,
      templates: services.templates,
      mailer: services.mailer,
      ledger: services.ledger,
      metrics: services.metrics,
      topicLabels: Object.fromEntries(TOPICS.map((t) => [t.id, t.label])),
    },
    {
      connection: ctx.newRedis('send-worker', true),
      prefix: ctx.config.redisPrefix,
      settings: await ctx.settings.get(),
      shutdownTimeoutMs: ctx.config.shutdownTimeoutMs,
      // Two jobs per pooled connection keep every connection busy (one sends while the next claims and renders).
      ...(services.mailer.parallelism ? { localConcurrencyCap: services.mailer.parallelism * 2 } : {}),
      ...extra,
    },
  );
  const unwatch = await ctx.settings.watch(ctx.newRedis('send-settings'), (s) => w.apply(s), ctx.log.child({ mod: 'send' }));
  const stop = w.stop;
  return {
    ...w,
    stop: async () => {
      await unwatch();
      await stop();
    },
  };
}
