// Training the personal model (model.ts train) on real papers from the archive: it is the plain class-balanced SGD
// written below with maps, term by term, number for number. train() numbers the terms and keeps the weights in one
// array for speed; this reference keeps it honest (same weights, same bias, same terms kept), muted terms included.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { archiveDays, loadArchiveDay } from '../../../bench/archive-days.js';
import { applyFeedback, capVector, emptyModel, signatureOf, train, WEIGHT_TERMS, type ReaderModel } from '../../../src/relevance/model.js';
import { buildIdf, norm, paperVector, type TermVector } from '../../../src/relevance/terms.js';

const sigmoid = (z: number) => 1 / (1 + Math.exp(-z));
const mutedIn = (t: string, muted: ReadonlySet<string>) => muted.has(t) || t.split(' ').some((w) => muted.has(w));

/** The SGD train() implements, written plainly: maps, in the same order. */
function referenceTrain(model: ReaderModel): { w: Map<string, number>; b: number } {
  const clean = (v: TermVector) => {
    const kept = new Map([...v].filter(([t]) => !mutedIn(t, model.muted)));
    const n = norm(kept);
    return n > 0 ? new Map([...kept].map(([t, x]) => [t, x / n])) : kept;
  };
  const ex: { v: TermVector; y: number; weight: number }[] = [
    ...model.liked.map((s) => ({ v: clean(s.v), y: 1, weight: 1 })),
    ...model.disliked.map((s) => ({ v: clean(s.v), y: 0, weight: 1 })),
  ];
  if (model.likes > model.liked.length && model.pos.size) ex.push({ v: clean(model.pos), y: 1, weight: Math.min(model.likes - model.liked.length, 10) });
  if (model.dislikes > model.disliked.length && model.neg.size) ex.push({ v: clean(model.neg), y: 0, weight: Math.min(model.dislikes - model.disliked.length, 10) });
  const pos = ex.filter((e) => e.y === 1).reduce((n, e) => n + e.weight, 0);
  const neg = ex.filter((e) => e.y === 0).reduce((n, e) => n + e.weight, 0);
  const cw = (y: number) => (y === 1 ? (pos > 0 ? (pos + neg) / (2 * pos) : 0) : neg > 0 ? (pos + neg) / (2 * neg) : 0);
  const w = new Map<string, number>();
  let b = 0;
  for (let epoch = 0; epoch < 30; epoch++) {
    const lr = 1.5 / (1 + epoch * 0.2);
    for (const e of ex) {
      let z = b;
      for (const [t, x] of e.v) z += (w.get(t) ?? 0) * x;
      const g = (e.y - sigmoid(z)) * e.weight * cw(e.y) * lr;
      for (const [t, x] of e.v) w.set(t, (w.get(t) ?? 0) * (1 - lr * 0.002) + g * x);
      if (pos > 0 && neg > 0) b += g * 0.1;
    }
  }
  capVector(w, WEIGHT_TERMS);
  for (const [t, x] of w) if (Math.abs(x) < 1e-4) w.delete(t);
  return { w, b };
}

describe('train', () => {
  // 120 real papers of three listed days: a 👍 on every fourth, a 👎 on the rest; then more than the signatures
  // hold, so the centroids train as pseudo-examples too.
  const days = archiveDays();
  const papers = days.slice(200, 210).flatMap((d) => loadArchiveDay(d)).slice(0, 160);
  const idf = buildIdf(papers);
  const model = emptyModel();
  papers.forEach((p, i) => {
    const like = i % 4 === 0;
    applyFeedback(model, p.id, paperVector(p, idf), signatureOf(p.id, `2025-01-01T00:00:${String(i % 60).padStart(2, '0')}.000Z`, p, idf), like ? 1 : 0, like ? 0 : 1);
  });

  it('is the plain SGD, number for number, on a model whose every part is in use', () => {
    assert.equal(papers.length, 160);
    assert.ok(model.disliked.length === 60 && model.dislikes > 60 && model.neg.size > 0, 'older dislikes train through the centroid');
    train(model);
    const ref = referenceTrain(model);
    assert.equal(model.b, ref.b);
    assert.deepEqual([...model.w], [...ref.w], 'same terms, same weights, same order');
    assert.equal(model.w.size, WEIGHT_TERMS);
  });

  it('leaves muted terms out, as the plain SGD does', () => {
    const muted: ReaderModel = { ...model, muted: new Set(['model', 'language model', 'learning']) };
    train(muted);
    const ref = referenceTrain(muted);
    assert.equal(muted.b, ref.b);
    assert.deepEqual([...muted.w], [...ref.w]);
    assert.ok(![...muted.w.keys()].some((t) => mutedIn(t, muted.muted)), 'no muted term, nor a phrase containing one, has a weight');
  });
});
