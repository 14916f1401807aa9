// The per-recipient fill reuses each paper card's filled HTML/text between recipients (compileFast + the shared
// frozen card views of view-model.ts). These tests pin what must never happen: one recipient's links or reasons in
// another's email, stale text after a change, unescaped scraped text, or output that differs from a plain fill.
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as cheerio from 'cheerio';
import { compileTemplates, fullMjmlRenderer, type Templates } from '../../../src/mail/render.js';
import { compileFast, compileHbs, compileMjml, createHbs, expandIncludes, splitLoop } from '../../../src/mail/templates-compile.js';
import { buildDigestView, fitDigestView, paperView, type DigestView } from '../../../src/mail/view-model.js';
import type { Reason } from '../../../src/digest/reason.js';
import type { Paper } from '../../../src/papers/paper.js';
import { REPO_ROOT } from '../../helpers/fixtures.js';
import { fixturePapers, longPaper, NOW, PUBLIC_URL, subscriber } from './render-fixtures.js';

const TEMPLATES = join(REPO_ROOT, 'templates');
const normalize = (html: string) => html.replace(/>\s+</g, '><').replace(/\s+/g, ' ').trim();

const linksFor = (tok: string) => ({
  preferences: `${PUBLIC_URL}/preferences/${tok}`,
  unsubscribe: `${PUBLIC_URL}/unsubscribe/${tok}`,
  archive: `${PUBLIC_URL}/archive/${tok}`,
});

function viewFor(tok: string, papers: Paper[], reasons: Reason[]): DigestView {
  return buildDigestView({
    subscriber: subscriber({ id: tok }),
    selected: papers.map((paper) => ({ paper, reasons })),
    period: '2026-09-28',
    links: linksFor(tok),
    now: NOW,
    publicUrl: PUBLIC_URL,
  });
}

const HOSTILE_TITLE = '<script>alert(1)</script> "><img src=x onerror=alert(2)> {{x}} & co';

let t: Templates;
before(() => {
  t = compileTemplates(TEMPLATES);
});

describe('card reuse between recipients', () => {
  it('shares one frozen card per (paper, rank, summary length, reason), and only then', () => {
    const [p] = fixturePapers();
    const a = paperView({ paper: p!, reasons: [{ kind: 'trending' }] }, 420, 1);
    assert.ok(Object.isFrozen(a));
    assert.equal(paperView({ paper: p!, reasons: [{ kind: 'trending' }] }, 420, 1), a, 'same inputs → the same object');
    assert.notEqual(paperView({ paper: p!, reasons: [{ kind: 'author', name: 'Jane Doe' }] }, 420, 1), a, 'another reason');
    assert.notEqual(paperView({ paper: p!, reasons: [{ kind: 'trending' }] }, 420, 2), a, 'another rank');
    assert.notEqual(paperView({ paper: p!, reasons: [{ kind: 'trending' }] }, 160, 1), a, 'another summary length');
    assert.throws(() => ((a as { title: string }).title = 'changed'), TypeError, 'a shared card cannot be edited');
    assert.deepEqual(Object.keys(a).sort(), ['arxivUrl', 'authors', 'codeUrl', 'id', 'organization', 'projectHost', 'numberPadded', 'projectUrl', 'rank', 'reason', 'stats', 'summary', 'summaryFull', 'summaryIsAi', 'title', 'url'].sort(), 'nothing about the recipient but the reason line');
  });

  it('never serves one recipient’s links or reasons to another', () => {
    const papers = fixturePapers().slice(0, 4);
    const alice = viewFor('tok-alice', papers, [{ kind: 'author', name: 'Alice’s favourite author' }]);
    const bob = viewFor('tok-bob', papers, [{ kind: 'keyword', phrase: 'bob keyword' }]);
    const carol = viewFor('tok-carol', papers, [{ kind: 'author', name: 'Alice’s favourite author' }]); // same cards as alice
    assert.equal(carol.papers[0], alice.papers[0], 'alice and carol share cards');
    const fresh = compileTemplates(TEMPLATES); // nothing cached yet
    const uncached = (v: DigestView) => fresh.digestHtml({ ...v, papers: v.papers.map((p) => ({ ...p })) });
    for (let pass = 0; pass < 2; pass++) {
      for (const [tok, v, mine, theirs] of [
        ['tok-alice', alice, 'Alice’s favourite author', 'bob keyword'],
        ['tok-bob', bob, 'bob keyword', 'Alice’s favourite author'],
        ['tok-carol', carol, 'Alice’s favourite author', 'bob keyword'],
      ] as const) {
        const { html, text } = t.digest(v);
        assert.equal(html, uncached(v), `${tok}: cached fill equals a fill with nothing cached`);
        const $ = cheerio.load(html);
        assert.equal($('.pd-card').filter((_i, c) => $(c).text().includes(mine)).length, 4, `${tok} sees their reason on every card`);
        assert.ok(!html.includes(theirs) && !text.includes(theirs), `${tok} never sees another's reason`);
        for (const other of ['tok-alice', 'tok-bob', 'tok-carol'].filter((o) => o !== tok)) {
          assert.ok(!html.includes(other) && !text.includes(other), `${tok}'s email holds no link of ${other}`);
        }
        assert.ok(html.includes(`unsubscribe/${tok}`) && text.includes(`unsubscribe/${tok}`));
      }
    }
  });

  it('still escapes hostile scraped text when a card comes from the cache', () => {
    const hostile = { ...longPaper(7), title: HOSTILE_TITLE, aiSummary: '<b>bold</b> {{#each papers}}x{{/each}}' };
    const v1 = viewFor('tok-1', [hostile], [{ kind: 'trending' }]);
    const v2 = viewFor('tok-2', [hostile], [{ kind: 'trending' }]);
    assert.equal(v1.papers[0], v2.papers[0]);
    t.digest(v1);
    const { html, text } = t.digest(v2); // served from the cache
    const $ = cheerio.load(html);
    assert.equal($('script').length, 0);
    assert.equal($('img').length, 0);
    assert.equal($('b').length, 0);
    assert.equal($('h2 a').first().text(), HOSTILE_TITLE);
    assert.ok(html.includes('&lt;script&gt;') && html.includes('{{#each papers}}'));
    assert.ok(text.includes(HOSTILE_TITLE), 'the text part is not HTML-escaped');
  });

  it('a card that is not frozen is filled every time (an edited copy is never served stale)', () => {
    const v = viewFor('tok-edit', fixturePapers().slice(0, 2), [{ kind: 'trending' }]);
    const copy = { ...v, papers: v.papers.map((p) => ({ ...p })) };
    const firstTitle = (html: string) => cheerio.load(html)('h2 a').first().text();
    assert.equal(firstTitle(t.digestHtml(copy)), v.papers[0]!.title);
    copy.papers[0]!.title = 'Edited <title>';
    assert.equal(firstTitle(t.digestHtml(copy)), 'Edited <title>');
    assert.ok(t.digest(copy).text.includes('1. Edited <title>\n'));
  });

  it('a paper edited in place gets fresh cards (the memo checks what it was built from)', () => {
    const p = { ...fixturePapers()[0]! };
    const before = viewFor('tok-x', [p], [{ kind: 'trending' }]);
    p.upvotes = 12345;
    const after = viewFor('tok-x', [p], [{ kind: 'trending' }]);
    assert.notEqual(after.papers[0], before.papers[0]);
    assert.match(t.digest(after).html, /▲ 12345 upvotes/);
  });

  it('trimmed views (size budget) reuse shared cards too, and equal a full MJML compile', () => {
    const view = viewFor('tok-fit', Array.from({ length: 6 }, (_, i) => longPaper(i)), [{ kind: 'trending' }]);
    const fitted = fitDigestView(view, 160, 4);
    assert.equal(fitDigestView(view, 160, 4).papers[0], fitted.papers[0]);
    assert.ok(Object.isFrozen(fitted.papers[0]));
    assert.equal(normalize(t.digestHtml(fitted)), normalize(fullMjmlRenderer(TEMPLATES)('digest', fitted)));
  });
});

describe('compileFast', () => {
  const hbs = createHbs();
  // A plain (non-strict, default options) Handlebars fill: the reference for behaviour outside our templates.
  const plainFill = (source: string) => createHbs().compile(source);
  const html = compileMjml('digest.mjml', expandIncludes(join(TEMPLATES, 'digest.mjml'), TEMPLATES), TEMPLATES);
  const text = expandIncludes(join(TEMPLATES, 'digest.txt.hbs'), TEMPLATES);

  it('fills exactly (byte for byte) what the strict whole-template fill gives, HTML and text', () => {
    assert.ok(splitLoop(hbs, html, 'papers') && splitLoop(hbs, text, 'papers'), 'both digest templates split at the loop');
    const views = [
      viewFor('tok-a', fixturePapers().slice(0, 10), [{ kind: 'trending' }]),
      viewFor('tok-b', [], []),
      fitDigestView(viewFor('tok-c', fixturePapers().slice(3, 9), [{ kind: 'keyword', phrase: 'k' }]), 0, 2),
    ];
    for (const [source, kind] of [[html, 'html'], [text, 'text']] as const) {
      const strict = compileHbs<DigestView>(hbs, 'x', source, kind);
      const fast = compileFast<DigestView>(hbs, 'x', source, kind, 'papers');
      for (const v of [...views, ...views]) assert.equal(fast(v), strict(v));
    }
  });

  it('fills like a plain Handlebars call: sections, @data, else branches, nested paths, prototype fields', () => {
    const source = '{{#flag}}F{{/flag}}{{^flag}}no{{/flag}}{{#each list}}{{#unless @first}}, {{/unless}}{{this}}{{/each}}' +
      '{{#if o.p}}{{o.p}}{{else}}none{{/if}} {{#with o}}{{p}}{{/with}} [{{toString}}] [{{constructor}}] {{html}}';
    const strict = plainFill(source);
    const fast = compileFast<object>(hbs, 'x', source, 'html');
    for (const v of [
      { flag: true, list: ['a', 'b'], o: { p: 'q' }, html: '<b>' },
      { flag: false, list: [], o: { p: '' }, html: '"&' },
    ]) assert.equal(fast(v), strict(v));
  });

  it('does not cache a loop body that reads outside its item', () => {
    const source = '<h1>{{title}}</h1>{{#each items}}<p>{{name}} {{../secret}}</p>{{/each}}<i>{{secret}}</i>';
    assert.equal(splitLoop(hbs, source, 'items'), null);
    assert.equal(splitLoop(hbs, '{{#each items}}{{@index}}{{/each}}', 'items'), null);
    assert.equal(splitLoop(hbs, '{{#each items}}{{@root.secret}}{{/each}}', 'items'), null);
    assert.equal(splitLoop(hbs, '{{#each items}}x{{else}}none{{/each}}', 'items'), null);
    const fill = compileFast<{ title: string; secret: string; items: object[] }>(hbs, 'x', source, 'html', 'items');
    const items = [Object.freeze({ name: 'a' })];
    assert.equal(fill({ title: 't', secret: 'one', items }), '<h1>t</h1><p>a one</p><i>one</i>');
    assert.equal(fill({ title: 't', secret: 'two', items }), '<h1>t</h1><p>a two</p><i>two</i>');
  });
});

describe('a card partial that reads a recipient field', () => {
  let dir: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'pd-card-'));
    cpSync(TEMPLATES, dir, { recursive: true });
    const card = join(dir, 'partials', 'paper-card.mjml');
    writeFileSync(card, readFileSync(card, 'utf8').replace('Why: {{reason}}', 'Why: {{reason}} <a href="{{../links.unsubscribe}}">stop</a>'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('is filled per recipient (no cache), so each gets their own link', () => {
    const custom = compileTemplates(dir);
    const papers = fixturePapers().slice(0, 2);
    for (const tok of ['tok-one', 'tok-two', 'tok-one']) {
      const html = custom.digestHtml(viewFor(tok, papers, [{ kind: 'trending' }]));
      const stops = cheerio.load(html)('a').filter((_i, a) => cheerio.load(a).text() === 'stop').map((_i, a) => a.attribs.href).get();
      assert.deepEqual(stops, [`${PUBLIC_URL}/unsubscribe/${tok}`, `${PUBLIC_URL}/unsubscribe/${tok}`]);
    }
  });
});
