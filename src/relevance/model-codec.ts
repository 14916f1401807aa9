// ReaderModel ⇄ JSON (what reader-store.ts keeps in Redis). The model is read on every send and kept for every
// reader, so the format is compact (v2), and a send reads only what scoring uses (decodeForScoring):
// - every term is written once, in `terms`; a vector is a flat array [term index, weight, term index, weight, …];
// - weights are integers in units of 1/WEIGHT_SCALE (3 decimals: no ranking changes below that).
// Undo stays exact: model.ts puts vectors on the same grid before adding them to a centroid (quantize), so taking
// a paper back subtracts exactly what was added. v1 (pairs of [term, weight], 4 decimals) is still read.
import type { ReaderModel, ScoringModel, Signature } from './model.js';
import type { SuggestionHint } from './suggest.js';
import type { TermVector } from './terms.js';
import { quantize, WEIGHT_SCALE } from './weight-grid.js';

export { quantize, WEIGHT_SCALE } from './weight-grid.js';


export interface StoredModel {
  model: ReaderModel;
  /** Seed paper ids not yet among the stored papers: applied when they appear. */
  pending: string[];
  /** Compare-and-set counter (reader-store.ts). */
  rev: number;
  /** Suggested keywords the reader declined (relevance/suggest.ts), lowercased; absent in older models. */
  dismissed: string[];
  /** The suggestion their next digests mention (suggest.ts hintOf), set when feedback arrives; null when none. */
  hint: SuggestionHint | null;
}

/** The stored model as a send reads it (decodeForScoring). */
export interface StoredForScoring extends Omit<StoredModel, 'model'> {
  model: ScoringModel;
}

type Flat = number[];
interface JsonV2 {
  v: 2;
  rev: number;
  likes: number;
  dislikes: number;
  terms: string[];
  pos: Flat;
  neg: Flat;
  w: Flat;
  b: number;
  liked: { id: string; at: string; v: Flat }[];
  disliked: { id: string; at: string; v: Flat }[];
  muted: string[];
  pending: string[];
  /** topic-history.ts: `topicId@field` → [liked, disliked]; absent in models stored before it existed. */
  topics?: Record<string, [number, number]>;
  /** Declined keyword suggestions; absent when none. */
  dismissed?: string[];
  /** The digest's suggestion: [kind, keyword, titles]; absent when none. */
  hint?: ['include' | 'exclude', string, number];
}


export function encodeModel(s: StoredModel): string {
  const m = s.model;
  const index = new Map<string, number>();
  const terms: string[] = [];
  const flat = (v: TermVector): Flat => {
    const out: Flat = [];
    for (const [t, w] of v) {
      const q = Math.round(w * WEIGHT_SCALE);
      if (q === 0) continue;
      let i = index.get(t);
      if (i === undefined) index.set(t, (i = terms.push(t) - 1));
      out.push(i, q);
    }
    return out;
  };
  const sig = (x: Signature) => ({ id: x.id, at: x.at, v: flat(x.v) });
  const json: JsonV2 = {
    v: 2,
    rev: s.rev,
    likes: m.likes,
    dislikes: m.dislikes,
    terms,
    pos: flat(m.pos),
    neg: flat(m.neg),
    w: flat(m.w),
    b: quantize(m.b),
    liked: m.liked.map(sig),
    disliked: m.disliked.map(sig),
    muted: [...m.muted],
    pending: s.pending,
    ...(m.topics.size ? { topics: Object.fromEntries(m.topics) } : {}),
    ...(s.dismissed.length ? { dismissed: s.dismissed } : {}),
    ...(s.hint ? { hint: [s.hint.kind, s.hint.keyword, s.hint.titles] } : {}),
  };
  return JSON.stringify(json);
}

/** { key: [liked, disliked] } with non-negative integer counts; anything else is dropped. */
function topicCounts(v: unknown): Map<string, [number, number]> {
  const out = new Map<string, [number, number]>();
  if (!v || typeof v !== 'object' || Array.isArray(v)) return out;
  for (const [k, c] of Object.entries(v as Record<string, unknown>)) {
    if (Array.isArray(c) && c.length === 2 && c.every((n) => Number.isInteger(n) && (n as number) >= 0)) out.set(k, [c[0] as number, c[1] as number]);
  }
  return out;
}

const strings = (v: unknown): string[] => (Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : []);

/** [kind, keyword, titles]; anything else is no hint. */
function hintFrom(v: unknown): SuggestionHint | null {
  if (!Array.isArray(v) || v.length !== 3) return null;
  const [kind, keyword, titles] = v as unknown[];
  if ((kind !== 'include' && kind !== 'exclude') || typeof keyword !== 'string' || !keyword || !Number.isInteger(titles)) return null;
  return { kind, keyword, titles: titles as number };
}

/** v2: [index, weight, …] over `terms`. */
function fromFlat(v: unknown, terms: readonly unknown[]): TermVector {
  const out: TermVector = new Map();
  if (!Array.isArray(v)) return out;
  for (let i = 0; i + 1 < v.length; i += 2) {
    const t = terms[v[i] as number];
    const w = v[i + 1];
    if (typeof t === 'string' && typeof w === 'number') out.set(t, w / WEIGHT_SCALE);
  }
  return out;
}

/** v1: [[term, weight], …]. */
function fromPairs(v: unknown): TermVector {
  const out: TermVector = new Map();
  if (Array.isArray(v)) for (const p of v) if (Array.isArray(p) && typeof p[0] === 'string' && typeof p[1] === 'number') out.set(p[0], p[1]);
  return out;
}

interface Parsed {
  j: Record<string, unknown>;
  vec: (v: unknown) => TermVector;
  sigs: (v: unknown) => Signature[];
}

function parse(raw: string | null): Parsed {
  const j = (raw ? JSON.parse(raw) : {}) as Record<string, unknown>;
  const terms: readonly unknown[] = j.v === 2 && Array.isArray(j.terms) ? j.terms : [];
  const vec = (v: unknown) => (j.v === 2 ? fromFlat(v, terms) : fromPairs(v));
  const sigs = (v: unknown): Signature[] =>
    Array.isArray(v)
      ? v.flatMap((s: { id?: unknown; at?: unknown; v?: unknown }) => (s && typeof s.id === 'string' && typeof s.at === 'string' ? [{ id: s.id, at: s.at, v: vec(s.v) }] : []))
      : [];
  return { j, vec, sigs };
}

const num = (v: unknown) => (typeof v === 'number' ? v : 0);

/** Everything but the model (common to both reads). */
function envelope(j: Record<string, unknown>): Omit<StoredModel, 'model'> {
  return { rev: num(j.rev), pending: strings(j.pending), dismissed: strings(j.dismissed), hint: hintFrom(j.hint) };
}

/** What scoring reads of a model, from its stored form. */
function scoringPart({ j, vec, sigs }: Parsed): ScoringModel {
  return { likes: num(j.likes), dislikes: num(j.dislikes), liked: sigs(j.liked), muted: new Set(strings(j.muted)), w: vec(j.w), b: num(j.b), topics: topicCounts(j.topics) };
}

/** The whole model: what feedback, the preferences page and the export read and write. */
export function decodeModel(raw: string | null): StoredModel {
  const parsed = parse(raw);
  const { j, vec, sigs } = parsed;
  return { ...envelope(j), model: { ...scoringPart(parsed), pos: vec(j.pos), neg: vec(j.neg), disliked: sigs(j.disliked) } };
}

/**
 * What a send reads: the model without the centroids and the disliked signatures, which only training uses (about
 * half of its terms, never turned into maps here).
 */
export function decodeForScoring(raw: string | null): StoredForScoring {
  const parsed = parse(raw);
  return { ...envelope(parsed.j), model: scoringPart(parsed) };
}
