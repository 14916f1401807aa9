// Selection rules on fixture-like papers: window by the subscriber's local date, never-sent, interests, excludes,
// minimum upvotes, follows, dedupe, ranking, cap, and the reasons attached.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { selectPapers, selectionWindow, type SelectSubscriber } from '../../../src/digest/select.js';
import type { Paper } from '../../../src/papers/paper.js';

function paper(id: string, over: Partial<Paper> = {}): Paper {
  return {
    id,
    title: `Paper ${id}`,
    summary: 'We study a problem and report results.',
    authors: ['Ada Lovelace', 'Alan Turing'],
    publishedAt: '2026-09-27T17:00:00.000Z',
    listedOn: '2026-09-28',
    upvotes: 10,
    comments: 1,
    url: `https://huggingface.co/papers/${id}`,
    arxivUrl: `https://arxiv.org/abs/${id}`,
    githubRepo: null,
    githubStars: null,
    projectPage: null,
    organization: null,
    thumbnail: null,
    keywords: [],
    aiSummary: null,
    ...over,
  };
}

function sub(over: Partial<SelectSubscriber> = {}): SelectSubscriber {
  return {
    timezone: 'UTC',
    topics: [],
    includeKeywords: [],
    excludeKeywords: [],
    followAuthors: [],
    followOrgs: [],
    minUpvotes: 0,
    maxPapers: 10,
    ...over,
  };
}

const NOW = new Date('2026-09-28T08:00:00Z');

function select(s: SelectSubscriber, papers: Paper[], opts: { sent?: string[]; now?: Date; lookbackDays?: number; cap?: number } = {}) {
  return selectPapers({
    subscriber: s,
    papers,
    sentIds: new Set(opts.sent ?? []),
    now: opts.now ?? NOW,
    lookbackDays: opts.lookbackDays ?? 3,
    cap: opts.cap ?? 25,
  });
}
const ids = (xs: { paper: Paper }[]) => xs.map((x) => x.paper.id);

const LLM = paper('2609.00001', { title: 'Scaling a Large Language Model to Long Context', upvotes: 50 });
const DIFF = paper('2609.00002', { title: 'Rectified Flow for Image Synthesis', summary: 'A diffusion model.', upvotes: 30 });
const AGENT = paper('2609.00003', { title: 'Web Agents that Browse', summary: 'An agentic system with tool use.', upvotes: 20 });
const MED = paper('2609.00004', { title: 'Language Model for Medical Reports', summary: 'Clinical notes.', upvotes: 70 });

describe('selectPapers', () => {
  it('no topics and no keywords: everything, ranked by upvotes, saying how high it is on Hugging Face', () => {
    const quiet = paper('2609.00005', { upvotes: 3 });
    const got = select(sub(), [AGENT, LLM, DIFF, quiet]);
    assert.deepEqual(ids(got), [LLM.id, DIFF.id, AGENT.id, quiet.id]);
    assert.deepEqual(got[0]!.reasons, [{ kind: 'popular', rank: 1, upvotes: 50 }]);
    assert.deepEqual(got[3]!.reasons, [{ kind: 'trending' }]);
  });

  it('topics: only matching papers, each with the topic and phrase that matched', () => {
    const got = select(sub({ topics: ['llm'] }), [LLM, DIFF, AGENT]);
    assert.deepEqual(ids(got), [LLM.id]);
    assert.equal(got[0]!.reasons[0]!.kind, 'topic');
    assert.deepEqual(got[0]!.reasons[0], { kind: 'topic', topicId: 'llm', topicLabel: 'Language models', phrase: 'language model', field: 'title', strength: 1 });
  });

  it('include keywords count as interests', () => {
    const got = select(sub({ includeKeywords: ['rectified flow'] }), [LLM, DIFF, AGENT]);
    assert.deepEqual(ids(got), [DIFF.id]);
    assert.deepEqual(got[0]!.reasons, [{ kind: 'keyword', phrase: 'rectified flow', field: 'title', strength: 1 }, { kind: 'popular', rank: 2, upvotes: 30 }]);
  });

  it('excludes remove papers even when a topic matches', () => {
    const got = select(sub({ topics: ['llm'], excludeKeywords: ['medical'] }), [LLM, MED]);
    assert.deepEqual(ids(got), [LLM.id]);
  });

  it('minimum upvotes: at the minimum qualifies, below does not', () => {
    const got = select(sub({ minUpvotes: 30 }), [LLM, DIFF, AGENT]);
    assert.deepEqual(ids(got), [LLM.id, DIFF.id]);
  });

  it('followed authors and organizations qualify outside the topics and below the minimum upvotes, and come first', () => {
    const byHinton = paper('2609.00010', { title: 'Capsules Again', authors: ['Geoffrey  Hinton'], upvotes: 1 });
    const byOrg = paper('2609.00011', { title: 'Robots Everywhere', organization: { name: 'acme', fullname: 'ACME Research' }, upvotes: 2 });
    const got = select(sub({ topics: ['llm'], minUpvotes: 20, followAuthors: ['geoffrey hinton'], followOrgs: ['acme'] }), [LLM, DIFF, byHinton, byOrg]);
    assert.deepEqual(ids(got), [byOrg.id, byHinton.id, LLM.id]);
    assert.deepEqual(got.find((x) => x.paper.id === byHinton.id)!.reasons, [{ kind: 'author', name: 'Geoffrey  Hinton' }]);
    assert.deepEqual(got.find((x) => x.paper.id === byOrg.id)!.reasons, [{ kind: 'organization', name: 'ACME Research' }]);
  });

  it('excludes beat follows', () => {
    const p = paper('2609.00012', { title: 'Medical Imaging at Scale', authors: ['Geoffrey Hinton'] });
    assert.deepEqual(select(sub({ followAuthors: ['Geoffrey Hinton'], excludeKeywords: ['medical'] }), [p]), []);
  });

  it('follow reasons come before topic reasons', () => {
    const p = paper('2609.00013', { title: 'A Language Model', authors: ['Ada Lovelace'] });
    const got = select(sub({ topics: ['llm'], followAuthors: ['Ada Lovelace'] }), [p]);
    assert.deepEqual(got[0]!.reasons.map((r) => r.kind), ['author', 'topic']);
  });

  it('never a paper already sent to this subscriber', () => {
    assert.deepEqual(ids(select(sub(), [LLM, DIFF, AGENT], { sent: [LLM.id, AGENT.id] })), [DIFF.id]);
  });

  it('window: the last N listing days relative to the subscriber\'s local date', () => {
    const papers = ['2026-09-24', '2026-09-25', '2026-09-26', '2026-09-27', '2026-09-28'].map((d, i) => paper(`2609.1000${i}`, { listedOn: d }));
    // 08:00 UTC on 09-28: UTC is on 09-28, so 3 days = 09-26..09-28
    assert.deepEqual(select(sub(), papers).map((x) => x.paper.listedOn).sort(), ['2026-09-26', '2026-09-27', '2026-09-28']);
    // at 05:00 UTC Los Angeles is still on 09-27 (22:00 PDT): 09-25..09-27, plus the 09-28 listing (already out)
    assert.deepEqual(select(sub({ timezone: 'America/Los_Angeles' }), papers, { now: new Date('2026-09-28T05:00:00Z') }).map((x) => x.paper.listedOn).sort(), ['2026-09-25', '2026-09-26', '2026-09-27', '2026-09-28']);
    assert.deepEqual(select(sub(), papers, { lookbackDays: 1 }).map((x) => x.paper.listedOn), ['2026-09-28']);
    assert.deepEqual(selectionWindow('Pacific/Kiritimati', new Date('2026-09-28T12:00:00Z'), 3), { today: '2026-09-29', firstDay: '2026-09-27' });
  });

  it('dedupes by id, keeping the later listing', () => {
    const old = paper('2609.00020', { listedOn: '2026-09-27', upvotes: 5 });
    const fresh = paper('2609.00020', { listedOn: '2026-09-28', upvotes: 40 });
    const got = select(sub(), [fresh, old, LLM]);
    assert.deepEqual(ids(got), [LLM.id, '2609.00020']);
    assert.equal(got[1]!.paper.upvotes, 40);
    assert.equal(select(sub(), [old, fresh]).length, 1);
  });

  it('ties on upvotes: later listing first, then later publication, then id', () => {
    const a = paper('2609.00031', { upvotes: 10, listedOn: '2026-09-27' });
    const b = paper('2609.00032', { upvotes: 10, listedOn: '2026-09-28', publishedAt: '2026-09-26T00:00:00.000Z' });
    const c = paper('2609.00033', { upvotes: 10, listedOn: '2026-09-28', publishedAt: '2026-09-27T00:00:00.000Z' });
    const d = paper('2609.00030', { upvotes: 10, listedOn: '2026-09-28', publishedAt: '2026-09-27T00:00:00.000Z' });
    const e = paper('2609.00034', { upvotes: 10, listedOn: '2026-09-28', publishedAt: null });
    assert.deepEqual(ids(select(sub(), [a, e, b, c, d])), [d.id, c.id, b.id, e.id, a.id]);
  });

  it('caps at the smaller of the subscriber\'s maximum and the operator cap', () => {
    const many = Array.from({ length: 30 }, (_, i) => paper(`2609.2${String(i).padStart(4, '0')}`, { upvotes: i }));
    assert.equal(select(sub({ maxPapers: 5 }), many).length, 5);
    assert.equal(select(sub({ maxPapers: 25 }), many, { cap: 7 }).length, 7);
    assert.equal(select(sub({ maxPapers: 25 }), many)[0]!.paper.upvotes, 29);
    assert.deepEqual(select(sub(), many, { cap: 0 }), []);
  });

  it('nothing qualifies: an empty list (the quiet-day policy is the caller\'s)', () => {
    assert.deepEqual(select(sub({ topics: ['robotics'] }), [LLM, DIFF]), []);
  });
});
