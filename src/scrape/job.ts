// The scrape job and its BullMQ wiring: a job scheduler in the `scrape` queue (pattern + zone from the operator
// settings, re-applied live when they change), and a worker (concurrency 1) that scrapes today and
// `scrapeDaysBack` days before, in the scrape zone. A layout error fails the job with its message and is not
// retried (the page will not change back in 30 seconds; the next scheduled run tries again); HTTP trouble is
// retried per DEFAULT_JOB_OPTIONS.scrape. `scrapingPaused` skips scheduled runs (manual ones still run).
import { Queue, UnrecoverableError, Worker } from 'bullmq';
import { DateTime } from 'luxon';
import type { Context } from '../context.js';
import type { Metrics } from '../ops/metrics.js';
import type { Settings } from '../ops/settings.js';
import type { PaperStore } from '../papers/store.js';
import { DEFAULT_JOB_OPTIONS, QUEUES, SCRAPE_SCHEDULER_ID, scrapeJobSchema } from '../queue/catalog.js';
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

export async function upsertScrapeScheduler(queue: Queue, settings: Pick<Settings, 'scrapePattern' | 'scrapeTimezone'>): Promise<void> {
  await queue.upsertJobScheduler(
    SCRAPE_SCHEDULER_ID,
    { pattern: settings.scrapePattern, tz: settings.scrapeTimezone },
    { name: 'scrape', data: { dates: [], reason: 'schedule' }, opts: { ...DEFAULT_JOB_OPTIONS.scrape } },
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
  await queue.add('scrape', { dates: [], reason: 'schedule' }, { ...DEFAULT_JOB_OPTIONS.scrape, jobId });
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
  const prefix = ctx.config.redisPrefix;
  const cache = new RedisEtagCache(ctx.redis, ctx.keys);
  // A scrape in flight at shutdown (HF slow or down: 20 s timeouts, backoff between retries) would hold
  // worker.close() past SHUTDOWN_TIMEOUT_MS; abandon it instead. Nothing is half-written (the store writes in one
  // MULTI) and the next run scrapes again.
  const shutdown = new AbortController();
  const source = opts.source ?? defaultSource(ctx, cache, opts.metrics, undefined, shutdown.signal);
  const queue = new Queue(QUEUES.scrape, { connection: ctx.newRedis('scrape-queue', true), prefix });
  // Without a listener BullMQ prints connection errors raw to stderr, outside the JSON log.
  queue.on('error', (err) => log.warn({ err }, 'scrape queue error'));

  const worker = new Worker(
    QUEUES.scrape,
    async (job): Promise<ScrapeJobResult> => {
      const data = scrapeJobSchema.parse(job.data ?? {});
      const settings = await ctx.settings.get();
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
          const out = await scrapeListing({ source, store: papers, cache, log: jlog, metrics: opts.metrics ?? null, clock: ctx.clock }, { day, today });
          result.days.push({ day, status: out.status, papers: out.papers.length });
        } catch (err) {
          errors.push(err as Error);
          result.days.push({ day, status: 'failed', papers: 0, error: (err as Error).message });
        }
      }
      opts.onScrape?.(result);
      if (errors.length) {
        const message = errors.map((e) => e.message).join('; ');
        // Layout errors are final for this run; anything else (HTTP, Redis) is worth the job's retries.
        if (errors.every((e) => e instanceof ScrapeLayoutError)) throw new UnrecoverableError(message);
        throw new Error(message);
      }
      return result;
    },
    { connection: ctx.newRedis('scrape-worker', true), prefix, concurrency: 1 },
  );
  worker.on('failed', (job, err) => log.error({ err, jobId: job?.id }, 'scrape job failed'));
  worker.on('error', (err) => log.error({ err }, 'scrape worker error'));

  let applied: { pattern: string; tz: string } | null = null;
  let stopWatch: (() => Promise<void>) | null = null;
  try {
    stopWatch = await ctx.settings.watch(
      ctx.newRedis('scrape-settings-sub'),
      async (s) => {
        if (applied && applied.pattern === s.scrapePattern && applied.tz === s.scrapeTimezone) return;
        await upsertScrapeScheduler(queue, s);
        log.info({ from: applied, pattern: s.scrapePattern, tz: s.scrapeTimezone }, 'scrape scheduler set');
        applied = { pattern: s.scrapePattern, tz: s.scrapeTimezone };
      },
      log,
    );
  } catch (err) {
    await worker.close();
    await queue.close();
    throw err;
  }
  if (opts.catchUp !== false) await catchUpScrape(queue, papers, await ctx.settings.get(), ctx.clock(), log);
  return {
    queue,
    worker,
    current: () => applied,
    async stop() {
      shutdown.abort();
      await stopWatch?.();
      await worker.close();
      await queue.close();
    },
  };
}
