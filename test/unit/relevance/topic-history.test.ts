// What a reader made of each topic by field (relevance/topic-history.ts): the keys a paper is counted under, exact
// undo, the lift (positive for topics whose papers they liked, negative for those they disliked, 0 without
// history), the codec keeping it, and the ranking: among two title matches, the topic the reader's 👍 went to leads.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { selectPapers, type SelectSubscriber } from '../../../src/digest/select.js';
import type { Paper } from '../../../src/papers/paper.js';
import { applyFeedback, emptyModel, type ReaderModel } from '../../../src/relevance/model.js';
import { decodeModel, encodeModel } from '../../../src/relevance/model-codec.js';
import { recordTopics, topicKeysOf, topicLift, type TopicHistory } from '../../../src/relevance/topic-history.js';

function paper(id: string, over: Partial<Paper> = {}): Paper {
  return {
    id, title: `Paper ${id}`, summary: 'We study a problem and report results.', authors: ['Ada Lovelace'],
    publishedAt: '2025-09-01T17:00:00.000Z', listedOn: '2025-09-03', upvotes: 10, comments: 0,
    url: `https://huggingface.co/papers/${id}`, arxivUrl: `https://arxiv.org/abs/${id}`, githubRepo: null, githubStars: null,
    projectPage: null, organization: null, thumbnail: null, keywords: [], aiSummary: null, ...over,
  };
}

const CODING = (id: string) => paper(id, { title: `Repository-Level Code Generation ${id}`, summary: 'We repair programs in real repositories.' });
const AGENTS = (id: string) => paper(id, { title: `Web Agents that Browse ${id}`, summary: 'We build browsing assistants.' });

describe('topic history', () => {
  it('a paper is counted under each catalog topic it matches, with the field it occurs in best', () => {
    const keys = topicKeysOf(paper('2509.00101', { title: 'Web Agents that Plan', summary: 'We plan.', keywords: ['code generation'] }));
    assert.ok(keys.includes('agents@title'), keys.join(', '));
    assert.ok(keys.includes('code@keywords'), keys.join(', '));
    const summaryKeys = topicKeysOf(paper('2509.00103', { title: 'A Planner', summary: 'We plan.', aiSummary: 'A planner for web agents.' }));
    assert.deepEqual(summaryKeys, ['agents@summary']);
    assert.deepEqual(topicKeysOf(paper('2509.00102', { title: 'On Nothing in Particular', summary: 'Nothing.' })), []);
  });

  it('taking a mark back removes exactly what it added', () => {
    const h: TopicHistory = new Map();
    recordTopics(h, ['code@title', 'agents@abstract'], 1, 0);
    recordTopics(h, ['code@title'], 0, 1);
    assert.deepEqual([...h], [['code@title', [1, 1]], ['agents@abstract', [1, 0]]]);
    recordTopics(h, ['code@title', 'agents@abstract'], -1, 0);
    recordTopics(h, ['code@title'], 0, -1);
    assert.equal(h.size, 0);
  });

  it('lifts a topic the reader liked, lowers one they disliked, and says nothing without history', () => {
    const h: TopicHistory = new Map([['code@title', [8, 1]], ['agents@title', [2, 20]]]);
    assert.ok(topicLift(h, ['code@title'], 10, 21) > 1);
    assert.ok(topicLift(h, ['agents@title'], 10, 21) < -0.3);
    assert.ok(topicLift(h, ['agents@title', 'code@title'], 10, 21) > 1, 'the best of its topics counts');
    assert.equal(topicLift(h, ['video@title'], 10, 21), 0, 'an unseen key sits at the reader’s average');
    assert.equal(topicLift(new Map(), ['code@title'], 0, 0), 0);
    assert.equal(topicLift(h, [], 10, 21), 0);
  });

  it('is stored with the model, and a model stored before it reads as empty', () => {
    const m = emptyModel();
    m.topics.set('code@title', [3, 1]);
    const back = decodeModel(encodeModel({ model: m, pending: [], rev: 1, dismissed: [], hint: null })).model;
    assert.deepEqual([...back.topics], [['code@title', [3, 1]]]);
    const old = JSON.parse(encodeModel({ model: emptyModel(), pending: [], rev: 1, dismissed: [], hint: null })) as Record<string, unknown>;
    assert.equal('topics' in old, false);
    assert.equal(decodeModel(JSON.stringify({ ...old, topics: { 'code@title': [-1, 2], 'agents@title': 'x' } })).model.topics.size, 0, 'bad counts are dropped');
  });
});

describe('ranking with topic history', () => {
  const s: SelectSubscriber = { timezone: 'UTC', topics: ['agents', 'code'], includeKeywords: [], excludeKeywords: [], followAuthors: [], followOrgs: [], minUpvotes: 0, maxPapers: 10 };
  const today = [paper('2509.00201', { title: 'Agents for Online Shopping', summary: 'We shop.', upvotes: 50 }), paper('2509.00202', { title: 'Code Review with Language Models', summary: 'We review.', upvotes: 5 })];
  const select = (model: ReaderModel | null) =>
    selectPapers({ subscriber: s, papers: today, sentIds: new Set(), now: new Date('2025-09-03T08:00:00Z'), lookbackDays: 3, cap: 25, model }).map((x) => x.paper.id);

  it('among two title matches, the topic whose papers the reader liked leads; without feedback, upvotes decide', () => {
    assert.deepEqual(select(null), ['2509.00201', '2509.00202']);
    const m = emptyModel();
    // Only the topic counts are given (no text vectors): what moves the order here is the history alone.
    for (let i = 0; i < 6; i++) applyFeedback(m, `2508.1000${i}`, null, null, 1, 0, topicKeysOf(CODING(`2508.1000${i}`)));
    for (let i = 0; i < 6; i++) applyFeedback(m, `2508.2000${i}`, null, null, 0, 1, topicKeysOf(AGENTS(`2508.2000${i}`)));
    assert.deepEqual([...m.topics.keys()].sort(), ['agents@title', 'code@title']);
    assert.deepEqual(select(m), ['2509.00202', '2509.00201']);
  });
});
