// The send queue's worker: BullMQ plumbing around runSendJob (send.ts). Operator settings apply live: a fleet-wide
// rate limit and concurrency (stored on the queue itself, so every worker process obeys one number), this worker's
// local concurrency, and sendingPaused (queue.pause/resume). Shutdown stops taking jobs and waits for the in-flight
// ones up to a bound; a job cut off after that is picked up again through BullMQ's stalled-job recovery, and the
// ledger decides whether it may be resent.
import { DelayedError, UnrecoverableError, Worker, type Job, type Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import type { LiveSettings } from '../settings/live.js';
import type { Settings } from '../settings/schema.js';
import type { SmtpErrorClass } from '../mail/smtp-errors.js';
import { makeKeys } from '../redis/keys.js';
import { DEFAULT_JOB_OPTIONS, JOB_NAMES, QUEUES, SEND_BATCH_JOB_NAME, sendBatchJobSchema, sendJobId } from '../queue/catalog.js';
import { startQueueWorker } from '../queue/worker.js';
import { recheckQuietDays } from './quiet-recheck.js';
import { BatchInterrupted, runSendBatch } from './send-batch.js';
import { SendPace } from './send-pace.js';
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
  const holdForThrottle = async (error: SmtpErrorClass) => {
    // Alertable: the relay is throttling us (or refusing our credentials/sender) and the fleet is holding.
    if (!throttledEpisode) {
      throttledEpisode = true;
      log.warn(
        { event: 'smtp.throttled', code: error.code, smtp: error.message, ms: throttleMs },
        'SMTP refusal for every send alike (throttling, credentials, sender): holding the whole send queue',
      );
      deps.metrics.alerts?.inc({ event: 'smtp.throttled' });
    } else {
      log.info({ code: error.code, smtp: error.message, ms: throttleMs }, 'SMTP still refusing: send queue held (same episode)');
    }
    await throttle(throttleMs);
  };
  const runOne = async (id: string, data: unknown, attemptsMade: number, attempts: number): Promise<SendOutcome> => {
    const outcome = await runSendJob(jobDeps, { id, data, attemptsMade, attempts });
    opts.onOutcome?.(id, outcome);
    if (outcome.kind === 'sent') throttledEpisode = false;
    return outcome;
  };
  const backoffMs = (attemptsMade: number) => jitterBackoff(attemptsMade, opts.backoffBaseMs ?? 30_000, opts.backoffMaxMs ?? 30 * 60_000);
  const sendOpts = DEFAULT_JOB_OPTIONS.send;
  let sendQueue: Queue | null = null;
  let sendWorker: Worker | null = null;

  // A batch of editions (send-batch.ts says what each outcome leads to; this maps it onto BullMQ).
  const processBatch = async (job: Job, token?: string) => {
    const parsed = sendBatchJobSchema.safeParse(job.data);
    if (!parsed.success) throw new UnrecoverableError(`send batch ${job.id}: bad payload: ${parsed.error.issues.map((i) => i.message).join('; ')}`);
    let p;
    try {
      p = await runSendBatch(parsed.data.editions, {
        // Each edition's first try; a transient failure continues as its own job with the attempts left.
        run: (edition) => runOne(job.id ?? 'unknown', edition, 0, sendOpts.attempts),
        stopping: () => current.sendingPaused || (sendWorker?.isPaused() ?? false),
      });
    } catch (err) {
      if (!(err instanceof BatchInterrupted)) throw err;
      // BullMQ retries the job; best effort (Redis may be what failed): only what is left runs again.
      await job.updateData({ editions: err.unfinished }).catch(() => undefined);
      throw err.cause instanceof Error ? err.cause : err;
    }
    if (p.retry.length) {
      await sendQueue!.addBulk(
        p.retry.map((data) => ({
          name: JOB_NAMES.send,
          data,
          opts: { ...sendOpts, attempts: sendOpts.attempts - 1, delay: backoffMs(1), jobId: sendJobId(data.subscriberId, data.period) },
        })),
      );
    }
    if (p.throttle) {
      await holdForThrottle(p.throttle);
      await job.updateData({ editions: p.later });
      throw Worker.RateLimitError();
    }
    if (p.later.length) {
      await job.updateData({ editions: p.later });
      await job.moveToDelayed(Date.now() + p.laterMs, token);
      throw new DelayedError(`${p.later.length} editions later`);
    }
    return { sent: p.sent, settled: p.settled, failed: p.failed, retried: p.retry.length };
  };

  const processor = async (job: Job, token?: string) => {
    if (job.name === SEND_BATCH_JOB_NAME) return processBatch(job, token);
    const outcome = await runOne(job.id ?? 'unknown', job.data, job.attemptsMade, job.opts.attempts ?? 1);
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
        await holdForThrottle(outcome.error);
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
      settings: { backoffStrategy: backoffMs },
    },
    // Delays (papers stale, lease held) and throttles are the plan, not failures.
    logFailure: (err) => !(err instanceof DelayedError) && err.name !== 'RateLimitError',
    ...(opts.live ? { settings: { live: opts.live, select: (s: Settings) => s, apply: (s: Settings, queue: Queue, worker: Worker) => apply(s, queue, worker) } } : {}),
  });
  throttle = (ms) => qw.queue.rateLimit(ms);
  sendQueue = qw.queue;
  sendWorker = qw.worker;
  // sendRatePerSecond per delivery (a batch job holds many).
  const pace = new SendPace(opts.connect('send-pace'), makeKeys(opts.prefix).sendPace, () => current.sendRatePerSecond);
  jobDeps.pace = () => pace.take();
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
