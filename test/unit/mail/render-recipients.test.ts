// The per-recipient fill: one strict Handlebars fill of the template MJML compiled once. These tests pin what must
// never happen: one recipient's links or reasons in another's email, unescaped scraped text, output that differs
// from a full MJML compile, a placeholder the view lacks rendered as empty text, or a prototype property read
// through a template.
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as cheerio from 'cheerio';
import { compileTemplates, fullMjmlRenderer, TemplateError, type Templates } from '../../../src/mail/render.js';
import { compileHbs, createHbs } from '../../../src/mail/templates-compile.js';
import { buildDigestView, fitDigestView, type DigestView } from '../../../src/mail/view-model.js';
import type { Reason } from '../../../src/papers/reason.js';
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
before(async () => {
  t = await compileTemplates(TEMPLATES);
});

describe('recipients sharing papers', () => {
  it('never get one another’s links or reasons', () => {
    const papers = fixturePapers().slice(0, 4);
    const alice = viewFor('tok-alice', papers, [{ kind: 'author', name: 'Alice’s favourite author' }]);
    const bob = viewFor('tok-bob', papers, [{ kind: 'keyword', phrase: 'bob keyword' }]);
    const carol = viewFor('tok-carol', papers, [{ kind: 'author', name: 'Alice’s favourite author' }]);
    for (let pass = 0; pass < 2; pass++) {
      for (const [tok, v, mine, theirs] of [
        ['tok-alice', alice, 'Alice’s favourite author', 'bob keyword'],
        ['tok-bob', bob, 'bob keyword', 'Alice’s favourite author'],
        ['tok-carol', carol, 'Alice’s favourite author', 'bob keyword'],
      ] as const) {
        const { html, text } = t.digest(v);
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

  it('escape hostile scraped text on every fill, in the HTML only', () => {
    const hostile = { ...longPaper(7), title: HOSTILE_TITLE, aiSummary: '<b>bold</b> {{#each papers}}x{{/each}}' };
    for (const tok of ['tok-1', 'tok-2']) {
      const { html, text } = t.digest(viewFor(tok, [hostile], [{ kind: 'trending' }]));
      const $ = cheerio.load(html);
      assert.equal($('script').length, 0);
      assert.equal($('img').length, 0);
      assert.equal($('b').length, 0);
      assert.equal($('h2 a').first().text(), HOSTILE_TITLE);
      assert.ok(html.includes('&lt;script&gt;') && html.includes('{{#each papers}}'));
      assert.ok(text.includes(HOSTILE_TITLE), 'the text part is not HTML-escaped');
    }
  });

  it('an edited view is filled as edited (nothing is served from a cache)', () => {
    const v = viewFor('tok-edit', fixturePapers().slice(0, 2), [{ kind: 'trending' }]);
    const firstTitle = (html: string | Buffer) => cheerio.load(html)('h2 a').first().text();
    assert.equal(firstTitle(t.digestHtml(v)), v.papers[0]!.title);
    const edited = { ...v, papers: v.papers.map((p, i) => (i === 0 ? { ...p, title: 'Edited <title>' } : p)) };
    assert.equal(firstTitle(t.digestHtml(edited)), 'Edited <title>');
    assert.ok(t.digest(edited).text.includes('1. Edited <title>\n'));
  });

  it('trimmed views (size budget) equal a full MJML compile', async () => {
    const view = viewFor('tok-fit', Array.from({ length: 6 }, (_, i) => longPaper(i)), [{ kind: 'trending' }]);
    const fitted = fitDigestView(view, 160, 4);
    assert.equal(normalize(t.digestHtml(fitted)), normalize(await fullMjmlRenderer(TEMPLATES)('digest', fitted)));
    assert.equal(t.digest(fitted).html.toString('utf8'), t.digestHtml(fitted), 'the bytes sent are the UTF-8 of the fill');
  });
});

describe('the strict fill', () => {
  const hbs = createHbs();

  it('throws, naming the template, when the view lacks a field (never renders it empty)', () => {
    const fill = compileHbs<object>(hbs, 'card.mjml', '<p>{{title}} {{missing}}</p>', 'html');
    assert.throws(() => fill({ title: 't' }), (err: unknown) => err instanceof TemplateError && err.template === 'card.mjml' && /missing/.test(err.message));
    assert.equal(fill({ title: '<t>', missing: '&' }), '<p>&lt;t&gt; &amp;</p>');
  });

  it('reads no prototype property through a template (Handlebars’ own access defaults)', () => {
    const fill = compileHbs<object>(hbs, 'x', '[{{constructor}}][{{__proto__}}][{{title}}]', 'html');
    assert.equal(fill({ title: 'xyz' }), '[][][xyz]');
    // A denied property reads as missing, so a path through it fails loudly in strict mode.
    const through = compileHbs<object>(hbs, 'x', '{{title.constructor.name}}', 'html');
    assert.throws(() => through({ title: 'x' }), TemplateError);
    const text = compileHbs<object>(hbs, 'x', '{{#with o}}{{toString}}{{/with}}|{{o.p}}', 'text');
    assert.equal(text({ o: { p: '<raw & plain>' } }), '|<raw & plain>');
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

  it('gives each recipient their own link', async () => {
    const custom = await compileTemplates(dir);
    const papers = fixturePapers().slice(0, 2);
    for (const tok of ['tok-one', 'tok-two', 'tok-one']) {
      const html = custom.digestHtml(viewFor(tok, papers, [{ kind: 'trending' }]));
      const stops = cheerio.load(html)('a').filter((_i, a) => cheerio.load(a).text() === 'stop').map((_i, a) => a.attribs.href).get();
      assert.deepEqual(stops, [`${PUBLIC_URL}/unsubscribe/${tok}`, `${PUBLIC_URL}/unsubscribe/${tok}`]);
    }
  });
});
