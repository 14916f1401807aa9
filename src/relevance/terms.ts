// Paper text → weighted terms (pure). The personal model compares papers by these terms.
// - Fields are weighted: title ×3, Hugging Face's one-sentence AI summary ×3, abstract ×0.5, HF ai_keywords ×0.5
//   (a title and a one-sentence summary say what a paper is about, and they are what a reader skims).
//   - The abstract mentions many things in passing. At ×1, a word it used three times weighed as much as the same
//     word once in the title; at ×0.5 a single mention weighs (1 + ln 0.5) ≈ 0.31 against 2.1 in the title.
//     eval/README.md has the figures: over both reader sets and eight date ranges other than the target range,
//     +0.007 nDCG@10 on average (0.3 and 0.7 measured too).
//   - The ai_keywords are phrases picked from the abstract, often generic ones ("large language models"), so at ×2
//     they counted the abstract's phrases again and outweighed the title.
//   - ×0.5, not less: 0.3 measured worse, and under 1/e a single mention's weight (1 + ln c) turns negative.
// - Terms are light-stemmed unigrams (plural "s" dropped) and bigrams of neighbouring content words
//   ("speculative decoding", "kv cache"), so a phrase counts for more than its two words apart.
// - Stop words and generic research vocabulary ("model", "propose", "results") are dropped: every paper has them,
//   they would make every paper look like every other.
// - Weights are sublinear term frequency × IDF over a pool of papers (the day's candidates, or the listing days
//   around a liked paper), then L2-normalized and capped to the strongest terms (bounded state, fast dot products).
import type { Paper } from '../papers/paper.js';

export type TextPaper = Pick<Paper, 'title' | 'summary' | 'keywords'> & Partial<Pick<Paper, 'aiSummary' | 'authors' | 'organization'>>;
/** A sparse vector: term → weight. */
export type TermVector = Map<string, number>;

const STOP = new Set(
  (
    'a an the and or but if of to in on at by for with from into onto over under than then that this these those is are was were be been being ' +
    'it its we our us you your they their them he she his her as not no nor so such can could may might must shall should will would do does did ' +
    'done has have had having also via per about across after against along among around before behind below beneath beside between beyond ' +
    'both each either every few more most other some any all many much several own same which who whom whose what when where why how ' +
    'while whereas however moreover furthermore therefore thus hence here there up down out off only just very well even still yet ' +
    'one two three four five first second third new novel propose proposed proposes present presents introduce introduces introduced ' +
    'paper work approach approaches method methods framework frameworks result results show shows shown demonstrate demonstrates ' +
    'achieve achieves achieved performance perform performs state art sota existing previous prior recent recently based using use used uses ' +
    'task tasks model models modeling large scale data dataset datasets benchmark benchmarks evaluation evaluate evaluated experiment ' +
    'experiments experimental extensive significant significantly improve improves improved improvement improvements effective ' +
    'effectively efficient efficiently outperform outperforms outperforming code available publicly github https http www com org ' +
    'key challenge challenges problem problems address addresses enable enables enabling provide provides including include includes ' +
    'furthermore additionally comprehensive strong across various different diverse specific general generalization able ability capability ' +
    'capabilities study studies analysis analyze understanding leverage leverages leveraging design designed'
  )
    .toLowerCase()
    .split(/\s+/)
    .filter(Boolean),
);

const FIELD_WEIGHT = { title: 3, aiSummary: 3, keywords: 0.5, summary: 0.5, source: 2 } as const;
/** Authors of a paper that become features: the first two and the last (lead authors and the lab head). */
const SOURCE_AUTHORS = 3;

/** A source feature ("org:nvidia", "author:junyang-lin"): never a word of a text (words() has no ':'). */
export function isSourceTerm(term: string): boolean {
  return term.includes(':');
}

const slug = (name: string) => name.normalize('NFKD').replace(/\p{M}/gu, '').toLowerCase().trim().replace(/\s+/g, '-');

/**
 * Who a paper comes from, as features the personal model can learn like words: its Hugging Face organization and
 * a few of its authors. An organization watcher's liked papers share an organization, not a vocabulary.
 */
export function sourceTerms(paper: TextPaper): string[] {
  const out: string[] = [];
  const org = paper.organization?.name?.trim();
  if (org) out.push(`org:${slug(org)}`);
  const authors = (paper.authors ?? []).filter((a) => a.trim());
  const picked = authors.length <= SOURCE_AUTHORS ? authors : [...authors.slice(0, SOURCE_AUTHORS - 1), authors[authors.length - 1]!];
  for (const a of picked) out.push(`author:${slug(a)}`);
  return out;
}
/** Terms kept per paper vector. */
export const PAPER_TERMS = 48;

function stem(w: string): string {
  if (w.length > 4 && w.endsWith('ies')) return `${w.slice(0, -3)}y`;
  if (w.length > 3 && w.endsWith('s') && !w.endsWith('ss') && !w.endsWith('us') && !w.endsWith('is')) return w.slice(0, -1);
  return w;
}

/** One content word of a text: as written, and lowercased and stemmed (the form terms are made of). */
export interface Token {
  raw: string;
  stem: string;
}

/** Content words of a text, in order; null marks a break (a stop word or punctuation). */
export function tokens(text: string): (Token | null)[] {
  const out: (Token | null)[] = [];
  for (const chunk of text.normalize('NFKC').split(/([^\p{L}\p{N}-]+)/u)) {
    if (chunk === '') continue;
    if (!/[\p{L}\p{N}]/u.test(chunk)) {
      // punctuation other than spaces breaks a bigram
      if (/[^\s]/u.test(chunk)) out.push(null);
      continue;
    }
    for (const raw of chunk.split('-')) {
      if (!raw) continue;
      const part = raw.toLowerCase();
      if (part.length < 2 || STOP.has(part) || /^\d+$/.test(part)) {
        out.push(null);
        continue;
      }
      out.push({ raw, stem: stem(part) });
    }
  }
  return out;
}

/** Content words of a text, lowercased and stemmed, in order; null marks a break (a stop word or punctuation). */
export function words(text: string): (string | null)[] {
  return tokens(text).map((t) => t && t.stem);
}

/** Raw term counts of one text (unigrams and bigrams), each occurrence counted `weight`. */
function addTerms(counts: Map<string, number>, text: string, weight: number): void {
  const ws = words(text);
  let prev: string | null = null;
  for (const w of ws) {
    if (w === null) {
      prev = null;
      continue;
    }
    counts.set(w, (counts.get(w) ?? 0) + weight);
    if (prev !== null) {
      const bi = `${prev} ${w}`;
      counts.set(bi, (counts.get(bi) ?? 0) + weight);
    }
    prev = w;
  }
}

const rawMemo = new WeakMap<object, Map<string, number>>();

/** Field-weighted raw counts of a paper's terms (memoized per paper object: papers are immutable values). */
export function rawTerms(paper: TextPaper): Map<string, number> {
  let counts = rawMemo.get(paper);
  if (!counts) {
    counts = new Map();
    addTerms(counts, paper.title, FIELD_WEIGHT.title);
    for (const k of paper.keywords ?? []) addTerms(counts, k, FIELD_WEIGHT.keywords);
    if (paper.aiSummary) addTerms(counts, paper.aiSummary, FIELD_WEIGHT.aiSummary);
    addTerms(counts, paper.summary, FIELD_WEIGHT.summary);
    for (const t of sourceTerms(paper)) counts.set(t, (counts.get(t) ?? 0) + FIELD_WEIGHT.source);
    rawMemo.set(paper, counts);
  }
  return counts;
}

/** Inverse document frequency over a pool of papers; a term the pool never saw gets the highest value. */
export interface Idf {
  (term: string): number;
  readonly size: number;
}

export function buildIdf(pool: readonly TextPaper[]): Idf {
  const df = new Map<string, number>();
  for (const p of pool) for (const t of rawTerms(p).keys()) df.set(t, (df.get(t) ?? 0) + 1);
  const n = pool.length;
  const fn = ((term: string) => Math.log((n + 1) / ((df.get(term) ?? 0) + 1)) + 1) as Idf;
  Object.defineProperty(fn, 'size', { value: n });
  return fn;
}

/** The paper's TF-IDF vector, L2-normalized, strongest PAPER_TERMS terms. */
export function paperVector(paper: TextPaper, idf: Idf, limit = PAPER_TERMS): TermVector {
  const scored: [string, number][] = [];
  for (const [t, c] of rawTerms(paper)) scored.push([t, (1 + Math.log(c)) * idf(t) * (t.includes(' ') ? 1.2 : 1)]);
  scored.sort((a, b) => b[1] - a[1]);
  const kept = scored.slice(0, limit);
  const norm = Math.sqrt(kept.reduce((s, [, w]) => s + w * w, 0)) || 1;
  return new Map(kept.map(([t, w]) => [t, w / norm]));
}

export function dot(a: ReadonlyMap<string, number>, b: ReadonlyMap<string, number>): number {
  const [small, big] = a.size <= b.size ? [a, b] : [b, a];
  let s = 0;
  for (const [t, w] of small) {
    const o = big.get(t);
    if (o !== undefined) s += w * o;
  }
  return s;
}

export function norm(a: ReadonlyMap<string, number>): number {
  let s = 0;
  for (const w of a.values()) s += w * w;
  return Math.sqrt(s);
}
