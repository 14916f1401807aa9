// What a parser returns, and the one policy decision about empty listings (pure).
import type { Paper } from '../papers/paper.js';
import type { NormalizedList } from '../papers/normalize.js';

export interface ParseOptions {
  /** Where the body came from: named in errors and logs. */
  url: string;
  /** The day that was asked for (YYYY-MM-DD), if any. */
  requestedDay?: string | null;
  /** The caller's today (YYYY-MM-DD): last resort for listedOn. Parsers never read the clock. */
  today: string;
}

export interface ParsedListing {
  source: 'page' | 'api';
  /** props = page data-props JSON; cards = <article>/link fallback; api = JSON API. */
  via: 'props' | 'cards' | 'api';
  papers: Paper[];
  /** The listing's own day (page dateString/date), when it says. */
  pageDay: string | null;
  /** 'day' | 'week' | 'month' when the page says; null for the API. */
  periodType: string | null;
  /** Records dropped (no id/title, invalid, duplicate): counted warnings, not failures. */
  rejected: NormalizedList['rejected'];
  warnings: string[];
  /** A part, not the whole: the API stopped at its page cap, or the page shows more cards than its JSON holds. */
  incomplete?: boolean;
}

export function isoDay(d: Date): string {
  return d.toISOString().slice(0, 10);
}

export function isWeekend(day: string): boolean {
  const dow = new Date(`${day}T00:00:00Z`).getUTCDay();
  return dow === 0 || dow === 6;
}

/**
 * A listing that was recognized but holds no papers: is that a quiet day or a broken page?
 * Documented outcome (tests in test/unit/scrape/empty-day.test.ts):
 * - JSON API, `date=` answered `[]`: a quiet day (weekends, holidays, today before anything was submitted). The
 *   API's shape is its contract; an empty array is a valid answer. → 'empty'.
 * - HTML page whose DailyPapers props hold an empty list: HF does show empty pages on weekends, and today's page
 *   is empty until the first submission. A past WEEKDAY that shows nothing is far more likely a page that stopped
 *   rendering its data than a day without papers, so that raises (alert) instead. → 'empty' for weekends,
 *   today or later; 'layout-error' for a past weekday. (A quiet public holiday will alert once: the price of
 *   catching a broken page on a normal day.)
 * 'empty' writes no papers but records the day as confirmed by the source (freshness), like a 304.
 */
export function classifyEmpty(listing: Pick<ParsedListing, 'source'>, day: string, today: string): 'empty' | 'layout-error' {
  if (listing.source === 'api') return 'empty';
  if (isWeekend(day) || day >= today) return 'empty';
  return 'layout-error';
}
