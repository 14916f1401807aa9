// One scrape of one listing: fetch → parse → decide → store (or, dry run, just return). This is where the
// safety rules live: a layout error is alerted (log event `scrape.layout_changed`, alerts + failure metrics,
// a failed entry in the scrape log) and re-thrown with nothing stored; a 304 or a legitimately empty day
// refreshes the day's freshness without touching papers; cache entries are saved only after the papers are.
import type { Logger } from '../log.js';
import type { Metrics } from '../metrics/metrics.js';
import type { Paper } from '../papers/paper.js';
import type { PaperStore } from '../papers/store.js';
import { HttpError, ScrapeLayoutError } from './errors.js';
import type { EtagCache } from './etag-cache.js';
import { classifyEmpty } from './listing.js';
import { DEFAULT_MAX_PAPERS_PER_DAY, oversizedListing, sharpShrink, type ListingLimits } from './plausibility.js';
import type { ListingRequest, ListingSource } from './sources.js';

export interface ScrapeDeps {
  source: ListingSource;
  /** null = dry run: nothing is written anywhere. */
  store: PaperStore | null;
  cache: EtagCache | null;
  log: Logger;
  metrics?: Pick<Metrics, 'alerts' | 'scrapeFailures' | 'scrapeDuration' | 'scrapePapers' | 'lastScrapeSuccess'> | null;
  /** Wall clock, for the last-success metric. */
  clock: () => Date;
  /** Monotonic milliseconds for durations (performance.now by default). */
  now?: () => number;
  /** Plausibility bounds (default: DEFAULT_MAX_PAPERS_PER_DAY per day, no override). */
  limits?: ListingLimits;
}

export interface ScrapeOutcome {
  status: 'ok' | 'not-modified' | 'empty';
  url: string;
  day: string | null;
  papers: Paper[];
  stored: number;
  added: number;
  rejected: number;
  warnings: string[];
}

export const LAYOUT_CHANGED_EVENT = 'scrape.layout_changed';

function groupByDay(papers: Paper[]): Map<string, Paper[]> {
  const groups = new Map<string, Paper[]>();
  for (const p of papers) {
    const g = groups.get(p.listedOn);
    if (g) g.push(p);
    else groups.set(p.listedOn, [p]);
  }
  return groups;
}

export async function scrapeListing(deps: ScrapeDeps, req: ListingRequest): Promise<ScrapeOutcome> {
  const { source, store, log, metrics } = deps;
  const now = deps.now ?? (() => performance.now());
  const started = now();
  const day = req.day ?? null;
  let url = '';
  const observe = (status: string) => metrics?.scrapeDuration.observe({ source: source.name, status }, (now() - started) / 1000);
  try {
    const outcome = await source.fetchListing(req);
    url = outcome.url;
    const meta = { source: outcome.answeredBy ?? source.name, url };
    if (outcome.kind === 'not-modified') {
      await store?.confirmDay(day, meta, 'not-modified');
      if (store) metrics?.lastScrapeSuccess.set(deps.clock().getTime() / 1000);
      observe('not-modified');
      log.info({ url, day }, 'listing not modified since the last scrape');
      return { status: 'not-modified', url, day, papers: [], stored: 0, added: 0, rejected: 0, warnings: [] };
    }
    const { listing } = outcome;
    for (const w of listing.warnings) log.warn({ url, day }, `scrape: ${w}`);
    if (listing.rejected.length) {
      log.warn({ url, day, rejected: listing.rejected.length, examples: listing.rejected.slice(0, 3) }, 'scrape: records rejected (no id/title or invalid)');
    }
    const warnings = [...listing.warnings];
    const base = { url, day, rejected: listing.rejected.length, warnings };
    const periodic = listing.periodType === 'week' || listing.periodType === 'month';
    if (day && listing.pageDay && listing.pageDay !== day && !periodic) {
      log.warn({ url, day, pageDay: listing.pageDay }, 'scrape: asked for one day, the source answered with another (no listing for the day asked)');
    } else if (day && !periodic && listing.papers.length > 0 && !listing.papers.some((p) => p.listedOn === day)) {
      // An API that ignores `date=` answers with another day's papers: they are stored under their own day, but
      // the day asked for stays empty, which an operator should hear about.
      const days = [...new Set(listing.papers.map((p) => p.listedOn))].slice(0, 5);
      warnings.push(`asked for ${day}, but the ${listing.papers.length} papers are listed on ${days.join(', ')}`);
      log.warn({ url, day, days }, 'scrape: none of the papers is listed on the day asked for (did the source ignore the date?)');
    }
    if (listing.papers.length === 0) {
      const judged = classifyEmpty(listing, day ?? listing.pageDay ?? req.today, req.today);
      if (judged === 'layout-error') throw new ScrapeLayoutError(url, `the listing for ${day ?? listing.pageDay} (a past weekday) holds no papers`);
      await store?.confirmDay(day, meta, 'empty');
      observe('empty');
      log.info({ url, day }, 'scrape: the source lists no papers for this day (quiet day)');
      return { ...base, status: 'empty', papers: [], stored: 0, added: 0 };
    }
    const limits = deps.limits ?? { maxPapersPerDay: DEFAULT_MAX_PAPERS_PER_DAY };
    const groups = groupByDay(listing.papers);
    const oversized = oversizedListing(new Map([...groups].map(([d, ps]) => [d, ps.length])), limits);
    if (oversized) throw new ScrapeLayoutError(url, oversized);
    let stored = 0;
    let added = 0;
    if (store) {
      // Only the day asked for is rebuilt (so a paper HF drops from it drops from ours), and only from a listing
      // read whole. Week and month pages hold a selection of each day's papers; the latest listing (no day asked)
      // and other days a listing happens to hold may be cut anywhere; a listing read only in part (cards found by
      // heuristics without the JSON, records dropped, the API's page cap) may miss papers. All of those merge
      // into their days: a misread page must never wipe a day's stored papers, only add and refresh.
      const partial = listing.via === 'cards' || listing.incomplete === true || listing.rejected.some((r) => r.reason !== 'duplicate id');
      let rebuild: Set<string> | false = day && !periodic && !partial ? new Set([day]) : false;
      if (rebuild && day) {
        const shrink = sharpShrink(day, await store.countDay(day), groups.get(day)?.length ?? 0, limits);
        if (shrink) {
          rebuild = false;
          warnings.push(shrink);
          log.error({ event: LAYOUT_CHANGED_EVENT, url, day }, `ALERT: ${shrink}`);
          metrics?.alerts.inc({ event: LAYOUT_CHANGED_EVENT });
        }
      }
      if (partial) log.warn({ url, day, via: listing.via, rejected: listing.rejected.length }, 'scrape: listing read in part; merged into its days instead of replacing them');
      ({ stored, added } = await store.replaceDays(groups, meta, day, { rebuild }));
      for (const w of outcome.cacheWrites) await deps.cache?.set(w.url, w.entry);
      metrics?.lastScrapeSuccess.set(deps.clock().getTime() / 1000);
      for (const [d, ps] of groups) metrics?.scrapePapers.set({ day: d }, ps.length);
    }
    observe('ok');
    log.info({ url, day, papers: listing.papers.length, stored, added, via: listing.via }, 'scrape stored');
    return { ...base, status: 'ok', papers: listing.papers, stored, added };
  } catch (err) {
    observe('failed');
    const message = (err as Error).message;
    if (err instanceof ScrapeLayoutError) {
      log.error({ event: LAYOUT_CHANGED_EVENT, url: err.url, day, missing: err.missing }, `ALERT: ${message}`);
      metrics?.alerts.inc({ event: LAYOUT_CHANGED_EVENT });
      metrics?.scrapeFailures.inc({ reason: 'layout' });
    } else {
      metrics?.scrapeFailures.inc({ reason: err instanceof HttpError ? 'http' : 'other' });
      // Detail for debugging only: the scrape job logs one summary line per failed run (job.ts).
      log.debug({ err, url: url || undefined, day }, 'scrape failed');
    }
    await store?.recordFailure(day, { source: source.name, url: url || (err as { url?: string }).url || '' }, message).catch((e: unknown) => {
      log.warn({ err: e }, 'could not record the failed scrape');
    });
    throw err;
  }
}
