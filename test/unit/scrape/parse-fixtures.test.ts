// Both real captures parse to exactly their papers. Expected values are read from the raw JSON independently of
// the parser (plain JSON.parse + the one entity the captures hold), plus hard-coded spot checks.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { paperSchema } from '../../../src/papers/paper.js';
import { parseListingBody } from '../../../src/scrape/parse.js';
import { FIXTURES, readFixture } from '../../helpers/fixtures.js';

interface RawEntry {
  paper: { id: string; title: string; upvotes: number; authors: { name: string }[]; organization?: { name: string }; submittedOnDailyAt: string; publishedAt: string };
  numComments: number;
}

const page = readFixture(FIXTURES.page);
const api = readFixture(FIXTURES.api);

function rawPageEntries(): RawEntry[] {
  const m = /data-target="DailyPapers"[^>]*data-props="([^"]*)"/.exec(page);
  assert.ok(m, 'fixture holds DailyPapers props');
  const json = m[1]!.replace(/&quot;/g, '"').replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');
  return (JSON.parse(json) as { dailyPapers: RawEntry[] }).dailyPapers;
}

const simple = (s: string) => s.replace(/&#39;/g, "'").replace(/\s+/g, ' ').trim();

function assertMatchesRaw(papers: ReturnType<typeof parseListingBody>['papers'], raw: RawEntry[]) {
  assert.equal(papers.length, raw.length);
  assert.deepEqual(papers.map((p) => p.id), raw.map((e) => e.paper.id));
  assert.deepEqual(papers.map((p) => p.title), raw.map((e) => simple(e.paper.title)));
  assert.deepEqual(papers.map((p) => p.upvotes), raw.map((e) => e.paper.upvotes));
  assert.deepEqual(papers.map((p) => p.comments), raw.map((e) => e.numComments));
  assert.deepEqual(papers.map((p) => p.authors), raw.map((e) => e.paper.authors.map((a) => simple(a.name))));
  assert.deepEqual(papers.map((p) => p.organization?.name ?? null), raw.map((e) => e.paper.organization?.name ?? null));
  assert.deepEqual(papers.map((p) => p.listedOn), raw.map((e) => e.paper.submittedOnDailyAt.slice(0, 10)));
  assert.deepEqual(papers.map((p) => p.publishedAt), raw.map((e) => new Date(e.paper.publishedAt).toISOString()));
  for (const p of papers) assert.ok(paperSchema.safeParse(p).success, `${p.id} matches the Paper schema`);
}

describe('listing page fixture (2026-09-28)', () => {
  const parsed = parseListingBody(page, { url: 'fixture:page', today: '2026-09-28' });

  it('reads 28 papers from data-props, in page order', () => {
    assert.equal(parsed.via, 'props');
    assert.equal(parsed.source, 'page');
    assert.equal(parsed.papers.length, 28);
    assert.equal(parsed.pageDay, '2026-09-28');
    assert.equal(parsed.periodType, 'day');
    assert.deepEqual(parsed.rejected, []);
    assert.deepEqual(parsed.warnings, [], 'the 28 cards agree with the 28 props entries');
    assertMatchesRaw(parsed.papers, rawPageEntries());
  });

  it('first paper is FuseReg with every field normalized', () => {
    const p = parsed.papers[0]!;
    assert.equal(p.id, '2609.31620');
    assert.match(p.title, /^FuseReg: Regularizing Layer Fusion/);
    assert.equal(p.upvotes, 110);
    assert.equal(p.comments, 2);
    assert.deepEqual(p.organization, { name: 'USC-PSI-Lab', fullname: 'USC Physical Superintelligence (PSI) Lab' });
    assert.equal(p.url, 'https://huggingface.co/papers/2609.31620');
    assert.equal(p.arxivUrl, 'https://arxiv.org/abs/2609.31620');
    assert.equal(p.githubRepo, 'https://github.com/Hongyang-Du/FuseReg');
    assert.equal(p.githubStars, 12);
    assert.equal(p.projectPage, 'https://hongyang-du.github.io/FuseReg/');
    assert.equal(p.thumbnail, 'https://cdn-thumbnails.huggingface.co/social-thumbnails/papers/2609.31620.png');
    assert.equal(p.listedOn, '2026-09-28');
    assert.equal(p.publishedAt, '2026-09-25T00:00:00.000Z');
    assert.equal(p.authors.length, 16);
    assert.deepEqual(p.keywords, []);
    assert.equal(p.aiSummary, null);
    assert.doesNotMatch(p.summary, /\n|\s{2}/);
  });

  it('decodes entities that sit inside the JSON (D&#39;Mello)', () => {
    const names = parsed.papers.flatMap((p) => p.authors);
    assert.ok(names.includes("Christopher D'Mello"));
    assert.ok(names.includes("Meghan O'Connell"));
    assert.ok(!names.some((n) => n.includes('&#')));
  });

  it('keeps the upvote order of the page (descending)', () => {
    const ups = parsed.papers.map((p) => p.upvotes);
    assert.deepEqual(ups, [...ups].sort((a, b) => b - a));
    assert.equal(parsed.papers.at(-1)!.id, '2604.02103');
  });
});

describe('JSON API fixture (limit=30, 2026-07-31)', () => {
  const parsed = parseListingBody(api, { url: 'fixture:api', today: '2026-08-01' });
  const raw = JSON.parse(api) as RawEntry[];

  it('reads 30 entries in API order', () => {
    assert.equal(parsed.via, 'api');
    assert.equal(parsed.papers.length, 30);
    assert.deepEqual(parsed.rejected, []);
    assertMatchesRaw(parsed.papers, raw);
    assert.equal(parsed.papers[0]!.id, '2607.23193');
    assert.equal(parsed.papers.at(-1)!.id, '2607.28568');
    assert.ok(parsed.papers.every((p) => p.listedOn === '2026-07-31'));
  });

  it('optional fields are present exactly where the capture has them', () => {
    assert.equal(parsed.papers.filter((p) => p.githubRepo).length, 19);
    assert.equal(parsed.papers.filter((p) => p.organization).length, 15);
    assert.equal(parsed.papers.filter((p) => p.projectPage).length, 11);
    const qwen = parsed.papers.find((p) => p.id === '2607.28227')!;
    assert.equal(qwen.upvotes, 283);
    assert.equal(qwen.comments, 7);
    assert.equal(qwen.organization?.name, 'AlibabaTongyiLab');
  });
});

describe('card fallback', () => {
  const stripped = page.replace(/(data-target="DailyPapers")\s+data-props="[^"]*"/, '$1');

  it('the page without its data-props still yields the same 28 papers from the cards', () => {
    assert.notEqual(stripped, page);
    const parsed = parseListingBody(stripped, { url: 'fixture:page-no-props', today: '2026-09-28', requestedDay: '2026-09-28' });
    const full = parseListingBody(page, { url: 'fixture:page', today: '2026-09-28' });
    assert.equal(parsed.via, 'cards');
    assert.equal(parsed.papers.length, 28);
    assert.deepEqual(parsed.papers.map((p) => p.id), full.papers.map((p) => p.id));
    assert.deepEqual(parsed.papers.map((p) => p.title), full.papers.map((p) => p.title));
    assert.deepEqual(parsed.papers.map((p) => p.upvotes), full.papers.map((p) => p.upvotes));
    assert.deepEqual(parsed.papers.map((p) => p.comments), full.papers.map((p) => p.comments));
    assert.deepEqual(parsed.papers.map((p) => p.organization), full.papers.map((p) => p.organization));
    assert.equal(parsed.papers[0]!.thumbnail, full.papers[0]!.thumbnail);
    assert.ok(parsed.papers.every((p) => p.listedOn === '2026-09-28'));
    assert.ok(parsed.warnings.some((w) => /data-props/.test(w)));
  });

  it('unparseable data-props fall back to the cards too', () => {
    const broken = page.replace(/(data-target="DailyPapers"\s+data-props=")/, '$1{oops ');
    const parsed = parseListingBody(broken, { url: 'fixture:page-bad-props', today: '2026-09-28' });
    assert.equal(parsed.via, 'cards');
    assert.equal(parsed.papers.length, 28);
    assert.ok(parsed.warnings.some((w) => /not valid JSON/.test(w)));
  });

  it('a card count that disagrees with the props is a warning, props win', () => {
    let n = 0;
    const fewer = page.replace(/<article[\s\S]*?<\/article>/g, (m) => (n++ < 3 ? '' : m));
    const parsed = parseListingBody(fewer, { url: 'fixture:fewer-cards', today: '2026-09-28' });
    assert.equal(parsed.via, 'props');
    assert.equal(parsed.papers.length, 28);
    assert.ok(parsed.warnings.some((w) => /card count \(25\) differs from data-props count \(28\)/.test(w)));
  });
});
