// Is a listing plausible enough to store? (pure). 580 archived weekdays hold 1–50 papers each: a listing with
// thousands of entries is an attack or a broken source (50,000 stubs replaced a real day and took a worker from
// 200 MB to 840 MB), and a day that shrinks sharply on a rebuild (30 → 1) is a cut listing far more often than
// HF withdrawing papers. Too many entries: refused (layout error, nothing stored). A sharp shrink: the day is
// merged into, not rebuilt (nothing is lost, the papers are refreshed), and an alert says so. An operator who
// knows better overrides with `scrape --accept-listing` or raises the setting `scrapeMaxPapersPerDay`.

export interface ListingLimits {
  /** More papers than this for one day is refused. */
  maxPapersPerDay: number;
  /** Skip every check (the operator's explicit override). */
  accept?: boolean;
}

export const DEFAULT_MAX_PAPERS_PER_DAY = 150;
/** A rebuild keeping less than this share of a day's stored papers is a sharp shrink… */
export const SHRINK_RATIO = 0.5;
/** …when the day held at least this many (a day of 2 going to 1 is not worth an alert). */
export const SHRINK_MIN_STORED = 6;

/** Why the listing must be refused, or null. `counts`: papers per day in the listing. */
export function oversizedListing(counts: ReadonlyMap<string, number>, limits: ListingLimits): string | null {
  if (limits.accept) return null;
  for (const [day, n] of counts) {
    if (n > limits.maxPapersPerDay) {
      return `the listing holds ${n} papers for ${day}, more than any real day (limit ${limits.maxPapersPerDay}; archived days hold 1–50). ` +
        'Refused; if it is genuine, run `papers-digest scrape --accept-listing` or raise the setting scrapeMaxPapersPerDay';
    }
  }
  return null;
}

/** Why rebuilding `day` from `incoming` papers (it holds `stored` now) would shrink it implausibly, or null. */
export function sharpShrink(day: string, stored: number, incoming: number, limits: Pick<ListingLimits, 'accept'>): string | null {
  if (limits.accept || stored < SHRINK_MIN_STORED || incoming >= stored * SHRINK_RATIO) return null;
  return `the listing for ${day} holds ${incoming} papers where ${stored} are stored: merged instead of replacing the day ` +
    '(run `papers-digest scrape --date ' + day + ' --accept-listing` if HF really withdrew them)';
}
