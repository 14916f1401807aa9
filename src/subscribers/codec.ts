// Subscriber ⇄ Redis HASH. Scalars as text, lists as JSON; defaults (null, [], 0) are not stored. `rev` counts writes: the
// store's Lua write script refuses a write whose expected rev is stale (compare-and-set), so two concurrent
// read-modify-write updates can never silently overwrite each other.
import { formatFrequency, formatSendTime, parseFrequency, parseSendTime } from './preferences.js';
import type { Subscriber, SubscriberStatus } from './subscriber.js';

export const STATUSES: readonly SubscriberStatus[] = ['pending', 'active', 'paused', 'unsubscribed', 'bouncing'];

/**
 * The record as stored: a field holding its default (empty list, no date, zero) is left out — it decodes to the same
 * value; the id is the key's (not stored again); instants (createdAt, confirmedAt, unsubscribedAt) are milliseconds
 * in base 36 when that gives back the same ISO string. An average record is ~250 bytes smaller than the previous
 * layout. Records written before (an `id` field, every field, defaults as '' / '[]' / '0', ISO instants) decode the
 * same; the store's write replaces the whole record, so one write converts it.
 */
export function encodeSubscriber(s: Subscriber): Record<string, string> {
  const out: Record<string, string> = {
    email: s.email,
    status: s.status,
    timezone: s.timezone,
    sendTime: formatSendTime(s.sendTime),
    frequency: formatFrequency(s.frequency),
    maxPapers: String(s.maxPapers),
    createdAt: packInstant(s.createdAt),
  };
  if (s.pausedUntil) out.pausedUntil = s.pausedUntil;
  const lists = { topics: s.topics, includeKeywords: s.includeKeywords, excludeKeywords: s.excludeKeywords, followAuthors: s.followAuthors, followOrgs: s.followOrgs, seedPapers: s.seedPapers ?? [] };
  for (const [k, v] of Object.entries(lists)) if (v.length) out[k] = JSON.stringify(v);
  if (s.minUpvotes) out.minUpvotes = String(s.minUpvotes);
  if (s.confirmedAt) out.confirmedAt = packInstant(s.confirmedAt);
  if (s.unsubscribedAt) out.unsubscribedAt = packInstant(s.unsubscribedAt);
  if (s.tokenVersion) out.tokenVersion = String(s.tokenVersion);
  if (s.bounceCount) out.bounceCount = String(s.bounceCount);
  return out;
}

/** An ISO instant as base-36 milliseconds (8 characters instead of 24) when it round-trips exactly; else as given. */
function packInstant(iso: string): string {
  const ms = Date.parse(iso);
  return Number.isFinite(ms) && ms >= 0 && new Date(ms).toISOString() === iso ? ms.toString(36) : iso;
}

function unpackInstant(v: string): string {
  return /^[0-9a-z]{1,11}$/.test(v) ? new Date(parseInt(v, 36)).toISOString() : v;
}

function list(v: string | undefined): string[] {
  if (!v) return [];
  const parsed: unknown = JSON.parse(v);
  return Array.isArray(parsed) ? parsed.filter((x): x is string => typeof x === 'string') : [];
}

/** Decode the stored HASH of subscriber `id`; null when it is missing (empty) or not a subscriber record. */
export function decodeSubscriber(h: Record<string, string>, id: string): Subscriber | null {
  if (!h.email || (h.id !== undefined && h.id !== id)) return null;
  const sendTime = parseSendTime(h.sendTime ?? '');
  const frequency = parseFrequency(h.frequency ?? '');
  const status = STATUSES.includes(h.status as SubscriberStatus) ? (h.status as SubscriberStatus) : null;
  if (!sendTime || !frequency || !status || !h.timezone) throw new Error(`subscriber record ${id} is corrupt`);
  return {
    id,
    email: h.email,
    status,
    pausedUntil: h.pausedUntil || null,
    timezone: h.timezone,
    sendTime,
    frequency,
    topics: list(h.topics),
    includeKeywords: list(h.includeKeywords),
    excludeKeywords: list(h.excludeKeywords),
    followAuthors: list(h.followAuthors),
    followOrgs: list(h.followOrgs),
    seedPapers: list(h.seedPapers),
    minUpvotes: Number(h.minUpvotes ?? 0) || 0,
    maxPapers: Number(h.maxPapers ?? 10) || 10,
    createdAt: unpackInstant(h.createdAt ?? ''),
    confirmedAt: h.confirmedAt ? unpackInstant(h.confirmedAt) : null,
    unsubscribedAt: h.unsubscribedAt ? unpackInstant(h.unsubscribedAt) : null,
    tokenVersion: Number(h.tokenVersion ?? 0) || 0,
    bounceCount: Number(h.bounceCount ?? 0) || 0,
  };
}
