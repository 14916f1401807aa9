// Signed links are capabilities: whoever holds the URL may confirm, change preferences, unsubscribe or read an
// archived digest for one subscriber — so they are HMAC-signed, carry no email address, and can be revoked.
//
// Token layout (one base64url string, no separators, nothing secret inside):
//   base64url( utf8(payload) ‖ HMAC-SHA256(secret[kid], DOMAIN ‖ payload) )     — the MAC is the last 32 bytes
//   payload = "1.<purpose>.<subscriberId>.<tokenVersion>.<expiry>.<kid>.<scope>"
//     purpose: c|p|u|a|f|r|s|x|e · tokenVersion: decimal · expiry: unix seconds in base36, empty = never
//     scope: what the link is about, by purpose — archive: the period; feedback: the paper id (it may hold dots,
//     so the scope is everything after the sixth dot); feed: the feed key version; others: empty
// Every field (and the key id) is inside the MAC, so tampering with any of them fails verification. Several keys
// verify (LINK_SECRETS rotation, newest first signs); removing a kid invalidates every link it signed.
// Revocation: a token carries the subscriber's tokenVersion at signing time; callers compare it with the stored
// one (`isCurrentVersion`) — bumping the stored version kills every older link at once.
import { createHmac, timingSafeEqual } from 'node:crypto';
import type { LinkSecret } from '../config.js';

export type LinkPurpose =
  | 'confirm'
  | 'preferences'
  | 'unsubscribe'
  | 'archive'
  /** 👍 / 👎 / save for one paper (scope = paper id); expires with the archive. */
  | 'feedback'
  /** The reader's saved papers (reading list, BibTeX export). */
  | 'reading-list'
  /** The reader's personal Atom / JSON feed (scope = feed key version, rotated by "revoke" without touching email links). */
  | 'feed'
  /** "Download my data": short-lived. */
  | 'data-export'
  /** The reader's list of past editions. */
  | 'editions';

/** Confirmation links expire; preferences, unsubscribe and archive links sit in old emails and never do. */
export const CONFIRM_TTL_MS = 48 * 3600 * 1000;

/** Longer tokens are refused before any decoding (cheap rejection of garbage). */
export const MAX_TOKEN_LENGTH = 400;

const FORMAT = '1';
const DOMAIN = 'papers-digest/link/v1\0';
const MAC_BYTES = 32;
const CODES: Record<LinkPurpose, string> = {
  confirm: 'c',
  preferences: 'p',
  unsubscribe: 'u',
  archive: 'a',
  feedback: 'f',
  'reading-list': 'r',
  feed: 's',
  'data-export': 'x',
  editions: 'e',
};
const PURPOSES: Record<string, LinkPurpose> = Object.fromEntries(Object.entries(CODES).map(([p, c]) => [c, p as LinkPurpose]));
const ID_RE = /^[A-Za-z0-9_-]{8,64}$/;
const KID_RE = /^[A-Za-z0-9_-]{1,16}$/;
const PERIOD_RE = /^(\d{4}-\d{2}-\d{2}|\d{4}-W\d{2})$/;
const B64URL_RE = /^[A-Za-z0-9_-]+$/;
/** arXiv ids (2509.01234) and anything a paper id may look like; never a separator-only string. */
const PAPER_ID_RE = /^[A-Za-z0-9][A-Za-z0-9._-]{0,39}$/;
const FEED_VERSION_RE = /^\d{1,9}$/;

/** The scope each purpose requires (null = none allowed). */
function scopeRule(purpose: LinkPurpose): { re: RegExp; what: string } | null {
  switch (purpose) {
    case 'archive':
      return { re: PERIOD_RE, what: 'archive links need a period (YYYY-MM-DD or YYYY-Www)' };
    case 'feedback':
      return { re: PAPER_ID_RE, what: 'feedback links need a paper id' };
    case 'feed':
      return { re: FEED_VERSION_RE, what: 'feed links need a feed key version (decimal)' };
    default:
      return null;
  }
}

export interface TokenClaims {
  purpose: LinkPurpose;
  subscriberId: string;
  tokenVersion: number;
  /** null = never expires (preferences, unsubscribe, archive). */
  expiresAt: Date | null;
  /** The edition an archive link points at (YYYY-MM-DD or YYYY-Www); archive links only. */
  period?: string;
  /** feedback: the paper id; feed: the feed key version. Other purposes carry none. */
  scope?: string;
}

export type VerifyFailure = 'malformed' | 'unknown-key' | 'bad-signature' | 'wrong-purpose' | 'expired';

export type VerifyResult =
  | { ok: true; subscriberId: string; tokenVersion: number; period?: string; scope?: string; expiresAt: Date | null; kid: string }
  | { ok: false; reason: VerifyFailure };

function mac(secret: string, payload: string): Buffer {
  return createHmac('sha256', secret).update(DOMAIN).update(payload, 'utf8').digest();
}

/** Sign with the newest key (secrets[0]). Throws on claims that could not round-trip. */
export function signToken(claims: TokenClaims, secrets: readonly LinkSecret[]): string {
  const key = secrets[0];
  if (!key) throw new Error('no link secret to sign with');
  if (!KID_RE.test(key.kid)) throw new Error(`link secret key id "${key.kid}" is not [A-Za-z0-9_-]{1,16}`);
  if (!ID_RE.test(claims.subscriberId)) throw new Error('subscriberId must be 8–64 base64url characters');
  if (!Number.isSafeInteger(claims.tokenVersion) || claims.tokenVersion < 0) throw new Error('tokenVersion must be a non-negative integer');
  if (claims.purpose !== 'archive' && claims.period !== undefined) throw new Error('only archive links carry a period');
  if (claims.purpose === 'archive' && claims.scope !== undefined) throw new Error('archive links carry their period as `period`');
  const scope = claims.purpose === 'archive' ? claims.period : claims.scope;
  const rule = scopeRule(claims.purpose);
  if (rule) {
    if (!scope || !rule.re.test(scope)) throw new Error(rule.what);
  } else if (scope !== undefined) {
    throw new Error(`${claims.purpose} links carry no scope`);
  }
  let expiry = '';
  if (claims.expiresAt) {
    const secs = Math.floor(claims.expiresAt.getTime() / 1000);
    if (!Number.isSafeInteger(secs) || secs <= 0) throw new Error('expiresAt is not a valid instant');
    expiry = secs.toString(36);
  }
  const payload = [FORMAT, CODES[claims.purpose], claims.subscriberId, String(claims.tokenVersion), expiry, key.kid, scope ?? ''].join('.');
  return Buffer.concat([Buffer.from(payload, 'utf8'), mac(key.secret, payload)]).toString('base64url');
}

/**
 * Verify a token for one purpose at `now`. The MAC is checked (constant time) before any claim is trusted;
 * the caller must still compare `tokenVersion` with the stored subscriber's (see isCurrentVersion).
 */
export function verifyToken(token: string, purpose: LinkPurpose, secrets: readonly LinkSecret[], now: Date): VerifyResult {
  if (typeof token !== 'string' || token.length < 48 || token.length > MAX_TOKEN_LENGTH || !B64URL_RE.test(token)) {
    return { ok: false, reason: 'malformed' };
  }
  const raw = Buffer.from(token, 'base64url');
  // Re-encoding must give the same text: rejects non-canonical encodings (trailing bits) of the same bytes.
  if (raw.length <= MAC_BYTES || raw.toString('base64url') !== token) return { ok: false, reason: 'malformed' };
  const payloadBytes = raw.subarray(0, raw.length - MAC_BYTES);
  const given = raw.subarray(raw.length - MAC_BYTES);
  const payload = payloadBytes.toString('utf8');
  const parts = payload.split('.');
  if (parts.length < 7 || parts[0] !== FORMAT) return { ok: false, reason: 'malformed' };
  const [, code, subscriberId, version, expiry, kid] = parts as [string, string, string, string, string, string];
  const scope = parts.slice(6).join('.');
  const secret = secrets.find((s) => s.kid === kid);
  if (!secret) return { ok: false, reason: 'unknown-key' };
  const expected = mac(secret.secret, payload);
  if (expected.length !== given.length || !timingSafeEqual(expected, given)) return { ok: false, reason: 'bad-signature' };
  // Signed by us from here on; still parse defensively (a key may have signed an older format).
  const tokenPurpose = PURPOSES[code];
  if (!tokenPurpose || !ID_RE.test(subscriberId) || !/^\d{1,15}$/.test(version) || !/^[0-9a-z]{0,12}$/.test(expiry)) {
    return { ok: false, reason: 'malformed' };
  }
  if (tokenPurpose !== purpose) return { ok: false, reason: 'wrong-purpose' };
  const expiresAt = expiry ? new Date(parseInt(expiry, 36) * 1000) : null;
  if (expiresAt && now.getTime() >= expiresAt.getTime()) return { ok: false, reason: 'expired' };
  const rule = scopeRule(purpose);
  if (rule ? !rule.re.test(scope) : scope !== '') return { ok: false, reason: 'malformed' };
  return {
    ok: true,
    subscriberId,
    tokenVersion: Number(version),
    expiresAt,
    kid,
    ...(purpose === 'archive' ? { period: scope } : rule ? { scope } : {}),
  };
}

/** Revocation check: a link is valid only while the subscriber's stored token version equals the link's. */
export function isCurrentVersion(verified: { tokenVersion: number }, subscriber: { tokenVersion: number }): boolean {
  return verified.tokenVersion === subscriber.tokenVersion;
}

export interface SubscriberLinks {
  /** Expires CONFIRM_TTL_MS after `now`. Each link is signed when first read. */
  readonly confirm: string;
  readonly preferences: string;
  /** GET shows a page; POST (incl. RFC 8058 one-click) unsubscribes. Also the List-Unsubscribe header URL. */
  readonly unsubscribe: string;
  archive(period: string): string;
  /**
   * 👍 / 👎 / save for one paper: a page that records the choice by a POST (GET never changes state). One token per
   * (subscriber, paper); the kind rides in the query (`?do=like`), outside the MAC — the page only offers it, and the
   * POST carries its own. Expires with the archive (FEEDBACK_TTL_MS after the edition, or after `now`).
   */
  feedback(paperId: string, kind?: FeedbackLinkKind): string;
  /** The reader's saved papers, with BibTeX export. Never expires (like preferences). */
  readonly readingList: string;
}

export type FeedbackLinkKind = 'like' | 'dislike' | 'save';

/** Feedback links live as long as the archived edition they sit in. */
export const FEEDBACK_TTL_MS = 30 * 24 * 3600 * 1000;

/**
 * When the feedback links of an edition expire: FEEDBACK_TTL_MS after the end of its period (the day, or the ISO
 * week's Sunday), in UTC plus a day for zones ahead of it. A pure function of the period, so the email and its web
 * view sign the same expiry (and the same tokens). null for a period it does not know.
 */
export function editionLinkExpiry(period: string): Date | null {
  const day = /^(\d{4})-(\d{2})-(\d{2})$/.exec(period);
  let end: number;
  if (day) end = Date.UTC(Number(day[1]), Number(day[2]) - 1, Number(day[3]));
  else {
    const week = /^(\d{4})-W(\d{2})$/.exec(period);
    if (!week) return null;
    // ISO week 1 holds 4 January; its Monday, then the week's Sunday.
    const jan4 = Date.UTC(Number(week[1]), 0, 4);
    const monday1 = jan4 - (((new Date(jan4).getUTCDay() + 6) % 7) * 86_400_000);
    end = monday1 + (Number(week[2]) - 1) * 7 * 86_400_000 + 6 * 86_400_000;
  }
  return Number.isFinite(end) ? new Date(end + 2 * 86_400_000 + FEEDBACK_TTL_MS) : null;
}

/**
 * Absolute URLs (the web role serves /confirm, /preferences, /unsubscribe, /archive, /feedback, /reading-list).
 * `publicUrl` without trailing slash. `opts.period`: the edition whose feedback links these are (their expiry).
 */
export function subscriberLinks(
  publicUrl: string,
  subscriber: { id: string; tokenVersion: number },
  secrets: readonly LinkSecret[],
  now: Date,
  opts: { period?: string } = {},
): SubscriberLinks {
  const base = publicUrl.replace(/\/+$/, '');
  const sign = (purpose: LinkPurpose, expiresAt: Date | null, scope?: string) =>
    signToken(
      {
        purpose,
        subscriberId: subscriber.id,
        tokenVersion: subscriber.tokenVersion,
        expiresAt,
        ...(scope === undefined ? {} : purpose === 'archive' ? { period: scope } : { scope }),
      },
      secrets,
    );
  const feedbackExpiry = (opts.period ? editionLinkExpiry(opts.period) : null) ?? new Date(now.getTime() + FEEDBACK_TTL_MS);
  // Each link is signed when first read (an HMAC each): a digest never reads its confirm link, a confirmation
  // email reads little else.
  const once = (make: () => string) => {
    let url: string | undefined;
    return () => (url ??= make());
  };
  const confirm = once(() => `${base}/confirm/${sign('confirm', new Date(now.getTime() + CONFIRM_TTL_MS))}`);
  const preferences = once(() => `${base}/preferences/${sign('preferences', null)}`);
  const unsubscribe = once(() => `${base}/unsubscribe/${sign('unsubscribe', null)}`);
  const readingList = once(() => `${base}/reading-list/${sign('reading-list', null)}`);
  return {
    get confirm() {
      return confirm();
    },
    get preferences() {
      return preferences();
    },
    get unsubscribe() {
      return unsubscribe();
    },
    archive: (period: string) => `${base}/archive/${sign('archive', null, period)}`,
    feedback: (paperId: string, kind?: FeedbackLinkKind) => `${base}/feedback/${sign('feedback', feedbackExpiry, paperId)}${kind ? `?do=${kind}` : ''}`,
    get readingList() {
      return readingList();
    },
  };
}
