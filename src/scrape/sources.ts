// Where listings come from, behind one interface: the HF listing page (latest, a day, a week or a month), the HF
// JSON API (a day, paged), an arbitrary URL, or a local file (HTML or JSON, detected). A source fetches and
// parses; it never writes. Cache entries to save come back with the listing and are written by the caller
// once the papers are stored.
import { readFile, stat } from 'node:fs/promises';
import { HttpStatusError, ScrapeLayoutError } from './errors.js';
import type { CachedResponse, EtagCache } from './etag-cache.js';
import type { HttpClient } from './http.js';
import type { ParsedListing } from './listing.js';
import { parseApiBody } from './parse-api.js';
import { parseListingBody } from './parse.js';

export interface ListingRequest {
  /** YYYY-MM-DD; absent = the latest listing. */
  day?: string | null;
  /** YYYY-Www (page source only). */
  week?: string;
  /** YYYY-MM (page source only). */
  month?: string;
  /** The caller's today (YYYY-MM-DD), for listedOn when nothing else says. */
  today: string;
}

export type ListingOutcome = (
  | { kind: 'listing'; url: string; listing: ParsedListing; cacheWrites: { url: string; entry: CachedResponse }[] }
  | { kind: 'not-modified'; url: string }
) & {
  /** Which source actually answered, when it differs from the source's name (a fallback). */
  answeredBy?: string;
};

export interface ListingSource {
  readonly name: string;
  fetchListing(req: ListingRequest): Promise<ListingOutcome>;
}

const DAY = /^\d{4}-\d{2}-\d{2}$/;

export function pageUrl(base: string, req: Pick<ListingRequest, 'day' | 'week' | 'month'>): string {
  if (req.week) {
    if (!/^\d{4}-W\d{2}$/.test(req.week)) throw new Error(`week must be YYYY-Www: ${req.week}`);
    return `${base}/papers/week/${req.week}`;
  }
  if (req.month) {
    if (!/^\d{4}-\d{2}$/.test(req.month)) throw new Error(`month must be YYYY-MM: ${req.month}`);
    return `${base}/papers/month/${req.month}`;
  }
  if (req.day) {
    if (!DAY.test(req.day)) throw new Error(`day must be YYYY-MM-DD: ${req.day}`);
    return `${base}/papers/date/${req.day}`;
  }
  return `${base}/papers`;
}

/** One URL, conditional on the cached ETag, parsed by what the body turns out to be. */
async function fetchOne(http: HttpClient, cache: EtagCache | null, url: string, req: ListingRequest, accept?: string): Promise<ListingOutcome> {
  const cached = cache ? await cache.get(url) : null;
  const res = await http.get(url, { etag: cached?.etag ?? null, ...(accept ? { accept } : {}) });
  if (res.status === 'not-modified') return { kind: 'not-modified', url };
  const listing = parseListingBody(res.body, { url, requestedDay: req.day ?? null, today: req.today });
  return { kind: 'listing', url, listing, cacheWrites: res.etag ? [{ url, entry: { etag: res.etag, body: res.body } }] : [] };
}

export class PageSource implements ListingSource {
  readonly name = 'page';
  constructor(
    private readonly http: HttpClient,
    private readonly cache: EtagCache | null,
    private readonly baseUrl: string,
  ) {}

  fetchListing(req: ListingRequest): Promise<ListingOutcome> {
    return fetchOne(this.http, this.cache, pageUrl(this.baseUrl, req), req, 'text/html,application/xhtml+xml;q=0.9,*/*;q=0.5');
  }
}

/** Any URL the operator names (`scrape --from https://…`): page or API body, detected. */
export class UrlSource implements ListingSource {
  readonly name = 'url';
  constructor(
    private readonly http: HttpClient,
    private readonly cache: EtagCache | null,
    private readonly url: string,
  ) {}

  fetchListing(req: ListingRequest): Promise<ListingOutcome> {
    return fetchOne(this.http, this.cache, this.url, req);
  }
}

/**
 * `/api/daily_papers?date=…&limit=…&p=…`, paged until a page comes back empty. Stops early, with a warning,
 * at `maxPages` or when a page brings no new ids (an API that ignores `p` would otherwise loop forever).
 * Not modified only when EVERY page answered 304; otherwise unchanged pages are read from the cache.
 */
export class ApiSource implements ListingSource {
  readonly name = 'api';
  constructor(
    private readonly http: HttpClient,
    private readonly cache: EtagCache | null,
    private readonly baseUrl: string,
    private readonly opts: { limit?: number; maxPages?: number } = {},
  ) {}

  url(day: string | null | undefined, page: number): string {
    const q = new URLSearchParams();
    if (day) q.set('date', day);
    q.set('limit', String(this.opts.limit ?? 100));
    q.set('p', String(page));
    return `${this.baseUrl}/api/daily_papers?${q}`;
  }

  async fetchListing(req: ListingRequest): Promise<ListingOutcome> {
    if (req.week || req.month) throw new Error('the JSON API source lists days only; use the page source for weeks and months');
    if (req.day && !DAY.test(req.day)) throw new Error(`day must be YYYY-MM-DD: ${req.day}`);
    const maxPages = this.opts.maxPages ?? 10;
    const firstUrl = this.url(req.day, 0);
    const merged: ParsedListing = { source: 'api', via: 'api', papers: [], pageDay: null, periodType: 'day', rejected: [], warnings: [] };
    const cacheWrites: { url: string; entry: CachedResponse }[] = [];
    const seen = new Set<string>();
    let allNotModified = true;
    for (let p = 0; ; p++) {
      if (p >= maxPages) {
        merged.warnings.push(`stopped after ${maxPages} pages of the API`);
        merged.incomplete = true;
        break;
      }
      const url = this.url(req.day, p);
      const cached = this.cache ? await this.cache.get(url) : null;
      const res = await this.http.get(url, { etag: cached?.etag ?? null, accept: 'application/json' });
      let body: string;
      if (res.status === 'not-modified') {
        if (!cached) throw new ScrapeLayoutError(url, 'server answered 304 Not Modified to a request we had no cached copy for');
        body = cached.body;
      } else {
        allNotModified = false;
        body = res.body;
        if (res.etag) cacheWrites.push({ url, entry: { etag: res.etag, body } });
      }
      const page = parseApiBody(body, { url, requestedDay: req.day ?? null, today: req.today });
      merged.rejected.push(...page.rejected);
      const fresh = page.papers.filter((x) => !seen.has(x.id));
      if (page.papers.length === 0) break;
      if (fresh.length === 0) {
        merged.warnings.push(`page ${p} of the API repeated earlier papers; stopped paging`);
        break;
      }
      for (const x of fresh) seen.add(x.id);
      merged.papers.push(...fresh);
    }
    if (allNotModified) return { kind: 'not-modified', url: firstUrl };
    return { kind: 'listing', url: firstUrl, listing: merged, cacheWrites };
  }
}

export class FileSource implements ListingSource {
  readonly name = 'file';
  constructor(
    private readonly path: string,
    private readonly maxBytes = 64 * 1024 * 1024,
  ) {}

  async fetchListing(req: ListingRequest): Promise<ListingOutcome> {
    const st = await stat(this.path);
    if (st.size > this.maxBytes) throw new Error(`${this.path} is larger than ${this.maxBytes} bytes`);
    const body = await readFile(this.path, 'utf8');
    const url = `file:${this.path}`;
    return { kind: 'listing', url, listing: parseListingBody(body, { url, requestedDay: req.day ?? null, today: req.today }), cacheWrites: [] };
  }
}

/**
 * Try `primary`; when it fails for a reason that trying again will not fix (layout not recognized, a final 4xx),
 * report that through `onFallback` (still an alert for a layout change) and read `secondary` instead. The JSON
 * API is the natural primary: it carries ai_keywords / ai_summary, which the page's props do not.
 */
export class FallbackSource implements ListingSource {
  readonly name: string;
  constructor(
    private readonly primary: ListingSource,
    private readonly secondary: ListingSource,
    private readonly onFallback: (err: Error) => void,
  ) {
    this.name = primary.name;
  }

  async fetchListing(req: ListingRequest): Promise<ListingOutcome> {
    if (req.week || req.month) return this.secondary.fetchListing(req);
    try {
      return await this.primary.fetchListing(req);
    } catch (err) {
      const final = err instanceof ScrapeLayoutError || (err instanceof HttpStatusError && !err.retryable);
      if (!final) throw err;
      this.onFallback(err as Error);
      return { ...(await this.secondary.fetchListing(req)), answeredBy: this.secondary.name };
    }
  }
}
