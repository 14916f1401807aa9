// What every subscriber route shares: the dependencies (ports, not concrete stores, so the pages can be tested
// against any store that keeps the contract), the compiled pages, CSRF, and token resolution that answers the
// SAME 404 for a forged, truncated, unknown-subscriber or revoked token (no way to probe who exists).
import { createHmac } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Redis } from 'ioredis';
import type { LinkSecret } from '../config.js';
import type { subscriberLinks} from '../links/signed-links.js';
import { isCurrentVersion, verifyToken, type LinkPurpose } from '../links/signed-links.js';
import type { Logger } from '../log.js';
import type { Settings } from '../settings/schema.js';
import type { Keys } from '../redis/keys.js';
import type { Frequency, SendTime } from '../schedule/spec.js';
import type { Paper } from '../papers/paper.js';
import type { Subscriber } from '../subscribers/subscriber.js';
import type { SelectedPaper } from '../papers/reason.js';
import type { ExcludeSuggestion, KeywordSuggestion, SuggestionHint } from '../relevance/suggest.js';
import type { FollowCheck } from '../papers/follow-check.js';
import type { ReaderProfile } from '../relevance/reader-store.js';
import type { Csrf } from './csrf.js';
import type { ReaderRelease, Suppression } from '../subscribers/suppression.js';
import type { PageName, Pages } from './pages.js';
import type { RateLimiter, Limit } from './rate-limit.js';
import type { TopicInfo } from './views.js';

export type { ReaderProfile };

/** The subset of SubscriberStore (src/subscribers/store.ts) the pages use. Writes are re-read via get(). */
export interface SubscriberStorePort {
  create(input: {
    email: string;
    timezone: string;
    sendTime: SendTime;
    frequency: Frequency;
    topics: string[];
  }): Promise<{ subscriber: Subscriber; created: boolean }>;
  get(id: string): Promise<Subscriber | null>;
  update(id: string, patch: Partial<Subscriber>): Promise<unknown>;
  confirm(id: string): Promise<unknown>;
  unsubscribe(id: string): Promise<unknown>;
  pause(id: string, untilIsoDate: string): Promise<unknown>;
  resume(id: string): Promise<unknown>;
  /** Delete the record and its index entries (the person asked us to forget them). */
  remove(id: string): Promise<boolean>;
}

/** Small forms only: anything bigger is refused with 413 before it is parsed. */
export const FORM_BODY_LIMIT = 32 * 1024;

export interface SubscribeLimits {
  /** Subscribe posts per client IP per window (a burst beyond it gets the friendly 429 page). */
  perIp: Limit;
  /** Emails per address per window; beyond it the post still answers "check your inbox" but sends nothing. */
  perAddress: Limit;
}

export const DEFAULT_LIMITS: SubscribeLimits = {
  perIp: { limit: 10, windowMs: 10 * 60_000 },
  perAddress: { limit: 3, windowMs: 60 * 60_000 },
};

export type FeedbackKind = 'like' | 'dislike' | 'save';
export interface PaperMarks {
  liked: boolean;
  disliked: boolean;
  saved: boolean;
}
export interface ReaderPaper {
  id: string;
  title: string | null;
  at: string;
  source: 'feedback' | 'seed';
}

/** The reader store (src/relevance/reader-store.ts) as the pages use it: feedback, what was learned, seeds. */
export interface ReaderStorePort {
  mark(subscriberId: string, paperId: string, kind: FeedbackKind, on: boolean): Promise<{ changed: boolean; marks: PaperMarks }>;
  marks(subscriberId: string, paperIds: readonly string[]): Promise<Map<string, PaperMarks>>;
  profile(subscriberId: string): Promise<ReaderProfile>;
  setSeeds(subscriberId: string, paperIds: readonly string[]): Promise<{ known: string[]; pending: string[] }>;
  removeTerm(subscriberId: string, term: string): Promise<void>;
  /** "Not for me" on a suggested keyword: not suggested again until a reset. */
  dismissSuggestion(subscriberId: string, keyword: string): Promise<void>;
  /** The suggestion the reader's digests mention (relevance/suggest.ts hintOf), refreshed when feedback arrives. */
  setHint(subscriberId: string, hint: SuggestionHint | null): Promise<void>;
  forget(subscriberId: string, paperId: string): Promise<void>;
  reset(subscriberId: string): Promise<void>;
  /** Everything kept about the reader (the person asked us to delete their data). */
  deleteAll(subscriberId: string): Promise<void>;
}

/** One day of "what the last 7 days would have brought" on the preferences page. */
export interface PreviewDay {
  day: string; // YYYY-MM-DD
  papers: { id: string; title: string; url: string; why: string }[];
}

/** The reader's data rights (src/data-owners.ts): the suppression notice, its one release, export and delete. */
export interface DataRightsPort {
  suppression(email: string): Promise<{ entry: Suppression | null; mayRelease: boolean }>;
  releaseByReader(email: string, at: Date): Promise<ReaderRelease>;
  exportData(subscriber: Subscriber): Promise<object>;
  deleteData(subscriber: Subscriber): Promise<void>;
}

export interface SubscriptionDeps {
  store: SubscriberStorePort;
  topics: readonly TopicInfo[];
  settings: { get(): Promise<Settings> };
  secrets: readonly LinkSecret[];
  publicUrl: string;
  redis: Redis;
  keys: Keys;
  clock: () => Date;
  log: Logger;
  /** Email a subscriber who asked to (re)subscribe: a confirm link when pending, a preferences link when active. */
  notify(subscriber: Subscriber): Promise<void>;
  /** Next delivery instant, for "your first digest arrives …" (null when unknown). */
  nextDelivery?(subscriber: Subscriber): Date | null;
  /** The archived digest HTML for (subscriber, period), or null. */
  archive(subscriberId: string, period: string): Promise<string | null>;
  /** The front page's sample: the newest day's public top five (src/feeds/public-archive.ts latestSample). */
  sample?(): Promise<{ day: string; papers: SelectedPaper[] } | null>;
  limits?: Partial<SubscribeLimits>;
  pagesDir?: string;
  /** "Download / Delete my data" and the suppressed notice (routes/data-rights.ts); off when absent. */
  dataRights?: DataRightsPort;
  /** Feedback, the reading list and "what was learned"; without it those pages answer 404. */
  readers?: ReaderStorePort;
  /** Stored papers by id (titles, authors for BibTeX). */
  papers?: { getMany(ids: string[]): Promise<Paper[]> };
  /** What the last 7 days would have brought with these (unsaved) preferences. */
  preview?(subscriber: Subscriber): Promise<PreviewDay[]>;
  /**
   * Keywords to add that the reader's 👍 suggest, and keywords to exclude that their 👎 suggest (relevance/suggest.ts),
   * from the profile the page already read; none when absent.
   */
  suggestions?(subscriber: Subscriber, profile: ReaderProfile): Promise<Suggestions>;
  /**
   * Followed organizations that no recent paper came from, with the close names that did, and followed authors no
   * recent paper lists whose name a recent author writes another way (papers/follow-check.ts).
   */
  followCheck?(subscriber: Subscriber): Promise<FollowCheck>;
}

export interface Suggestions {
  keywords: KeywordSuggestion[];
  excludes: ExcludeSuggestion[];
}

export interface Kit {
  deps: SubscriptionDeps;
  pages: Pages;
  csrf: Csrf;
  limiter: RateLimiter;
  limits: SubscribeLimits;
  zones: string[];
  /** Fire-and-forget work (emails) still running; awaited when the app closes. */
  track(p: Promise<unknown>): void;
  send(reply: FastifyReply, status: number, page: PageName, title: string, view: object): FastifyReply;
  message(reply: FastifyReply, status: number, m: MessageView): FastifyReply;
  /** A verified, current token's subscriber, or null — the caller answers with notFound(). */
  resolve(token: string, purpose: LinkPurpose): Promise<{ subscriber: Subscriber; period?: string; scope?: string } | { expired: true } | null>;
  notFound(reply: FastifyReply): FastifyReply;
  links(s: Subscriber): ReturnType<typeof subscriberLinks>;
  /** Path part of a link (forms post back to the same origin; PUBLIC_URL may differ behind a proxy). */
  path(url: string): string;
  /** Key for per-address rate limiting: an HMAC, so Redis keys never hold an address. */
  addressKey(email: string): string;
  csrfOk(req: FastifyRequest): boolean;
}

export interface MessageView {
  title: string;
  heading: string;
  paragraphs: string[];
  icon?: string;
  live?: boolean;
  link?: { href: string; text: string };
}

export function makeResolver(deps: SubscriptionDeps) {
  return async (token: string, purpose: LinkPurpose) => {
    const v = verifyToken(token, purpose, deps.secrets, deps.clock());
    if (!v.ok) {
      // Expiry is decided by the signed token alone (no lookup), so saying "expired" reveals nobody.
      return v.reason === 'expired' ? ({ expired: true } as const) : null;
    }
    const subscriber = await deps.store.get(v.subscriberId);
    if (!subscriber || !isCurrentVersion(v, subscriber)) return null;
    return v.period ? { subscriber, period: v.period } : v.scope ? { subscriber, scope: v.scope } : { subscriber };
  };
}

export function addressKeyFn(secrets: readonly LinkSecret[]) {
  const key = createHmac('sha256', secrets[0]!.secret).update('papers-digest/rate-limit/v1').digest();
  return (email: string) => createHmac('sha256', key).update(email.toLowerCase()).digest('base64url').slice(0, 22);
}
