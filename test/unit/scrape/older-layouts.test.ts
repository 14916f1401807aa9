// Parsing by structure: the parser must read layouts other than the captured one — the older `date` props key,
// props on another element, cards that are not <article>s, numbers with separators, absolute links.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { parseListingBody } from '../../../src/scrape/parse.js';

const opts = { url: 'https://hf.test/papers', today: '2024-01-10' };
const attr = (obj: unknown) => JSON.stringify(obj).replace(/&/g, '&amp;').replace(/"/g, '&quot;');

describe('older and other layouts', () => {
  it('older props: `date` instead of `dateString`, on a <section>, flat attribute order', () => {
    const props = { date: '2024-01-05T00:00:00.000Z', dailyPapers: [{ title: 'T', paper: { id: '2401.02954', title: 'DeepSeek LLM', upvotes: 30, authors: [{ name: 'X' }] }, numComments: 4 }] };
    const html = `<html><body><section data-props="${attr(props)}" class="SVELTE_HYDRATER" data-target="DailyPapers"></section></body></html>`;
    const parsed = parseListingBody(html, opts);
    assert.equal(parsed.pageDay, '2024-01-05');
    assert.equal(parsed.papers[0]!.listedOn, '2024-01-05', 'page day when the entry has no submittedOnDailyAt');
    assert.equal(parsed.papers[0]!.comments, 4);
  });

  it('cards made of divs, upvotes in a label, comments as "12 comments", absolute links, 1.2k upvotes', () => {
    const card = (id: string, title: string, up: string, comments: string) => `
      <div class="paper-card"><a href="https://huggingface.co/papers/${id}v2"><img src="/thumbnails/${id}.png"></a>
        <label><input type="checkbox"><span class="count">${up}</span></label>
        <h3><a href="https://huggingface.co/papers/${id}">${title}</a></h3>
        <a href="/acme-lab"><img alt="acme-lab" src="https://cdn-avatars.huggingface.co/a.png"><span>Acme &amp; Co Lab</span></a>
        <a href="https://huggingface.co/papers/${id}#community">${comments}</a></div>`;
    const html = `<html><head><link rel="canonical" href="https://huggingface.co/papers/date/2024-01-05"></head><body><div class="grid">
      ${card('2401.00001', 'First &amp; best', '1.2k', '12 comments')}${card('2401.00002', 'Second', '1,034', '')}</div></body></html>`;
    const parsed = parseListingBody(html, opts);
    assert.equal(parsed.via, 'cards');
    assert.equal(parsed.pageDay, '2024-01-05');
    assert.deepEqual(parsed.papers.map((p) => [p.id, p.title, p.upvotes]), [
      ['2401.00001', 'First & best', 1200],
      ['2401.00002', 'Second', 1034],
    ]);
    assert.equal(parsed.papers[0]!.comments, 0, '"12 comments" is not a bare number; never guessed');
    assert.deepEqual(parsed.papers[0]!.organization, { name: 'acme-lab', fullname: 'Acme & Co Lab' });
    assert.equal(parsed.papers[0]!.thumbnail, 'https://huggingface.co/thumbnails/2401.00001.png');
    assert.ok(parsed.papers.every((p) => p.listedOn === '2024-01-05'));
  });

  it('a renamed hydration target still works when its props hold dailyPapers', () => {
    const props = { dateString: '2024-01-05', dailyPapers: [{ paper: { id: '2401.1', title: 'bad id form' } }, { paper: { id: '2401.00003', title: 'ok' } }] };
    const html = `<html><body><div data-target="DailyPapersV2" data-props="${attr(props)}"></div></body></html>`;
    const parsed = parseListingBody(html, opts);
    assert.deepEqual(parsed.papers.map((p) => p.id), ['2401.1', '2401.00003']);
  });
});

describe('card heuristics that a different layout could trip', () => {
  it('a GitHub stars badge before the vote box is not the upvote count; a submitter link is not the organization', () => {
    const html = `<html><body><main>
      <article><div>Submitted by <a href="/akhaliq"><img alt="akhaliq" src="/avatars/a.svg"> akhaliq</a></div>
        <a href="https://github.com/x/y"><span>4,321</span></a>
        <div class="vote"><button type="button" aria-label="Upvote"><div>77</div></button></div>
        <h3><a href="/papers/2402.00042">Stars are not votes</a></h3>
        <a href="/papers/2402.00042#community">5</a></article>
      <article><h3><a href="/papers/2402.00043">Plain card</a></h3><div><div>12</div></div></article>
    </main></body></html>`;
    const parsed = parseListingBody(html, { ...opts, requestedDay: '2024-02-01' });
    assert.deepEqual(parsed.papers.map((p) => [p.id, p.upvotes, p.comments, p.organization]), [
      ['2402.00042', 77, 5, null],
      ['2402.00043', 12, 0, null],
    ]);
  });
});
