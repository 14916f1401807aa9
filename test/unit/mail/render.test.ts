import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as cheerio from 'cheerio';
import { compileTemplates, fullMjmlRenderer, TemplateError, type Templates } from '../../../src/mail/render.js';
import { buildAlreadySubscribedView, buildConfirmView, buildDigestView, buildNothingNewView, type DigestView } from '../../../src/mail/view-model.js';
import type { Paper } from '../../../src/papers/paper.js';
import { subscriberLinks } from '../../../src/links/signed-links.js';
import { REPO_ROOT } from '../../helpers/fixtures.js';
import { fixturePapers, LINKS, longPaper, NOW, PUBLIC_URL, selected, subscriber } from './render-fixtures.js';

const TEMPLATES = join(REPO_ROOT, 'templates');
const GMAIL_CLIP_BYTES = 102 * 1024;

function digestOf(papers: Paper[], over: { overflowUrl?: string } = {}): DigestView {
  return buildDigestView({ subscriber: subscriber(), selected: selected(papers), period: '2026-09-28', links: LINKS, now: NOW, publicUrl: PUBLIC_URL, ...over });
}

/** Whitespace between tags is the only thing allowed to differ between the two rendering paths. */
const normalize = (html: string) => html.replace(/>\s+</g, '><').replace(/\s+/g, ' ').trim();

const HOSTILE = {
  title: '<script>alert(1)</script> "><img src=x onerror=alert(2)> {{x}} {{{y}}} & co',
  summary: 'Summary with </mj-text><mj-raw><script>bad()</script></mj-raw> and {{#each papers}}{{/each}} and <b>bold</b>',
  author: '<img src=x onerror=alert(3)>',
};

function hostilePaper(): Paper {
  return {
    ...longPaper(99),
    title: HOSTILE.title,
    summary: HOSTILE.summary,
    aiSummary: null,
    authors: [HOSTILE.author, 'Bob "quote" O\'Neil'],
    organization: { name: 'x', fullname: '<style>body{display:none}</style>' },
    url: 'javascript:alert(4)',
    arxivUrl: 'http://arxiv.org/abs/2609.1',
    githubRepo: 'javascript:alert(5)//github.com',
    projectPage: 'http://insecure.example.org/',
  };
}

let t: Templates;
before(async () => {
  t = await compileTemplates(TEMPLATES);
});

describe('compiled digest', () => {
  it('fills to the same HTML a full MJML compile per recipient produces (modulo whitespace)', async () => {
    const full = fullMjmlRenderer(TEMPLATES);
    for (const papers of [fixturePapers().slice(0, 8), [hostilePaper(), ...fixturePapers().slice(8, 10)], []]) {
      const view = digestOf(papers);
      const rendered = t.digest(view);
      assert.equal(rendered.papersWebOnly, 0);
      assert.equal(normalize(rendered.html.toString('utf8')), normalize(await full('digest', view)));
    }
    const confirm = buildConfirmView({ confirmUrl: `${PUBLIC_URL}/confirm/t`, expiresHours: 48, topicsChosen: ['NLP', '<b>x</b>'], schedule: subscriber(), now: NOW, publicUrl: PUBLIC_URL });
    assert.equal(normalize(t.confirmation(confirm).html), normalize(await full('confirm', confirm)));
  });

  it('shows each paper with its link, authors, organization, stats, summary, links and reason', () => {
    const papers = fixturePapers().slice(0, 3);
    const $ = cheerio.load(t.digest(digestOf(papers)).html);
    const titles = $('h2 a');
    assert.equal(titles.length, 3);
    assert.equal(titles.eq(1).text(), papers[1]!.title);
    assert.equal(titles.eq(1).attr('href'), `https://huggingface.co/papers/${papers[1]!.id}`);
    const card = $('.pd-card').eq(1).text();
    assert.match(card, /Jiawei Xu, Minghui Liu, Juzheng Zhang et al\. · Furong Huang's Lab at UMD/);
    assert.match(card, /▲ 19 upvotes · 2 comments/);
    assert.match(card, /On-policy self-distillation/);
    assert.match(card, /Why: Large language models \(“language models”\)/);
    assert.match(card, /arXiv · Project page \(umd-huang-lab\.github\.io\)/, 'visible spaces between inline elements survive');
    assert.deepEqual(
      $('.pd-card').eq(1).find('p a').map((_i, a) => $(a).text()).get(),
      ['arXiv', 'Project page'],
    );
    assert.match($('h1').text(), /Monday, 28 September 2026/);
  });

  it('escapes hostile scraped text and never emits a non-https or unexpected link', () => {
    const view = digestOf([hostilePaper(), ...fixturePapers().slice(0, 2)]);
    const digest = t.digest(view);
    const html = digest.html.toString('utf8');
    const text = digest.text;
    const $ = cheerio.load(html);
    assert.equal($('script').length, 0);
    assert.equal($('img').length, 0, 'no images at all: no tracking pixels, no remote thumbnails');
    assert.equal($('[onerror]').length, 0);
    assert.equal($('style').filter((_i, s) => $(s).text().includes('display:none}')).length, 0);
    // The text survives as text: what the reader sees is exactly the scraped title.
    assert.equal($('h2 a').first().text(), HOSTILE.title);
    assert.ok($('.pd-card').first().text().includes(HOSTILE.summary));
    assert.ok(html.includes('{{x}}'), 'handlebars-looking text is shown literally, never evaluated');
    assert.ok(!html.includes('javascript:'), 'no javascript: anywhere');
    assert.ok(!/(href|src)="http:/.test(html), 'no http: link or source');
    const allowed = /^(#paper-\d+$|https:\/\/(huggingface\.co|arxiv\.org|github\.com|digest\.example\.org|[a-z0-9.-]+\.github\.io)\/)/;
    for (const a of $('a[href]').toArray()) assert.match($(a).attr('href')!, allowed);
    assert.ok(text.includes(HOSTILE.title), 'plain text holds the title verbatim (not HTML)');
    assert.ok(!/javascript:|http:\/\//.test(text));
  });

  it('stays under the Gmail clip size with 25 very long papers', () => {
    const view = digestOf(Array.from({ length: 25 }, (_, i) => longPaper(i)));
    const r = t.digest(view);
    assert.ok(r.html.length <= t.htmlBudgetBytes && r.html.length < GMAIL_CLIP_BYTES, `${r.html.length} bytes`);
    assert.equal(r.papersShown + r.papersWebOnly, 25);
    if (r.papersWebOnly > 0) assert.ok(r.html.includes(`${r.papersWebOnly} more paper`));
  });

  it('with real signed links (index, 👍/👎/save per paper, reading list): 25 real papers fit whole, 25 very long ones stay under the clip', () => {
    const secrets = [{ kid: 'k2026', secret: 'a-realistic-link-secret-of-forty-four-chars!' }];
    const sub = subscriber({ id: 'Xk3vQ9sLmN2pR7tW1yZ4bA' });
    const links = subscriberLinks(PUBLIC_URL, sub, secrets, NOW, { period: '2026-09-28' });
    const input = (papers: Paper[]) => ({
      subscriber: sub,
      selected: selected(papers),
      period: '2026-09-28',
      links: { preferences: links.preferences, unsubscribe: links.unsubscribe, archive: links.archive('2026-09-28'), readingList: links.readingList },
      feedback: (id: string) => links.feedback(id),
      now: NOW,
      publicUrl: PUBLIC_URL,
      // the suggestion line above the footer counts towards the budget too
      hint: { kind: 'exclude' as const, keyword: 'vision-language-action', titles: 12 },
    });
    const real = t.digest(buildDigestView(input(fixturePapers().slice(0, 25))));
    const long = t.digest(buildDigestView(input(Array.from({ length: 25 }, (_, i) => longPaper(i)))));
    console.log(`digest HTML with 25 fixture papers: ${real.html.length} bytes (${real.papersShown} shown); 25 very long papers: ${long.html.length} bytes (${long.papersShown} shown)`);
    assert.equal(real.papersShown, 25, 'every real paper fits, with its feedback row');
    assert.ok(real.html.length <= t.htmlBudgetBytes && long.html.length <= t.htmlBudgetBytes && long.html.length < GMAIL_CLIP_BYTES);
    const $ = cheerio.load(real.html);
    assert.match($('div.pd-suggestion').text(), /Suggested for you: leave out papers that mention “vision-language-action”\. It is in the titles of 12 papers you disliked/);
    assert.equal($('div.pd-suggestion a').attr('href'), `${links.preferences}#learned`, 'to the learned section of the preferences page');
    // The index: one entry per card, each linking to an anchor that exists, in order.
    const index = $('ol.pd-index a').toArray().map((a) => $(a).attr('href')!);
    assert.equal(index.length, 25);
    for (const [i, href] of index.entries()) {
      assert.equal(href, `#paper-${i + 1}`);
      assert.equal($(href).length, 1, `${href} exists`);
    }
    // Three feedback links per card, to this reader's signed feedback page for that paper.
    const rows = $('p.pd-feedback').toArray();
    assert.equal(rows.length, 25);
    const first = $(rows[0]).find('a').toArray().map((a) => [$(a).text(), $(a).attr('href')]);
    assert.deepEqual(first, [
      ['👍 More like this', `${links.feedback(fixturePapers()[0]!.id)}?do=like`],
      ['👎 Less like this', `${links.feedback(fixturePapers()[0]!.id)}?do=dislike`],
      ['🔖 Save', `${links.feedback(fixturePapers()[0]!.id)}?do=save`],
    ]);
    assert.equal($('a').filter((_i, a) => $(a).attr('href') === links.readingList).text(), 'Reading list');
    // The text part: the index numbered like the cards, and the three links under each card.
    assert.match(real.text, /\nIn this issue\n 1\. OmniScope\n 2\. /, 'long titles by their name in the index');
    assert.ok(real.text.includes(`    More like this: ${links.feedback(fixturePapers()[0]!.id)}?do=like\n`));
    assert.ok(real.text.includes(`Reading list: ${links.readingList}\n`));
  });

  it('trims summaries, then moves overflow papers to the web version, when over budget', async () => {
    const papers = Array.from({ length: 25 }, (_, i) => longPaper(i));
    const small = await compileTemplates(TEMPLATES, { htmlBudgetBytes: 30_000 });
    const view = digestOf(papers, { overflowUrl: `${PUBLIC_URL}/archive/tok-arch?from=email` });
    const r = small.digest(view);
    assert.ok(r.html.length <= 30_000);
    assert.ok(r.papersShown > 0 && r.papersWebOnly > 0, `${r.papersShown} shown`);
    const $ = cheerio.load(r.html);
    assert.equal($('h2 a').length, r.papersShown);
    const shownSummary = $('.pd-card').first().find('p').eq(1).text();
    assert.ok(shownSummary.length > 100 && shownSummary.length <= 160 + 'AI summary: '.length, `short summaries kept: ${shownSummary.length}`);
    const more = $('a').filter((_i, a) => $(a).text().includes(`${r.papersWebOnly} more papers in the web version`));
    assert.equal(more.attr('href'), `${PUBLIC_URL}/archive/tok-arch?from=email`);
    assert.ok(r.text.includes(`${r.papersWebOnly} more papers in the web version: ${PUBLIC_URL}/archive/tok-arch?from=email`));
    // The web version has every paper, untrimmed, and no link to itself.
    const web = cheerio.load(small.digestWebView(view));
    assert.equal(web('h2 a').length, 25);
    assert.ok(web.text().includes(view.papers[24]!.summaryFull));
    assert.ok(!web.text().includes('View in browser'));
  });

  it('is dark-mode friendly and phone-friendly', () => {
    const { html } = t.digest(digestOf(fixturePapers().slice(0, 2)));
    const $ = cheerio.load(html);
    assert.equal($('meta[name="color-scheme"]').attr('content'), 'light dark');
    assert.equal($('meta[name="supported-color-schemes"]').attr('content'), 'light dark');
    assert.match($('style').text(), /@media \(prefers-color-scheme: dark\)/);
    assert.ok($('meta[name="viewport"]').length === 1);
    assert.ok(!html.includes('fonts.googleapis.com'), 'no remote web fonts');
  });

  it('puts preferences, unsubscribe and view-in-browser links in both parts, with why they get it', () => {
    const view = digestOf(fixturePapers().slice(0, 2));
    const { html, text, subject } = t.digest(view);
    const $ = cheerio.load(html);
    const hrefs = $('a').map((_i, a) => $(a).attr('href')).get();
    for (const link of Object.values(LINKS)) {
      assert.ok(hrefs.includes(link), `html lacks ${link}`);
      assert.ok(text.includes(link), `text lacks ${link}`);
    }
    assert.ok(html.includes('Large language models') || html.includes('llm'));
    assert.ok(text.includes(view.why));
    assert.equal(subject, view.subject);
  });

  it('writes a real plain-text part from its own template', () => {
    const papers = fixturePapers().slice(0, 2);
    const { text } = t.digest(digestOf(papers));
    assert.match(text, /^Papers Digest — Monday, 28 September 2026\n2 papers picked for you\n/);
    assert.ok(text.includes(`\n 1. ${papers[0]!.title}\n`));
    assert.ok(text.includes(`\n    Paper:   https://huggingface.co/papers/${papers[0]!.id}\n`));
    assert.ok(text.includes(`\n    Code:    ${papers[0]!.githubRepo}\n`));
    assert.ok(text.includes(`\n    Project: ${papers[1]!.projectPage}\n`));
    assert.ok(!/<[a-z]/i.test(text), 'no HTML in the text part');
    assert.ok(!text.includes('&#x'), 'no HTML entities in the text part');
  });

  it('plain text: lines under papers 1–9 and 10+ start in the title\'s column', () => {
    const papers = Array.from({ length: 12 }, (_, i) => longPaper(i + 1));
    const { text } = t.digest(digestOf(papers));
    const lines = text.split('\n');
    for (const rank of [1, 9, 10, 12]) {
      // The card's title line (the "In this issue" index above numbers the same titles).
      let head = -1;
      lines.forEach((l, i) => {
        if (l.startsWith(`${String(rank).padStart(2)}. `)) head = i;
      });
      assert.ok(head >= 0, `paper ${rank} has a numbered title line`);
      const column = lines[head]!.indexOf('. ') + 2;
      const under = lines.slice(head + 1, lines.indexOf('', head + 1));
      assert.ok(under.some((l) => l.trimStart().startsWith('Paper:')), `paper ${rank}'s lines are found`);
      for (const l of under) assert.equal(l.length - l.trimStart().length, column, `paper ${rank}: ${JSON.stringify(l)}`);
    }
  });
});

describe('other emails', () => {
  it('confirmation: button and text link, topics, delivery, first digest, expiry', () => {
    const schedule = subscriber({ timezone: 'America/New_York', sendTime: { hour: 18, minute: 0 }, frequency: { kind: 'weekly', weekday: 5 } });
    const r = t.confirmation(buildConfirmView({ confirmUrl: `${PUBLIC_URL}/confirm/tok`, expiresHours: 48, topicsChosen: ['NLP', 'Robotics'], schedule, now: NOW, publicUrl: PUBLIC_URL }));
    assert.equal(r.subject, 'Confirm your Papers Digest subscription');
    const $ = cheerio.load(r.html);
    assert.ok($('a').filter((_i, a) => $(a).attr('href') === `${PUBLIC_URL}/confirm/tok`).length >= 2);
    const html = $.text().replace(/\s+/g, ' ');
    assert.match(html, /Topics: NLP, Robotics\./);
    assert.match(html, /Delivery: every Friday at 18:00 \(America\/New_York\)\. If you confirm now, your first digest arrives on Friday, 2 October 2026 at 18:00 \(America\/New_York\)\./);
    assert.match(r.text, /\nTopics: NLP, Robotics\.\nDelivery: every Friday at 18:00 \(America\/New_York\)\.\nIf you confirm now, your first digest arrives on Friday, 2 October 2026 at 18:00 \(America\/New_York\)\.\n\n/);
    assert.match(r.text, /within 48 hours:\n\nhttps:\/\/digest\.example\.org\/confirm\/tok\n/);
  });

  it('confirmation without a first-digest date (unknown zone) still states the delivery', () => {
    const schedule = subscriber({ timezone: 'Mars/Olympus' });
    const r = t.confirmation(buildConfirmView({ confirmUrl: `${PUBLIC_URL}/confirm/tok`, expiresHours: 48, topicsChosen: [], schedule, now: NOW, publicUrl: PUBLIC_URL }));
    assert.match(r.text, /\nTopics: everything trending\.\nDelivery: every day at \d\d:\d\d \(Mars\/Olympus\)\.\n\nNothing will be sent/);
    assert.ok(!r.text.includes('first digest') && !r.html.includes('first digest'));
  });

  it('already subscribed: preferences link in both parts', () => {
    const r = t.alreadySubscribed(buildAlreadySubscribedView({ preferencesUrl: LINKS.preferences, publicUrl: PUBLIC_URL }));
    assert.ok(cheerio.load(r.html)(`a[href="${LINKS.preferences}"]`).length > 0);
    assert.ok(r.text.includes(LINKS.preferences));
  });

  it('nothing new: dated note with preferences and unsubscribe links', () => {
    const r = t.nothingNew(buildNothingNewView({ subscriber: subscriber(), period: '2026-09-28', now: NOW, publicUrl: PUBLIC_URL, links: LINKS }));
    assert.match(r.html, /Monday, 28 September 2026/);
    for (const l of [LINKS.preferences, LINKS.unsubscribe]) assert.ok(r.html.includes(l) && r.text.includes(l));
    assert.ok(!r.html.includes(LINKS.archive));
  });
});

describe('template sources', () => {
  it('never use unescaped output ({{{ }}} or {{& }})', () => {
    const files = readdirSync(TEMPLATES, { recursive: true, encoding: 'utf8' }).filter((f) => /^(partials\/)?[\w-]+\.(mjml|txt\.hbs)$/.test(f)); // email templates only (pages/, admin/ are web)
    assert.ok(files.length >= 8, files.join(', '));
    for (const f of files) assert.doesNotMatch(readFileSync(join(TEMPLATES, f), 'utf8'), /\{\{\{|\{\{~?\s*&/, f);
  });
});

describe('compile-time failures', () => {
  let dir: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'pd-templates-'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  const broken = (name: string, file: string, edit: (s: string) => string) => {
    const d = join(dir, name);
    cpSync(TEMPLATES, d, { recursive: true });
    writeFileSync(join(d, file), edit(readFileSync(join(d, file), 'utf8')));
    return d;
  };

  it('an invalid MJML template throws at compile time with the MJML errors', async () => {
    const d = broken('mjml', 'partials/paper-card.mjml', (s) => s.replace('<mj-text css-class="pd-text"', '<mj-text padding="banana" css-class="pd-text"') + '\n<mj-bogus />');
    await assert.rejects(
      compileTemplates(d),
      (err: unknown) => err instanceof TemplateError && err.template === 'digest.mjml' && /mj-bogus/.test(err.message) && /padding/.test(err.message),
    );
  });

  it('a placeholder the view does not provide throws at compile time, not at send time', async () => {
    const d = broken('field', 'digest.txt.hbs', (s) => s.replace('{{intro}}', '{{introduction}}'));
    await assert.rejects(compileTemplates(d), (err: unknown) => err instanceof TemplateError && err.template === 'digest.txt.hbs' && /introduction/.test(err.message));
  });

  it('broken Handlebars syntax and a missing partial throw at compile time', async () => {
    const syntax = broken('syntax', 'confirm.mjml', (s) => s.replace('{{confirmUrl}}', '{{#if confirmUrl}}'));
    await assert.rejects(compileTemplates(syntax), TemplateError);
    const missing = broken('partial', 'digest.mjml', (s) => s.replace('partials/footer.mjml', 'partials/nope.mjml'));
    await assert.rejects(compileTemplates(missing), /cannot read partials\/nope\.mjml/);
  });
});
