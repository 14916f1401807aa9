// The send queue's worker: BullMQ plumbing around runSendJob (send.ts). Operator settings apply live: a fleet-wide
// rate limit and concurrency (stored on the queue itself, so every worker process obeys one number), this worker's
// local concurrency, and sendingPaused (queue.pause/resume). Shutdown stops taking jobs and waits for the in-flight
// ones up to a bound; a job cut off after that is picked up again through BullMQ's stalled-job recovery, and the
// ledger decides whether it may be resent.
import { DelayedError, UnrecoverableError, Worker, type Job, type Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import type { LiveSettings } from '../settings/live.js';
import type { Settings } from '../settings/schema.js';
import { QUEUES } from '../queue/catalog.js';
import { startQueueWorker } from '../queue/worker.js';
import { recheckQuietDays } from './quiet-recheck.js';
import { runSendJob, type SendDeps, type SendOutcome } from './send.js';

export interface SendWorkerOptions {
  /** A new BullMQ connection (maxRetriesPerRequest: null); tests may hand back one shared connection. */
  connect: (name: string) => Redis;
  /** BullMQ key prefix (REDIS_PREFIX). */
  prefix: string;
  /** Settings followed live (the worker role). Without it, `settings` applies until apply() is called. */
  live?: LiveSettings;
  /** The settings to start from when there is no `live` (tests, bench). */
  settings?: Settings;
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
  /**
   * Ledger housekeeping this often (default: off; the worker role turns it on): the one-time fold of the legacy
   * per-edition hashes, retention (aggregate old periods, fold unknown tombstones), and quiet-day re-checks each time
   * the last successful scrape moves on. Several workers doing it at once is harmless (all compare-and-set).
   */
  housekeepingEveryMs?: number;
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
  const initial = opts.live?.current() ?? opts.settings;
  if (!initial) throw new Error('startSendWorker needs live settings or initial settings');
  let current = initial;
  const throttleMs = opts.throttleMs ?? 60_000;
  const localConcurrency = (s: Settings) => Math.max(1, Math.min(s.sendConcurrency, opts.localConcurrencyCap ?? Infinity));
  const jobDeps: SendDeps = { candidateCache: new Map(), ...deps, log, settings: () => current };

  // queue/worker are the ones startQueueWorker creates; apply() is first called from inside it (live settings)
  // or right after it (initial settings), before any job runs.
  let paused: boolean | null = null;
  const apply = async (s: Settings, queue: Queue, worker: Worker) => {
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

  let throttle: (ms: number) => Promise<void> = async () => {};
  // One smtp.throttled alert per episode (from the first refusal to the next delivery), not one per refused job:
  // a 30 s 451 episode raised 8, four 421 storms 16.
  let throttledEpisode = false;
  const processor = async (job: Job, token?: string) => {
    const outcome = await runSendJob(jobDeps, {
      id: job.id ?? 'unknown',
      data: job.data,
      attemptsMade: job.attemptsMade,
      attempts: job.opts.attempts ?? 1,
    });
    opts.onOutcome?.(job.id ?? 'unknown', outcome);
    switch (outcome.kind) {
      case 'sent':
        throttledEpisode = false;
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
        if (!throttledEpisode) {
          throttledEpisode = true;
          log.warn(
            { event: 'smtp.throttled', code: outcome.error.code, smtp: outcome.error.message, ms: throttleMs },
            'SMTP refusal for every send alike (throttling, credentials, sender): holding the whole send queue',
          );
          deps.metrics.alerts?.inc({ event: 'smtp.throttled' });
        } else {
          log.info({ code: outcome.error.code, smtp: outcome.error.message, ms: throttleMs }, 'SMTP still refusing: send queue held (same episode)');
        }
        await throttle(throttleMs);
        throw Worker.RateLimitError();
    }
  };

  const qw = await startQueueWorker({
    queue: QUEUES.send,
    connect: opts.connect,
    prefix: opts.prefix,
    log,
    processor,
    autorun: false,
    shutdownTimeoutMs: opts.shutdownTimeoutMs ?? 20_000,
    worker: {
      concurrency: localConcurrency(current),
      // A killed worker's jobs hold their share of the fleet's sendConcurrency slots until their locks run out and
      // a live worker's stalled check moves them back: a 10 s lock (renewed every 5 s while the job runs) checked
      // every 5 s gives the slots back within ≈ 15 s, not BullMQ's default ≈ 60 s.
      lockDuration: opts.lockDurationMs ?? 10_000,
      stalledInterval: opts.stalledIntervalMs ?? 5_000,
      // A job whose worker died is retried; the ledger (lease + sending marker) prevents a second delivery.
      maxStalledCount: 3,
      // Completed jobs are removed at once (catalog.ts); BullMQ's per-minute counters (one small key, a day of
      // minutes) keep how many completed and failed, for operators and tests.
      metrics: { maxDataPoints: 24 * 60 },
      settings: {
        backoffStrategy: (attemptsMade: number) => jitterBackoff(attemptsMade, opts.backoffBaseMs ?? 30_000, opts.backoffMaxMs ?? 30 * 60_000),
      },
    },
    // Delays (papers stale, lease held) and throttles are the plan, not failures.
    logFailure: (err) => !(err instanceof DelayedError) && err.name !== 'RateLimitError',
    ...(opts.live ? { settings: { live: opts.live, select: (s: Settings) => s, apply: (s: Settings, queue: Queue, worker: Worker) => apply(s, queue, worker) } } : {}),
  });
  throttle = (ms) => qw.queue.rateLimit(ms);
  if (!opts.live) await apply(current, qw.queue, qw.worker);
  if (opts.autorun ?? true) void qw.worker.run().catch((err: unknown) => log.error({ err }, 'send worker stopped'));
  const stopHousekeeping = opts.housekeepingEveryMs ? startHousekeeping(jobDeps, qw.queue, opts.housekeepingEveryMs) : () => Promise.resolve();
  return {
    worker: qw.worker,
    queue: qw.queue,
    apply: (s) => apply(s, qw.queue, qw.worker),
    stop: async () => {
      await stopHousekeeping();
      await qw.stop();
    },
  };
}

/** Migration once, then retention and quiet-day re-checks on a timer; one pass at a time; errors are logged. */
function startHousekeeping(deps: SendDeps, queue: Queue, everyMs: number): () => Promise<void> {
  const log = deps.log.child({ mod: 'ledger-housekeeping' });
  let lastScrape = 0;
  let running: Promise<void> | null = null;
  const pass = async () => {
    if (!(await deps.ledger.migrated())) {
      const r = await deps.ledger.migrateLegacy();
      log.info(r, 'ledger: legacy per-edition entries folded into edition records');
    }
    const r = await deps.ledger.applyRetention();
    if (r.aggregated || r.dropped || r.folded) log.info(r, 'ledger retention');
    const ok = (await deps.papers.lastSuccessfulScrape())?.getTime() ?? 0;
    if (ok > lastScrape) {
      if (lastScrape > 0) await recheckQuietDays({ ledger: deps.ledger, sendQueue: queue, clock: deps.clock, log });
      lastScrape = ok;
    }
  };
  const run = () => {
    running ??= pass()
      .catch((err: unknown) => log.warn({ err }, 'ledger housekeeping failed; next pass retries'))
      .finally(() => {
        running = null;
      });
  };
  run();
  const timer = setInterval(run, everyMs);
  timer.unref();
  return async () => {
    clearInterval(timer);
    await running;
  };
}
