// Keyword suggestions (relevance/suggest.ts): a word the reader's 👍 share in their titles, that their filters do
// not reach, specific enough to mean something, shown as the titles write it; never one their topics or keywords
// already cover, one their 👎 share too, one too common in the listing, or one they declined.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Paper } from '../../../src/papers/paper.js';
import { asPaper, MIN_LIKED, MIN_LIKES_FOR_EXCLUDES, suggestExcludes, suggestKeywords, type ExcludeInput, type SuggestInput } from '../../../src/relevance/suggest.js';

function paper(id: number, title: string, summary = 'We describe a system and measure it.'): Paper {
  const arxiv = `2509.${String(id).padStart(5, '0')}`;
  return {
    id: arxiv, title, summary, authors: ['Ada Lovelace'], publishedAt: '2025-09-01T17:00:00.000Z', listedOn: '2025-09-03', upvotes: 10, comments: 0,
    url: `https://huggingface.co/papers/${arxiv}`, arxivUrl: `https://arxiv.org/abs/${arxiv}`, githubRepo: null, githubStars: null, projectPage: null,
    organization: null, thumbnail: null, keywords: [], aiSummary: null,
  };
}

// A week of listings: 40 papers, none about multimodal models or vision; two GUI papers, one on documents, and a
// common word ("policy") in a quarter of them.
const recent: Paper[] = [
  paper(1, 'Clicking Through Desktop GUIs with Planning'),
  paper(2, 'A GUI Testing Agent for Mobile Apps'),
  paper(3, 'Long Document Question Answering over Tables'),
  ...Array.from({ length: 10 }, (_, i) => paper(10 + i, `Policy Gradients Revisited ${i}`, 'A policy for sorting.')),
  ...Array.from({ length: 27 }, (_, i) => paper(30 + i, `Sorting Networks ${i}`)),
];

const base: SuggestInput = {
  terms: [
    { term: 'org:nvidia', weight: 3 },
    { term: 'gui', weight: 2.5 },
    { term: 'document', weight: 2 },
    { term: 'policy', weight: 1.8 },
    { term: 'chart', weight: 1.5 },
    { term: 'segmentation', weight: 1.2 },
    { term: 'benchmark', weight: -2 },
  ],
  likedTitles: [
    'GUI-Owl: Grounding GUI Elements in Screenshots',
    'Agents for GUI Navigation in the Wild',
    'Seeing Screens: a GUI Benchmark',
    'Documents as Images: Parsing Scanned Documents',
    'Document Layout Analysis with a VLM',
    'Reading Long Documents',
    'Policy Learning for Screen Agents',
    'A Policy for Chart Reading',
    'Policy Distillation',
    'Chart Question Answering',
    'Segmentation of Charts',
    'Instance Segmentation of Forms',
  ],
  dislikedTitles: ['Policy Optimization for Robots', 'Another Policy Paper', 'Chart Generation', 'Chart Captioning'],
  topics: ['multimodal', 'vision'],
  includeKeywords: [],
  excludeKeywords: [],
  dismissed: new Set(),
  recent,
};

describe('keyword suggestions', () => {
  it('suggests the words the 👍 share, as the titles write them, with the evidence', () => {
    const got = suggestKeywords(base);
    assert.deepEqual(got.map((s) => s.keyword), ['GUI', 'document']);
    assert.deepEqual(got[0], {
      keyword: 'GUI',
      liked: 3,
      disliked: 0,
      examples: ['GUI-Owl: Grounding GUI Elements in Screenshots', 'Agents for GUI Navigation in the Wild'],
      added: 2,
    });
    assert.equal(got[1]!.keyword, 'document', 'the singular, as one title writes it, not "documents" or the stem');
    assert.equal(got[1]!.added, 1);
  });

  it('leaves out a word the 👎 share too, one too common in the listing, one a topic covers, and source terms', () => {
    const got = suggestKeywords(base).map((s) => s.keyword.toLowerCase());
    assert.ok(!got.includes('chart'), 'chart: 2 liked, 2 disliked');
    assert.ok(!got.includes('policy'), 'policy: in 10 of 40 papers of the week');
    assert.ok(!got.includes('segmentation'), 'segmentation: the Computer vision topic matches it already');
    assert.ok(!got.some((k) => k.includes('nvidia')), 'who wrote a paper is not a keyword');
  });

  it('needs enough liked titles', () => {
    const few = { ...base, likedTitles: base.likedTitles.filter((t) => !/gui/i.test(t)).concat(['GUI Agents']) };
    assert.ok(MIN_LIKED > 1);
    assert.deepEqual(suggestKeywords(few).map((s) => s.keyword), ['document']);
  });

  it('never suggests what the reader already has, excludes, or declined', () => {
    assert.deepEqual(suggestKeywords({ ...base, includeKeywords: ['GUI agents'] }).map((s) => s.keyword), ['document'], 'a keyword that contains it');
    assert.deepEqual(suggestKeywords({ ...base, includeKeywords: ['gui'] }).map((s) => s.keyword), ['document'], 'the same keyword, any case');
    assert.deepEqual(suggestKeywords({ ...base, excludeKeywords: ['document'] }).map((s) => s.keyword), ['GUI']);
    assert.deepEqual(suggestKeywords({ ...base, dismissed: new Set(['gui']) }).map((s) => s.keyword), ['document']);
  });

  it('suggests nothing when the filters already reach every paper, or the week adds nothing', () => {
    // No topics and no keywords: every paper is a candidate, and a keyword would narrow the digest, not widen it.
    assert.deepEqual(suggestKeywords({ ...base, topics: [] }), []);
    assert.deepEqual(suggestKeywords({ ...base, recent: recent.filter((p) => !/gui|document/i.test(p.title)) }), []);
  });
});

// Exclude suggestions (the mirror): a reader of Multimodal + Vision who keeps disliking audio and robot-action papers.
describe('exclude suggestions', () => {
  const week: Paper[] = [
    paper(101, 'Seeing and Hearing: Audio-Visual Captioning'), // multimodal: the filters bring it
    paper(102, 'A Vision-Language-Action Model for Kitchens', 'A VLA policy for robots.'),
    paper(103, 'Chart Question Answering with a Multimodal LLM'),
    paper(104, 'Speech Recognition at Scale', 'Audio in, text out.'), // audio, but no topic of theirs brings it
    ...Array.from({ length: 36 }, (_, i) => paper(110 + i, `Sorting Networks ${i}`)),
  ];
  const liked = [
    ...Array.from({ length: 9 }, (_, i) => paper(200 + i, `Document Parsing with Multimodal Models, part ${i}`)),
    paper(220, 'Reading Charts', 'We read charts from scanned pages.'),
  ];
  const input: ExcludeInput = {
    terms: [
      { term: 'document', weight: 2 },
      { term: 'audio', weight: -2.2 },
      { term: 'vla', weight: -1.9 },
      { term: 'chart', weight: -1.5 },
      { term: 'org:meta', weight: -1.4 },
      { term: 'multimodal', weight: -1.2 },
    ],
    liked,
    disliked: [
      paper(301, 'Audio Language Models Listen Better'),
      paper(302, 'Music from Audio Tokens'),
      paper(303, 'An Audio Benchmark'),
      paper(304, 'VLA Models Fold Laundry'),
      paper(305, 'Scaling VLA Pretraining'),
      paper(306, 'VLA for Drones'),
      paper(307, 'Chart Generation'),
      paper(308, 'Chart Captioning'),
      paper(309, 'Chart Editing'),
      paper(310, 'Multimodal Audio Reasoning'),
      paper(311, 'Multimodal Video Chat'),
      paper(312, 'Multimodal Agents'),
    ],
    topics: ['multimodal', 'vision'],
    includeKeywords: [],
    excludeKeywords: [],
    dismissed: new Set(),
    recent: week,
  };

  it('suggests the words the 👎 share in their titles and no 👍 mentions, with what they would leave out', () => {
    const got = suggestExcludes(input);
    assert.deepEqual(got.map((s) => s.keyword), ['audio', 'VLA']);
    assert.deepEqual(got[0], {
      keyword: 'audio',
      disliked: 4,
      examples: ['Audio Language Models Listen Better', 'Music from Audio Tokens'],
      hides: 1,
      hidden: ['Seeing and Hearing: Audio-Visual Captioning'],
    });
    assert.equal(got[1]!.hides, 1, 'the VLA paper of the week, through its abstract');
  });

  it('never suggests a word any liked paper mentions, even in its abstract, a topic word, or a source term', () => {
    const got = suggestExcludes(input).map((s) => s.keyword.toLowerCase());
    assert.ok(!got.includes('chart'), 'a liked paper mentions charts');
    assert.ok(!got.includes('multimodal'), 'the Multimodal topic the reader chose matches it');
    assert.ok(!got.some((k) => k.includes('meta')));
  });

  it('needs enough likes, enough disliked titles, and a paper of the week the filters bring', () => {
    assert.deepEqual(suggestExcludes({ ...input, liked: liked.slice(0, MIN_LIKES_FOR_EXCLUDES - 1) }), []);
    const twoAudio = input.disliked.filter((p) => !['Music from Audio Tokens', 'An Audio Benchmark'].includes(p.title));
    assert.deepEqual(suggestExcludes({ ...input, disliked: twoAudio }).map((s) => s.keyword), ['VLA']);
    assert.deepEqual(suggestExcludes({ ...input, recent: week.filter((p) => !/audio-visual|action/i.test(p.title)) }), [], 'the speech paper is not in the digest anyway');
  });

  it('never suggests what the reader already excludes, includes, or declined; titles alone count when a paper is gone', () => {
    assert.deepEqual(suggestExcludes({ ...input, excludeKeywords: ['VLA'] }).map((s) => s.keyword), ['audio']);
    assert.deepEqual(suggestExcludes({ ...input, includeKeywords: ['audio tokens'] }).map((s) => s.keyword), ['VLA']);
    assert.deepEqual(suggestExcludes({ ...input, dismissed: new Set(['vla']) }).map((s) => s.keyword), ['audio']);
    const gone = [...liked, asPaper('Audio Captions for Documents')];
    assert.deepEqual(suggestExcludes({ ...input, liked: gone }).map((s) => s.keyword), ['VLA'], 'a liked title no longer stored still counts');
  });
});
