// Readiness: can this deployment do its job right now? Redis answers, the scrape and tick job schedulers exist
// (without them nothing is scraped or sent, silently), and the papers are fresh (last successful scrape within
// freshnessHours). Every failing check contributes a reason a person can act on; /readyz answers 503 with them.
import type { Redis } from 'ioredis';
import type { PaperStore } from '../papers/store.js';
import type { OpsQueues } from '../queue/handles.js';
import { judgeListingFreshness } from './listing-freshness.js';
import { schedulers } from './queues.js';
import type { Settings } from '../settings/schema.js';

export interface Readiness {
  ready: boolean;
  reasons: string[];
  checks: {
    redis: boolean;
    schedulers: Record<string, boolean>;
    scrape: { lastOk: string | null; ageMinutes: number | null; freshnessHours: number; fresh: boolean; newestDay?: string | null; missingWeekdays?: number | null };
  };
}

function within<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout;
  return Promise.race([
    p.finally(() => clearTimeout(timer)),
    new Promise<T>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`${what} did not answer within ${ms} ms`)), ms);
    }),
  ]);
}

export async function checkReadiness(deps: {
  redis: Pick<Redis, 'ping'>;
  papers: Pick<PaperStore, 'lastSuccessfulScrape'> & Partial<Pick<PaperStore, 'newestDay'>>;
  queues: OpsQueues | null;
  settings: () => Promise<Settings>;
  now: Date;
}): Promise<Readiness> {
  const reasons: string[] = [];
  const checks: Readiness['checks'] = { redis: false, schedulers: {}, scrape: { lastOk: null, ageMinutes: null, freshnessHours: 0, fresh: false } };
  try {
    await within(deps.redis.ping(), 2_000, 'Redis');
    checks.redis = true;
  } catch (err) {
    reasons.push(`redis unreachable: ${(err as Error).message}`);
    return { ready: false, reasons, checks };
  }
  const settings = await deps.settings();
  if (deps.queues) {
    for (const s of await within(schedulers(deps.queues), 2_000, 'Redis')) {
      // A paused scrape may legitimately have no scheduler; sending never runs without the tick.
      const required = !(s.queue === 'scrape' && settings.scrapingPaused);
      checks.schedulers[s.id] = s.present;
      if (required && !s.present) reasons.push(`job scheduler "${s.id}" is missing from the ${s.queue} queue (is a worker running?)`);
    }
  }
  const last = await deps.papers.lastSuccessfulScrape();
  const ageMs = last ? deps.now.getTime() - last.getTime() : null;
  const fresh = ageMs !== null && ageMs <= settings.freshnessHours * 3_600_000;
  checks.scrape = { lastOk: last?.toISOString() ?? null, ageMinutes: ageMs === null ? null : Math.round(ageMs / 60_000), freshnessHours: settings.freshnessHours, fresh };
  if (!last) reasons.push('no successful scrape yet');
  else if (!fresh) reasons.push(`last successful scrape was ${Math.round(ageMs! / 60_000)} min ago, older than the ${settings.freshnessHours} h freshness bound`);
  if (last && deps.papers.newestDay) {
    // Judged by the listing dates too (src/ops/listing-freshness.ts).
    const listing = judgeListingFreshness(await deps.papers.newestDay(), deps.now, settings.scrapeTimezone);
    checks.scrape = { ...checks.scrape, fresh: fresh && listing.fresh, newestDay: listing.newestDay, missingWeekdays: listing.missingWeekdays };
    if (listing.reason) reasons.push(listing.reason);
  }
  return { ready: reasons.length === 0, reasons, checks };
}
