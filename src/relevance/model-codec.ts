// ReaderModel ⇄ JSON (what reader-store.ts keeps in Redis). Weights are rounded to 4 decimals: the model is
// read on every send, and 5 significant digits change no ranking.
import type { ReaderModel, Signature } from './model.js';
import type { TermVector } from './terms.js';

export interface StoredModel {
  model: ReaderModel;
  /** Seed paper ids not yet among the stored papers: applied when they appear. */
  pending: string[];
  /** Compare-and-set counter (reader-store.ts). */
  rev: number;
}

type Pairs = [string, number][];
interface Json {
  v: 1;
  rev: number;
  likes: number;
  dislikes: number;
  pos: Pairs;
  neg: Pairs;
  liked: { id: string; at: string; v: Pairs }[];
  disliked: { id: string; at: string; v: Pairs }[];
  muted: string[];
  pending: string[];
  w?: Pairs;
  b?: number;
}

const round = (w: number) => Math.round(w * 1e4) / 1e4;
const pairs = (v: TermVector): Pairs => [...v].map(([t, w]) => [t, round(w)] as [string, number]).filter(([, w]) => w !== 0);
const sig = (s: Signature) => ({ id: s.id, at: s.at, v: pairs(s.v) });

export function encodeModel(s: StoredModel): string {
  const m = s.model;
  const json: Json = {
    v: 1,
    rev: s.rev,
    likes: m.likes,
    dislikes: m.dislikes,
    pos: pairs(m.pos),
    neg: pairs(m.neg),
    liked: m.liked.map(sig),
    disliked: m.disliked.map(sig),
    muted: [...m.muted],
    pending: s.pending,
    w: pairs(m.w),
    b: round(m.b),
  };
  return JSON.stringify(json);
}

function vec(v: unknown): TermVector {
  const out: TermVector = new Map();
  if (Array.isArray(v)) for (const p of v) if (Array.isArray(p) && typeof p[0] === 'string' && typeof p[1] === 'number') out.set(p[0], p[1]);
  return out;
}

function sigs(v: unknown): Signature[] {
  if (!Array.isArray(v)) return [];
  return v.flatMap((s: { id?: unknown; at?: unknown; v?: unknown }) =>
    s && typeof s.id === 'string' && typeof s.at === 'string' ? [{ id: s.id, at: s.at, v: vec(s.v) }] : [],
  );
}

const strings = (v: unknown): string[] => (Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : []);

export function decodeModel(raw: string | null): StoredModel {
  const j = (raw ? JSON.parse(raw) : {}) as Partial<Json>;
  return {
    rev: typeof j.rev === 'number' ? j.rev : 0,
    pending: strings(j.pending),
    model: {
      pos: vec(j.pos),
      neg: vec(j.neg),
      likes: typeof j.likes === 'number' ? j.likes : 0,
      dislikes: typeof j.dislikes === 'number' ? j.dislikes : 0,
      liked: sigs(j.liked),
      disliked: sigs(j.disliked),
      muted: new Set(strings(j.muted)),
      w: vec(j.w),
      b: typeof j.b === 'number' ? j.b : 0,
    },
  };
}
