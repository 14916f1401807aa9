// The personal model of one reader, pure: what they liked and disliked, as text (relevance/terms.ts).
// - Two Rocchio centroids (sums of the TF-IDF vectors of liked and of disliked papers) say what the reader's
//   interests look like on the whole; a few recent "signatures" (the vectors of the last liked and disliked papers)
//   catch a reader with several separate interests, which one centroid would blur into none.
// - Score of a candidate: similarity to what was liked minus (a little less) similarity to what was disliked,
//   each the mean of the centroid cosine and the best signature cosine. Roughly in [-1, 1]; 0 = no opinion.
// - Bounded: each centroid keeps its CENTROID_TERMS strongest terms, SIGNATURES recent papers per side.
// - Terms the reader removed ("muted") never count.
// Why not a library: the maintained JS options (natural's TfIdf, wink-nlp's BM25 vectorizer) keep every document
// in memory and offer no capped, incrementally updatable per-reader vector or subtraction (needed to undo a 👍);
// the math here is ~60 lines of sparse dot products.
import { dot, norm, paperVector, type Idf, type TermVector, type TextPaper } from './terms.js';

export const CENTROID_TERMS = 300;
export const SIGNATURES = 40;
export const SIGNATURE_TERMS = 24;

export interface Signature {
  id: string;
  at: string; // ISO, newest kept
  v: TermVector;
}

export interface ReaderModel {
  pos: TermVector;
  neg: TermVector;
  likes: number;
  dislikes: number;
  liked: Signature[];
  disliked: Signature[];
  muted: ReadonlySet<string>;
}

export function emptyModel(): ReaderModel {
  return { pos: new Map(), neg: new Map(), likes: 0, dislikes: 0, liked: [], disliked: [], muted: new Set() };
}

export function isEmptyModel(m: ReaderModel | null | undefined): boolean {
  return !m || (m.likes <= 0 && m.dislikes <= 0 && m.liked.length === 0);
}

/** How much a dislike pulls down against a like. */
const NEG_WEIGHT = 0.8;

export interface PersonalScore {
  /** Roughly -1..1; 0 = no opinion. */
  score: number;
  /** Positive side alone (0..1). */
  like: number;
  /** How many liked papers this one resembles (signature cosine above SIMILAR_AT). */
  similarTo: number;
  /** The shared terms that weigh most, strongest first (for "Why"). */
  terms: string[];
}

const SIMILAR_AT = 0.12;

function cosine(a: TermVector, aNorm: number, v: TermVector): number {
  return aNorm > 0 ? dot(a, v) / aNorm : 0;
}

function withoutMuted(v: TermVector, muted: ReadonlySet<string>): TermVector {
  if (muted.size === 0) return v;
  let hit = false;
  for (const t of v.keys()) if (muted.has(t) || [...t.split(' ')].some((w) => muted.has(w))) hit = true;
  if (!hit) return v;
  return new Map([...v].filter(([t]) => !muted.has(t) && !t.split(' ').some((w) => muted.has(w))));
}

/** A model prepared for scoring many candidates: norms computed once. */
export interface PreparedModel {
  model: ReaderModel;
  posNorm: number;
  negNorm: number;
  liked: { sig: Signature; n: number }[];
  disliked: { sig: Signature; n: number }[];
}

export function prepare(model: ReaderModel): PreparedModel {
  const sig = (s: Signature) => ({ sig: s, n: norm(s.v) });
  return { model, posNorm: norm(model.pos), negNorm: norm(model.neg), liked: model.liked.map(sig), disliked: model.disliked.map(sig) };
}

export function scoreVector(pm: PreparedModel, vector: TermVector): PersonalScore {
  const v = withoutMuted(vector, pm.model.muted);
  const posC = cosine(pm.model.pos, pm.posNorm, v);
  const negC = cosine(pm.model.neg, pm.negNorm, v);
  let posBest = 0;
  let similarTo = 0;
  for (const { sig, n } of pm.liked) {
    const c = cosine(sig.v, n, v);
    if (c > posBest) posBest = c;
    if (c >= SIMILAR_AT) similarTo++;
  }
  let negBest = 0;
  for (const { sig, n } of pm.disliked) negBest = Math.max(negBest, cosine(sig.v, n, v));
  const like = pm.posNorm > 0 || pm.liked.length ? (posC + posBest) / 2 : 0;
  const dislike = pm.negNorm > 0 || pm.disliked.length ? (negC + negBest) / 2 : 0;
  const contributions: [string, number][] = [];
  for (const [t, w] of v) {
    const p = pm.model.pos.get(t);
    if (p !== undefined && p > 0) contributions.push([t, w * p]);
  }
  contributions.sort((a, b) => b[1] - a[1]);
  return { score: like - NEG_WEIGHT * dislike, like, similarTo, terms: readableTerms(contributions.map(([t]) => t), 2) };
}

/** The strongest distinct terms: a bigram hides the words it contains ("kv cache", not "kv", "cache"). */
export function readableTerms(ranked: readonly string[], n: number): string[] {
  const out: string[] = [];
  for (const t of ranked) {
    if (out.length >= n) break;
    const ws = t.split(' ');
    if (out.some((o) => o.split(' ').some((w) => ws.includes(w)))) continue;
    out.push(t);
  }
  return out;
}

/** Add (sign=+1) or remove (sign=-1) one paper's vector from a centroid, in place; keeps the strongest terms. */
export function addToCentroid(c: Map<string, number>, v: TermVector, sign: number, cap = CENTROID_TERMS): void {
  for (const [t, w] of v) {
    const next = (c.get(t) ?? 0) + sign * w;
    if (Math.abs(next) < 1e-6) c.delete(t);
    else c.set(t, next);
  }
  capVector(c, cap);
}

export function capVector(c: Map<string, number>, cap: number): void {
  if (c.size <= cap) return;
  const drop = [...c].sort((a, b) => Math.abs(a[1]) - Math.abs(b[1])).slice(0, c.size - cap);
  for (const [t] of drop) c.delete(t);
}

export function signatureOf(id: string, at: string, paper: TextPaper, idf: Idf): Signature {
  return { id, at, v: paperVector(paper, idf, SIGNATURE_TERMS) };
}
