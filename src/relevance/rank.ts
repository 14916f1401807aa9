// The final score of a candidate paper, pure: match strength, the reader's personal model, the community signal
// and freshness, blended by weights the operator sets live (settings: relevance*). digest/select.ts decides who
// is a candidate (filters, follows, excludes); this file only scores.
import type { Paper } from '../papers/paper.js';
import type { Settings } from '../settings/schema.js';
import { prepare, scoreVector, similarity, type PreparedModel, type ReaderModel, type ScoringModel, type Similarity } from './model.js';
import { buildIdf, paperVector, type Idf, type TermVector } from './terms.js';

export interface RankWeights {
  /** Where the reader's topics/keywords occur (title 1, AI summary .9, keywords .75, abstract .15–.5). */
  match: number;
  /** The personal model (-1..1). */
  personal: number;
  /** Upvotes relative to the window's most upvoted paper (log scale), plus growth per day listed. */
  community: number;
  /** 1 for today's listing, 1/2 yesterday, 1/3 the day before… */
  freshness: number;
  /** Personal score a paper outside the reader's filters needs to be suggested ("Like papers you liked"). */
  discoverMin: number;
  /** Papers liked or disliked at which the personal model weighs half of `personal`; it nears all of it as feedback grows. */
  learnedHalf: number;
  /** How the reader liked papers matching the same topics in the same field before (topic-history.ts, log-odds). */
  topicHistory: number;
}

export const DEFAULT_WEIGHTS: RankWeights = { match: 1, personal: 3, community: 0.3, freshness: 0.2, discoverMin: 0.12, learnedHalf: 10, topicHistory: 0.25 };

type WeightSettings = Pick<
  Settings,
  'relevanceMatchWeight' | 'relevancePersonalWeight' | 'relevanceCommunityWeight' | 'relevanceFreshnessWeight' | 'relevanceDiscoverMin' | 'relevanceLearnedHalf' | 'relevanceTopicHistoryWeight'
>;

/** The weights in the live settings. */
export function rankWeightsOf(s: WeightSettings): RankWeights {
  return {
    match: s.relevanceMatchWeight,
    personal: s.relevancePersonalWeight,
    community: s.relevanceCommunityWeight,
    freshness: s.relevanceFreshnessWeight,
    discoverMin: s.relevanceDiscoverMin,
    learnedHalf: s.relevanceLearnedHalf,
    topicHistory: s.relevanceTopicHistoryWeight,
  };
}

/**
 * How far the personal model is trusted, 0..1: n / (n + learnedHalf) for n papers liked or disliked (seeds count
 * as liked). Two seed papers say little about a reader; fifty marks say a lot, and the model then outweighs how
 * well a paper matches their topics.
 */
export function trustIn(model: Pick<ReaderModel, 'likes' | 'dislikes'> | null | undefined, learnedHalf: number): number {
  if (!model) return 0;
  const n = Math.max(0, model.likes) + Math.max(0, model.dislikes);
  if (n === 0) return 0;
  return learnedHalf <= 0 ? 1 : n / (n + learnedHalf);
}

const idfByPool = new WeakMap<readonly Paper[], Idf>();
const vectors = new WeakMap<Paper, { idf: Idf; v: TermVector }>();

/** IDF over a candidate pool, memoized per pool array (the send job's candidate cache shares arrays). */
export function poolIdf(pool: readonly Paper[]): Idf {
  let idf = idfByPool.get(pool);
  if (!idf) idfByPool.set(pool, (idf = buildIdf(pool)));
  return idf;
}

function vectorOf(paper: Paper, idf: Idf): TermVector {
  const hit = vectors.get(paper);
  if (hit && hit.idf === idf) return hit.v;
  const v = paperVector(paper, idf);
  vectors.set(paper, { idf, v });
  return v;
}

/** One reader's model over one pool of candidates; no model = no opinion (score 0, resembles nothing). */
export interface PersonalScorer {
  /** The model's opinion, in (-1, 1); 0 = no opinion. */
  score(paper: Paper): number;
  /** How many liked papers it resembles and the terms they share: for papers the model likes, when a card or an admission needs it. */
  similarity(paper: Paper): Similarity;
}

const NO_SIMILARITY: Similarity = { similarTo: 0, terms: [] };
const NO_OPINION: PersonalScorer = { score: () => 0, similarity: () => NO_SIMILARITY };

export function personalScorer(model: ScoringModel | null | undefined, pool: readonly Paper[]): PersonalScorer {
  if (!model) return NO_OPINION;
  const idf = poolIdf(pool);
  let pm: PreparedModel | undefined; // the liked signatures' index, built on first use
  return {
    score: (paper) => scoreVector(model, vectorOf(paper, idf)),
    similarity: (paper) => similarity((pm ??= prepare(model)), vectorOf(paper, idf)),
  };
}

/** Community signal 0..1: log upvotes against the window's best, nudged by upvotes gained per day listed. */
export function communitySignal(paper: Paper, maxUpvotes: number, today: string): number {
  const base = maxUpvotes > 0 ? Math.log1p(paper.upvotes) / Math.log1p(maxUpvotes) : 0;
  const days = Math.max(1, daysBetween(paper.listedOn, today) + 1);
  const perDay = paper.upvotes / days;
  const growth = maxUpvotes > 0 ? Math.min(1, Math.log1p(perDay) / Math.log1p(maxUpvotes)) : 0;
  return 0.8 * base + 0.2 * growth;
}

export function freshness(listedOn: string, today: string): number {
  return 1 / (1 + Math.max(0, daysBetween(listedOn, today)));
}

function daysBetween(from: string, to: string): number {
  return Math.round((Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / 86_400_000);
}

export interface BlendParts {
  match: number;
  personal: number;
  community: number;
  freshness: number;
  /** topic-history.ts topicLift (0 = no history). */
  topicHistory: number;
}

export function blend(w: RankWeights, parts: BlendParts): number {
  return (
    w.match * parts.match + w.personal * parts.personal + w.community * parts.community + w.freshness * parts.freshness + w.topicHistory * parts.topicHistory
  );
}
