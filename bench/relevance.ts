// Benchmark section "relevance": what the personal model costs per digest and per mark, on a full-size model, with
// nothing else running in the measured loop (the eval's `timing` is measured between its digests and moves with
// whatever else the machine does).
// Standalone: `node bin/run-ts.js bench/relevance.ts [--runs N]`; bench/run.ts puts it under `relevance`.
//
// The model: one reader who marked every paper of 30 real listed days from the archive (about one 👍 in six), so
// every bounded part is full: 60 liked and 60 disliked signatures, both centroids at their cap, 400 trained weights.
// Real listed days, real vectors (IDF over the 3 listed days up to the marked paper's, as the reader store builds
// them). The digest: 60 candidates from the next listed days.
//
// What is timed (CPU time of this process, µs; the median of `runs` rounds, each round the mean of 200 digests):
// - scoreMicrosPer60 (the "scoring 60 candidates costs ≤ 1 ms per digest"): the model's opinion of the 60
//   candidates, their vectors already built, and the resemblance to liked papers of those it likes (scoreAsADigest);
// - decodeMicros: reading the stored model as a send does before it scores (decodeForScoring: all but the training
//   set); decodeWholeMicros: the whole model, as feedback and the preferences page read it;
// - perDigestMicros: the two together, all the model costs a send;
// - vectorsMicrosPer60: IDF and vectors of the 60 candidates, once per candidate pool (shared by every reader's
//   digest in a worker);
// - markMicros: one 👍 learned (the centroid, the signature, retraining the bounded set), once per mark, never per
//   send; modelBytes: the stored model.
import { parseArgs } from 'node:util';
import { pathToFileURL } from 'node:url';
import type { Paper } from '../src/papers/paper.js';
import { decodeForScoring, decodeModel, encodeModel } from '../src/relevance/model-codec.js';
import { applyFeedback, emptyModel, signatureOf, type ReaderModel, type ScoringModel } from '../src/relevance/model.js';
import { DEFAULT_WEIGHTS, personalScorer } from '../src/relevance/rank.js';
import { buildIdf, paperVector, type Idf } from '../src/relevance/terms.js';
import { archiveDays, loadArchiveDay } from './archive-days.js';
import { cpuMicros, median } from './common.js';

export interface RelevanceBenchOptions {
  runs?: number;
  /** The first of the 30 listed days the reader marks (default 2025-08-01). */
  from?: string;
}

export interface RelevanceBenchResult {
  scoreMicrosPer60: number;
  decodeMicros: number;
  decodeWholeMicros: number;
  perDigestMicros: number;
  vectorsMicrosPer60: number;
  markMicros: number;
  modelBytes: number;
  model: { liked: number; disliked: number; weights: number; likes: number; dislikes: number };
  candidates: number;
  /** Candidates the model likes (score ≥ relevanceDiscoverMin): compared with the liked papers one by one. */
  comparedWithLiked: number;
  runs: number;
  target: { scoreMicrosPer60: number; met: boolean };
}

/**
 * What a digest asks of the personal model (digest/select.ts), at most: the model's opinion of every candidate, and
 * the resemblance to liked papers of every candidate it likes (select asks only for those it admits from outside the
 * filters and those shown). Returns how many it compared.
 */
export function scoreAsADigest(model: ScoringModel, papers: readonly Paper[], discoverMin = DEFAULT_WEIGHTS.discoverMin): number {
  const scorer = personalScorer(model, papers);
  let compared = 0;
  for (const p of papers) {
    if (scorer.score(p) >= discoverMin) {
      scorer.similarity(p);
      compared++;
    }
  }
  return compared;
}

const DIGESTS_PER_ROUND = 200;
const TARGET_MICROS = 1000;


/** A reader who marked every paper of `days`, liking the ones an independent rule picks (about one in six). */
function fullModel(days: string[]): ReaderModel {
  const model = emptyModel();
  const byDay = days.map((d) => loadArchiveDay(d));
  let n = 0;
  byDay.forEach((papers, i) => {
    const idf = buildIdf(byDay.slice(Math.max(0, i - 2), i + 1).flat());
    for (const p of papers) {
      const like = n++ % 6 === 0;
      applyFeedback(model, p.id, paperVector(p, idf), signatureOf(p.id, new Date(Date.parse(`${p.listedOn}T12:00:00Z`)).toISOString(), p, idf), like ? 1 : 0, like ? 0 : 1);
    }
  });
  return model;
}

export async function benchRelevance(opts: RelevanceBenchOptions = {}): Promise<RelevanceBenchResult> {
  const runs = Math.max(3, opts.runs ?? 15);
  const all = archiveDays();
  const start = Math.max(0, all.findIndex((d) => d >= (opts.from ?? '2025-08-01')));
  const marked = all.slice(start, start + 30);
  // The digest's candidates: the listed days after those, as many as give 60 papers (3 days, or 4 on short ones).
  const next: string[] = [];
  for (let i = start + 30, n = 0; i < all.length && n < 60; i++) {
    next.push(all[i]!);
    n += loadArchiveDay(all[i]!).length;
  }
  if (marked.length < 30 || next.length === 0) throw new Error(`relevance bench: the archive has too few listed days from ${opts.from ?? '2025-08-01'}`);

  const model = fullModel(marked);
  const stored = encodeModel({ model, pending: [], rev: 1, dismissed: [], hint: null });
  const scoring = decodeForScoring(stored).model; // the model as a send holds it
  const pool: Paper[] = next.flatMap((d) => loadArchiveDay(d)).slice(0, 60);
  if (pool.length < 60) throw new Error(`relevance bench: ${pool.length} candidates after ${marked.at(-1)}, need 60`);

  // Warm the JIT on every path, then measure rounds.
  const fresh = () => pool.map((p) => ({ ...p })); // new objects: no memoized vectors
  for (let i = 0; i < 50; i++) {
    scoreAsADigest(decodeForScoring(stored).model, fresh());
    decodeModel(stored);
  }
  const scoreRounds: number[] = [];
  const decodeRounds: number[] = [];
  const wholeRounds: number[] = [];
  const vectorRounds: number[] = [];
  let liked = 0;
  for (let r = 0; r < runs; r++) {
    const papers = fresh();
    let t = cpuMicros();
    const idf = buildIdf(papers);
    for (const p of papers) paperVector(p, idf);
    vectorRounds.push(cpuMicros() - t);

    liked = scoreAsADigest(scoring, papers); // and the pool's vectors, memoized as the send job's candidate cache does
    t = cpuMicros();
    for (let i = 0; i < DIGESTS_PER_ROUND; i++) scoreAsADigest(scoring, papers);
    scoreRounds.push((cpuMicros() - t) / DIGESTS_PER_ROUND);

    t = cpuMicros();
    for (let i = 0; i < DIGESTS_PER_ROUND; i++) decodeForScoring(stored);
    decodeRounds.push((cpuMicros() - t) / DIGESTS_PER_ROUND);

    t = cpuMicros();
    for (let i = 0; i < DIGESTS_PER_ROUND; i++) decodeModel(stored);
    wholeRounds.push((cpuMicros() - t) / DIGESTS_PER_ROUND);
  }

  // One more 👍 on a full model, learned from the stored form as the reader store does (read, apply, write).
  const extra = loadArchiveDay(next[0]!);
  const idf: Idf = buildIdf(extra);
  const markRounds: number[] = [];
  for (let r = 0; r < runs; r++) {
    const p = extra[r % extra.length]!;
    const t = cpuMicros();
    const s = decodeModel(stored);
    applyFeedback(s.model, p.id, paperVector(p, idf), signatureOf(p.id, '2030-01-01T00:00:00.000Z', p, idf), 1, 0);
    encodeModel(s);
    markRounds.push(cpuMicros() - t);
  }

  const scoreMicrosPer60 = Math.round(median(scoreRounds));
  const decodeMicros = Math.round(median(decodeRounds));
  return {
    scoreMicrosPer60,
    decodeMicros,
    decodeWholeMicros: Math.round(median(wholeRounds)),
    perDigestMicros: scoreMicrosPer60 + decodeMicros,
    vectorsMicrosPer60: Math.round(median(vectorRounds)),
    markMicros: Math.round(median(markRounds)),
    modelBytes: Buffer.byteLength(stored),
    model: { liked: model.liked.length, disliked: model.disliked.length, weights: model.w.size, likes: model.likes, dislikes: model.dislikes },
    candidates: pool.length,
    comparedWithLiked: liked,
    runs,
    target: { scoreMicrosPer60: TARGET_MICROS, met: scoreMicrosPer60 <= TARGET_MICROS },
  };
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const { values } = parseArgs({ options: { runs: { type: 'string' }, from: { type: 'string' } } });
  const result = await benchRelevance({ ...(values.runs ? { runs: Number(values.runs) } : {}), ...(values.from ? { from: values.from } : {}) });
  process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
}
