// What scraped data may put into an email: plain text (cleaned, bounded) and https links to expected hosts.
// Pure. The HTML templates escape every value with `{{ }}`; this layer decides what is allowed at all, so a
// `javascript:` or `http:` link from a scraped page never reaches the HTML, whatever the template does.

// Control characters (C0 except tab/newline, DEL, C1) and bidi overrides that can disguise text.
// eslint-disable-next-line no-control-regex
const UNSAFE_CHARS = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/g;

/** Collapse whitespace, drop control/bidi characters, and cut at a word boundary with an ellipsis. */
export function cleanText(value: string | null | undefined, max: number): string {
  if (!value) return '';
  const s = value.replace(UNSAFE_CHARS, ' ').replace(/\s+/g, ' ').trim();
  return truncate(s, max);
}

export function truncate(s: string, max: number): string {
  if (max <= 0) return '';
  if (s.length <= max) return s; // UTF-16 length ≥ code points: short strings need no counting
  // Count code points (never split a surrogate pair) only as far as the cut: summaries run to thousands of
  // characters and are cut to a few hundred, per recipient.
  let i = 0;
  let n = 0;
  let cutEnd = 0;
  while (i < s.length && n < max) {
    if (n === max - 1) cutEnd = i;
    const c = s.charCodeAt(i);
    i += c >= 0xd800 && c <= 0xdbff && i + 1 < s.length ? 2 : 1;
    n++;
  }
  if (i >= s.length) return s; // at most `max` code points
  const cut = s.slice(0, cutEnd);
  const space = cut.lastIndexOf(' ');
  let base = space > max * 0.6 ? cut.slice(0, space) : cut;
  let end = base.length;
  while (end > 0 && TRAILING.includes(base[end - 1]!)) end--;
  base = base.slice(0, end);
  return base + '…';
}

/** What a cut text does not end on before its ellipsis: spaces and punctuation that would dangle. */
const TRAILING = ' \t\n\r\f\v,;:.-–—';

export type HostRule = (host: string) => boolean;

export const hostIs =
  (...hosts: string[]): HostRule =>
  (host) =>
    hosts.includes(host);

/** The host or one of its subdomains (arxiv.org, export.arxiv.org). */
export const hostUnder =
  (...domains: string[]): HostRule =>
  (host) =>
    domains.some((d) => host === d || host.endsWith(`.${d}`));

/** Any public DNS name: no IP literals, no single-label or local names. For author-chosen project pages. */
export const publicHostname: HostRule = (host) =>
  /^[a-z0-9-]+(\.[a-z0-9-]+)+$/.test(host) &&
  !/^\d+(\.\d+)+$/.test(host) &&
  !/(^|\.)(localhost|local|internal|localdomain|home|lan)$/.test(host);

const MAX_URL_LENGTH = 500;

/**
 * The normalized https URL when `raw` is https, has no credentials or custom port, and its host passes `rule`;
 * null otherwise (the link is dropped). The normalized form percent-encodes quotes and angle brackets.
 */
export function safeHttpsUrl(raw: string | null | undefined, rule: HostRule): string | null {
  if (!raw || raw.length > MAX_URL_LENGTH) return null;
  let u: URL;
  try {
    u = new URL(raw.trim());
  } catch {
    return null;
  }
  if (u.protocol !== 'https:' || u.username || u.password || u.port) return null;
  if (!rule(u.hostname.toLowerCase())) return null;
  return u.href;
}

/**
 * A link to our own site (preferences, unsubscribe, archive, confirm). It must share PUBLIC_URL's origin (http is
 * accepted only when PUBLIC_URL itself is http, i.e. a local setup). Anything else is a wiring bug: throw rather
 * than mail a link that goes somewhere else.
 */
export function ownUrl(raw: string, publicUrl: string, what: string): string {
  let u: URL;
  let origin: string;
  try {
    u = new URL(raw);
    origin = originOf(publicUrl);
  } catch {
    throw new Error(`${what} link is not a URL`);
  }
  if (u.origin !== origin || u.username || u.password) throw new Error(`${what} link must start with PUBLIC_URL (${origin})`);
  return u.href;
}

// PUBLIC_URL is one string per process, checked against four links per email: parsed once. A pure memo, bounded.
const origins = new Map<string, string>();
function originOf(url: string): string {
  let o = origins.get(url);
  if (o === undefined) {
    o = new URL(url).origin; // throws on a bad URL, memoizes nothing
    if (origins.size >= 100) origins.clear();
    origins.set(url, o);
  }
  return o;
}
