// Text hygiene and entry normalization (pure).
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { dayOf, normalizeEntry, normalizeId } from '../../../src/papers/normalize.js';
import { matchPaper } from '../../../src/papers/topics.js';
import { cleanText, cleanUrl, decodeEntities, parseCount } from '../../../src/papers/text.js';

describe('text', () => {
  it('decodes named and numeric entities exactly once', () => {
    assert.equal(decodeEntities('D&#39;Mello &amp; O&#x27;Neil &eacute; &hellip;'), "D'Mello & O'Neil é …");
    assert.equal(decodeEntities('&amp;lt;b&amp;gt;'), '&lt;b&gt;', 'double-escaped stays escaped once');
    assert.equal(decodeEntities('&notanentity; &#0; &#xD800;'), '&notanentity; \ufffd \ufffd');
  });
  it('strips controls and bidi overrides, collapses whitespace', () => {
    assert.equal(cleanText(' a\u0000b\u0007\n\n\tc \u202Ed\u00a0e\u2028f '), 'ab c d e f');
    assert.equal(cleanText(undefined), '');
    assert.equal(cleanText(42), '42');
  });
  it('keeps only http(s) URLs', () => {
    assert.equal(cleanUrl('javascript:alert(1)'), null);
    assert.equal(cleanUrl('data:text/html,x'), null);
    assert.equal(cleanUrl('https://github.com/a/b'), 'https://github.com/a/b');
    assert.equal(cleanUrl('/x.png', 'https://huggingface.co'), 'https://huggingface.co/x.png');
    assert.equal(cleanUrl('not a url'), null);
  });
  it('reads counts robustly', () => {
    assert.equal(parseCount(' 42 '), 42);
    assert.equal(parseCount('1,204'), 1204);
    assert.equal(parseCount('1.2k'), 1200);
    assert.equal(parseCount('3M'), 3_000_000);
    assert.equal(parseCount('12 comments'), null);
    assert.equal(parseCount(-1), null);
    assert.equal(parseCount(7.9), 7);
  });
});

describe('normalize', () => {
  it('ids: version suffix and arXiv: prefix stripped, junk refused', () => {
    assert.equal(normalizeId('2609.31620v2'), '2609.31620');
    assert.equal(normalizeId('arXiv:2401.00001v11'), '2401.00001');
    assert.equal(normalizeId(' 2609.31620 '), '2609.31620');
    assert.equal(normalizeId('../etc/passwd'), null);
    assert.equal(normalizeId('a b'), null);
    assert.equal(normalizeId(''), null);
    assert.equal(normalizeId(12), null);
  });
  it('days from dates and instants (UTC day)', () => {
    assert.equal(dayOf('2026-09-28'), '2026-09-28');
    assert.equal(dayOf('2026-09-28T00:00:00.000Z'), '2026-09-28');
    assert.equal(dayOf('2026-09-28T23:30:00-02:00'), '2026-09-29');
    assert.equal(dayOf('yesterday'), null);
  });
  it('listedOn: submittedOnDailyAt, else the page day, else the requested day, else today', () => {
    const e = (extra: object) => ({ paper: { id: '2609.00001', title: 'T', ...extra } });
    const ctx = { pageDay: '2026-09-27', requestedDay: '2026-09-26', fallbackDay: '2026-09-25' };
    const day = (entry: object, c: object) => {
      const r = normalizeEntry(entry, { ...ctx, ...c });
      return r.ok ? r.paper.listedOn : r.reason;
    };
    assert.equal(day(e({ submittedOnDailyAt: '2026-09-28T10:00:00Z' }), {}), '2026-09-28');
    assert.equal(day(e({}), {}), '2026-09-27');
    assert.equal(day(e({}), { pageDay: null }), '2026-09-26');
    assert.equal(day(e({}), { pageDay: null, requestedDay: null }), '2026-09-25');
  });
  it('every optional field may be absent', () => {
    const r = normalizeEntry({ paper: { id: '2609.00002', title: 'Only the essentials' } }, { fallbackDay: '2026-09-28' });
    assert.ok(r.ok);
    assert.deepEqual(r.paper, {
      id: '2609.00002',
      title: 'Only the essentials',
      summary: '',
      authors: [],
      publishedAt: null,
      listedOn: '2026-09-28',
      upvotes: 0,
      comments: 0,
      url: 'https://huggingface.co/papers/2609.00002',
      arxivUrl: 'https://arxiv.org/abs/2609.00002',
      githubRepo: null,
      githubStars: null,
      projectPage: null,
      organization: null,
      thumbnail: null,
      keywords: [],
      aiSummary: null,
    });
  });
  it('keeps ai_keywords and ai_summary; organization from the entry when the paper has none', () => {
    const r = normalizeEntry(
      { paper: { id: '2609.00003', title: 'T', ai_keywords: ['LLM', ' agents '], ai_summary: 'A &amp; B' }, organization: { name: 'acme', fullname: '' } },
      { fallbackDay: '2026-09-28' },
    );
    assert.ok(r.ok);
    assert.deepEqual(r.paper.keywords, ['LLM', 'agents']);
    assert.equal(r.paper.aiSummary, 'A & B');
    assert.deepEqual(r.paper.organization, { name: 'acme', fullname: 'acme' });
  });
});

describe('caps', () => {
  it('absurdly long text is cut with an ellipsis, not stored whole', () => {
    const r = normalizeEntry({ paper: { id: '2609.00004', title: 'x'.repeat(5000), summary: 'y '.repeat(20_000), authors: Array.from({ length: 1000 }, (_, i) => ({ name: `A${i}` })) } }, { fallbackDay: '2026-09-28' });
    assert.ok(r.ok);
    assert.equal(r.paper.title.length, 500);
    assert.ok(r.paper.title.endsWith('…'));
    assert.ok(r.paper.summary.length <= 10_000);
    assert.equal(r.paper.authors.length, 1000, 'every author: the guard is on bytes, not a count');
  });

  it('author names past 64 KiB in all are cut there (junk, not a real author list)', () => {
    const r = normalizeEntry({ paper: { id: '2609.00005', title: 'T', authors: Array.from({ length: 5000 }, (_, i) => ({ name: `${'N'.repeat(95)}${String(i).padStart(5, '0')}` })) } }, { fallbackDay: '2026-09-28' });
    assert.ok(r.ok);
    assert.equal(r.paper.authors.length, Math.floor((64 * 1024) / 100));
    assert.equal(r.paper.authors.at(-1), `${'N'.repeat(95)}00654`, 'the first ones, in order');
  });
});

describe('authors', () => {
  it('a paper with 600 authors keeps all 600, in order, hidden-flagged ones included', () => {
    const authors = Array.from({ length: 600 }, (_, i) => ({ _id: `u${i}`, name: `Author ${i}`, hidden: i % 7 === 0, ...(i === 3 ? { user: { fullname: 'Ignored' } } : {}) }));
    const r = normalizeEntry({ paper: { id: '2609.00006', title: 'A big collaboration', authors } }, { fallbackDay: '2026-09-28' });
    assert.ok(r.ok);
    assert.equal(r.paper.authors.length, 600);
    assert.deepEqual(r.paper.authors.slice(0, 3), ['Author 0', 'Author 1', 'Author 2']);
    assert.ok(r.paper.authors.includes('Author 7') && r.paper.authors.includes('Author 599'), 'hidden: true is a profile setting, not authorship');
  });

  it('a followed author whose HF profile is hidden still matches', () => {
    const r = normalizeEntry({ paper: { id: '2609.00007', title: 'T', authors: [{ name: 'Ada Lovelace', hidden: true }, { name: 'Alan Turing' }] } }, { fallbackDay: '2026-09-28' });
    assert.ok(r.ok);
    const m = matchPaper(r.paper, { topics: ['robotics'], includeKeywords: [], excludeKeywords: [], followAuthors: ['ada lovelace'] });
    assert.ok(m.included);
    assert.deepEqual(m.reasons, [{ kind: 'author', name: 'Ada Lovelace' }]);
  });
});
