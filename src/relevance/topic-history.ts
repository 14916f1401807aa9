// What a reader made of papers by where their topics occur, pure: how many papers they liked and disliked per
// catalog topic and field ("code@title": 9 liked, 2 disliked; "agents@title": 4 liked, 31 disliked).
// - Why: the text model (model.ts) learns words, and a word like "agent" is in most of what a coding-agents reader
//   sees, liked or not. Which of *their* topics, and where in a paper, has meant a paper they want is a handful of
//   counts, and a strong signal: it turns the fixed match strengths (title 1, AI summary .9, keywords .75, abstract
//   .15–.5) into the reader's own.
// - Recorded at feedback time for every catalog topic the paper matches (the store does not know the reader's
//   topics, and preferences change); read at ranking time for the topics the reader chose. Include keywords are
//   not counted (they are free text; the text model sees their words).
// - Bounded: at most one entry per catalog topic and field (24 × 4); undo subtracts what was added. A mark made
//   before a paper's field was read differently (the AI summary became a field of its own in wave 2) stays under
//   the field it was counted in; counts never go below 0, and "reset what was learned" clears them all.
// - The lift of a paper is the best of its matched topics' like rates, smoothed towards the reader's overall rate
//   (SMOOTHING pseudo-papers), as log-odds against that overall rate: 0 = like the reader's average paper.
import type { Reason } from '../papers/reason.js';
import { matchStrength, topicHit, TOPICS, type MatchablePaper } from '../papers/topics.js';

/** `topicId@field` → [liked, disliked]. */
export type TopicHistory = Map<string, [number, number]>;

/** Pseudo-papers at the reader's overall like rate that every topic's count starts from. */
export const SMOOTHING = 3;

/** The catalog topics a paper matches, with the field each occurs in best: `agents@title`, `code@keywords`, … */
export function topicKeysOf(paper: MatchablePaper): string[] {
  const out: string[] = [];
  for (const t of TOPICS) {
    if (topicHit(paper, t.id) === null) continue;
    out.push(`${t.id}@${matchStrength(paper, t.id)?.field ?? 'abstract'}`);
  }
  return out;
}

/** The keys of a digest's match reasons (the reader's own topics); keyword reasons have none. */
export function topicKeysOfReasons(reasons: readonly Reason[]): string[] {
  const out: string[] = [];
  for (const r of reasons) if (r.kind === 'topic') out.push(`${r.topicId}@${r.field ?? 'abstract'}`);
  return out;
}

/** Count one paper's change of polarity (dPos, dNeg ∈ {-1, 0, 1}) under each of its keys, in place. */
export function recordTopics(h: TopicHistory, keys: readonly string[], dPos: number, dNeg: number): void {
  for (const k of new Set(keys)) {
    const [l, d] = h.get(k) ?? [0, 0];
    const next: [number, number] = [Math.max(0, l + dPos), Math.max(0, d + dNeg)];
    if (next[0] === 0 && next[1] === 0) h.delete(k);
    else h.set(k, next);
  }
}

const logit = (p: number) => Math.log(p / (1 - p));

/**
 * How much more (> 0) or less (< 0) than usual the reader liked papers matching these keys, in log-odds: the best
 * key's smoothed like rate against the reader's overall rate. 0 with no keys or no history.
 */
export function topicLift(h: TopicHistory, keys: readonly string[], likes: number, dislikes: number): number {
  if (keys.length === 0 || h.size === 0) return 0;
  const p0 = (Math.max(0, likes) + 1) / (Math.max(0, likes) + Math.max(0, dislikes) + 2);
  let best = -Infinity;
  for (const k of keys) {
    const [l, d] = h.get(k) ?? [0, 0];
    best = Math.max(best, logit((l + SMOOTHING * p0) / (l + d + SMOOTHING)) - logit(p0));
  }
  return best;
}
