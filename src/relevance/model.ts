// The personal model of one reader, pure: what they liked and disliked, as text (relevance/terms.ts).
// - The training set is bounded: the TF-IDF "signatures" of the last SIGNATURES liked and disliked papers, plus two
//   Rocchio centroids (running sums of every liked / disliked paper, capped to CENTROID_TERMS terms) that keep the
//   memory of older feedback as two weighted pseudo-examples.
// - On each change of feedback (never per send) a small logistic regression is retrained on that set (class-
//   balanced, L2-regularized, 30 SGD passes over ≤ 122 sparse examples: about 2 ms on a full model, 7–8 ms for a 👍
//   with the stored model's read and write, npm run bench -- --only relevance). Its weight
//   vector is capped to WEIGHT_TERMS terms. Retraining from the bounded set makes undo exact: a 👍 taken back is a
//   signature removed and a centroid subtracted, then the same training.
// - Score of a candidate: 2·σ(w·x + b) − 1, in (-1, 1); 0 = no opinion: one sparse dot product. "Similar to n liked
//   papers" counts liked signatures with cosine ≥ SIMILAR_AT (an inverted index makes that a few dozen lookups per
//   candidate), only for the papers whose card or admission needs it.
// - Terms the reader removed ("muted") never count.
// Why not a library: the maintained JS options (natural's TfIdf/LogisticRegressionClassifier, wink-nlp's BM25
// vectorizer) keep every document in memory, retrain on strings, and have no capped, serializable sparse model per
// reader or a way to undo one example; the math here is a hundred lines of sparse vectors.
import { quantize } from './weight-grid.js';
import { isSourceTerm, norm, paperVector, type Idf, type TermVector, type TextPaper } from './terms.js';
import { recordTopics, type TopicHistory } from './topic-history.js';

export const CENTROID_TERMS = 300;
export const SIGNATURES = 60;
export const SIGNATURE_TERMS = 24;
export const WEIGHT_TERMS = 400;

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
  /** The trained linear model (train()). */
  w: TermVector;
  b: number;
  /** Papers liked and disliked per catalog topic and field (topic-history.ts). */
  topics: TopicHistory;
}

/**
 * What ranking reads of a model: the trained weights, the liked signatures ("Like n papers you liked"), the topic
 * history and the counts. The centroids and the disliked signatures are the training set's alone.
 */
export type ScoringModel = Omit<ReaderModel, 'pos' | 'neg' | 'disliked'>;

export function emptyModel(): ReaderModel {
  return { pos: new Map(), neg: new Map(), likes: 0, dislikes: 0, liked: [], disliked: [], muted: new Set(), w: new Map(), b: 0, topics: new Map() };
}

export function isEmptyModel(m: ScoringModel | null | undefined): boolean {
  return !m || (m.likes <= 0 && m.dislikes <= 0 && m.liked.length === 0);
}

/** Why a paper resembles what the reader liked (for "Why" and for admitting a paper outside the filters). */
export interface Similarity {
  /** How many liked papers this one resembles (signature cosine ≥ SIMILAR_AT). */
  similarTo: number;
  /** The shared terms that weigh most, strongest first. */
  terms: string[];
}

/** Cosine to a liked paper's signature at which a paper counts as like it. */
export const SIMILAR_AT = 0.15;

function mutedTerm(t: string, muted: ReadonlySet<string>): boolean {
  return muted.size > 0 && (muted.has(t) || t.split(' ').some((w) => muted.has(w)));
}

const sigmoid = (z: number) => 1 / (1 + Math.exp(-z));

/** The model's opinion of a paper: 2·σ(w·x + b) − 1, in (-1, 1); 0 = no opinion. One sparse dot product. */
export function scoreVector(model: ScoringModel, v: TermVector): number {
  let z = model.b;
  for (const [t, x] of v) {
    const w = model.w.get(t);
    if (w !== undefined && !mutedTerm(t, model.muted)) z += w * x;
  }
  return 2 * sigmoid(z) - 1;
}

/**
 * The liked signatures as an inverted index, for Similarity. Built when a digest first needs it: only papers the
 * model likes (score ≥ relevanceDiscoverMin) are compared with the liked papers one by one, so most digests build it
 * for a few papers and some never do.
 */
export interface PreparedModel {
  model: ScoringModel;
  /** term → [signature index, weight, signature index, weight, …]: flat pairs, no object per posting. */
  postings: Map<string, number[]>;
  sigNorms: number[];
}

export function prepare(model: ScoringModel): PreparedModel {
  const postings = new Map<string, number[]>();
  const sigNorms = model.liked.map((s, i) => {
    for (const [t, w] of s.v) {
      const post = postings.get(t);
      if (post) post.push(i, w);
      else postings.set(t, [i, w]);
    }
    return norm(s.v) || 1;
  });
  return { model, postings, sigNorms };
}

export function similarity(pm: PreparedModel, v: TermVector): Similarity {
  const { model } = pm;
  const contributions: [string, number][] = [];
  const sims = new Float64Array(pm.sigNorms.length);
  for (const [t, x] of v) {
    if (mutedTerm(t, model.muted)) continue;
    const w = model.w.get(t);
    if (w !== undefined && w > 0) contributions.push([t, w * x]);
    const post = pm.postings.get(t);
    if (post) for (let i = 0; i < post.length; i += 2) sims[post[i]!]! += post[i + 1]! * x;
  }
  let similarTo = 0;
  for (let i = 0; i < sims.length; i++) if (sims[i]! / pm.sigNorms[i]! >= SIMILAR_AT) similarTo++;
  contributions.sort((a, b) => b[1] - a[1]);
  return { similarTo, terms: readableTerms(contributions.map(([t]) => t), 2) };
}

/**
 * Retrain w and b on the bounded training set: liked/disliked signatures, and the centroids as pseudo-examples
 * for feedback older than the signatures. Class-balanced logistic loss, L2, plain SGD in a fixed order
 * (test/unit/relevance/train.test.ts holds it to the same SGD written with maps, number for number).
 */
export function train(model: ReaderModel): void {
  const examples: { v: TermVector; y: number; weight: number }[] = [];
  for (const s of model.liked) examples.push({ v: s.v, y: 1, weight: 1 });
  for (const s of model.disliked) examples.push({ v: s.v, y: 0, weight: 1 });
  const olderLikes = model.likes - model.liked.length;
  const olderDislikes = model.dislikes - model.disliked.length;
  if (olderLikes > 0 && model.pos.size) examples.push({ v: model.pos, y: 1, weight: Math.min(olderLikes, 10) });
  if (olderDislikes > 0 && model.neg.size) examples.push({ v: model.neg, y: 0, weight: Math.min(olderDislikes, 10) });
  let b = 0;
  const pos = examples.filter((e) => e.y === 1).reduce((n, e) => n + e.weight, 0);
  const neg = examples.filter((e) => e.y === 0).reduce((n, e) => n + e.weight, 0);
  if (pos === 0 && neg === 0) {
    model.w = new Map();
    model.b = 0;
    return;
  }
  const total = pos + neg;
  const classWeight = (y: number) => (y === 1 ? (pos > 0 ? total / (2 * pos) : 0) : neg > 0 ? total / (2 * neg) : 0);
  // Each example without the muted terms, as a unit vector; terms numbered once and the weights in one array, so
  // the passes below touch only numbers.
  const index = new Map<string, number>();
  const terms: string[] = [];
  const kept = (t: string) => !mutedTerm(t, model.muted);
  const rows = examples.map((e) => {
    let n = 0;
    let ss = 0;
    for (const [t, x] of e.v) {
      if (!kept(t)) continue;
      n++;
      ss += x * x;
    }
    const len = Math.sqrt(ss);
    const at = new Int32Array(n);
    const xs = new Float64Array(n);
    let k = 0;
    for (const [t, x] of e.v) {
      if (!kept(t)) continue;
      let i = index.get(t);
      if (i === undefined) index.set(t, (i = terms.push(t) - 1));
      at[k] = i;
      xs[k++] = len > 0 ? x / len : x;
    }
    return { at, xs, y: e.y, weight: e.weight, cw: classWeight(e.y) };
  });
  const wa = new Float64Array(terms.length);
  const EPOCHS = 30;
  const L2 = 0.002;
  for (let epoch = 0; epoch < EPOCHS; epoch++) {
    const lr = 1.5 / (1 + epoch * 0.2);
    for (const { at, xs, y, weight, cw } of rows) {
      let z = b;
      for (let k = 0; k < at.length; k++) z += wa[at[k]!]! * xs[k]!;
      const g = (y - sigmoid(z)) * weight * cw * lr;
      for (let k = 0; k < at.length; k++) wa[at[k]!] = wa[at[k]!]! * (1 - lr * L2) + g * xs[k]!;
      // Only with both classes does the bias mean anything (with likes alone it would call everything liked).
      if (pos > 0 && neg > 0) b += g * 0.1;
    }
  }
  const w = new Map<string, number>();
  terms.forEach((t, i) => w.set(t, wa[i]!));
  capVector(w, WEIGHT_TERMS);
  for (const [t, x] of w) if (Math.abs(x) < 1e-4) w.delete(t);
  model.w = w;
  model.b = b;
}

/** The strongest distinct terms: a bigram hides the words it contains ("kv cache", not "kv", "cache"). */
export function readableTerms(ranked: readonly string[], n: number): string[] {
  const out: string[] = [];
  for (const t of ranked) {
    if (out.length >= n) break;
    if (isSourceTerm(t)) continue; // "Why" names what a paper is about; who wrote it has its own reasons
    const ws = t.split(' ');
    if (out.some((o) => o.split(' ').some((w) => ws.includes(w)))) continue;
    out.push(t);
  }
  return out;
}

/** The strongest learned terms: the trained weights, positive (liked) and negative (disliked), readable. */
export function topTerms(model: ReaderModel, n: number): { term: string; weight: number }[] {
  const w = new Map<string, number>(model.w);
  if (w.size === 0) {
    // Not trained yet (a model stored before training existed): the centroids say the same, less sharply.
    for (const [t, v] of model.pos) w.set(t, v / Math.max(1, model.likes));
    for (const [t, v] of model.neg) w.set(t, (w.get(t) ?? 0) - (0.8 * v) / Math.max(1, model.dislikes));
  }
  const ranked = [...w].filter(([t]) => !model.muted.has(t)).sort((a, b) => Math.abs(b[1]) - Math.abs(a[1]));
  const out: { term: string; weight: number }[] = [];
  for (const [term, weight] of ranked) {
    if (out.length >= n) break;
    const ws = term.split(' ');
    if (out.some((o) => Math.sign(o.weight) === Math.sign(weight) && o.term.split(' ').some((x) => ws.includes(x)))) continue;
    out.push({ term, weight: Math.round(weight * 1000) / 1000 });
  }
  return out;
}

/**
 * Add (sign=+1) or remove (sign=-1) one paper's vector from a centroid, in place; keeps the strongest terms.
 * Weights are put on the stored grid first (weight-grid.ts: quantize), so removing a paper subtracts exactly what
 * adding it added, even after the centroid went through storage.
 */
export function addToCentroid(c: Map<string, number>, v: TermVector, sign: number, cap = CENTROID_TERMS): void {
  for (const [t, w] of v) {
    const next = quantize((c.get(t) ?? 0) + sign * quantize(w));
    if (next === 0) c.delete(t);
    else c.set(t, next);
  }
  capVector(c, cap);
}

export function capVector(c: Map<string, number>, cap: number): void {
  if (c.size <= cap) return;
  const drop = [...c].sort((a, b) => Math.abs(a[1]) - Math.abs(b[1])).slice(0, c.size - cap);
  for (const [t] of drop) c.delete(t);
}

/**
 * Apply one paper's change of polarity to the model, in place, and retrain: dPos/dNeg ∈ {-1, 0, 1} (a 👍 is
 * dPos=+1; turning it into a 👎 is dPos=-1, dNeg=+1). `v` is the paper's vector (null when the paper is no longer
 * stored: its signature, if still kept, stands in), `sig` its signature for the training set, `topicKeys` the
 * catalog topics it matches (topic-history.ts topicKeysOf; empty when the paper is no longer stored).
 */
export function applyFeedback(m: ReaderModel, id: string, v: TermVector | null, sig: Signature | null, dPos: number, dNeg: number, topicKeys: readonly string[] = []): void {
  recordTopics(m.topics, topicKeys, dPos, dNeg);
  const sides: [number, Map<string, number>, 'liked' | 'disliked', 'likes' | 'dislikes'][] = [
    [dPos, m.pos, 'liked', 'likes'],
    [dNeg, m.neg, 'disliked', 'dislikes'],
  ];
  for (const [d, centroid, sigs, count] of sides) {
    if (d === 0) continue;
    m[count] = Math.max(0, m[count] + d);
    const existing = m[sigs].find((x) => x.id === id);
    const vector = v ?? existing?.v;
    if (vector) addToCentroid(centroid, vector, d);
    if (d > 0 && sig) m[sigs] = [sig, ...m[sigs].filter((x) => x.id !== id)].slice(0, SIGNATURES);
    else if (d < 0) m[sigs] = m[sigs].filter((x) => x.id !== id);
  }
  if (m.likes === 0 && m.liked.length === 0) m.pos.clear();
  if (m.dislikes === 0 && m.disliked.length === 0) m.neg.clear();
  train(m);
}

export function signatureOf(id: string, at: string, paper: TextPaper, idf: Idf): Signature {
  return { id, at, v: paperVector(paper, idf, SIGNATURE_TERMS) };
}
