// Ranking, pure, on fixture-like papers: field-weighted matching (a title beats one abstract mention, the AI summary
// counts nearly as much as the title), follows first, excludes beat everything (follows and the personal model
// too), and the learned preference: 👍 on similar papers moves a paper up, 👎 moves it down, and the model can suggest
// a paper outside the filters, saying why.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { selectPapers, type SelectSubscriber } from '../../../src/digest/select.js';
import type { Paper } from '../../../src/papers/paper.js';
import { describeReason } from '../../../src/papers/reason.js';
import { matchPaper } from '../../../src/papers/topics.js';
import { applyFeedback, emptyModel, prepare, signatureOf, SIMILAR_AT, similarity, type ReaderModel } from '../../../src/relevance/model.js';
import { buildIdf, dot, norm, paperVector } from '../../../src/relevance/terms.js';

function paper(id: string, over: Partial<Paper> = {}): Paper {
  return {
    id, title: `Paper ${id}`, summary: 'We study a problem and report results on standard datasets.', authors: ['Ada Lovelace'],
    publishedAt: '2025-09-01T17:00:00.000Z', listedOn: '2025-09-03', upvotes: 10, comments: 0,
    url: `https://huggingface.co/papers/${id}`, arxivUrl: `https://arxiv.org/abs/${id}`, githubRepo: null, githubStars: null,
    projectPage: null, organization: null, thumbnail: null, keywords: [], aiSummary: null, ...over,
  };
}

function sub(over: Partial<SelectSubscriber> = {}): SelectSubscriber {
  return { timezone: 'UTC', topics: [], includeKeywords: [], excludeKeywords: [], followAuthors: [], followOrgs: [], minUpvotes: 0, maxPapers: 10, ...over };
}

const NOW = new Date('2025-09-03T08:00:00Z');
const select = (s: SelectSubscriber, papers: Paper[], model: ReaderModel | null = null) =>
  selectPapers({ subscriber: s, papers, sentIds: new Set(), now: NOW, lookbackDays: 3, cap: 25, model });
const ids = (xs: { paper: Paper }[]) => xs.map((x) => x.paper.id);

// A small day of papers on distinct subjects.
const SPEC = paper('2509.00001', { title: 'Lossless Speculative Decoding with Adaptive Draft Trees', summary: 'Speculative decoding accelerates LLM inference: a small draft model proposes tokens that the target model verifies in parallel, reusing the KV cache.', keywords: ['speculative decoding', 'draft model', 'KV cache'], upvotes: 4 });
const KV = paper('2509.00002', { title: 'Compressing the KV Cache for Long-Context Inference', summary: 'We quantize and evict KV cache entries to speed up decoding of long contexts with little quality loss.', keywords: ['KV cache', 'long context', 'inference acceleration'], upvotes: 6 });
const PROTEIN = paper('2509.00003', { title: 'Protein Structure Generation with Equivariant Diffusion', summary: 'A diffusion model generates protein backbones conditioned on motifs.', keywords: ['protein design', 'diffusion'], upvotes: 60 });
const ROBOT = paper('2509.00004', { title: 'Dexterous Robot Grasping from Human Videos', summary: 'Robots learn grasping policies from egocentric human videos.', keywords: ['robot grasping', 'imitation learning'], upvotes: 40 });
const VIDEO = paper('2509.00005', { title: 'Long Video Generation with Causal Attention', summary: 'We generate minute-long videos with an autoregressive video diffusion model.', keywords: ['video generation'], upvotes: 30 });
const DAY = [SPEC, KV, PROTEIN, ROBOT, VIDEO];

function learn(model: ReaderModel, liked: Paper[], disliked: Paper[], pool: Paper[]): ReaderModel {
  const idf = buildIdf(pool);
  for (const p of liked) applyFeedback(model, p.id, paperVector(p, idf), signatureOf(p.id, '2025-09-02T00:00:00Z', p, idf), 1, 0);
  for (const p of disliked) applyFeedback(model, p.id, paperVector(p, idf), signatureOf(p.id, '2025-09-02T00:00:00Z', p, idf), 0, 1);
  return model;
}

// Papers the reader liked before (listed earlier), on speculative decoding and KV caches.
const LIKED = [
  paper('2508.10001', { title: 'Draft Models for Faster Speculative Decoding', summary: 'Speculative decoding with better draft models speeds up LLM inference.', keywords: ['speculative decoding', 'draft model'], listedOn: '2025-08-20' }),
  paper('2508.10002', { title: 'KV Cache Eviction for Efficient Inference', summary: 'Evicting KV cache entries keeps inference fast for long prompts.', keywords: ['KV cache', 'inference acceleration'], listedOn: '2025-08-21' }),
];
const DISLIKED = [
  paper('2508.10003', { title: 'Robot Manipulation from Videos', summary: 'Robots learn manipulation from videos of humans.', keywords: ['robot manipulation'], listedOn: '2025-08-21' }),
  paper('2508.10004', { title: 'Protein Design with Diffusion Models', summary: 'Diffusion models design proteins.', keywords: ['protein design'], listedOn: '2025-08-21' }),
];

describe('field-weighted matching', () => {
  const inTitle = paper('2509.00010', { title: 'Web Agents that Plan', summary: 'We build a planner.', upvotes: 5 });
  const onceInAbstract = paper('2509.00011', { title: 'A Chemistry Literature System', summary: 'We organize chemistry papers; agents are one possible use.', upvotes: 90 });

  it('a title match is strong, one abstract mention weak, and the Why line names the field', () => {
    const t = matchPaper(inTitle, { topics: ['agents'], includeKeywords: [], excludeKeywords: [] }).reasons[0]!;
    const a = matchPaper(onceInAbstract, { topics: ['agents'], includeKeywords: [], excludeKeywords: [] }).reasons[0]!;
    assert.equal(t.kind === 'topic' && t.field, 'title');
    assert.equal(a.kind === 'topic' && a.field, 'abstract');
    assert.ok(t.kind === 'topic' && a.kind === 'topic' && (t.strength ?? 0) > 3 * (a.strength ?? 1));
    assert.equal(describeReason(t), 'Agents — in the title');
    assert.equal(describeReason(a), 'Agents — mentioned once in the abstract');
  });

  it('a title match outranks a single abstract mention with far more upvotes', () => {
    assert.deepEqual(ids(select(sub({ topics: ['agents'] }), [onceInAbstract, inTitle])), [inTitle.id, onceInAbstract.id]);
  });

  it('HF keywords count between title and abstract', () => {
    const inKeywords = paper('2509.00012', { title: 'A Planner', summary: 'We plan.', keywords: ['web agents'], upvotes: 5 });
    const r = matchPaper(inKeywords, { topics: ['agents'], includeKeywords: [], excludeKeywords: [] }).reasons[0]!;
    assert.equal(describeReason(r), 'Agents — in its keywords');
    assert.deepEqual(ids(select(sub({ topics: ['agents'] }), [onceInAbstract, inKeywords])), [inKeywords.id, onceInAbstract.id]);
  });

  it("Hugging Face's AI summary counts nearly as much as the title: one sentence saying what the paper is about", () => {
    const prefs = { topics: ['agents'], includeKeywords: [], excludeKeywords: [] };
    // The abstract mentions agents once, in passing; the AI summary says the paper is about them.
    const inSummary = paper('2509.00013', { title: 'A Planner', summary: 'We plan; agents could use this.', aiSummary: 'A planner for web agents that recovers from failed steps.', upvotes: 5 });
    const r = matchPaper(inSummary, prefs).reasons[0]!;
    assert.equal(r.kind === 'topic' && r.field, 'summary');
    assert.equal(describeReason(r), 'Agents — in the AI summary');
    const k = matchPaper(paper('2509.00014', { title: 'A Planner', keywords: ['web agents'] }), prefs).reasons[0]!;
    const t = matchPaper(inTitle, prefs).reasons[0]!;
    assert.ok(r.kind === 'topic' && k.kind === 'topic' && t.kind === 'topic');
    assert.ok((t.strength ?? 0) > (r.strength ?? 0) && (r.strength ?? 0) > (k.strength ?? 0), 'title > AI summary > keywords');
    assert.deepEqual(ids(select(sub({ topics: ['agents'] }), [onceInAbstract, inSummary])), [inSummary.id, onceInAbstract.id]);
    // The AI summary no longer adds to the abstract's count: a phrase once in each is a summary match, not "twice".
    const both = matchPaper(paper('2509.00015', { title: 'A Planner', summary: 'Agents may use it.', aiSummary: 'A planner for agents.' }), prefs).reasons[0]!;
    assert.equal(both.kind === 'topic' && both.field, 'summary');
  });

  it("the reader's own keyword counts more than a topic in the same place, and one abstract mention stays weak", () => {
    const s = sub({ topics: ['reasoning'], includeKeywords: ['theorem proving'] });
    const topicOnly = paper('2509.00016', { title: 'A Study', keywords: ['mathematical reasoning'], upvotes: 90 });
    const ownWord = paper('2509.00017', { title: 'A Prover', keywords: ['theorem proving'], upvotes: 5 });
    assert.deepEqual(ids(select(s, [topicOnly, ownWord])), [ownWord.id, topicOnly.id]);
    const onceInAbstract = paper('2509.00018', { title: 'A Study', summary: 'Among other uses, theorem proving.', upvotes: 5 });
    const inTitle = paper('2509.00019', { title: 'Reasoning Models Think Longer', upvotes: 1 });
    assert.deepEqual(ids(select(s, [onceInAbstract, inTitle])), [inTitle.id, onceInAbstract.id]);
  });
});

describe('follows and excludes', () => {
  it('followed authors and organizations lead, whatever their upvotes', () => {
    const byLeCun = paper('2509.00020', { title: 'Energy-Based World Models', authors: ['Yann LeCun'], upvotes: 1 });
    const got = select(sub({ topics: ['video', 'robotics'], followAuthors: ['Yann LeCun'] }), [...DAY, byLeCun]);
    assert.equal(got[0]!.paper.id, byLeCun.id);
    assert.equal(describeReason(got[0]!.reasons[0]!), 'By Yann LeCun, whom you follow');
  });

  it('an exclude keyword beats a follow, a topic match and the personal model', () => {
    const model = learn(emptyModel(), LIKED, [], [...DAY, ...LIKED]);
    const excluded = paper('2509.00021', { title: 'Speculative Decoding for Medical Reports', summary: 'Speculative decoding and KV cache reuse for clinical text.', keywords: ['speculative decoding'], authors: ['Yann LeCun'] });
    const got = select(sub({ topics: ['efficiency'], followAuthors: ['Yann LeCun'], excludeKeywords: ['medical'] }), [...DAY, excluded], model);
    assert.ok(!ids(got).includes(excluded.id));
    assert.ok(ids(got).includes(SPEC.id), 'the rest still comes');
  });
});

describe('learned preference', () => {
  it('👍 on similar papers moves a paper up; 👎 on similar papers moves it down', () => {
    const reader = sub(); // no topics: the day's papers by community signal
    const before = ids(select(reader, DAY)).indexOf(SPEC.id);
    const liked = learn(emptyModel(), LIKED, DISLIKED, [...DAY, ...LIKED, ...DISLIKED]);
    const afterLike = ids(select(reader, DAY, liked)).indexOf(SPEC.id);
    assert.ok(afterLike < before, `moved up: ${before} → ${afterLike}`);
    assert.equal(afterLike, 0);

    const disliked = learn(emptyModel(), DISLIKED, LIKED, [...DAY, ...LIKED, ...DISLIKED]);
    const afterDislike = ids(select(reader, DAY, disliked)).indexOf(SPEC.id);
    assert.ok(afterDislike > before || afterDislike === DAY.length - 1, `moved down: ${before} → ${afterDislike}`);
  });

  it('undoing the 👍 takes its effect back', () => {
    const pool = [...DAY, ...LIKED];
    const idf = buildIdf(pool);
    const m = learn(emptyModel(), LIKED, [], pool);
    for (const p of LIKED) applyFeedback(m, p.id, paperVector(p, idf), null, -1, 0);
    assert.equal(m.likes, 0);
    assert.equal(m.liked.length, 0);
    assert.equal(m.w.size, 0);
  });

  it('the model reads a word once in the abstract as far weaker than once in the title, but still as a word', () => {
    // One paper alone as the pool: both words have the same IDF, so only where they occur tells them apart.
    const p = paper('2509.00020', { title: 'Quokka Navigation', summary: 'A wombat is mentioned in passing.' });
    const v = paperVector(p, buildIdf([p]));
    const title = v.get('quokka') ?? 0;
    const abstract = v.get('wombat') ?? 0;
    assert.ok(abstract > 0, 'an abstract word still counts');
    // Title ×3, abstract ×0.5, sublinear: (1 + ln 3) / (1 + ln 0.5) ≈ 6.8. At abstract ×1 it was 2.1.
    assert.ok(title / abstract > 5, `title ${title.toFixed(3)} vs abstract ${abstract.toFixed(3)}`);
  });

  it('suggests a paper outside the topic filters that resembles liked papers, and says so', () => {
    const model = learn(emptyModel(), LIKED, DISLIKED, [...DAY, ...LIKED, ...DISLIKED]);
    const reader = sub({ topics: ['video'] }); // SPEC matches no chosen topic
    assert.ok(!ids(select(reader, DAY)).includes(SPEC.id), 'filters alone leave it out');
    const got = select(reader, DAY, model);
    const spec = got.find((s) => s.paper.id === SPEC.id);
    assert.ok(spec, 'the model brings it in');
    const why = spec.reasons.map(describeReason).join('; ');
    assert.match(why, /^Like [12] papers? you liked: /);
    assert.ok(!ids(got).includes(PROTEIN.id), 'a paper like the disliked ones is not suggested');
  });
});

describe('resemblance to liked papers', () => {
  it('counts the liked papers a candidate resembles as a cosine against each one would', () => {
    const all = [...DAY, ...LIKED, ...DISLIKED];
    // Seven liked papers on four subjects, so each candidate resembles some and not others.
    const model = learn(emptyModel(), [...LIKED, SPEC, KV, ROBOT, VIDEO, DISLIKED[0]!], [PROTEIN], all);
    const idf = buildIdf(all);
    const pm = prepare(model);
    const counts = all.map((p) => {
      const v = paperVector(p, idf);
      const direct = model.liked.filter((s) => dot(s.v, v) / norm(s.v) >= SIMILAR_AT).length;
      const got = similarity(pm, v).similarTo;
      assert.equal(got, direct, p.title);
      return got;
    });
    assert.ok(counts[0]! >= 2 && counts[1]! >= 2, `speculative decoding and KV cache resemble several liked papers: ${counts}`);
    assert.ok(new Set(counts).size >= 3, `different candidates resemble different numbers of liked papers: ${counts}`);
  });

  it('a paper inside the filters that the model likes says which liked papers it is like', () => {
    const model = learn(emptyModel(), LIKED, DISLIKED, [...DAY, ...LIKED, ...DISLIKED]);
    const got = select(sub({ topics: ['efficiency'] }), DAY, model);
    const spec = got.find((s) => s.paper.id === SPEC.id);
    assert.ok(spec, 'it qualifies by its topic');
    assert.ok(spec.reasons.some((r) => r.kind === 'topic'), 'its topic is named');
    assert.ok(spec.reasons.some((r) => r.kind === 'similar' && r.count > 0), spec.reasons.map(describeReason).join('; '));
  });
});

describe('describeReason', () => {
  it('writes for people', () => {
    assert.equal(describeReason({ kind: 'similar', count: 2, terms: ['speculative decoding', 'kv cache'] }), 'Like 2 papers you liked: speculative decoding, kv cache');
    assert.equal(describeReason({ kind: 'popular', rank: 1, upvotes: 292 }), '#1 today on Hugging Face, 292 upvotes');
    assert.equal(describeReason({ kind: 'organization', name: 'NVIDIA' }), 'From NVIDIA, which you follow');
    assert.equal(describeReason({ kind: 'topic', topicId: 'llm', topicLabel: 'Language models', phrase: 'LLM' }), 'Language models (“LLM”)', 'reasons stored before issue 9 still read');
  });
});
