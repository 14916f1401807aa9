// One entry point for any listing body: detects JSON (API) or HTML (page) from the bytes themselves (a file has
// no content type, and servers mislabel), then hands it to the right parser.
import { ScrapeLayoutError } from './errors.js';
import type { ParsedListing, ParseOptions } from './listing.js';
import { parseApiBody } from './parse-api.js';
import { parseListingPage } from './parse-page.js';

export type BodyKind = 'json' | 'html' | 'unknown';

export function detectBodyKind(body: string): BodyKind {
  const head = body.replace(/^\ufeff/, '').trimStart().slice(0, 512);
  if (head.startsWith('[') || head.startsWith('{')) return 'json';
  if (head.startsWith('<')) return 'html';
  return 'unknown';
}

export function parseListingBody(body: string, opts: ParseOptions): ParsedListing {
  if (body.trim() === '') throw new ScrapeLayoutError(opts.url, 'empty body');
  const kind = detectBodyKind(body);
  if (kind === 'json') return parseApiBody(body.replace(/^\ufeff/, ''), opts);
  if (kind === 'html') return parseListingPage(body, opts);
  throw new ScrapeLayoutError(opts.url, `body is neither HTML nor JSON (starts with ${JSON.stringify(body.trimStart().slice(0, 40))})`);
}
