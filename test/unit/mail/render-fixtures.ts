// Shared inputs for the rendering tests: real papers from the captured API response (mapped to the minimal
// Paper fields here, independent of the scraper), a fixed subscriber, fixed links and a fixed clock.
import type { Reason } from '../../../src/papers/reason.js';
import type { SelectedPaper } from '../../../src/digest/select.js';
import type { Paper } from '../../../src/papers/paper.js';
import type { Subscriber } from '../../../src/subscribers/subscriber.js';
import { FIXTURES, readFixture } from '../../helpers/fixtures.js';

export const PUBLIC_URL = 'https://digest.example.org';
export const NOW = new Date('2026-09-28T06:30:00Z'); // 08:30 in Berlin, a Monday
export const LINKS = {
  preferences: `${PUBLIC_URL}/preferences/tok-pref`,
  unsubscribe: `${PUBLIC_URL}/unsubscribe/tok-unsub`,
  archive: `${PUBLIC_URL}/archive/tok-arch`,
};

interface ApiEntry {
  paper: {
    id: string;
    authors: { name: string }[];
    publishedAt?: string;
    upvotes: number;
    githubRepo?: string;
    githubStars?: number;
    projectPage?: string;
    organization?: { name: string; fullname: string };
    ai_summary?: string;
  };
  title: string;
  summary: string;
  numComments?: number;
}

export function fixturePapers(): Paper[] {
  const entries = JSON.parse(readFixture(FIXTURES.api)) as ApiEntry[];
  return entries.map((e) => ({
    id: e.paper.id,
    title: e.title,
    summary: e.summary,
    authors: e.paper.authors.map((a) => a.name),
    publishedAt: e.paper.publishedAt ?? null,
    listedOn: '2026-07-31',
    upvotes: e.paper.upvotes,
    comments: e.numComments ?? 0,
    url: `https://huggingface.co/papers/${e.paper.id}`,
    arxivUrl: `https://arxiv.org/abs/${e.paper.id}`,
    githubRepo: e.paper.githubRepo ?? null,
    githubStars: e.paper.githubStars ?? null,
    projectPage: e.paper.projectPage ?? null,
    organization: e.paper.organization ? { name: e.paper.organization.name, fullname: e.paper.organization.fullname } : null,
    thumbnail: null,
    keywords: [],
    aiSummary: e.paper.ai_summary ?? null,
  }));
}

export function subscriber(over: Partial<Subscriber> = {}): Subscriber {
  return {
    id: 'sub-1',
    email: 'reader@example.org',
    status: 'active',
    pausedUntil: null,
    timezone: 'Europe/Berlin',
    sendTime: { hour: 8, minute: 30 },
    frequency: { kind: 'daily' },
    topics: ['llm', 'multimodal'],
    includeKeywords: ['token compression'],
    excludeKeywords: [],
    followAuthors: [],
    followOrgs: [],
    minUpvotes: 0,
    maxPapers: 25,
    createdAt: '2026-09-01T00:00:00.000Z',
    confirmedAt: '2026-09-01T00:05:00.000Z',
    unsubscribedAt: null,
    tokenVersion: 1,
    bounceCount: 0,
    ...over,
  };
}

const REASONS: Reason[][] = [
  [{ kind: 'topic', topicId: 'multimodal', topicLabel: 'Multimodal', phrase: 'omnimodal' }, { kind: 'keyword', phrase: 'token compression' }],
  [{ kind: 'topic', topicId: 'llm', topicLabel: 'Large language models', phrase: 'language models' }],
  [{ kind: 'organization', name: 'Furong Huang’s Lab' }],
  [{ kind: 'author', name: 'Jane Doe' }],
  [{ kind: 'trending' }],
];

export function selected(papers: Paper[]): SelectedPaper[] {
  return papers.map((paper, i) => ({ paper, reasons: REASONS[i % REASONS.length]! }));
}

/** A paper that is as long as scraped data plausibly gets, for the size budget. */
export function longPaper(i: number): Paper {
  const words = (n: number, seed: string) => Array.from({ length: n }, (_, k) => `${seed}${(k * 7919 + i) % 1000}`).join(' ');
  return {
    id: `2609.${String(10000 + i)}`,
    title: `A very long title number ${i}: ${words(60, 'Title')}`,
    summary: words(700, 'abstract'),
    authors: Array.from({ length: 120 }, (_, k) => `Author Number${k} Surname${i}`),
    publishedAt: '2026-09-25T00:00:00.000Z',
    listedOn: '2026-09-28',
    upvotes: 500 - i,
    comments: 40,
    url: `https://huggingface.co/papers/2609.${String(10000 + i)}`,
    arxivUrl: `https://arxiv.org/abs/2609.${String(10000 + i)}`,
    githubRepo: `https://github.com/some-very-long-organization-name/${words(3, 'repo').replace(/ /g, '-')}`,
    githubStars: 1200,
    projectPage: `https://project-${i}.github.io/${words(8, 'path').replace(/ /g, '/')}`,
    organization: { name: 'org', fullname: `The Extremely Long Organization Name Laboratory ${i}` },
    thumbnail: null,
    keywords: [],
    aiSummary: words(300, 'aisummary'),
  };
}
