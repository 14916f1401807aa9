// The scrape job and its BullMQ wiring: a job scheduler in the `scrape` queue (pattern + zone from the operator
// settings, re-applied live when they change), and a worker (concurrency 1) that scrapes today and
// `scrapeDaysBack` days before, in the scrape zone. A layout error fails the job with its message and is not
// retried (the page will not change back in 30 seconds; the next scheduled run tries again); HTTP trouble is
// retried per DEFAULT_JOB_OPTIONS.scrape. `scrapingPaused` skips scheduled runs (manual ones still run).
import { UnrecoverableError, type Queue, type Worker } from 'bullmq';
import { DateTime } from 'luxon';
import type { Context } from '../context.js';
import type { Metrics } from '../metrics/metrics.js';
import type { Settings } from '../settings/schema.js';
import type { PaperStore } from '../papers/store.js';
import { DEFAULT_JOB_OPTIONS, JOB_NAMES, QUEUES, SCRAPE_SCHEDULER_ID, scrapeJobSchema } from '../queue/catalog.js';
import { startQueueWorker } from '../queue/worker.js';
import { ScrapeLayoutError } from './errors.js';
import { RedisEtagCache } from './etag-cache.js';
import { HttpClient, scraperUserAgent } from './http.js';
import { scrapeListing, LAYOUT_CHANGED_EVENT, type ScrapeOutcome } from './scrape.js';
import { ApiSource, FallbackSource, PageSource, type ListingSource } from './sources.js';

/** Today and `scrapeDaysBack` days before it, as calendar days in the scrape zone, newest first. */
export function scrapeDates(settings: Pick<Settings, 'scrapeTimezone' | 'scrapeDaysBack'>, now: Date): string[] {
  const today = DateTime.fromJSDate(now, { zone: settings.scrapeTimezone }).startOf('day');
  return Array.from({ length: settings.scrapeDaysBack + 1 }, (_, i) => today.minus({ days: i }).toISODate()!);
}

/** "scrape failed for 2026-09-28, 2026-09-27: HTTP 503 from …; retry 2/3 in 30 s" (pure). */
export function summarizeScrapeFailure(days: string[], errors: Error[], next: string): string {
  const causes = [...new Set(errors.map((e) => e.message.split('\n')[0]!.slice(0, 200)))];
  return `scrape failed for ${days.join(', ') || 'the latest listing'}: ${causes.join('; ')}; ${next}`;
}

export async function upsertScrapeScheduler(queue: Queue, settings: Pick<Settings, 'scrapePattern' | 'scrapeTimezone'>): Promise<void> {
  await queue.upsertJobScheduler(
    SCRAPE_SCHEDULER_ID,
    { pattern: settings.scrapePattern, tz: settings.scrapeTimezone },
    { name: JOB_NAMES.scrape, data: { dates: [], reason: 'schedule' }, opts: { ...DEFAULT_JOB_OPTIONS.scrape } },
  );
}

/**
 * On start, when papers are older than the freshness bound (or there are none: a fresh install), scrape now rather
 * than wait up to a whole cron period. The job id is bucketed by 10 minutes so several workers starting together
 * enqueue one scrape, not one each.
 */
export async function catchUpScrape(
  queue: Queue,
  papers: Pick<PaperStore, 'lastSuccessfulScrape'>,
  settings: Pick<Settings, 'scrapingPaused' | 'freshnessHours'>,
  now: Date,
  log: Pick<Context['log'], 'info'>,
): Promise<boolean> {
  if (settings.scrapingPaused) return false;
  const last = await papers.lastSuccessfulScrape();
  if (last && now.getTime() - last.getTime() < settings.freshnessHours * 3_600_000) return false;
  const jobId = `scrape-catchup-${Math.floor(now.getTime() / 600_000)}`;
  await queue.add(JOB_NAMES.scrape, { dates: [], reason: 'schedule' }, { ...DEFAULT_JOB_OPTIONS.scrape, jobId });
  log.info({ jobId, lastOk: last?.toISOString() ?? null }, 'papers are stale or missing: scraping now instead of waiting for the schedule');
  return true;
}

/** The production source: the JSON API, falling back to the listing page when the API's answer is unusable. */
export function defaultSource(
  ctx: Pick<Context, 'config' | 'log'>,
  cache: RedisEtagCache | null,
  metrics?: Metrics | null,
  http?: HttpClient,
  /** Shutdown: abandons requests and retry waits in flight (see HttpClientOptions.signal). */
  signal?: AbortSignal,
): ListingSource {
  const log = ctx.log.child({ mod: 'scrape' });
  const client =
    http ??
    new HttpClient({
      userAgent: scraperUserAgent(ctx.config.publicUrl),
      onRetry: (i) => log.warn(i, 'scrape: retrying'),
      ...(signal ? { signal } : {}),
    });
  return new FallbackSource(new ApiSource(client, cache, ctx.config.hfBaseUrl), new PageSource(client, cache, ctx.config.hfBaseUrl), (err) => {
    if (err instanceof ScrapeLayoutError) {
      log.error({ event: LAYOUT_CHANGED_EVENT, url: err.url, missing: err.missing }, `ALERT: ${err.message} (falling back to the listing page)`);
      metrics?.alerts.inc({ event: LAYOUT_CHANGED_EVENT });
    } else {
      log.warn({ err }, 'scrape: JSON API unusable; falling back to the listing page');
    }
  });
}

export interface ScrapeSchedulerOptions {
  ctx: Context;
  papers: PaperStore;
  metrics?: Metrics | null;
  /** Override the source (tests point it at a loopback server through config.hfBaseUrl instead, normally). */
  source?: ListingSource;
  onScrape?: (result: ScrapeJobResult) => void;
  /** Scrape at once when papers are stale or missing (default true; see catchUpScrape). */
  catchUp?: boolean;
}

export interface ScrapeJobResult {
  skipped?: 'paused';
  days: { day: string; status: ScrapeOutcome['status'] | 'failed'; papers: number; error?: string }[];
}

export interface ScrapeScheduler {
  queue: Queue;
  worker: Worker;
  /** The pattern and zone currently applied. */
  current(): { pattern: string; tz: string } | null;
  stop(): Promise<void>;
}

export async function startScrapeScheduler(opts: ScrapeSchedulerOptions): Promise<ScrapeScheduler> {
  const { ctx, papers } = opts;
  const log = ctx.log.child({ mod: 'scrape' });
  const live = await ctx.liveSettings();
  const cache = new RedisEtagCache(ctx.redis, ctx.keys);
  // A scrape in flight at shutdown (HF slow or down: 20 s timeouts, backoff between retries) would hold the worker's
  // close past SHUTDOWN_TIMEOUT_MS; abandon it instead. Nothing is half-written (the store writes in one MULTI) and
  // the next run scrapes again.
  const shutdown = new AbortController();
  const source = opts.source ?? defaultSource(ctx, cache, opts.metrics, undefined, shutdown.signal);

  const processor = async (job: { id?: string; data: unknown; attemptsMade?: number; opts?: { attempts?: number } }): Promise<ScrapeJobResult> => {
    const data = scrapeJobSchema.parse(job.data ?? {});
    const settings = await ctx.settings.get(); // read afresh: a pause set a moment ago applies to this run
    const jlog = log.child({ jobId: job.id });
    if (settings.scrapingPaused && data.reason === 'schedule') {
      jlog.info('scraping is paused (setting scrapingPaused); skipped');
      const result: ScrapeJobResult = { skipped: 'paused', days: [] };
      opts.onScrape?.(result);
      return result;
    }
    const defaults = scrapeDates(settings, ctx.clock());
    const today = defaults[0]!;
    const days = data.dates.length ? data.dates : defaults;
    const result: ScrapeJobResult = { days: [] };
    const errors: Error[] = [];
    for (const day of days) {
      try {
        const limits = { maxPapersPerDay: settings.scrapeMaxPapersPerDay };
        const out = await scrapeListing({ source, store: papers, cache, log: jlog, metrics: opts.metrics ?? null, clock: ctx.clock, limits }, { day, today });
        result.days.push({ day, status: out.status, papers: out.papers.length });
      } catch (err) {
        errors.push(err as Error);
        result.days.push({ day, status: 'failed', papers: 0, error: (err as Error).message });
      }
    }
    opts.onScrape?.(result);
    if (errors.length) {
      const message = errors.map((e) => e.message).join('; ');
      // One line a person reads per failed run (the cause, when the next try is), not a stack trace per day.
      const failedDays = result.days.filter((d) => d.status === 'failed').map((d) => d.day);
      const final = errors.every((e) => e instanceof ScrapeLayoutError);
      const attempt = (job.attemptsMade ?? 0) + 1;
      const attempts = job.opts?.attempts ?? DEFAULT_JOB_OPTIONS.scrape.attempts;
      const next = !final && attempt < attempts
        ? `retry ${attempt + 1}/${attempts} in ${Math.round((DEFAULT_JOB_OPTIONS.scrape.backoff.delay * 2 ** (attempt - 1)) / 1000)} s`
        : `next try at the next scheduled run (${settings.scrapePattern}, ${settings.scrapeTimezone})`;
      jlog.warn({ days: failedDays, attempt, final }, summarizeScrapeFailure(failedDays, errors, next));
      // Layout errors are final for this run; anything else (HTTP, Redis) is worth the job's retries.
      if (errors.every((e) => e instanceof ScrapeLayoutError)) throw new UnrecoverableError(message);
      throw new Error(message);
    }
    return result;
  };

  let applied: { pattern: string; tz: string } | null = null;
  const qw = await startQueueWorker({
    queue: QUEUES.scrape,
    connect: (name) => ctx.newRedis(name, true),
    prefix: ctx.config.redisPrefix,
    log,
    processor,
    worker: { concurrency: 1 },
    logFailure: () => false, // the processor logged its one summary line
    shutdownTimeoutMs: ctx.config.shutdownTimeoutMs,
    settings: {
      live,
      select: (s) => ({ pattern: s.scrapePattern, tz: s.scrapeTimezone }),
      apply: async (next: { pattern: string; tz: string }, queue) => {
        await upsertScrapeScheduler(queue, { scrapePattern: next.pattern, scrapeTimezone: next.tz });
        log.info({ from: applied, ...next }, 'scrape scheduler set');
        applied = next;
      },
    },
  });
  if (opts.catchUp !== false) await catchUpScrape(qw.queue, papers, live.current(), ctx.clock(), log);
  return {
    queue: qw.queue,
    worker: qw.worker,
    current: () => applied,
    async stop() {
      shutdown.abort();
      await qw.stop();
    },
  };
}
