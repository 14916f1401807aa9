// Paper selection for one subscriber's digest, pure: the send job fetches the candidates (papers listed since
// `selectionWindow().firstDay`) and the sent-papers ledger, then calls selectPapers.
//
// Rules (and why):
// - Window: papers listed on the subscriber's LOCAL date and the lookbackDays-1 days before it. Later listing days
//   (a subscriber far west of UTC may see tomorrow's HF listing already) are kept: they are the freshest, and the
//   sent-papers ledger stops them coming back.
// - Never a paper this subscriber was already sent (sentIds, the ledger).
// - Interests (topics + include keywords) via matchPaper (papers/topics.ts): no interests = every paper,
//   reason 'trending'. Followed authors and organizations qualify whatever their topics AND whatever their upvotes
//   (a follow is an explicit "I want this person's work"; minUpvotes is a noise filter for the rest).
// - Excludes beat follows: an exclude keyword is the only tool a subscriber has to keep something out, and one
//   rule ("papers mentioning these words are never sent") is what the preferences page can promise.
// - Dedupe by id (the same paper listed on two days counts once: the later listing, with the fresher upvotes).
// - Rank by upvotes, then listing day, then arXiv publication time (newest first), then id (stable output).
//   Followed papers are not boosted: they qualify, and then compete on upvotes like everything else.
// - Cap at min(subscriber.maxPapers, operator cap).
import type { Paper } from '../papers/paper.js';
import type { Subscriber } from '../subscribers/subscriber.js';
import { matchPaper } from '../papers/topics.js';
import type { Reason, SelectedPaper } from '../papers/reason.js';
import { addDays, localDateIn } from '../schedule/schedule.js';

export type { SelectedPaper };

export type SelectSubscriber = Pick<
  Subscriber,
  'timezone' | 'topics' | 'includeKeywords' | 'excludeKeywords' | 'followAuthors' | 'followOrgs' | 'minUpvotes' | 'maxPapers'
>;

export interface SelectInput {
  subscriber: SelectSubscriber;
  papers: Paper[];
  /** Paper ids already sent to this subscriber (the sent-papers ledger). */
  sentIds: ReadonlySet<string>;
  now: Date;
  /** Papers listed on the subscriber's local date and the lookbackDays-1 days before it (setting, default 3). */
  lookbackDays: number;
  /** Operator cap (settings.maxPapersCap); the subscriber's maxPapers applies too. */
  cap: number;
}

/** The listing days a digest draws from, in the subscriber's zone: listedOn >= firstDay. */
export function selectionWindow(timezone: string, now: Date, lookbackDays: number): { today: string; firstDay: string } {
  const today = localDateIn(timezone, now);
  return { today, firstDay: addDays(today, -(Math.max(1, Math.floor(lookbackDays)) - 1)) };
}

// Follows first: they are the most specific reason a paper is there.
const REASON_ORDER: Record<Reason['kind'], number> = { author: 0, organization: 1, topic: 2, keyword: 3, trending: 4 };

function isFollow(r: Reason): boolean {
  return r.kind === 'author' || r.kind === 'organization';
}

/** Newer first; null (unknown) last. ISO strings of one shape compare as text. */
function compareDesc(a: string | null, b: string | null): number {
  if (a === b) return 0;
  if (a === null) return 1;
  if (b === null) return -1;
  return a < b ? 1 : -1;
}

function isFresherListing(a: Paper, b: Paper): boolean {
  return a.listedOn > b.listedOn || (a.listedOn === b.listedOn && a.upvotes > b.upvotes);
}

/** Digest order: upvotes, then listing day, then publication time (newest first), then id. */
export function compareForDigest(a: Paper, b: Paper): number {
  return b.upvotes - a.upvotes || compareDesc(a.listedOn, b.listedOn) || compareDesc(a.publishedAt, b.publishedAt) || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
}

export function selectPapers(input: SelectInput): SelectedPaper[] {
  const { subscriber: sub, sentIds } = input;
  const limit = Math.max(0, Math.min(sub.maxPapers, input.cap));
  if (limit === 0) return [];
  const { firstDay } = selectionWindow(sub.timezone, input.now, input.lookbackDays);
  const prefs = {
    topics: sub.topics,
    includeKeywords: sub.includeKeywords,
    excludeKeywords: sub.excludeKeywords,
    followAuthors: sub.followAuthors,
    followOrgs: sub.followOrgs,
  };

  const chosen = new Map<string, SelectedPaper>();
  for (const paper of input.papers) {
    if (paper.listedOn < firstDay || sentIds.has(paper.id)) continue;
    const seen = chosen.get(paper.id);
    // A second listing of the same paper: keep the later one (its upvotes are fresher). Both match alike.
    if (seen && !isFresherListing(paper, seen.paper)) continue;
    const m = matchPaper(paper, prefs);
    if (!m.included) continue;
    if (!m.reasons.some(isFollow) && paper.upvotes < sub.minUpvotes) continue;
    const reasons = [...m.reasons].sort((a, b) => REASON_ORDER[a.kind] - REASON_ORDER[b.kind]);
    chosen.set(paper.id, { paper, reasons });
  }
  return [...chosen.values()].sort((a, b) => compareForDigest(a.paper, b.paper)).slice(0, limit);
}
