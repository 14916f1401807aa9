// The scraper will meet captures from other days and older layouts than the two in ../shared. These variants are
// derived from the real page so everything else stays realistic: raw-server attribute order, the older `date` props
// key, props on another element, a week page mixing days, abbreviated counts, and hostile text in the cards.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as cheerio from 'cheerio';
import { ScrapeLayoutError } from '../../../src/scrape/errors.js';
import { parseListingBody } from '../../../src/scrape/parse.js';
import { FIXTURES, readFixture } from '../../helpers/fixtures.js';

const page = readFixture(FIXTURES.page);
const opts = { url: 'https://hf.test/papers/date/2026-09-28', today: '2026-09-30', requestedDay: '2026-09-28' };
const full = parseListingBody(page, opts);
const PROPS = /(data-target="DailyPapers")\s+data-props="([^"]*)"/;
const noProps = page.replace(PROPS, '$1');
const attr = (s: string) => s.replace(/&/g, '&amp;').replace(/"/g, '&quot;');

type Props = { dailyPapers: { paper: Record<string, unknown>; numComments?: number }[] } & Record<string, unknown>;
function readProps(): Props {
  return JSON.parse(cheerio.load(page)('[data-target="DailyPapers"]').attr('data-props')!) as Props;
}
function withProps(props: unknown, element = 'div', target = 'DailyPapers'): string {
  const m = PROPS.exec(page)!;
  const start = page.lastIndexOf('<div', m.index);
  const end = page.indexOf('>', m.index) + 1;
  return `${page.slice(0, start)}<${element} class="SVELTE_HYDRATER contents" data-target="${target}" data-props="${attr(JSON.stringify(props))}"></${element}>${page.slice(end).replace(/^<\/div>/, '')}`;
}
const summary = (r: ReturnType<typeof parseListingBody>) => r.papers.map((p) => [p.id, p.title, p.upvotes, p.comments, p.organization?.name ?? null]);

describe('layout variants of the real page', () => {
  it('raw server HTML: every element with its attributes in reverse order, props and cards alike', () => {
    const $ = cheerio.load(page);
    $('*').each((_, el) => {
      if (el.type !== 'tag') return;
      el.attribs = Object.fromEntries(Object.entries(el.attribs).reverse());
    });
    const reordered = $.html();
    assert.match(reordered, /<a href="\/papers\/2609\.31620" class=/, 'the variant really reorders attributes');
    assert.deepEqual(summary(parseListingBody(reordered, opts)), summary(full));
    $('[data-target="DailyPapers"]').removeAttr('data-props');
    const cards = parseListingBody($.html(), opts);
    assert.equal(cards.via, 'cards');
    assert.deepEqual(summary(cards), summary(full));
  });

  it('older props: `date` (an instant) instead of `dateString`, entries without submittedOnDailyAt, on a <section>', () => {
    const props = readProps();
    delete props.dateString;
    props.date = '2026-09-28T00:00:00.000Z';
    for (const e of props.dailyPapers) delete e.paper.submittedOnDailyAt;
    const parsed = parseListingBody(withProps(props, 'section'), { ...opts, requestedDay: null });
    assert.equal(parsed.via, 'props');
    assert.equal(parsed.pageDay, '2026-09-28');
    assert.deepEqual(summary(parsed), summary(full));
    assert.ok(parsed.papers.every((p) => p.listedOn === '2026-09-28'), 'listedOn from the page date, not today');
  });

  it('props on a differently named hydration target, under another key', () => {
    const { dailyPapers, ...rest } = readProps();
    const parsed = parseListingBody(withProps({ ...rest, dailyPapers }, 'div', 'DailyPapersPage'), opts);
    assert.deepEqual(summary(parsed), summary(full));
    const renamedList = parseListingBody(withProps({ ...rest, papers: dailyPapers }), opts);
    assert.equal(renamedList.via, 'props');
    assert.deepEqual(summary(renamedList), summary(full));
  });

  it('JSON holding fewer papers than the page shows cards is marked incomplete (it must not replace a stored day)', () => {
    const props = readProps();
    props.dailyPapers = props.dailyPapers.slice(0, 25);
    const parsed = parseListingBody(withProps(props), opts);
    assert.equal(parsed.via, 'props');
    assert.equal(parsed.papers.length, 25);
    assert.equal(parsed.incomplete, true);
    assert.equal(full.incomplete, undefined, 'the whole page is not');
  });

  it('a week page: papers keep their own Daily Papers day; the period is known', () => {
    const props = readProps();
    props.periodType = 'week';
    props.dailyPapers.forEach((e, i) => (e.paper.submittedOnDailyAt = `2026-09-${String(22 + (i % 5)).padStart(2, '0')}T00:00:00.000Z`));
    const parsed = parseListingBody(withProps(props), { url: 'https://hf.test/papers/week/2026-W40', today: '2026-09-30' });
    assert.equal(parsed.periodType, 'week');
    assert.equal(parsed.papers.length, 28);
    assert.deepEqual([...new Set(parsed.papers.map((p) => p.listedOn))].sort(), ['2026-09-22', '2026-09-23', '2026-09-24', '2026-09-25', '2026-09-26']);
  });

  it('a week page without its JSON is refused: cards cannot say which day each paper is from', () => {
    assert.throws(
      () => parseListingBody(noProps, { url: 'https://hf.test/papers/week/2026-W40', today: '2026-09-30' }),
      (err: unknown) => err instanceof ScrapeLayoutError && /week page without readable DailyPapers data-props/.test(err.missing),
    );
  });

  it('cards with abbreviated and separated counts ("1.2k", "1,034") and an upvote box without a checkbox', () => {
    const html = noProps
      .replace('<div class="leading-none">110</div>', '<div class="leading-none">1.2k</div>')
      .replace('<div class="leading-none">42</div>', '<div class="leading-none">1,034</div>')
      .replace('<input type="checkbox" class="peer hidden" disabled="">', '');
    const parsed = parseListingBody(html, opts);
    assert.equal(parsed.via, 'cards');
    assert.deepEqual(parsed.papers.slice(0, 2).map((p) => [p.id, p.upvotes]), [
      ['2609.31620', 1200],
      ['2609.18703', 1034],
    ]);
    assert.deepEqual(parsed.papers.slice(2).map((p) => p.upvotes), full.papers.slice(2).map((p) => p.upvotes));
  });

  it('hostile text in a card (no JSON): markup stays literal text, controls and bidi overrides go, entities decoded', () => {
    const title = 'FuseReg: Regularizing Layer Fusion Mitigates the Reconstruction-Generation Gap in Representation Autoencoders';
    const hostile = '&lt;script&gt;alert(1)&lt;/script&gt; Tom &amp;amp; Jerry&#7;&#x202E;s\n\t  <b>bold</b>';
    const parsed = parseListingBody(noProps.replace(`>${title}</a>`, `>${hostile}</a>`), opts);
    assert.equal(parsed.papers[0]!.title, '<script>alert(1)</script> Tom & Jerrys bold');
    assert.equal(parsed.papers.length, 28);
  });

  it('an older card layout (label vote box, "· 12 authors" link, comments after an icon, `/papers?date=` URL)', () => {
    const card = (id: string, title: string, up: string, comments: string) => `<article class="flex flex-col"><a href="/papers/${id}" class="peer block"><img src="https://cdn-thumbnails.huggingface.co/social-thumbnails/papers/${id}.png" alt=""></a>
      <div><div class="flex"><label class="flex cursor-pointer"><input type="checkbox" class="peer hidden"> <svg></svg> <div class="leading-none">${up}</div></label></div>
      <div class="w-full"><h3><a href="/papers/${id}" class="line-clamp-3">${title}</a></h3>
      <div class="flex"><a href="/papers/${id}" class="flex"><ul><li title="X"><img src="https://cdn-avatars.huggingface.co/a.png" alt=""></li></ul><div>· 12 authors</div></a>
      <a href="/papers/${id}#community" class="flex"><svg></svg> ${comments}</a></div></div></div></article>`;
    const html = `<!doctype html><html><head><meta property="og:url" content="https://huggingface.co/papers?date=2024-01-05"></head><body><main><h1>Daily Papers</h1>
      ${card('2401.02954', 'DeepSeek LLM: Scaling Open-Source Language Models with Longtermism', '30', '4')}${card('2401.02412', 'LLM Augmented LLMs', '1.1k', '12')}</main></body></html>`;
    const parsed = parseListingBody(html, { url: 'https://huggingface.co/papers?date=2024-01-05', today: '2024-01-08' });
    assert.equal(parsed.pageDay, '2024-01-05');
    assert.deepEqual(parsed.papers.map((p) => [p.id, p.upvotes, p.comments, p.listedOn]), [
      ['2401.02954', 30, 4, '2024-01-05'],
      ['2401.02412', 1100, 12, '2024-01-05'],
    ]);
    assert.equal(parsed.papers[1]!.title, 'LLM Augmented LLMs');
    assert.equal(parsed.papers[0]!.thumbnail, 'https://cdn-thumbnails.huggingface.co/social-thumbnails/papers/2401.02954.png');
  });

  it('a card page that does not say its day, with no day asked for, says so', () => {
    const parsed = parseListingBody(noProps, { url: 'https://hf.test/papers', today: '2026-09-30' });
    assert.equal(parsed.pageDay, null);
    assert.ok(parsed.warnings.some((w) => /does not say which day/.test(w)), parsed.warnings.join('; '));
  });
});
