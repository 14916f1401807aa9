// Bad input gives a clear, documented outcome from the parsers (the Redis side — stored papers untouched — is in
// test/integration/scrape-store.test.ts).
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ScrapeLayoutError } from '../../../src/scrape/errors.js';
import { classifyEmpty } from '../../../src/scrape/listing.js';
import { parseListingBody } from '../../../src/scrape/parse.js';
import { FIXTURES, readFixture } from '../../helpers/fixtures.js';

const opts = { url: 'https://hf.test/papers/date/2026-09-28', today: '2026-09-28', requestedDay: '2026-09-28' };
const page = readFixture(FIXTURES.page);

function layoutError(body: string, re: RegExp) {
  assert.throws(
    () => parseListingBody(body, opts),
    (err: unknown) => {
      assert.ok(err instanceof ScrapeLayoutError, `ScrapeLayoutError, got ${String(err)}`);
      assert.equal(err.url, opts.url);
      assert.ok(err.message.includes(opts.url), 'message names the URL');
      assert.match(err.missing, re);
      return true;
    },
  );
}

const props = (obj: unknown) => JSON.stringify(obj).replace(/&/g, '&amp;').replace(/"/g, '&quot;');
const pageWith = (list: unknown[], extra: Record<string, unknown> = { dateString: '2026-09-28' }) =>
  `<!doctype html><html><body><main><div class="SVELTE_HYDRATER contents" data-target="DailyPapers" data-props="${props({ ...extra, dailyPapers: list })}"></div></main></body></html>`;

describe('bad input → ScrapeLayoutError naming the URL and what was missing', () => {
  it('empty body', () => layoutError('', /empty body/));
  it('whitespace body', () => layoutError('  \n ', /empty body/));
  it('plain text', () => layoutError('Service Unavailable', /neither HTML nor JSON/));

  it('truncated HTML cut inside the data-props', () => {
    const cut = page.slice(0, page.indexOf('data-target="DailyPapers"') + 5_000);
    layoutError(cut, /data-props|paper cards/);
  });

  it('truncated HTML without props: cards alone are refused on a cut-off page', () => {
    const noProps = page.replace(/(data-target="DailyPapers")\s+data-props="[^"]*"/, '$1');
    const cut = noProps.slice(0, noProps.indexOf('<article') + 60_000);
    layoutError(cut, /truncated/);
  });

  it('a login page', () => {
    const login = `<!doctype html><html><head><title>Log In - Hugging Face</title></head><body><form action="/login" method="POST">
      <input name="username"><input type="password" name="password"><button>Login</button></form>
      <a href="/join">Sign up</a><a href="/papers">Papers</a></body></html>`;
    layoutError(login, /no DailyPapers data-props and no paper cards.*Log In - Hugging Face/);
  });

  it('an error page', () => layoutError('<html><head><title>500 – Internal error</title></head><body><h1>500</h1><p>Something went wrong</p></body></html>', /500/));

  it('JSON of the wrong shape', () => {
    layoutError('{"error":"Invalid date"}', /expected a JSON array.*keys error/);
    layoutError('"hello"', /neither HTML nor JSON/);
    layoutError('null', /neither HTML nor JSON/);
    layoutError('{"dailyPapers": 5}', /expected a JSON array.*keys dailyPapers/);
    layoutError('[1, 2, 3]', /3 entries but none has a paper id and title/);
    layoutError('[{"foo": "bar"}]', /none has a paper id and title/);
    layoutError('[{"paper": {', /not valid JSON/);
  });

  it('data-props whose entries all lack id and title', () => layoutError(pageWith([{ paper: { upvotes: 3 } }, { x: 1 }]), /2 entries but none/));

  it('data-props with the list renamed and no cards', () => layoutError(pageWith([], { dateString: '2026-09-28', dailyPapers: undefined }).replace('dailyPapers', 'x'), /no dailyPapers list|no paper cards/));
});

describe('records without id or title are counted, not fatal', () => {
  it('keeps the good ones, reports each dropped one', () => {
    const good = { paper: { id: '2609.00001v3', title: 'Good', upvotes: 5, authors: [] } };
    const parsed = parseListingBody(
      JSON.stringify([good, { paper: { title: 'No id' } }, { paper: { id: '2609.00002' } }, { paper: { id: '2609.00001', title: 'Dup' } }, null]),
      opts,
    );
    assert.equal(parsed.papers.length, 1);
    assert.equal(parsed.papers[0]!.id, '2609.00001', 'version suffix stripped');
    assert.deepEqual(
      parsed.rejected.map((r) => r.reason),
      ['missing or malformed paper id', 'missing title', 'duplicate id', 'entry is not an object'],
    );
  });
});

describe('hostile text', () => {
  const hostile = {
    paper: {
      id: '2609.99999',
      title: '<script>alert("x")</script> Tom &amp; Jerry&#39;s\u0000\u0007 \u202eevil\n\n model',
      summary: 'line one\r\nline\ttwo &lt;b&gt;bold&lt;/b&gt; \u001b[31mred',
      authors: [{ name: 'A &quot;B&quot; C\u0008' }, { name: '   ' }, { name: 'Hidden', hidden: true }],
      upvotes: '1,204',
      githubRepo: 'javascript:alert(1)',
      projectPage: 'https://ok.example/p?a=1&amp;b=2',
      ai_keywords: ['RL', 'RL', '  diffusion\nmodels '],
      ai_summary: 'Short &amp; sweet.',
      submittedOnDailyAt: '2026-09-27T23:10:00.000Z',
    },
    numComments: -3,
    thumbnail: '/thumbs/x.png',
  };
  const parsed = parseListingBody(JSON.stringify([hostile]), opts);
  const p = parsed.papers[0]!;

  it('keeps markup as literal text, decodes entities once, strips controls, collapses whitespace', () => {
    assert.equal(p.title, `<script>alert("x")</script> Tom & Jerry's evil model`);
    assert.equal(p.summary, 'line one line two <b>bold</b> [31mred');
    // a blank name is dropped; `hidden: true` (an HF profile setting) is not: the author is on the paper
    assert.deepEqual(p.authors, ['A "B" C', 'Hidden']);
  });

  it('refuses non-http URLs and resolves relative ones', () => {
    assert.equal(p.githubRepo, null);
    assert.equal(p.projectPage, 'https://ok.example/p?a=1&b=2');
    assert.equal(p.thumbnail, 'https://huggingface.co/thumbs/x.png');
  });

  it('reads numbers robustly and keeps AI fields', () => {
    assert.equal(p.upvotes, 1204);
    assert.equal(p.comments, 0);
    assert.deepEqual(p.keywords, ['RL', 'diffusion models']);
    assert.equal(p.aiSummary, 'Short & sweet.');
    assert.equal(p.listedOn, '2026-09-27', 'listedOn is the submittedOnDailyAt day');
  });
});

describe('empty listings (documented outcome, see classifyEmpty)', () => {
  it('an empty DailyPapers list is recognized, not a layout error, at parse time', () => {
    const parsed = parseListingBody(pageWith([]), opts);
    assert.equal(parsed.papers.length, 0);
    assert.equal(parsed.pageDay, '2026-09-28');
  });
  it('API [] is a quiet day', () => {
    const parsed = parseListingBody('[]', opts);
    assert.equal(parsed.papers.length, 0);
    assert.equal(classifyEmpty(parsed, '2026-09-23', '2026-09-28'), 'empty', 'even a past weekday');
  });
  it('an empty page is a quiet day on weekends and today, a layout error on a past weekday', () => {
    const l = { source: 'page' as const };
    assert.equal(classifyEmpty(l, '2026-09-26', '2026-09-28'), 'empty', 'Saturday');
    assert.equal(classifyEmpty(l, '2026-09-27', '2026-09-28'), 'empty', 'Sunday');
    assert.equal(classifyEmpty(l, '2026-09-28', '2026-09-28'), 'empty', 'today (nothing submitted yet)');
    assert.equal(classifyEmpty(l, '2026-09-25', '2026-09-28'), 'layout-error', 'past Friday');
  });
});
