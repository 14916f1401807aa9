// The JSON API (`/api/daily_papers?date=…&limit=…&p=…`) → papers (pure). The API answers a JSON array of
// entries in submission order. `[]` is a valid answer (a quiet day, or one page past the end); anything that is
// not an array of entries is a ScrapeLayoutError naming what was found instead.
import { normalizeEntries } from '../papers/normalize.js';
import { ScrapeLayoutError } from './errors.js';
import type { ParsedListing, ParseOptions } from './listing.js';

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

function describe(v: unknown): string {
  if (Array.isArray(v)) return `an array of ${v.length}`;
  if (isObj(v)) return `an object with keys ${Object.keys(v).slice(0, 8).join(', ') || '(none)'}`;
  return v === null ? 'null' : `a ${typeof v}`;
}

/** The entry list from a decoded API body; tolerates `{dailyPapers: [...]}` wrappers. */
export function apiEntries(body: unknown, url: string): unknown[] {
  if (Array.isArray(body)) return body;
  if (isObj(body)) {
    for (const key of ['dailyPapers', 'papers', 'data', 'items']) if (Array.isArray(body[key])) return body[key] as unknown[];
  }
  throw new ScrapeLayoutError(url, `expected a JSON array of daily-paper entries, got ${describe(body)}`);
}

export function parseApiValue(body: unknown, opts: ParseOptions): ParsedListing {
  const entries = apiEntries(body, opts.url);
  const { papers, rejected } = normalizeEntries(entries, { requestedDay: opts.requestedDay ?? null, fallbackDay: opts.today });
  if (entries.length > 0 && papers.length === 0) {
    throw new ScrapeLayoutError(opts.url, `JSON array holds ${entries.length} entries but none has a paper id and title (first: ${describe(entries[0])})`);
  }
  return { source: 'api', via: 'api', papers, pageDay: null, periodType: null, rejected, warnings: [] };
}

export function parseApiBody(text: string, opts: ParseOptions): ParsedListing {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    throw new ScrapeLayoutError(opts.url, `body is not valid JSON (${(err as Error).message})`);
  }
  return parseApiValue(value, opts);
}
