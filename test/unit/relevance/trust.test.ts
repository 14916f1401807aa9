// How much the personal model weighs grows with what it has learned (rank.ts: trustIn, setting
// relevanceLearnedHalf), and the text it learns from includes Hugging Face's one-sentence AI summary.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { selectPapers, type SelectSubscriber } from '../../../src/digest/select.js';
import type { Paper } from '../../../src/papers/paper.js';
import { applyFeedback, emptyModel, signatureOf, type ReaderModel } from '../../../src/relevance/model.js';
import { DEFAULT_WEIGHTS, rankWeightsOf, trustIn } from '../../../src/relevance/rank.js';
import { buildIdf, paperVector, rawTerms } from '../../../src/relevance/terms.js';
import { DEFAULT_SETTINGS } from '../../../src/settings/schema.js';

function paper(id: string, over: Partial<Paper> = {}): Paper {
  return {
    id, title: `Paper ${id}`, summary: 'We study a problem.', authors: ['Ada Lovelace'], publishedAt: '2025-09-01T17:00:00.000Z',
    listedOn: '2025-09-03', upvotes: 10, comments: 0, url: `https://huggingface.co/papers/${id}`, arxivUrl: `https://arxiv.org/abs/${id}`,
    githubRepo: null, githubStars: null, projectPage: null, organization: null, thumbnail: null, keywords: [], aiSummary: null, ...over,
  };
}

describe('trustIn', () => {
  it('is 0 with nothing learned, half at learnedHalf marks, and nears 1 as marks accumulate', () => {
    assert.equal(trustIn(null, 10), 0);
    assert.equal(trustIn({ likes: 0, dislikes: 0 }, 10), 0);
    assert.equal(trustIn({ likes: 4, dislikes: 6 }, 10), 0.5);
    assert.ok(trustIn({ likes: 10, dislikes: 40 }, 10) > 0.8);
    assert.ok(trustIn({ likes: 2, dislikes: 0 }, 10) < 0.2, 'two seed papers say little');
    assert.equal(trustIn({ likes: 1, dislikes: 0 }, 0), 1, 'learnedHalf 0: the model counts fully from the first mark');
  });

  it('comes from the live settings', () => {
    assert.equal(rankWeightsOf({ ...DEFAULT_SETTINGS, relevanceLearnedHalf: 25 }).learnedHalf, 25);
    assert.equal(rankWeightsOf(DEFAULT_SETTINGS).learnedHalf, DEFAULT_WEIGHTS.learnedHalf);
  });
});

describe('the personal model weighs by what it has learned', () => {
  // A title match the reader's model dislikes, and a weak abstract match it likes.
  const robot = paper('2509.00021', { title: 'Fast Inference for Robot Manipulation Policies', summary: 'Robots grasp objects from camera input.', keywords: ['robot manipulation'], upvotes: 10 });
  const spec = paper('2509.00022', { title: 'Lossless Speculative Decoding with Draft Trees', summary: 'A draft model proposes tokens and the target model verifies them; inference gets faster.', keywords: ['speculative decoding', 'draft model'], upvotes: 10 });
  const liked = [
    paper('2508.20001', { title: 'Draft Models for Faster Speculative Decoding', summary: 'Speculative decoding with better draft models.', keywords: ['speculative decoding', 'draft model'], listedOn: '2025-08-20' }),
    paper('2508.20002', { title: 'Tree Drafts for Speculative Decoding', summary: 'Token trees verified in parallel.', keywords: ['speculative decoding'], listedOn: '2025-08-20' }),
  ];
  const disliked = [
    paper('2508.20003', { title: 'Robot Manipulation from Human Videos', summary: 'Robots learn manipulation policies.', keywords: ['robot manipulation'], listedOn: '2025-08-21' }),
    paper('2508.20004', { title: 'Dexterous Robot Grasping', summary: 'Robot grasping of objects.', keywords: ['robot grasping'], listedOn: '2025-08-21' }),
  ];
  const pool = [robot, spec, ...liked, ...disliked];
  const idf = buildIdf(pool);
  const model: ReaderModel = emptyModel();
  for (const [list, dPos, dNeg] of [[liked, 1, 0], [disliked, 0, 1]] as const) {
    for (const p of list) applyFeedback(model, p.id, paperVector(p, idf), signatureOf(p.id, '2025-08-22T00:00:00Z', p, idf), dPos, dNeg);
  }
  const reader: SelectSubscriber = { timezone: 'UTC', topics: [], includeKeywords: ['inference'], excludeKeywords: [], followAuthors: [], followOrgs: [], minUpvotes: 0, maxPapers: 10 };
  const order = (learnedHalf: number) =>
    selectPapers({ subscriber: reader, papers: [robot, spec], sentIds: new Set(), now: new Date('2025-09-03T08:00:00Z'), lookbackDays: 3, cap: 25, model, weights: { ...DEFAULT_WEIGHTS, learnedHalf } }).map((s) => s.paper.id);

  it('a model of four marks trusted little: the title match leads', () => {
    assert.deepEqual(order(1000), [robot.id, spec.id]);
  });

  it('the same model trusted fully: what the reader liked leads', () => {
    assert.deepEqual(order(0), [spec.id, robot.id]);
  });
});

describe('paper text', () => {
  it("Hugging Face's one-sentence AI summary counts like the title", () => {
    const withSummary = rawTerms({ title: 'Drafts', summary: 'We study decoding.', keywords: [], aiSummary: 'Speculative decoding speeds up inference.' });
    assert.equal(withSummary.get('speculative decoding'), 3);
    const without = rawTerms({ title: 'Drafts', summary: 'We study decoding.', keywords: [], aiSummary: null });
    assert.equal(without.get('speculative decoding'), undefined);
  });
});
