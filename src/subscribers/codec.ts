// Subscriber ⇄ Redis HASH. Scalars as text, lists as JSON, null as the empty string. `rev` counts writes: the
// store's Lua write script refuses a write whose expected rev is stale (compare-and-set), so two concurrent
// read-modify-write updates can never silently overwrite each other.
import { formatFrequency, formatSendTime, parseFrequency, parseSendTime } from './preferences.js';
import type { Subscriber, SubscriberStatus } from './subscriber.js';

export const STATUSES: readonly SubscriberStatus[] = ['pending', 'active', 'paused', 'unsubscribed', 'bouncing'];

export function encodeSubscriber(s: Subscriber): Record<string, string> {
  return {
    id: s.id,
    email: s.email,
    status: s.status,
    pausedUntil: s.pausedUntil ?? '',
    timezone: s.timezone,
    sendTime: formatSendTime(s.sendTime),
    frequency: formatFrequency(s.frequency),
    topics: JSON.stringify(s.topics),
    includeKeywords: JSON.stringify(s.includeKeywords),
    excludeKeywords: JSON.stringify(s.excludeKeywords),
    followAuthors: JSON.stringify(s.followAuthors),
    followOrgs: JSON.stringify(s.followOrgs),
    seedPapers: JSON.stringify(s.seedPapers ?? []),
    minUpvotes: String(s.minUpvotes),
    maxPapers: String(s.maxPapers),
    createdAt: s.createdAt,
    confirmedAt: s.confirmedAt ?? '',
    unsubscribedAt: s.unsubscribedAt ?? '',
    tokenVersion: String(s.tokenVersion),
    bounceCount: String(s.bounceCount),
  };
}

function list(v: string | undefined): string[] {
  if (!v) return [];
  const parsed: unknown = JSON.parse(v);
  return Array.isArray(parsed) ? parsed.filter((x): x is string => typeof x === 'string') : [];
}

/** Decode a stored HASH; null when it is missing (empty) or not a subscriber record. */
export function decodeSubscriber(h: Record<string, string>): Subscriber | null {
  if (!h.id || !h.email) return null;
  const sendTime = parseSendTime(h.sendTime ?? '');
  const frequency = parseFrequency(h.frequency ?? '');
  const status = STATUSES.includes(h.status as SubscriberStatus) ? (h.status as SubscriberStatus) : null;
  if (!sendTime || !frequency || !status || !h.timezone) throw new Error(`subscriber record ${h.id} is corrupt`);
  return {
    id: h.id,
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
    createdAt: h.createdAt ?? '',
    confirmedAt: h.confirmedAt || null,
    unsubscribedAt: h.unsubscribedAt || null,
    tokenVersion: Number(h.tokenVersion ?? 0) || 0,
    bounceCount: Number(h.bounceCount ?? 0) || 0,
  };
}
