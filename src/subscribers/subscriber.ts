// The subscriber record (stored in Redis by subscribers/store.ts). Job payloads carry only `id`; the email lives
// here and nowhere else (never in job data or logs).
import type { Frequency, SendTime } from '../schedule/spec.js';

export type SubscriberStatus = 'pending' | 'active' | 'paused' | 'unsubscribed' | 'bouncing';

export interface Subscriber {
  id: string; // random, unguessable (≥128 bits, base64url)
  email: string; // normalized (trimmed, whole address lowercased, IDN domain in punycode: email.ts), unique
  status: SubscriberStatus;
  pausedUntil: string | null; // ISO date (YYYY-MM-DD, subscriber's zone) while status = paused
  timezone: string; // canonical IANA zone
  sendTime: SendTime;
  frequency: Frequency;
  topics: string[]; // topic ids from the catalog; empty = everything
  includeKeywords: string[];
  excludeKeywords: string[];
  followAuthors: string[];
  followOrgs: string[];
  /** "Papers like these": arXiv ids (normalized), liked from the start (relevance/reader-store.ts setSeeds). */
  seedPapers?: string[];
  minUpvotes: number;
  maxPapers: number; // 1–25
  createdAt: string; // ISO instant
  confirmedAt: string | null;
  unsubscribedAt: string | null;
  tokenVersion: number; // bump to revoke every signed link issued before
  bounceCount: number;
}

