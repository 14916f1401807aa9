// The watchdog (worker role): every minute, look for the two silent failures an operator must hear about and
// raise an alertable event — a log line with a stable `event` name plus papers_digest_alerts_total{event}:
//   scrape.stale  the last successful scrape is older than freshnessHours (or there never was one)
//   edition.late  editions still undelivered editionDeadlineMinutes after they fell due: either never fanned out
//                 (still overdue in the due index: is the tick running?) or waiting in the send queue
// Other stable names are raised where they happen: scrape.layout_changed (scraper), smtp.throttled (sender).
// With several worker processes, a Redis latch (SET NX PX) makes one of them raise each episode, then again every
// `repeatMs` while it lasts; when the condition clears the latch is dropped so the next episode raises at once.
import type { Redis } from 'ioredis';
import type { Logger } from '../log.js';
import type { Keys } from '../redis/keys.js';
import type { Metrics } from '../metrics/metrics.js';
import type { OpsQueues } from '../queue/handles.js';
import type { PaperStore } from '../papers/store.js';
import type { SubscriberStore } from '../subscribers/store.js';
import type { Settings } from '../settings/schema.js';

export const ALERT_EVENTS = ['scrape.stale', 'edition.late', 'scrape.layout_changed', 'smtp.throttled'] as const;

export interface WatchdogFindings {
  scrapeStale: { lastOk: string | null; ageMinutes: number | null; freshnessHours: number } | null;
  editionLate: { notFannedOut: number; queued: number; oldestLateMinutes: number; deadlineMinutes: number } | null;
}

export interface WatchdogDeps {
  /** The alert latches (keys.alertLatch) are the watchdog's own keys. */
  redis: Redis;
  keys: Keys;
  papers: Pick<PaperStore, 'lastSuccessfulScrape'>;
  subscribers: Pick<SubscriberStore, 'countDue' | 'earliestDue'>;
  /** Send queue for the "fanned out but still waiting" half of edition.late; null skips it. */
  queues: Pick<OpsQueues, 'send'> | null;
  settings: () => Promise<Settings>;
  metrics: Pick<Metrics, 'alerts'>;
  log: Logger;
  clock: () => Date;
}

const QUEUE_SAMPLE = 500;

/** One pass over Redis: what is wrong right now (no side effects). */
export async function inspect(deps: WatchdogDeps): Promise<WatchdogFindings> {
  const now = deps.clock().getTime();
  const settings = await deps.settings();
  const last = await deps.papers.lastSuccessfulScrape();
  const ageMs = last ? now - last.getTime() : null;
  const scrapeStale =
    ageMs === null || ageMs > settings.freshnessHours * 3_600_000
      ? { lastOk: last?.toISOString() ?? null, ageMinutes: ageMs === null ? null : Math.round(ageMs / 60_000), freshnessHours: settings.freshnessHours }
      : null;

  let editionLate: WatchdogFindings['editionLate'] = null;
  if (!settings.sendingPaused) {
    // Paused sending makes every edition late by the operator's choice: not an alert.
    const deadlineMs = settings.editionDeadlineMinutes * 60_000;
    const cutoff = now - deadlineMs;
    const notFannedOut = await deps.subscribers.countDue(new Date(cutoff));
    let oldest = 0;
    if (notFannedOut) oldest = now - ((await deps.subscribers.earliestDue(new Date(cutoff)))?.getTime() ?? now);
    let queued = 0;
    if (deps.queues) {
      // The oldest jobs first: a sample is enough to know whether the queue is behind its deadline.
      const jobs = await deps.queues.send.getJobs(['waiting', 'prioritized', 'delayed'], 0, QUEUE_SAMPLE - 1, true);
      for (const j of jobs) {
        const due = Date.parse((j?.data as { dueAt?: string } | undefined)?.dueAt ?? '');
        if (Number.isFinite(due) && due < cutoff) {
          queued += 1;
          oldest = Math.max(oldest, now - due);
        }
      }
    }
    if (notFannedOut || queued) {
      editionLate = { notFannedOut, queued, oldestLateMinutes: Math.round(oldest / 60_000), deadlineMinutes: settings.editionDeadlineMinutes };
    }
  }
  return { scrapeStale, editionLate };
}

/** Raise (log + metric) through the cross-process latch; returns whether this process raised it. */
export async function raise(deps: Pick<WatchdogDeps, 'redis' | 'keys' | 'metrics' | 'log'>, event: string, fields: object, message: string, repeatMs: number): Promise<boolean> {
  const won = await deps.redis.set(deps.keys.alertLatch(event), '1', 'PX', repeatMs, 'NX');
  if (won !== 'OK') return false;
  deps.metrics.alerts.inc({ event });
  deps.log.warn({ event, ...fields }, message);
  return true;
}

export async function watchdogPass(deps: WatchdogDeps, repeatMs: number): Promise<WatchdogFindings> {
  const f = await inspect(deps);
  if (f.scrapeStale) {
    await raise(
      deps, 'scrape.stale', f.scrapeStale,
      f.scrapeStale.lastOk ? `papers are stale: last successful scrape ${f.scrapeStale.ageMinutes} min ago (bound ${f.scrapeStale.freshnessHours} h)` : 'papers are stale: no successful scrape yet',
      repeatMs,
    );
  } else if (await deps.redis.del(deps.keys.alertLatch('scrape.stale'))) {
    deps.log.info({ event: 'scrape.recovered' }, 'papers are fresh again');
  }
  if (f.editionLate) {
    await raise(
      deps, 'edition.late', f.editionLate,
      `editions late: ${f.editionLate.notFannedOut} not fanned out, ${f.editionLate.queued} still queued, oldest ${f.editionLate.oldestLateMinutes} min past due (deadline ${f.editionLate.deadlineMinutes} min)`,
      repeatMs,
    );
  } else if (await deps.redis.del(deps.keys.alertLatch('edition.late'))) {
    deps.log.info({ event: 'edition.recovered' }, 'no late editions any more');
  }
  return f;
}

/**
 * Run a pass after `firstPassMs` and then every `intervalMs`; returns a stop function that waits for a pass in
 * flight. The worker role waits 30 s for the first pass: a worker starting on stale papers scrapes at once
 * (scrape/job.ts catchUpScrape), and judging freshness before that scrape lands raised scrape.stale on every start
 * after a quiet spell, fresh installs included.
 */
export function startWatchdog(deps: WatchdogDeps, opts: { intervalMs?: number; repeatMs?: number; firstPassMs?: number } = {}): () => Promise<void> {
  const intervalMs = opts.intervalMs ?? 60_000;
  const repeatMs = opts.repeatMs ?? 60 * 60_000;
  let running: Promise<unknown> = Promise.resolve();
  let stopped = false;
  const pass = () => {
    running = watchdogPass(deps, repeatMs).catch((err: unknown) => deps.log.error({ err }, 'watchdog pass failed'));
  };
  let timer: NodeJS.Timeout | undefined;
  const first = setTimeout(() => {
    if (stopped) return;
    pass();
    timer = setInterval(() => {
      if (!stopped) pass();
    }, intervalMs);
    timer.unref();
  }, opts.firstPassMs ?? 0);
  first.unref();
  return async () => {
    stopped = true;
    clearTimeout(first);
    clearInterval(timer);
    await running;
  };
}
