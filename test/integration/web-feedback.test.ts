// Per-paper feedback, the reading list and "what was learned", over HTTP with the real store, reader store and
// paper store: GET never records (a scanner fetching the link changes nothing), the POST records once (idempotent)
// and undoes; a forged, expired, revoked or other-purpose token changes nothing; saved papers export as BibTeX;
// the preferences page lists what was learned, removes it, resets after a confirmation, previews 7 days, and
// suggests keywords from what the 👍 share (add with a click, or decline).
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { subscriberLinks } from '../../src/links/signed-links.js';
import type { Paper } from '../../src/papers/paper.js';
import type { ReaderStorePort } from '../../src/web/page-kit.js';
import type { ReaderStore } from '../../src/relevance/reader-store.js';
import { DEFAULT_SETTINGS } from '../../src/settings/schema.js';
import type { Subscriber } from '../../src/subscribers/subscriber.js';
import { testClock } from '../helpers/clock.js';
import { Client, csrfOf, pathOf, PUBLIC_URL, startWebHarness, textOf, type WebHarness } from './web-harness.js';

const clock = testClock('2026-11-27T09:00:00Z');
const DAY = '2026-11-27';

function paper(id: string, title: string, summary: string, upvotes = 50, day = DAY): Paper {
  return {
    id,
    title,
    summary,
    authors: ['Ada Lovelace', 'Alan Turing', 'Grace Hopper', 'Edsger Dijkstra'],
    publishedAt: '2026-11-25T00:00:00.000Z',
    listedOn: day,
    upvotes,
    comments: 2,
    url: `https://huggingface.co/papers/${id}`,
    arxivUrl: `https://arxiv.org/abs/${id}`,
    githubRepo: null,
    githubStars: null,
    projectPage: null,
    organization: null,
    thumbnail: null,
    keywords: ['speculative decoding'],
    aiSummary: null,
  };
}

const PAPERS = [
  paper('2611.10001', 'Speculative Decoding with Draft Trees & {Braces}', 'We speed up language model inference with speculative decoding and draft trees.', 120),
  paper('2611.10002', 'KV Cache Compression for Long Context', 'A key-value cache compression method for long-context language models.', 80),
  paper('2611.10003', 'Protein Folding at Scale', 'Protein structure prediction with diffusion models.', 60),
];

describe('feedback, reading list and what was learned', () => {
  let h: WebHarness;
  let readers: ReaderStorePort;
  before(async () => {
    h = await startWebHarness({ prefix: 'webfeedback', clock });
    await h.services.papers.replaceDay(DAY, PAPERS, { source: 'test', url: 'test' });
    readers = (h.services as unknown as { readers: ReaderStorePort }).readers;
    assert.ok(readers, 'services expose the reader store');
  });
  after(async () => {
    await h?.close();
  });

  const setup = async (email: string) => {
    const { subscriber } = await h.services.subscribers.create({ email, status: 'active', timezone: 'Europe/Paris', sendTime: '08:00', topics: ['llm'] });
    const links = subscriberLinks(PUBLIC_URL, subscriber, h.ctx.secrets.linkSecrets, clock(), { period: DAY });
    return { s: subscriber as Subscriber, links, c: new Client(h.app) };
  };
  const marksOf = async (id: string, paperId: string) => (await readers.marks(id, [paperId])).get(paperId) ?? { liked: false, disliked: false, saved: false };
  const none = { liked: false, disliked: false, saved: false };

  it('GET records nothing; the POST records, is idempotent, and undoes on the same page', async () => {
    const { s, links, c } = await setup('fay@example.org');
    const id = PAPERS[0]!.id;
    // A link scanner: plain fetches of all three links, no cookies, no scripts.
    for (const kind of ['like', 'dislike', 'save'] as const) {
      const res = await h.app.inject({ method: 'GET', url: pathOf(links.feedback(id, kind)) });
      assert.equal(res.statusCode, 200);
      assert.equal(res.headers['cache-control'], 'no-store');
    }
    assert.deepEqual(await marksOf(s.id, id), none, 'fetching the links changed nothing');

    const page = await c.get(links.feedback(id, 'like'));
    assert.match(textOf(page.body), /Your feedback on Speculative Decoding with Draft Trees & \{Braces\}/);
    assert.match(textOf(page.body), /Show you more papers like this one\?/);
    assert.match(page.body, /<form method="post" action="\/feedback\/[A-Za-z0-9_-]+" class="ask" data-auto-submit="like">/, 'the page submits itself when scripts run');
    assert.match(page.body, /<button type="submit" class="big" data-feedback="like-1">👍 More like this<\/button>/, 'a visible button when they do not');

    const liked = await c.post(links.feedback(id), { _csrf: csrfOf(page.body), kind: 'like', on: '1' });
    assert.equal(liked.statusCode, 200);
    assert.match(textOf(liked.body), /👍 Noted: more papers like this one/);
    assert.match(liked.body, /data-feedback="like-0">Undo</);
    assert.deepEqual(await marksOf(s.id, id), { liked: true, disliked: false, saved: false });

    const again = await c.post(links.feedback(id), { _csrf: csrfOf(page.body), kind: 'like', on: '1' });
    assert.match(textOf(again.body), /nothing changed/);
    assert.deepEqual(await marksOf(s.id, id), { liked: true, disliked: false, saved: false }, 'idempotent');
    const reopened = await c.get(links.feedback(id, 'like'));
    assert.doesNotMatch(reopened.body, /data-auto-submit/, 'already liked: nothing to submit');
    assert.match(textOf(reopened.body), /You had already chosen this/);

    const undone = await c.post(links.feedback(id), { _csrf: csrfOf(liked.body), kind: 'like', on: '0' });
    assert.match(textOf(undone.body), /Undone: no longer counted as a 👍/);
    assert.deepEqual(await marksOf(s.id, id), none);

    // 👎 after 👍: exclusive.
    await c.post(links.feedback(id), { _csrf: csrfOf(page.body), kind: 'like', on: '1' });
    const disliked = await c.post(links.feedback(id), { _csrf: csrfOf(page.body), kind: 'dislike', on: '1' });
    assert.match(textOf(disliked.body), /👎 Noted: fewer papers like this one/);
    assert.deepEqual(await marksOf(s.id, id), { liked: false, disliked: true, saved: false });
  });

  it('a forged, expired, revoked, other-purpose or CSRF-less request changes nothing', async () => {
    const { s, links, c } = await setup('gus@example.org');
    const id = PAPERS[1]!.id;
    const page = await c.get(links.feedback(id, 'save'));
    const csrf = csrfOf(page.body);
    const token = pathOf(links.feedback(id)).split('/')[2]!;
    const forged = token.slice(0, -2) + (token.endsWith('AA') ? 'BB' : 'AA');
    for (const url of [`/feedback/${forged}`, pathOf(links.preferences).replace('/preferences/', '/feedback/'), '/feedback/nonsense']) {
      const get = await c.get(url);
      assert.equal(get.statusCode, 404, url);
      const post = await c.post(url, { _csrf: csrf, kind: 'save', on: '1' });
      assert.equal(post.statusCode, 404, url);
    }
    const noCsrf = await c.post(links.feedback(id), { kind: 'save', on: '1' });
    assert.equal(noCsrf.statusCode, 403);
    const badKind = await c.post(links.feedback(id), { _csrf: csrf, kind: 'delete', on: '1' });
    assert.equal(badKind.statusCode, 400);
    assert.deepEqual(await marksOf(s.id, id), none);

    // Another reader's link acts for that reader only.
    const other = await setup('hal@example.org');
    const theirs = await c.post(other.links.feedback(id), { _csrf: csrf, kind: 'save', on: '1' });
    assert.equal(theirs.statusCode, 200);
    assert.deepEqual(await marksOf(s.id, id), none, 'not this reader');
    assert.equal((await marksOf(other.s.id, id)).saved, true);

    // Expired: 30 days after the edition (and its day, plus a day of zone margin).
    const saved = clock.now();
    try {
      clock.set('2026-12-29T00:00:00Z');
      const expired = await c.post(links.feedback(id), { _csrf: csrf, kind: 'save', on: '1' });
      assert.equal(expired.statusCode, 410);
      assert.match(textOf(expired.body), /This link has expired/);
    } finally {
      clock.set(new Date(saved).toISOString());
    }
    // Revoked (token version bumped, e.g. after "sign out of old emails"): 404.
    await h.services.subscribers.bumpTokenVersion(s.id);
    const revoked = await c.post(links.feedback(id), { _csrf: csrf, kind: 'save', on: '1' });
    assert.equal(revoked.statusCode, 404);
    assert.deepEqual(await marksOf(s.id, id), none);
  });

  it('the reading list shows saved papers, removes with an undo, and downloads BibTeX', async () => {
    const { s, links, c } = await setup('ivy@example.org');
    const empty = await c.get(links.readingList);
    assert.equal(empty.statusCode, 200);
    assert.match(textOf(empty.body), /Nothing saved yet/);
    const page = await c.get(links.feedback(PAPERS[0]!.id, 'save'));
    await c.post(links.feedback(PAPERS[0]!.id), { _csrf: csrfOf(page.body), kind: 'save', on: '1' });
    await c.post(links.feedback(PAPERS[1]!.id), { _csrf: csrfOf(page.body), kind: 'save', on: '1' });

    const list = await c.get(links.readingList);
    const text = textOf(list.body);
    assert.match(text, /Speculative Decoding with Draft Trees/);
    assert.match(text, /KV Cache Compression for Long Context/);
    assert.match(text, /Ada Lovelace, Alan Turing, Grace Hopper et al\./);
    const bibPath = /href="([^"]+\/papers\.bib)" download="reading-list\.bib"/.exec(list.body)?.[1];
    assert.ok(bibPath, 'a download link');
    const bib = await c.get(bibPath);
    assert.equal(bib.statusCode, 200);
    assert.match(String(bib.headers['content-type']), /^application\/x-bibtex/);
    assert.equal(bib.headers['content-disposition'], 'attachment; filename="reading-list.bib"');
    assert.ok(bib.body.includes(`@misc{2611.10001,
  title = {{Speculative Decoding with Draft Trees \\& \\{Braces\\}}},
  author = {Ada Lovelace and Alan Turing and Grace Hopper and Edsger Dijkstra},
  year = {2026},
  eprint = {2611.10001},
  archivePrefix = {arXiv},
  url = {https://arxiv.org/abs/2611.10001}
}`), bib.body);
    assert.equal((bib.body.match(/@misc\{/g) ?? []).length, 2);

    const removed = await c.post(links.readingList, { _csrf: csrfOf(list.body), action: 'remove', paperId: PAPERS[1]!.id });
    assert.match(textOf(removed.body), /Removed “KV Cache Compression for Long Context” Undo/);
    assert.equal((await marksOf(s.id, PAPERS[1]!.id)).saved, false);
    const restored = await c.post(links.readingList, { _csrf: csrfOf(removed.body), action: 'restore', paperId: PAPERS[1]!.id });
    assert.match(textOf(restored.body), /is back in your reading list/);
    assert.equal((await marksOf(s.id, PAPERS[1]!.id)).saved, true);

    const forged = await c.get(links.readingList.slice(0, -3) + 'abc');
    assert.equal(forged.statusCode, 404);
    assert.equal((await c.post(links.readingList, { action: 'remove', paperId: PAPERS[0]!.id })).statusCode, 403);
  });

  it('preferences show what was learned, each removable, reset after a confirmation; seeds; 7-day preview', async () => {
    const { s, links, c } = await setup('jon@example.org');
    const fb = await c.get(links.feedback(PAPERS[0]!.id, 'like'));
    await c.post(links.feedback(PAPERS[0]!.id), { _csrf: csrfOf(fb.body), kind: 'like', on: '1' });
    await c.post(links.feedback(PAPERS[2]!.id), { _csrf: csrfOf(fb.body), kind: 'dislike', on: '1' });
    await c.post(links.feedback(PAPERS[1]!.id), { _csrf: csrfOf(fb.body), kind: 'save', on: '1' });

    const prefs = await c.get(links.preferences);
    const text = textOf(prefs.body);
    assert.match(text, /What your digest has learned/);
    assert.match(text, /👍 More like these Speculative Decoding/);
    assert.match(text, /👎 Less like these Protein Folding at Scale/);
    assert.match(text, /🔖 Saved KV Cache Compression/);
    const terms = [...prefs.body.matchAll(/name="term" value="([^"]+)"/g)].map((m) => m[1]!);
    assert.ok(terms.length > 0, 'learned terms are listed');
    assert.ok(prefs.body.includes(pathOf(links.readingList)), 'links to the reading list');

    const csrf = csrfOf(prefs.body);
    const noTerm = await c.post(links.preferences, { _csrf: csrf, action: 'remove-term', term: terms[0]! });
    assert.match(textOf(noTerm.body), new RegExp(`“${terms[0]!.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}” no longer counts`));
    assert.ok(!(await readers.profile(s.id)).terms.some((t) => t.term === terms[0]), 'the term is gone');

    const forgot = await c.post(links.preferences, { _csrf: csrf, action: 'forget', paperId: PAPERS[2]!.id });
    assert.match(textOf(forgot.body), /no longer shapes your digest/);
    assert.equal((await readers.profile(s.id)).disliked.length, 0);

    const confirm = await c.post(links.preferences, { _csrf: csrf, action: 'reset' });
    assert.match(textOf(confirm.body), /Reset what your digest has learned\?/);
    assert.equal((await readers.profile(s.id)).liked.length, 1, 'nothing reset before the confirmation');
    const reset = await c.post(links.preferences, { _csrf: csrf, action: 'reset', confirm: 'yes' });
    assert.match(textOf(reset.body), /Reset: your digest forgot/);
    const after = await readers.profile(s.id);
    assert.deepEqual([after.liked.length, after.disliked.length, after.saved.length], [0, 0, 1], 'saved papers stay');

    // Seeds: a link and an id; the unknown one is kept until seen.
    const form = { _csrf: csrf, topics: ['llm'], timezone: 'Europe/Paris', time: '08:00', frequency: 'daily', weekday: '1', includeKeywords: '', excludeKeywords: '', followAuthors: '', followOrgs: '', minUpvotes: '0', maxPapers: '10' };
    const seeded = await c.post(links.preferences, { ...form, action: 'save', seedPapers: `https://huggingface.co/papers/${PAPERS[1]!.id}\n2611.99999` });
    assert.equal(seeded.statusCode, 200, textOf(seeded.body).slice(0, 400));
    assert.match(textOf(seeded.body), /Papers like these: none → 2611\.10002, 2611\.99999/);
    assert.match(textOf(seeded.body), /Not seen in a listing yet \(kept until they appear\): 2611\.99999/);
    assert.ok((await readers.profile(s.id)).liked.some((p) => p.id === PAPERS[1]!.id && p.source === 'seed'));
    const badSeed = await c.post(links.preferences, { ...form, action: 'save', seedPapers: 'not a paper' });
    assert.equal(badSeed.statusCode, 400);
    assert.match(textOf(badSeed.body), /Papers like these/);

    // Preview: the edited settings over the last 7 days, nothing saved.
    const preview = await c.post(links.preferences, { ...form, action: 'preview', topics: [], includeKeywords: 'protein', seedPapers: '' });
    assert.equal(preview.statusCode, 200);
    assert.match(textOf(preview.body), /With these settings, the last 7 days would have brought \d+ papers?/);
    assert.match(textOf(preview.body), /Protein Folding at Scale/);
    assert.match(preview.body, /id="includeKeywords" name="includeKeywords" value="protein"/, 'the form keeps what they typed');
    assert.deepEqual((await h.services.subscribers.get(s.id))?.includeKeywords, [], 'nothing saved');
  });

  it('suggests keywords the 👍 share: add one with a click, or decline it for good; a forged request changes nothing', async () => {
    // The day before: three GUI papers the reader liked and three papers they disliked (none matches their topic,
    // 3D: marked here without a digest), two more GUI papers they have not seen, and 120 others (GUI: 5 papers of the week, under 5 %).
    const DAY2 = '2026-11-26';
    const on = (id: string, title: string, summary: string) => ({ ...paper(id, title, summary, 30, DAY2), keywords: [] });
    const gui = ['GUI Agents That Click Through Settings', 'Grounding GUI Elements in Screenshots', 'A GUI Benchmark for Phones'].map((t, i) =>
      on(`2611.2000${i}`, t, 'Agents operate phone and desktop screens from pixels.'),
    );
    const disliked = ['Protein Folding with Diffusion', 'Weather Forecasting at Scale', 'Tabular Learning Revisited'].map((t, i) => on(`2611.2100${i}`, t, 'We study a problem.'));
    const unseen = ['Testing Mobile GUI Apps with Planning', 'GUI Navigation in Cars'].map((t, i) => on(`2611.2200${i}`, t, 'Screens and taps.'));
    const fillers = Array.from({ length: 120 }, (_, i) => on(`2611.3${String(i).padStart(4, '0')}`, `Sorting Networks, Part ${i}`, 'We sort lists of numbers.'));
    await h.services.papers.replaceDay(DAY2, [...gui, ...disliked, ...unseen, ...fillers], { source: 'test', url: 'test' });
    const { subscriber } = await h.services.subscribers.create({ email: 'lea@example.org', status: 'active', timezone: 'Europe/Paris', sendTime: '08:00', topics: ['3d'] });
    const links = subscriberLinks(PUBLIC_URL, subscriber, h.ctx.secrets.linkSecrets, clock(), { period: DAY });
    const c = new Client(h.app);
    const learn = async () => {
      for (const p of gui) await readers.mark(subscriber.id, p.id, 'like', true);
      for (const p of disliked) await readers.mark(subscriber.id, p.id, 'dislike', true);
    };
    await learn();

    const prefs = await c.get(links.preferences);
    const text = textOf(prefs.body);
    assert.match(text, /Suggested keywords/);
    assert.match(text, /GUI In the titles of 3 papers you liked, none you disliked\. In the last 7 listed days, 5 papers mention it and match none of your topics or keywords\./);
    assert.match(text, /For example: “GUI Agents That Click Through Settings”/);

    // Without the page's CSRF token, or on a forged link: nothing changes.
    const csrf = csrfOf(prefs.body);
    const noCsrf = await c.post(links.preferences, { action: 'add-keyword', keyword: 'GUI' });
    assert.notEqual(noCsrf.statusCode, 200);
    const forged = await c.post(`${links.preferences.slice(0, -4)}AAAA`, { _csrf: csrf, action: 'add-keyword', keyword: 'GUI' });
    assert.equal(forged.statusCode, 404);
    assert.deepEqual((await h.services.subscribers.get(subscriber.id))?.includeKeywords, []);

    // Preview: the saved settings plus the word, the papers it brings marked; nothing saved. (Discovery off: with
    // three 👍 and three 👎 the model is sure enough of any GUI paper to bring it without the keyword.)
    await h.ctx.settings.set({ relevanceDiscoverMin: 1 }, 'test');
    try {
      const preview = await c.post(links.preferences, { _csrf: csrf, action: 'preview-keyword', keyword: 'GUI' });
      assert.equal(preview.statusCode, 200);
      const heading = /With “GUI” added to your keywords, the last 7 days would have brought (\d+) papers?, (\d+) of them new/.exec(textOf(preview.body));
      assert.ok(heading, textOf(preview.body).slice(0, 200));
      const badged = [...preview.body.matchAll(/<span class="new-badge">new<\/span> <a href="[^"]+">([^<]+)<\/a>/g)].map((m) => m[1]!);
      assert.equal(badged.length, Number(heading[2]));
      assert.ok(badged.includes('GUI Navigation in Cars') && badged.includes('Testing Mobile GUI Apps with Planning'), `brought: ${badged.join(' | ')}`);
      assert.ok(badged.every((t) => /GUI/.test(t)), 'only papers with the word are new');
      assert.equal(Number(heading[1]), 5);
    } finally {
      await h.ctx.settings.set({ relevanceDiscoverMin: DEFAULT_SETTINGS.relevanceDiscoverMin }, 'test');
    }
    assert.deepEqual((await h.services.subscribers.get(subscriber.id))?.includeKeywords, [], 'a preview saves nothing');
    const badPreview = await c.post(links.preferences, { _csrf: csrf, action: 'preview-keyword', keyword: 'x' });
    assert.equal(badPreview.statusCode, 400);

    // Decline: not suggested again (kept with what was learned).
    const declined = await c.post(links.preferences, { _csrf: csrf, action: 'dismiss-suggestion', keyword: 'GUI' });
    assert.equal(declined.statusCode, 200);
    assert.match(textOf(declined.body), /We will not suggest “GUI” again\./);
    assert.doesNotMatch(textOf(declined.body), /Suggested keywords/);
    assert.deepEqual((await readers.profile(subscriber.id)).dismissed, ['gui']);

    // A reset forgets the declined suggestions with everything else learned; liked again, GUI comes back.
    await c.post(links.preferences, { _csrf: csrf, action: 'reset', confirm: 'yes' });
    assert.deepEqual((await readers.profile(subscriber.id)).dismissed, []);
    await learn();
    assert.match(textOf((await c.get(links.preferences)).body), /Suggested keywords/);

    // Add: an ordinary include keyword, listed among the changes; then no longer suggested (the filters reach it).
    const added = await c.post(links.preferences, { _csrf: csrf, action: 'add-keyword', keyword: 'GUI' });
    assert.equal(added.statusCode, 200);
    assert.match(textOf(added.body), /Also include: none → GUI/);
    assert.doesNotMatch(textOf(added.body), /Suggested keywords/);
    assert.deepEqual((await h.services.subscribers.get(subscriber.id))?.includeKeywords, ['GUI']);
    const again = await c.post(links.preferences, { _csrf: csrf, action: 'add-keyword', keyword: 'gui' });
    assert.equal(again.statusCode, 200);
    assert.deepEqual((await h.services.subscribers.get(subscriber.id))?.includeKeywords, ['GUI'], 'adding it twice keeps one');
    const bad = await c.post(links.preferences, { _csrf: csrf, action: 'add-keyword', keyword: 'x' });
    assert.equal(bad.statusCode, 400, 'the store refuses a keyword it would refuse in the form');
    assert.deepEqual((await h.services.subscribers.get(subscriber.id))?.includeKeywords, ['GUI']);
  });

  it('suggests exclude keywords the 👎 share and no 👍 mentions: exclude with a click, or decline; a forged request changes nothing', async () => {
    // Two days ago: ten LLM papers the reader liked, three audio-LM papers they disliked, two audio-LM papers they
    // have not seen (their LLM topic brings them), and 110 others (audio: 5 papers of the week, under 5 %).
    const DAY3 = '2026-11-25';
    const on = (id: string, title: string, summary: string) => ({ ...paper(id, title, summary, 30, DAY3), keywords: [] });
    const liked = Array.from({ length: 10 }, (_, i) => on(`2611.4000${i}`, `Speculative Decoding for Large Language Models, Study ${i}`, 'Faster language model inference with draft models.'));
    const disliked = ['Audio Language Models Listen Better', 'Music Generation with Audio Language Models', 'An Audio Benchmark for Language Models'].map((t, i) =>
      on(`2611.4100${i}`, t, 'We study audio and speech with a language model.'),
    );
    const unseen = ['Audio Tokens for Large Language Models', 'Spoken Audio Chat with Language Models'].map((t, i) => on(`2611.4200${i}`, t, 'A language model that hears audio.'));
    const fillers = Array.from({ length: 110 }, (_, i) => on(`2611.5${String(i).padStart(4, '0')}`, `Sorting Networks, Volume ${i}`, 'We sort lists of numbers.'));
    await h.services.papers.replaceDay(DAY3, [...liked, ...disliked, ...unseen, ...fillers], { source: 'test', url: 'test' });
    const { subscriber } = await h.services.subscribers.create({ email: 'noor@example.org', status: 'active', timezone: 'Europe/Paris', sendTime: '08:00', topics: ['llm'] });
    const links = subscriberLinks(PUBLIC_URL, subscriber, h.ctx.secrets.linkSecrets, clock(), { period: DAY });
    const c = new Client(h.app);
    const learn = async () => {
      for (const p of liked) await readers.mark(subscriber.id, p.id, 'like', true);
      for (const p of disliked) await readers.mark(subscriber.id, p.id, 'dislike', true);
    };
    await learn();
    const excludes = async () => (await h.services.subscribers.get(subscriber.id))?.excludeKeywords;

    // The digest's hint follows feedback given through a digest's link (worked out then, read by the send).
    const store = (h.services as unknown as { readers: ReaderStore }).readers;
    assert.equal((await store.loadForSend(subscriber.id)).hint, null, 'marks made without the web: no hint yet');
    const ask = await c.get(links.feedback(liked[0]!.id, 'save'));
    await c.post(links.feedback(liked[0]!.id), { _csrf: csrfOf(ask.body), kind: 'save', on: '1' });
    assert.deepEqual((await store.loadForSend(subscriber.id)).hint, { kind: 'exclude', keyword: 'audio', titles: 3 });

    const prefs = await c.get(links.preferences);
    const text = textOf(prefs.body);
    assert.match(text, /Suggested exclusions/);
    assert.match(
      text,
      /audio In the titles of 3 papers you disliked, and in none of the papers you liked\. In the last 7 listed days, it would have left out 5 papers that your settings bring: “[^”]+”, “[^”]+”, “[^”]+” and 2 more\./,
    );
    assert.doesNotMatch(text, /Suggested exclusions[^]*\b(speculative|decoding)\b[^]*Top learned terms/i, 'never a word of a liked paper');

    // Without the page's CSRF token, or on a forged link: nothing changes.
    const csrf = csrfOf(prefs.body);
    assert.notEqual((await c.post(links.preferences, { action: 'add-exclude', keyword: 'audio' })).statusCode, 200);
    assert.equal((await c.post(`${links.preferences.slice(0, -4)}AAAA`, { _csrf: csrf, action: 'add-exclude', keyword: 'audio' })).statusCode, 404);
    assert.deepEqual(await excludes(), []);

    // Decline: not suggested again, until a reset.
    const declined = await c.post(links.preferences, { _csrf: csrf, action: 'dismiss-suggestion', keyword: 'audio' });
    assert.match(textOf(declined.body), /We will not suggest “audio” again\./);
    assert.doesNotMatch(textOf(declined.body), /Suggested exclusions/);
    assert.equal((await store.loadForSend(subscriber.id)).hint, null, 'declined: no digest mentions it');
    await c.post(links.preferences, { _csrf: csrf, action: 'reset', confirm: 'yes' });
    await learn();
    assert.match(textOf((await c.get(links.preferences)).body), /Suggested exclusions/);

    // Exclude: an ordinary exclude keyword, listed among the changes; the digest's preview no longer has those papers.
    const added = await c.post(links.preferences, { _csrf: csrf, action: 'add-exclude', keyword: 'audio' });
    assert.equal(added.statusCode, 200);
    assert.match(textOf(added.body), /Never include: none → audio/);
    assert.doesNotMatch(textOf(added.body), /Suggested exclusions/);
    assert.deepEqual(await excludes(), ['audio']);
    await c.post(links.preferences, { _csrf: csrf, action: 'add-exclude', keyword: 'Audio' });
    assert.deepEqual(await excludes(), ['audio'], 'excluding it twice keeps one');
    const form = { _csrf: csrf, topics: ['llm'], timezone: 'Europe/Paris', time: '08:00', frequency: 'daily', weekday: '1', includeKeywords: '', excludeKeywords: 'audio', followAuthors: '', followOrgs: '', minUpvotes: '0', maxPapers: '25', seedPapers: '' };
    const preview = await c.post(links.preferences, { ...form, action: 'preview' });
    assert.equal(preview.statusCode, 200);
    const previewed = textOf(/<section class="card preview"[^]*?<\/section>/.exec(preview.body)?.[0] ?? '');
    assert.match(previewed, /Speculative Decoding for Large Language Models/);
    assert.doesNotMatch(previewed, /audio/i, 'the 7-day preview brings no paper that mentions it');
    const bad = await c.post(links.preferences, { _csrf: csrf, action: 'add-exclude', keyword: 'x' });
    assert.equal(bad.statusCode, 400, 'the store refuses a keyword it would refuse in the form');
    assert.deepEqual(await excludes(), ['audio']);
  });

  it('deleting their data deletes what was learned and the reading list too', async () => {
    const { s, links, c } = await setup('kim@example.org');
    const fb = await c.get(links.feedback(PAPERS[0]!.id, 'save'));
    await c.post(links.feedback(PAPERS[0]!.id), { _csrf: csrfOf(fb.body), kind: 'save', on: '1' });
    await c.post(links.feedback(PAPERS[1]!.id), { _csrf: csrfOf(fb.body), kind: 'like', on: '1' });
    // Deleting asks first (routes/data-rights.ts) and no longer needs an unsubscribe before it.
    const gone = await c.post(`${links.preferences}/delete`, { _csrf: csrfOf(fb.body), confirm: 'yes' });
    assert.match(textOf(gone.body), /Your data is deleted/);
    const p = await readers.profile(s.id);
    assert.deepEqual([p.liked.length, p.saved.length, p.terms.length], [0, 0, 0]);
  });
});
