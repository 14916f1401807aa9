// Text hygiene for scraped strings (pure). Hugging Face text arrives HTML-escaped even inside JSON
// (`D&#39;Mello`), wrapped with literal newlines, and may hold anything a submitter typed. We decode entities
// ONCE (decoding twice would turn a literal "&amp;lt;" into "<"), drop control characters, collapse whitespace.
// Markup-looking text (`<script>`) is kept as literal text: every renderer escapes it (`{{ }}`, never `{{{ }}}`),
// and stripping "tags" would also eat legitimate titles such as "x < y and y > z".

const NAMED: Record<string, string> = {
  amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", nbsp: '\u00a0', ndash: '\u2013', mdash: '\u2014',
  hellip: '\u2026', lsquo: '\u2018', rsquo: '\u2019', ldquo: '\u201c', rdquo: '\u201d', laquo: '\u00ab',
  raquo: '\u00bb', copy: '\u00a9', reg: '\u00ae', trade: '\u2122', times: '\u00d7', divide: '\u00f7',
  middot: '\u00b7', bull: '\u2022', deg: '\u00b0', plusmn: '\u00b1', micro: '\u00b5', para: '\u00b6',
  sect: '\u00a7', euro: '\u20ac', pound: '\u00a3', yen: '\u00a5', cent: '\u00a2', shy: '\u00ad',
  alpha: '\u03b1', beta: '\u03b2', gamma: '\u03b3', delta: '\u03b4', epsilon: '\u03b5', lambda: '\u03bb',
  mu: '\u03bc', pi: '\u03c0', sigma: '\u03c3', tau: '\u03c4', phi: '\u03c6', omega: '\u03c9',
  Delta: '\u0394', Sigma: '\u03a3', Omega: '\u03a9', larr: '\u2190', rarr: '\u2192', harr: '\u2194',
  le: '\u2264', ge: '\u2265', ne: '\u2260', asymp: '\u2248', infin: '\u221e', minus: '\u2212',
  auml: '\u00e4', ouml: '\u00f6', uuml: '\u00fc', Auml: '\u00c4', Ouml: '\u00d6', Uuml: '\u00dc', szlig: '\u00df',
  eacute: '\u00e9', egrave: '\u00e8', aacute: '\u00e1', agrave: '\u00e0', iacute: '\u00ed', oacute: '\u00f3',
  uacute: '\u00fa', ntilde: '\u00f1', ccedil: '\u00e7', Eacute: '\u00c9',
};

const ENTITY = /&(#[xX][0-9a-fA-F]{1,6}|#\d{1,7}|[A-Za-z][A-Za-z0-9]{1,31});/g;

/** Decode HTML character references once. Unknown names stay as written. */
export function decodeEntities(s: string): string {
  if (!s.includes('&')) return s;
  return s.replace(ENTITY, (whole, body: string) => {
    if (body[0] === '#') {
      const code = body[1] === 'x' || body[1] === 'X' ? Number.parseInt(body.slice(2), 16) : Number.parseInt(body.slice(1), 10);
      // NUL, surrogates and out-of-range code points would yield broken strings: use U+FFFD as browsers do.
      if (!Number.isFinite(code) || code === 0 || code > 0x10ffff || (code >= 0xd800 && code <= 0xdfff)) return '\ufffd';
      return String.fromCodePoint(code);
    }
    return NAMED[body] ?? whole;
  });
}

// C0/C1 controls (except whitespace, handled below), DEL, and bidi overrides that can disguise text in mail clients.
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u0008\u000b\u000e-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069\ufeff]/g;

/** Decode entities, drop control characters, collapse every run of whitespace (incl. newlines) to one space. */
export function cleanText(value: unknown): string {
  if (typeof value !== 'string') return typeof value === 'number' ? String(value) : '';
  return decodeEntities(value)
    .replace(CONTROL, '')
    .replace(/[\s\u00a0\u2028\u2029]+/g, ' ')
    .trim();
}

/** cleanText, or null when nothing is left. */
export function cleanOptional(value: unknown): string | null {
  const s = cleanText(value);
  return s === '' ? null : s;
}

/** An absolute http(s) URL or null: `javascript:` and other schemes never reach an email. Relative → `base`. */
export function cleanUrl(value: unknown, base?: string): string | null {
  const s = cleanText(value);
  if (!s) return null;
  try {
    const u = base ? new URL(s, base) : new URL(s);
    return u.protocol === 'https:' || u.protocol === 'http:' ? u.toString() : null;
  } catch {
    return null;
  }
}

/** "1,234" → 1234, "1.2k" → 1200, " 42 " → 42; anything else → null. Never negative. */
export function parseCount(value: unknown): number | null {
  if (typeof value === 'number') return Number.isFinite(value) && value >= 0 ? Math.floor(value) : null;
  if (typeof value !== 'string') return null;
  const m = /^\s*(\d[\d,]*(?:\.\d+)?)\s*([kKmM])?\s*$/.exec(value);
  if (!m) return null;
  const n = Number.parseFloat(m[1]!.replace(/,/g, ''));
  const mult = m[2] ? (m[2].toLowerCase() === 'k' ? 1_000 : 1_000_000) : 1;
  return Number.isFinite(n) ? Math.round(n * mult) : null;
}
