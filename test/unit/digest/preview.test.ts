// previewSelection: what the last N listed days would have brought, newest first, never the same paper twice,
// with the reader's model read (never written) and the edited preferences applied.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { previewSelection } from '../../../src/digest/preview.js';
import type { Paper } from '../../../src/papers/paper.js';
import { DEFAULT_SETTINGS } from '../../../src/settings/schema.js';

function paper(id: string, listedOn: string, title: string, upvotes: number): Paper {
  return {
    id, title, summary: 'A study.', authors: ['A. Author'], publishedAt: null, listedOn, upvotes, comments: 0,
    url: `https://huggingface.co/papers/${id}`, arxivUrl: `https://arxiv.org/abs/${id}`, githubRepo: null, githubStars: null,
    projectPage: null, organization: null, thumbnail: null, keywords: [], aiSummary: null,
  };
}

const days: Record<string, Paper[]> = {
  '2025-09-01': [paper('2509.00001', '2025-09-01', 'Web Agents that Plan', 10), paper('2509.00002', '2025-09-01', 'Protein Folding', 50)],
  '2025-09-02': [paper('2509.00003', '2025-09-02', 'Agents for Code Review', 5)],
  '2025-09-03': [paper('2509.00004', '2025-09-03', 'Image Diffusion', 80), paper('2509.00005', '2025-09-03', 'Multi-Agent Debate', 3)],
};
const papers = {
  daysSince: async (first: string) => Object.keys(days).filter((d) => d >= first).sort(),
  getDay: async (d: string) => days[d] ?? [],
};

describe('previewSelection', () => {
  it('replays the last listed days with the edited preferences, newest first, each paper once', async () => {
    let peeked: string | null = null;
    const out = await previewSelection(
      { papers, readers: { peekModel: async (id) => ((peeked = id), null) }, settings: () => DEFAULT_SETTINGS },
      {
        subscriber: { timezone: 'Europe/Berlin', topics: ['agents'], includeKeywords: [], excludeKeywords: ['debate'], followAuthors: [], followOrgs: [], minUpvotes: 0, maxPapers: 10 },
        subscriberId: 'sub-1',
        now: new Date('2025-09-03T20:00:00Z'),
        days: 7,
      },
    );
    assert.equal(peeked, 'sub-1');
    assert.deepEqual(out.map((d) => d.day), ['2025-09-03', '2025-09-02', '2025-09-01']);
    assert.deepEqual(out.map((d) => d.selected.map((s) => s.paper.id)), [[], ['2509.00003'], ['2509.00001']]);
  });
});
