import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { FIXTURES, readFixture } from '../../helpers/fixtures.js';
import { followsOrg, matchPaper, mentions, TOPICS, topicHit, type MatchablePaper } from '../../../src/papers/topics.js';

interface RawEntry {
  paper: { id: string; title: string; summary: string; authors: { name: string }[]; organization?: { name: string; fullname: string } };
}

// The real API capture: title, summary, authors, organization (no ai_keywords in this capture).
const raw = JSON.parse(readFixture(FIXTURES.api)) as RawEntry[];
const papers = new Map<string, MatchablePaper>(
  raw.map((e) => [
    e.paper.id,
    {
      title: e.paper.title,
      summary: e.paper.summary,
      keywords: [],
      aiSummary: null,
      authors: e.paper.authors.map((a) => a.name),
      organization: e.paper.organization ? { name: e.paper.organization.name, fullname: e.paper.organization.fullname } : null,
    },
  ]),
);
const paper = (id: string) => {
  const p = papers.get(id);
  assert.ok(p, `fixture paper ${id}`);
  return p;
};
const hits = (id: string) => new Set(TOPICS.map((t) => t.id).filter((t) => topicHit(paper(id), t) !== null));
const synthetic = (title: string, summary = '', keywords: string[] = []): MatchablePaper => ({ title, summary, keywords, aiSummary: null });
const none = { topics: [], includeKeywords: [], excludeKeywords: [] };

describe('topic catalog', () => {
  it('has at least 15 topics with unique ids, labels, descriptions and phrases', () => {
    assert.ok(TOPICS.length >= 15);
    assert.equal(new Set(TOPICS.map((t) => t.id)).size, TOPICS.length);
    for (const t of TOPICS) {
      assert.match(t.id, /^[a-z0-9-]+$/);
      assert.ok(t.label && t.description && t.phrases.length > 0, t.id);
    }
    for (const id of ['llm', 'reasoning', 'agents', 'multimodal', 'vision', 'video', 'generation', 'speech-audio', 'robotics', 'rl',
      'efficiency', 'training', 'safety-alignment', 'evaluation', 'retrieval', 'code', 'science-medicine', '3d', 'theory']) {
      assert.ok(TOPICS.some((t) => t.id === id), id);
    }
  });
});

describe('topic matching on real abstracts', () => {
  it('finds the expected topics', () => {
    const expect: [string, string[]][] = [
      ['2607.28595', ['agents', 'multimodal', 'rl', 'reasoning']], // Beacon: agentic visual reasoning, RL
      ['2607.25289', ['speech-audio', 'efficiency']], // speech emotion recognition, lightweight distillation
      ['2607.26497', ['retrieval']], // BM25 / RAG scaling study
      ['2607.28618', ['science-medicine', 'agents']], // AskChem: chemistry literature
      ['2607.26627', ['efficiency']], // speculative decoding
      ['2607.27616', ['evaluation']], // MPIE-Bench
      ['2607.27230', ['architectures']], // Multi-Head Attention Residuals
      ['2607.28308', ['efficiency']], // sparse mixture-of-experts routing
      ['2607.28319', ['safety-alignment']], // fairness pruning, demographic bias
      ['2607.28362', ['video']], // video world models
    ];
    for (const [id, topics] of expect) {
      const got = hits(id);
      for (const t of topics) assert.ok(got.has(t), `${id} should be in ${t}; got ${[...got].join(',')}`);
    }
  });

  it('leaves out what does not belong', () => {
    const not: [string, string[]][] = [
      ['2607.25289', ['video', '3d', 'code', 'robotics']], // speech paper
      ['2607.26497', ['generation', 'code']], // "Retrieval-Augmented Generation" is not image generation; "code" only in the abstract
      ['2607.28410', ['agents', 'robotics', 'video']], // LLMs executing parent orders
      ['2607.27230', ['video', 'code', 'rl']], // "code-heavy corpus" is not about code
      ['2607.28227', ['generation']], // "Next-Generation" in the title is not generative modelling
    ];
    for (const [id, topics] of not) {
      const got = hits(id);
      for (const t of topics) assert.ok(!got.has(t), `${id} should not be in ${t}`);
    }
  });

  it('says why: topic id, label and the catalog phrase', () => {
    const r = matchPaper(paper('2607.26627'), { ...none, topics: ['efficiency', 'video'] });
    assert.equal(r.included, true);
    assert.deepEqual(r.reasons, [{ kind: 'topic', topicId: 'efficiency', topicLabel: 'Efficiency & quantization', phrase: 'speculative decoding', field: 'title', strength: 1 }]);
  });
});

describe('phrase rules', () => {
  it('RL matches as a word, never inside URL or CURL', () => {
    assert.equal(topicHit(synthetic('A URL shortener', 'We use CURL and URLs and the RLE codec.'), 'rl'), null);
    assert.equal(topicHit(synthetic('Scaling online RL for agents'), 'rl'), 'RL');
    assert.equal(topicHit(synthetic('RL-based tuning'), 'rl'), 'RL');
    assert.equal(topicHit(synthetic('Why (RL) works'), 'rl'), 'RL');
  });

  it('handles plurals, hyphens, spaces and case', () => {
    assert.equal(topicHit(synthetic('What LLMs know'), 'llm'), 'LLM');
    assert.equal(topicHit(synthetic('llm-based judges'), 'llm'), 'LLM');
    assert.ok(mentions(synthetic('Fine tuning at scale'), 'fine-tuning'));
    assert.ok(mentions(synthetic('Finetuning at scale'), 'fine-tuning'));
    assert.ok(mentions(synthetic('Two policies'), 'policy'));
    assert.ok(!mentions(synthetic('Organic organs'), 'GAN'));
    assert.ok(!mentions(synthetic('13D printing'), '3D'));
    assert.ok(mentions(synthetic('3D-aware generation'), '3D'));
    assert.ok(mentions(synthetic('A C++ codebase'), 'C++'));
    assert.ok(!mentions(synthetic('A C codebase'), 'C++'));
  });

  it('matches keywords and AI summary, and title-only phrases only in title or keywords', () => {
    assert.equal(topicHit({ title: 'X', summary: '', keywords: ['Gaussian splatting'], aiSummary: null }, '3d'), 'Gaussian splatting');
    assert.equal(topicHit({ title: 'X', summary: '', keywords: [], aiSummary: 'A protein folding model.' }, 'science-medicine'), 'protein');
    assert.equal(topicHit(synthetic('Sparse adapters', 'Code is available on GitHub.'), 'code'), null);
    assert.equal(topicHit(synthetic('Coding with sparse adapters'), 'code'), 'coding');
  });
});

describe('matchPaper', () => {
  const beacon = () => paper('2607.28595');

  it('no topics and no keywords means everything, as trending', () => {
    assert.deepEqual(matchPaper(paper('2607.27230'), none), { included: true, reasons: [{ kind: 'trending' }] });
  });

  it('excludes win over topics, keywords and follows', () => {
    const r = matchPaper(beacon(), { topics: ['agents'], includeKeywords: ['visual'], excludeKeywords: ['reinforcement learning'] });
    assert.deepEqual(r, { included: false, excludedBy: 'reinforcement learning', reasons: [] });
    const r2 = matchPaper(beacon(), { ...none, followAuthors: beacon().authors ?? [], excludeKeywords: ['Agentic'] });
    assert.equal(r2.included, false);
  });

  it('include keywords are interests too; a paper with no hit is out', () => {
    assert.deepEqual(matchPaper(beacon(), { ...none, includeKeywords: ['visual reasoning'] }).reasons, [{ kind: 'keyword', phrase: 'visual reasoning', field: 'title', strength: 1 }]);
    assert.deepEqual(matchPaper(paper('2607.25289'), { ...none, topics: ['3d'], includeKeywords: ['robot'] }), { included: false, reasons: [] });
  });

  it('follows add papers outside the topics, matched without case or accents', () => {
    const p = { ...synthetic('Something else'), authors: ['José García', 'Ann Lee'], organization: { name: 'newyorkuniversity', fullname: 'New York University' } };
    const r = matchPaper(p, { ...none, topics: ['3d'], followAuthors: ['jose  garcia'], followOrgs: ['new york university'] });
    assert.equal(r.included, true);
    assert.deepEqual(r.reasons, [{ kind: 'author', name: 'José García' }, { kind: 'organization', name: 'New York University' }]);
    const askChem = matchPaper(paper('2607.28618'), { ...none, topics: ['3d'], followOrgs: ['newyorkuniversity'] });
    assert.ok(askChem.included);
  });

  it('a followed author matches whatever dots or hyphens the paper writes the name with, but not another name', () => {
    const p = { ...synthetic('Something else'), authors: ['Yuki M Asano', 'Fu-Yun Wang', 'Jun Yang'] };
    const follows = (name: string) => matchPaper(p, { ...none, topics: ['3d'], followAuthors: [name] }).reasons.map((r) => (r.kind === 'author' ? r.name : r.kind));
    assert.deepEqual(follows('Yuki M. Asano'), ['Yuki M Asano']);
    assert.deepEqual(follows('Fuyun Wang'), ['Fu-Yun Wang']);
    assert.deepEqual(follows('Fu‐Yun Wang'), ['Fu-Yun Wang'], 'a typographic hyphen');
    assert.deepEqual(follows('Junyang'), [], 'the words must be the same: "Jun Yang" is not "Junyang"');
    assert.deepEqual(follows('Yuki Asano'), [], 'a middle initial left out is not taken for the same person');
  });

  it('a followed organization brings its labs: whole words of the name or full name', () => {
    const orgs = {
      meta: { name: 'facebook', fullname: 'AI at Meta' },
      metaResearch: { name: 'metaresearch', fullname: 'Meta Research' },
      seed: { name: 'ByteDance-Seed', fullname: 'ByteDance Seed' },
      hunyuan: { name: 'Tencent-Hunyuan', fullname: 'Tencent Hunyuan' },
      metabolic: { name: 'metabolic-lab', fullname: 'Metabolic Lab' },
      kaist: { name: 'kaist-ai', fullname: 'KAIST AI' },
    };
    assert.ok(followsOrg('Meta', orgs.meta) && followsOrg('meta', orgs.metaResearch), 'Meta follows AI at Meta and Meta Research');
    assert.ok(followsOrg('facebook', orgs.meta), 'the Hugging Face name still counts');
    assert.ok(followsOrg('ByteDance', orgs.seed) && followsOrg('tencent', orgs.hunyuan));
    assert.ok(!followsOrg('Meta', orgs.metabolic), 'whole words only');
    assert.ok(!followsOrg('AI', orgs.kaist) && followsOrg('KAIST AI', orgs.kaist), 'a two-letter name must be the whole name');
    assert.ok(!followsOrg('Google DeepMind', { name: 'google', fullname: 'Google' }), 'a longer name does not follow a shorter one');
    const p = { ...synthetic('Something else'), authors: [], organization: orgs.meta };
    assert.deepEqual(matchPaper(p, { ...none, topics: ['3d'], followOrgs: ['Meta'] }).reasons, [{ kind: 'organization', name: 'AI at Meta' }]);
  });

  it('ignores topic ids that are not (or no longer) in the catalog', () => {
    assert.deepEqual(matchPaper(beacon(), { ...none, topics: ['no-such-topic'] }), { included: true, reasons: [{ kind: 'trending' }] });
  });
});
