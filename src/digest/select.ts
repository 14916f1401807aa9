// Paper selection for one subscriber's digest, pure: the send job fetches the candidates (papers listed since
// `selectionWindow().firstDay`), the sent-papers ledger and the reader's personal model, then calls selectPapers.
//
// Rules (and why):
// - Window: papers listed on the subscriber's LOCAL date and the lookbackDays-1 days before it. Later listing days
//   (a subscriber far west of UTC may see tomorrow's HF listing already) are kept: they are the freshest, and the
//   sent-papers ledger stops them coming back.
// - Never a paper this subscriber was already sent (sentIds, the ledger).
// - Interests (topics + include keywords) via matchPaper (papers/topics.ts): no interests = every paper,
//   reason 'trending'. Each match has a strength by where it occurs (title > HF AI summary > HF keywords >
//   abstract); the reader's own keywords count double, up to a title match.
// - Followed authors and organizations qualify whatever their topics AND whatever their upvotes, and come FIRST:
//   the reader asked for them by name.
// - Excludes beat everything (follows and the personal model too): an exclude keyword is the one rule the
//   preferences page can promise ("papers mentioning these words are never sent").
// - With a personal model (relevance/), a paper outside the filters that resembles what the reader liked is a
//   candidate too ("Like 2 papers you liked: …"), if it clears minUpvotes like any other.
// - Dedupe by id (the same paper listed on two days counts once: the later listing, with the fresher upvotes).
// - Rank (ranking 'relevance', the default): follows first, then by the blended score of relevance/rank.ts
//   (match strength, personal model weighed by how much it has learned, community signal, freshness, and how the
//   reader liked papers with the same topic in the same field before; weights from live settings). Ranking 'upvotes' is the behaviour before issue 9 (upvotes, then listing day, then publication
//   time, then id) — the baseline the relevance evaluation compares against.
// - Cap at min(subscriber.maxPapers, operator cap).
import type { Paper } from '../papers/paper.js';
import type { Subscriber } from '../subscribers/subscriber.js';
import { matchPaper, STRENGTH } from '../papers/topics.js';
import type { Reason, SelectedPaper } from '../papers/reason.js';
import type { ScoringModel, Similarity } from '../relevance/model.js';
import { blend, communitySignal, DEFAULT_WEIGHTS, freshness, personalScorer, trustIn, type RankWeights } from '../relevance/rank.js';
import { topicLift, topicKeysOfReasons } from '../relevance/topic-history.js';
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
  /** The reader's personal model (ReaderStore.loadForSend); null/absent = nothing learned. */
  model?: ScoringModel | null;
  /** Ranking weights (settings, rankWeightsOf); defaults when absent. */
  weights?: RankWeights;
  /** 'relevance' (default) or 'upvotes' (the behaviour before issue 9: the evaluation's baseline). */
  ranking?: 'relevance' | 'upvotes';
}

/** The listing days a digest draws from, in the subscriber's zone: listedOn >= firstDay. */
export function selectionWindow(timezone: string, now: Date, lookbackDays: number): { today: string; firstDay: string } {
  const today = localDateIn(timezone, now);
  return { today, firstDay: addDays(today, -(Math.max(1, Math.floor(lookbackDays)) - 1)) };
}

// Follows first: they are the most specific reason a paper is there.
const REASON_ORDER: Record<Reason['kind'], number> = { author: 0, organization: 1, topic: 2, keyword: 3, similar: 4, popular: 5, trending: 6 };

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

/** Match reasons kept on a card: the strongest two (a third "Agents — in the abstract" says nothing new). */
const MATCH_REASONS_SHOWN = 2;
/** A paper this high on the newest listing day, with this many upvotes at least, says so. */
const POPULAR_RANK = 3;
const POPULAR_UPVOTES = 20;

/**
 * A keyword the reader typed counts this many times what a catalog topic's phrase counts in the same place, up to a
 * title match: it names what they want more exactly than a topic's list of phrases ("theorem proving" beside
 * Reasoning). One mention in the abstract stays weak (0.3). Chosen by eval:relevance (eval/README.md).
 */
const OWN_KEYWORD_FACTOR = 2;

function matchStrengthOf(reasons: readonly Reason[]): number {
  let best = 0;
  for (const r of reasons) {
    if (r.kind === 'keyword') best = Math.max(best, Math.min(STRENGTH.title, (r.strength ?? 0.5) * OWN_KEYWORD_FACTOR));
    else if (r.kind === 'topic') best = Math.max(best, r.strength ?? 0.5);
    else if (r.kind === 'trending') best = Math.max(best, 0.5);
  }
  return best;
}

interface Scored extends SelectedPaper {
  follow: boolean;
  score: number;
  /** The personal model's opinion (ranking 'relevance'). */
  personal: number;
  /** Its resemblance to liked papers, when already computed (to admit it from outside the filters). */
  similar?: Similarity;
}

export function selectPapers(input: SelectInput): SelectedPaper[] {
  const { subscriber: sub, sentIds } = input;
  const limit = Math.max(0, Math.min(sub.maxPapers, input.cap));
  if (limit === 0) return [];
  const { today, firstDay } = selectionWindow(sub.timezone, input.now, input.lookbackDays);
  const prefs = {
    topics: sub.topics,
    includeKeywords: sub.includeKeywords,
    excludeKeywords: sub.excludeKeywords,
    followAuthors: sub.followAuthors,
    followOrgs: sub.followOrgs,
  };
  const byRelevance = (input.ranking ?? 'relevance') === 'relevance';
  const weights = input.weights ?? DEFAULT_WEIGHTS;

  // The window, deduped (a second listing of the same paper: keep the later one, its upvotes are fresher).
  const window = new Map<string, Paper>();
  for (const paper of input.papers) {
    if (paper.listedOn < firstDay || sentIds.has(paper.id)) continue;
    const seen = window.get(paper.id);
    if (!seen || isFresherListing(paper, seen)) window.set(paper.id, paper);
  }
  // IDF over the candidates as given: the send job's candidate cache shares this array between readers, so the
  // IDF and every paper's vector are computed once per pool, not once per digest.
  const personal = personalScorer(byRelevance ? input.model : null, input.papers);
  // A reader with a couple of seeds is ranked mostly by their filters, one with fifty marks mostly by the model.
  const trust = trustIn(input.model, weights.learnedHalf);
  let maxUpvotes = 0;
  const dayRank = new Map<string, number>(); // paper id -> rank by upvotes on the newest listing day
  if (byRelevance) {
    for (const p of window.values()) maxUpvotes = Math.max(maxUpvotes, p.upvotes);
    // Ranked among everything listed that day (papers already sent included): "#1 today" means on Hugging Face.
    const newest = input.papers.reduce((d, p) => (p.listedOn > d ? p.listedOn : d), firstDay);
    const seen = new Set<string>();
    input.papers
      .filter((p) => p.listedOn === newest && !seen.has(p.id) && seen.add(p.id))
      .sort((a, b) => b.upvotes - a.upvotes)
      .forEach((p, i) => dayRank.set(p.id, i + 1));
  }

  const chosen: Scored[] = [];
  for (const paper of window.values()) {
    const m = matchPaper(paper, prefs);
    if (m.excludedBy !== undefined) continue;
    const follow = m.reasons.some(isFollow);
    if (!follow && paper.upvotes < sub.minUpvotes) continue;
    if (!byRelevance) {
      if (!m.included) continue;
      chosen.push({ paper, reasons: [...m.reasons].sort((a, b) => REASON_ORDER[a.kind] - REASON_ORDER[b.kind]), follow, score: 0, personal: 0 });
      continue;
    }
    const opinion = personal.score(paper);
    // A paper outside the filters comes in when the model likes it and it resembles papers the reader liked.
    const similar = !m.included && opinion >= weights.discoverMin ? personal.similarity(paper) : undefined;
    if (!m.included && !(similar && similar.similarTo > 0)) continue;
    const match = matchStrengthOf(m.reasons);
    const score = blend(weights, {
      match,
      personal: opinion * trust,
      community: communitySignal(paper, maxUpvotes, today),
      freshness: freshness(paper.listedOn, today),
      topicHistory: input.model ? topicLift(input.model.topics, topicKeysOfReasons(m.reasons), input.model.likes, input.model.dislikes) : 0,
    });
    chosen.push({ paper, reasons: m.reasons, follow, score, personal: opinion, ...(similar ? { similar } : {}) });
  }
  if (!byRelevance) return chosen.sort((a, b) => compareForDigest(a.paper, b.paper)).slice(0, limit).map(({ paper, reasons }) => ({ paper, reasons }));
  // Explained once cut: "Like 2 papers you liked" compares a paper with each liked one, only for the cards shown.
  return chosen
    .sort((a, b) => Number(b.follow) - Number(a.follow) || b.score - a.score || compareForDigest(a.paper, b.paper))
    .slice(0, limit)
    .map((c) => {
      const similar = c.similar ?? (c.personal >= weights.discoverMin ? personal.similarity(c.paper) : undefined);
      return { paper: c.paper, reasons: explain(c.reasons, similar, dayRank.get(c.paper.id), c.paper) };
    });
}

/** The reasons a card shows, most specific first: follows, the strongest matches, the model, the community. */
function explain(reasons: readonly Reason[], similar: Similarity | undefined, rank: number | undefined, paper: Paper): Reason[] {
  const follows = reasons.filter(isFollow);
  const matches = reasons
    .filter((r): r is Extract<Reason, { kind: 'topic' | 'keyword' }> => r.kind === 'topic' || r.kind === 'keyword')
    .sort((a, b) => (b.strength ?? 0) - (a.strength ?? 0))
    .slice(0, MATCH_REASONS_SHOWN);
  const out: Reason[] = [...follows, ...matches];
  if (similar && similar.similarTo > 0) out.push({ kind: 'similar', count: similar.similarTo, terms: similar.terms });
  if (rank !== undefined && rank <= POPULAR_RANK && paper.upvotes >= POPULAR_UPVOTES) out.push({ kind: 'popular', rank, upvotes: paper.upvotes });
  if (out.length === 0) out.push(...reasons.filter((r) => r.kind === 'trending'));
  return out;
}
