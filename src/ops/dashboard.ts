// Everything the admin dashboard shows, gathered in one read-only pass: recent scrapes, today's editions by
// state, digests due per hour for the next 24 h, delivery lag, queue depths and suppressed addresses (masked).
// Each part is independent: one failing (say, a queue call) shows as missing rather than breaking the page.
import type { Redis } from 'ioredis';
import type { ScrapeLogEntry } from '../papers/store.js';
import type { Keys } from '../redis/keys.js';
import { dueHistogram, oldestOverdueMs, type DueHistogram } from './due-histogram.js';
import { editionStateCounts, type StateCounts } from './editions.js';
import { maskEmail } from './mask.js';
import { periodsNow } from './periods.js';
import { queueDepths, schedulers, type OpsQueues, type QueueDepth, type SchedulerInfo } from './queues.js';
import type { Settings } from './settings.js';

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

export interface DashboardDeps {
  redis: Redis;
  keys: Keys;
  queues: OpsQueues | null;
  settings: () => Promise<Settings>;
  /** H1's PaperStore.recentScrapes when wired; otherwise the scrape log list is read directly. */
  recentScrapes?: (n: number) => Promise<ScrapeLogEntry[]>;
}

function utcDay(d: Date): string {
  return d.toISOString().slice(0, 10);
}

export async function readScrapeLog(redis: Redis, keys: Keys, n: number): Promise<ScrapeLogEntry[]> {
  const rows = await redis.lrange(keys.scrapeLog, 0, n - 1);
  return rows.flatMap((r) => {
    try {
      return [JSON.parse(r) as ScrapeLogEntry];
    } catch {
      return [];
    }
  });
}

export async function lastScrapeOk(redis: Redis, keys: Keys): Promise<Date | null> {
  const raw = await redis.get(keys.scrapeLastOk);
  const d = raw ? new Date(raw) : null;
  return d && !Number.isNaN(d.getTime()) ? d : null;
}

export async function suppressedList(redis: Redis, keys: Keys, limit: number): Promise<{ count: number; rows: SuppressedRow[] }> {
  const count = await redis.hlen(keys.suppressed);
  const rows: SuppressedRow[] = [];
  let cursor = '0';
  do {
    const [next, flat] = await redis.hscan(keys.suppressed, cursor, 'COUNT', 200);
    cursor = next;
    for (let i = 0; i + 1 < flat.length && rows.length < limit; i += 2) {
      let reason = flat[i + 1]!;
      let at: string | null = null;
      try {
        const parsed = JSON.parse(reason) as { reason?: string; at?: string; code?: number };
        // The reason usually quotes the reply ("550 5.1.1 user unknown"); add the code only when it does not.
        const code = parsed.code && !String(parsed.reason ?? '').includes(String(parsed.code)) ? parsed.code : null;
        reason = [parsed.reason, code].filter(Boolean).join(' ') || 'suppressed';
        at = parsed.at ?? null;
      } catch {
        // a plain-string reason is shown as is
      }
      rows.push({ masked: maskEmail(flat[i]!), reason, at });
    }
  } while (cursor !== '0' && rows.length < limit);
  rows.sort((a, b) => (b.at ?? '').localeCompare(a.at ?? ''));
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
  const { redis, keys } = deps;
  const settings = await deps.settings();
  const periods = periodsNow(now);
  const today = utcDay(now);
  const listed = [...periods.daily, ...periods.weekly, periods.previousDaily];
  const [last, scrapes, due, overdueMs, queues, scheds, suppressed, edCounts] = await Promise.all([
    lastScrapeOk(redis, keys),
    deps.recentScrapes ? deps.recentScrapes(10) : readScrapeLog(redis, keys, 10),
    dueHistogram(redis, keys, now, 24),
    oldestOverdueMs(redis, keys, now),
    deps.queues ? orNull(queueDepths(deps.queues)) : Promise.resolve(null),
    deps.queues ? orNull(schedulers(deps.queues)) : Promise.resolve(null),
    suppressedList(redis, keys, 50),
    Promise.all(listed.map((p) => editionStateCounts(redis, keys, p))),
  ]);
  const total = (c: StateCounts) => Object.values(c).reduce((a, b) => a + b, 0);
  return {
    now,
    settings,
    lastScrapeOk: last,
    scrapeFresh: last !== null && now.getTime() - last.getTime() <= settings.freshnessHours * 3_600_000,
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
    oldestOverdueMs: overdueMs,
    queues,
    schedulers: scheds,
    suppressed,
  };
}
