// The stored form of a reader's model (model-codec.ts): compact (each term once, integer weights), read back to
// the same model on the stored grid, older v1 models still read, and undo exact after a trip through storage.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Paper } from '../../../src/papers/paper.js';
import { applyFeedback, emptyModel, signatureOf, type ReaderModel } from '../../../src/relevance/model.js';
import { decodeForScoring, decodeModel, encodeModel, quantize } from '../../../src/relevance/model-codec.js';
import { buildIdf, paperVector } from '../../../src/relevance/terms.js';

function paper(id: string, title: string, keywords: string[]): Paper {
  return {
    id, title, summary: `${title}. We report experiments.`, authors: ['Ada Lovelace', 'Alan Turing'], publishedAt: '2025-09-01T17:00:00.000Z',
    listedOn: '2025-09-02', upvotes: 10, comments: 0, url: `https://huggingface.co/papers/${id}`, arxivUrl: `https://arxiv.org/abs/${id}`,
    githubRepo: null, githubStars: null, projectPage: null, organization: { name: 'nvidia', fullname: 'NVIDIA' }, thumbnail: null, keywords, aiSummary: null,
  };
}

const A = paper('2509.00041', 'Speculative Decoding with Draft Trees', ['speculative decoding', 'draft model']);
const B = paper('2509.00042', 'Compressing the KV Cache for Long Context', ['KV cache', 'long context']);
const C = paper('2509.00043', 'Robot Grasping from Human Videos', ['robot grasping']);
const idf = buildIdf([A, B, C]);
const trip = (m: ReaderModel) => decodeModel(encodeModel({ model: m, pending: ['2501.00001'], rev: 7, dismissed: [], hint: null }));
const like = (m: ReaderModel, p: Paper, d: number) => applyFeedback(m, p.id, paperVector(p, idf), d > 0 ? signatureOf(p.id, '2025-09-02T08:00:00.000Z', p, idf) : null, d, 0);

describe('model codec', () => {
  it('reads back what it wrote, on a 3-decimal grid, each term written once', () => {
    const m = emptyModel();
    like(m, A, 1);
    like(m, B, 1);
    applyFeedback(m, C.id, paperVector(C, idf), signatureOf(C.id, '2025-09-02T08:00:00.000Z', C, idf), 0, 1);
    const raw = encodeModel({ model: m, pending: ['2501.00001'], rev: 7, dismissed: ['gui'], hint: { kind: 'exclude', keyword: 'audio', titles: 4 } });
    const back = decodeModel(raw);
    assert.deepEqual(back.hint, { kind: 'exclude', keyword: 'audio', titles: 4 }, "the digest's suggestion");
    assert.equal(back.rev, 7);
    assert.deepEqual(back.pending, ['2501.00001']);
    assert.deepEqual(back.dismissed, ['gui'], 'declined suggestions');
    assert.equal(back.model.likes, 2);
    assert.equal(back.model.dislikes, 1);
    assert.deepEqual(back.model.liked.map((s) => s.id), [B.id, A.id]);
    assert.deepEqual(back.model.disliked.map((s) => s.id), [C.id]);
    assert.equal(back.model.b, quantize(m.b));
    for (const [t, w] of m.w) if (Math.abs(w) >= 0.0005) assert.equal(back.model.w.get(t), quantize(w), t);
    for (const [t, w] of m.liked[0]!.v) if (Math.abs(w) >= 0.0005) assert.equal(back.model.liked[0]!.v.get(t), quantize(w), t);
    const json = JSON.parse(raw) as { terms: string[] };
    assert.equal(new Set(json.terms).size, json.terms.length, 'each term once');
    assert.equal((raw.match(/"speculative decoding"/g) ?? []).length, 1, 'a term shared by a signature, a centroid and the weights is written once');
  });

  it('reads for a send all that scoring uses, and not the training set', () => {
    const m = emptyModel();
    like(m, A, 1);
    applyFeedback(m, C.id, paperVector(C, idf), signatureOf(C.id, '2025-09-02T08:00:00.000Z', C, idf), 0, 1);
    m.muted = new Set(['robot']);
    m.topics.set('efficiency@title', [1, 0]);
    const raw = encodeModel({ model: m, pending: ['2501.00001'], rev: 4, dismissed: ['gui'], hint: { kind: 'include', keyword: 'kv cache', titles: 2 } });
    const whole = decodeModel(raw);
    const forSend = decodeForScoring(raw);
    const { pos, neg, disliked, ...scoring } = whole.model;
    assert.ok(pos.size > 0 && neg.size > 0 && disliked.length === 1, 'the whole model has its training set');
    assert.deepEqual(forSend.model, scoring, 'weights, bias, liked signatures, counts, muted terms and topic history, as decodeModel reads them');
    assert.deepEqual(Object.keys(forSend.model).sort(), ['b', 'dislikes', 'liked', 'likes', 'muted', 'topics', 'w']);
    assert.deepEqual({ rev: forSend.rev, pending: forSend.pending, dismissed: forSend.dismissed, hint: forSend.hint }, { rev: 4, pending: ['2501.00001'], dismissed: ['gui'], hint: { kind: 'include', keyword: 'kv cache', titles: 2 } });
  });

  it('reads a v1 model (pairs of term and weight)', () => {
    const v1 = JSON.stringify({ v: 1, rev: 3, likes: 1, dislikes: 0, pos: [['kv cache', 0.5]], neg: [], liked: [{ id: 'x', at: '2025-01-01T00:00:00.000Z', v: [['kv cache', 0.7071]] }], disliked: [], muted: ['agents'], pending: [], w: [['kv cache', 1.2345]], b: -0.25 });
    const s = decodeModel(v1);
    assert.equal(s.rev, 3);
    assert.equal(s.model.pos.get('kv cache'), 0.5);
    assert.equal(s.model.liked[0]!.v.get('kv cache'), 0.7071);
    assert.equal(s.model.w.get('kv cache'), 1.2345);
    assert.equal(s.model.b, -0.25);
    assert.ok(s.model.muted.has('agents'));
    assert.deepEqual(s.dismissed, [], 'no declined suggestions before they existed');
  });

  it('undo is exact after storage: taking a 👍 back leaves the centroid it found', () => {
    const onlyA = emptyModel();
    like(onlyA, A, 1);
    const expected = trip(onlyA).model.pos;

    const stored = trip((() => {
      const m = emptyModel();
      like(m, A, 1);
      like(m, B, 1);
      return m;
    })()).model;
    like(stored, B, -1);
    assert.deepEqual(stored.pos, expected, 'no residue of B, not even a term B alone had');
    assert.deepEqual(stored.liked.map((s) => s.id), [A.id]);
  });

  it('reads no hint from a model stored before hints, or from a malformed one', () => {
    const plain = JSON.parse(encodeModel({ model: emptyModel(), pending: [], rev: 1, dismissed: [], hint: null })) as Record<string, unknown>;
    assert.equal('hint' in plain, false);
    assert.equal(decodeModel(JSON.stringify(plain)).hint, null);
    for (const bad of [['include', '', 3], ['maybe', 'GUI', 3], ['include', 'GUI', 1.5], 'GUI']) {
      assert.equal(decodeModel(JSON.stringify({ ...plain, hint: bad })).hint, null, JSON.stringify(bad));
    }
  });

  it('is smaller than one pair per term would be', () => {
    const m = emptyModel();
    like(m, A, 1);
    like(m, B, 1);
    const raw = encodeModel({ model: m, pending: [], rev: 1, dismissed: [], hint: null });
    const pairs = JSON.stringify([...m.pos, ...m.w, ...m.liked.flatMap((s) => [...s.v])].map(([t, w]) => [t, Math.round(w * 1e4) / 1e4]));
    assert.ok(raw.length < pairs.length, `${raw.length} < ${pairs.length}`);
  });
});
