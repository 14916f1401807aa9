// Everything the admin dashboard shows, gathered in one read-only pass: recent scrapes, today's editions by
// state, digests due per hour for the next 24 h, delivery lag, queue depths and suppressed addresses (masked).
// Each part is independent: one failing (say, a queue call) shows as missing rather than breaking the page.
import type { DeliveryLedger } from '../digest/ledger.js';
import type { OpsQueues } from '../queue/handles.js';
import type { PaperStore, ScrapeLogEntry } from '../papers/store.js';
import type { Settings } from '../settings/schema.js';
import type { DueHistogram, SubscriberStore } from '../subscribers/store.js';
import type { SuppressionList } from '../subscribers/suppression.js';
import { maskEmail } from '../util/redact.js';
import { judgeListingFreshness } from './listing-freshness.js';
import { periodsNow } from './periods.js';
import { queueDepths, schedulers, type QueueDepth, type SchedulerInfo } from './queues.js';

export type { ScrapeLogEntry };

export interface SuppressedRow {
  masked: string;
  reason: string;
  at: string | null;
}

export interface DashboardData {
  now: Date;
  settings: Settings;
  lastScrapeOk: Date | null;
  scrapeFresh: boolean;
  scrapes: ScrapeLogEntry[];
  /**
   * Editions by period: those under way now (each a local date that is "today" somewhere, newest first; the
   * current ISO week when it has weekly editions), then the newest period that is over everywhere.
   */
  editions: { period: string; counts: StateCounts; total: number; live: boolean; where: string }[];
  due: DueHistogram;
  oldestOverdueMs: number;
  queues: QueueDepth[] | null;
  schedulers: SchedulerInfo[] | null;
  suppressed: { count: number; rows: SuppressedRow[] };
}

export type StateCounts = Record<string, number>;

export interface DashboardDeps {
  papers: Pick<PaperStore, 'lastSuccessfulScrape' | 'recentScrapes'> & Partial<Pick<PaperStore, 'newestDay'>>;
  subscribers: Pick<SubscriberStore, 'dueHistogram' | 'earliestDue'>;
  ledger: Pick<DeliveryLedger, 'countsByState'>;
  suppression: Pick<SuppressionList, 'count' | 'list'>;
  queues: OpsQueues | null;
  settings: () => Promise<Settings>;
}

function utcDay(d: Date): string {
  return d.toISOString().slice(0, 10);
}

/** The newest suppressed addresses, masked, with the reason an operator reads (the reply quoted, with its code). */
async function suppressedRows(list: DashboardDeps['suppression'], limit: number): Promise<{ count: number; rows: SuppressedRow[] }> {
  const [count, entries] = await Promise.all([list.count(), list.list(limit)]);
  const rows = entries.map((e) => {
    // The reason usually quotes the reply ("550 5.1.1 user unknown"); add the code only when it does not.
    const code = e.code && !e.reason.includes(String(e.code)) ? e.code : null;
    return { masked: maskEmail(e.email), reason: [e.reason, code].filter(Boolean).join(' ') || 'suppressed', at: e.at };
  });
  return { count, rows };
}

async function orNull<T>(p: Promise<T>): Promise<T | null> {
  try {
    return await p;
  } catch {
    return null;
  }
}

export async function loadDashboard(deps: DashboardDeps, now: Date): Promise<DashboardData> {
  const settings = await deps.settings();
  const periods = periodsNow(now);
  const today = utcDay(now);
  const listed = [...periods.daily, ...periods.weekly, periods.previousDaily];
  const [last, scrapes, due, earliest, queues, scheds, suppressed, edCounts, newestDay] = await Promise.all([
    deps.papers.lastSuccessfulScrape(),
    deps.papers.recentScrapes(10),
    deps.subscribers.dueHistogram(now, 24),
    deps.subscribers.earliestDue(now),
    deps.queues ? orNull(queueDepths(deps.queues)) : Promise.resolve(null),
    deps.queues ? orNull(schedulers(deps.queues)) : Promise.resolve(null),
    suppressedRows(deps.suppression, 50),
    Promise.all(listed.map(async (p) => nonZero(await deps.ledger.countsByState(p)))),
    deps.papers.newestDay ? deps.papers.newestDay() : Promise.resolve(undefined),
  ]);
  // Fresh by the newest listing date too, not only by when a scrape last succeeded (src/ops/listing-freshness.ts).
  const listingFresh = newestDay === undefined || judgeListingFreshness(newestDay, now, settings.scrapeTimezone).fresh;
  const total = (c: StateCounts) => Object.values(c).reduce((a, b) => a + b, 0);
  return {
    now,
    settings,
    lastScrapeOk: last,
    scrapeFresh: last !== null && now.getTime() - last.getTime() <= settings.freshnessHours * 3_600_000 && listingFresh,
    scrapes,
    editions: listed
      .map((period, i) => {
        const counts = edCounts[i]!;
        const weekly = period.includes('W');
        const live = period !== periods.previousDaily;
        const where = weekly
          ? 'this week'
          : !live
            ? 'over everywhere'
            : period === today
              ? 'today in UTC'
              : period > today
                ? 'already today east of UTC'
                : 'still today west of UTC';
        return { period, counts, total: total(counts), live, where };
      })
      // A week nobody gets a weekly edition in is noise; the daily periods always show (an empty one is news).
      .filter((e) => !e.period.includes('W') || e.total > 0),
    due,
    oldestOverdueMs: earliest ? now.getTime() - earliest.getTime() : 0,
    queues,
    schedulers: scheds,
    suppressed,
  };
}

/** Only the states present (the dashboard lists what is there). */
function nonZero(counts: Record<string, number>): StateCounts {
  return Object.fromEntries(Object.entries(counts).filter(([, n]) => n > 0));
}
