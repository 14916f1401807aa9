// The gentler options (pause N weeks, weekly instead, resume, subscribe again) and refused preference changes,
// over HTTP with a real store: each action changes exactly what it says and the page lists the change.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { subscriberLinks } from '../../src/links/signed-links.js';
import type { Paper } from '../../src/papers/paper.js';
import { testClock } from '../helpers/clock.js';
import { Client, csrfOf, pathOf, PUBLIC_URL, startWebHarness, textOf, type WebHarness } from './web-harness.js';

const clock = testClock('2026-11-28T09:00:00Z');

describe('preferences actions', () => {
  let h: WebHarness;
  before(async () => {
    h = await startWebHarness({ prefix: 'webprefs', clock });
  });
  after(async () => {
    await h?.close();
  });

  const setup = async (email: string, status: 'active' | 'pending' = 'active') => {
    const { subscriber } = await h.services.subscribers.create({ email, status, timezone: 'Asia/Tokyo', sendTime: '08:00' });
    const links = subscriberLinks(PUBLIC_URL, subscriber, h.ctx.secrets.linkSecrets, clock());
    const c = new Client(h.app);
    return { subscriber, prefs: pathOf(links.preferences), unsub: pathOf(links.unsubscribe), c };
  };

  it('says when a followed organization brings nothing, and the names Hugging Face uses instead', async () => {
    const day = '2026-11-27';
    const from = (id: string, name: string, fullname: string): Paper => ({
      id, title: `Paper ${id}`, summary: 'A study.', authors: [], publishedAt: null, listedOn: day, upvotes: 1, comments: 0, url: `https://huggingface.co/papers/${id}`,
      arxivUrl: `https://arxiv.org/abs/${id}`, githubRepo: null, githubStars: null, projectPage: null, organization: { name, fullname }, thumbnail: null, keywords: [], aiSummary: null,
    });
    await h.services.papers.replaceDay(day, [from('2611.70001', 'deepmind', 'Deepmind'), from('2611.70002', 'deepmind', 'Deepmind'), from('2611.70003', 'nvidia', 'NVIDIA')], { source: 'test', url: 'test' });
    const { prefs, c, subscriber } = await setup('uma@example.org');
    await h.services.subscribers.update(subscriber.id, { followOrgs: ['Google DeepMind', 'NVIDIA'] });
    const page = await c.get(prefs);
    const text = textOf(page.body);
    assert.match(text, /No recent paper came from “Google DeepMind” under that name\. Close names on Hugging Face: Deepmind, 2 papers Follow instead/);
    assert.doesNotMatch(text, /came from “NVIDIA”/, 'a follow that brings papers gets no note');
    assert.match(page.body, /<details class="more" open>/, 'the note is in sight, not folded away');

    // "Follow instead": the close name takes the follow's place. Without the page's CSRF token, or for a follow
    // that is not theirs, nothing changes.
    const fix = { action: 'replace-follow', followed: 'Google DeepMind', instead: 'deepmind' };
    assert.notEqual((await c.post(prefs, fix)).statusCode, 200);
    assert.equal((await c.post(prefs, { _csrf: csrfOf(page.body), ...fix, followed: 'OpenAI' })).statusCode, 400);
    assert.deepEqual((await h.services.subscribers.get(subscriber.id))?.followOrgs, ['Google DeepMind', 'NVIDIA']);
    const fixed = await c.post(prefs, { _csrf: csrfOf(page.body), ...fix });
    assert.equal(fixed.statusCode, 200);
    assert.match(textOf(fixed.body), /Organizations you follow: Google DeepMind, NVIDIA → deepmind, NVIDIA/);
    assert.deepEqual((await h.services.subscribers.get(subscriber.id))?.followOrgs, ['deepmind', 'NVIDIA'], 'in the same place in the list');
    assert.doesNotMatch(textOf(fixed.body), /No recent paper came from/);
    assert.doesNotMatch(fixed.body, /<details class="more" open>/);
  });

  it('says when a followed author is listed under the same name written another way, and puts that one in its place', async () => {
    const day = '2026-11-28'; // newer than the test before's: the directory is read again once per new listing day
    const by = (id: string, authors: string[]): Paper => ({
      id, title: `Paper ${id}`, summary: 'A study.', authors, publishedAt: null, listedOn: day, upvotes: 1, comments: 0, url: `https://huggingface.co/papers/${id}`,
      arxivUrl: `https://arxiv.org/abs/${id}`, githubRepo: null, githubStars: null, projectPage: null, organization: null, thumbnail: null, keywords: [], aiSummary: null,
    });
    await h.services.papers.replaceDay(day, [by('2611.60001', ['Junyang Lin', 'An Yang']), by('2611.60002', ['Junyang Lin']), by('2611.60003', ['Yuki M Asano'])], { source: 'test', url: 'test' });
    const { prefs, c, subscriber } = await setup('vera@example.org');
    await h.services.subscribers.update(subscriber.id, { followAuthors: ['Lin Junyang', 'Yuki M. Asano', 'Yann LeCun'] });
    const page = await c.get(prefs);
    const text = textOf(page.body);
    assert.match(text, /No recent paper lists “Lin Junyang” among its authors\. Close names on Hugging Face: Junyang Lin, 2 papers Follow instead/);
    assert.doesNotMatch(text, /lists “Yuki M\. Asano”/, 'the same name with a dot more: the follow matches, no note');
    assert.doesNotMatch(text, /lists “Yann LeCun”/, 'a followed author with no close name is only quiet: no note');
    assert.match(page.body, /<details class="more" open>/);

    const fix = { action: 'replace-follow', list: 'authors', followed: 'Lin Junyang', instead: 'Junyang Lin' };
    assert.equal((await c.post(prefs, { _csrf: csrfOf(page.body), ...fix, list: 'orgs' })).statusCode, 400, 'not an organization they follow');
    assert.deepEqual((await h.services.subscribers.get(subscriber.id))?.followAuthors, ['Lin Junyang', 'Yuki M. Asano', 'Yann LeCun']);
    const fixed = await c.post(prefs, { _csrf: csrfOf(page.body), ...fix });
    assert.equal(fixed.statusCode, 200);
    assert.deepEqual((await h.services.subscribers.get(subscriber.id))?.followAuthors, ['Junyang Lin', 'Yuki M. Asano', 'Yann LeCun'], 'in the same place in the list');
    assert.doesNotMatch(textOf(fixed.body), /No recent paper lists/);
  });

  it('pauses for 4 weeks from the unsubscribe page, then resumes', async () => {
    const { subscriber, prefs, unsub, c } = await setup('quinn@example.org');
    const page = await c.get(unsub);
    assert.match(textOf(page.body), /Pause for 4 weeks/);
    const paused = await c.post(prefs, { _csrf: csrfOf(page.body), action: 'pause', weeks: '4' });
    assert.equal(paused.statusCode, 200);
    assert.match(textOf(paused.body), /Status: Active → Paused until 2026-12-26/);
    assert.match(textOf(paused.body), /Paused until 2026-12-26/);
    const s = await h.services.subscribers.get(subscriber.id);
    assert.equal(s?.status, 'paused');
    assert.equal(s?.pausedUntil, '2026-12-26');

    const resumed = await c.post(prefs, { _csrf: csrfOf(paused.body), action: 'resume' });
    assert.match(textOf(resumed.body), /Status: Paused until 2026-12-26 → Active/);
    assert.equal((await h.services.subscribers.get(subscriber.id))?.status, 'active');
  });

  it('switches to weekly in one click, and refuses an off-menu pause', async () => {
    const { subscriber, prefs, c } = await setup('rita@example.org');
    const page = await c.get(prefs);
    const weekly = await c.post(prefs, { _csrf: csrfOf(page.body), action: 'weekly' });
    assert.match(textOf(weekly.body), /How often: every day → every Monday/);
    assert.deepEqual((await h.services.subscribers.get(subscriber.id))?.frequency, { kind: 'weekly', weekday: 1 });
    assert.doesNotMatch(weekly.body, /Switch to weekly/, 'the weekly option disappears once weekly');

    const bad = await c.post(prefs, { _csrf: csrfOf(page.body), action: 'pause', weeks: '1000' });
    assert.equal(bad.statusCode, 400);
    assert.match(textOf(bad.body), /Choose how long to pause/);
    assert.doesNotMatch(bad.body, /href="#form"/, "a form-wide problem is not a link to a field that does not exist");
    assert.equal((await h.services.subscribers.get(subscriber.id))?.status, 'active');
    const unknown = await c.post(prefs, { _csrf: csrfOf(page.body), action: 'delete-everything' });
    assert.equal(unknown.statusCode, 400);
  });

  it('refuses a pause before confirmation with the reason, and a bad save keeps what was typed', async () => {
    const { subscriber, prefs, c } = await setup('sam@example.org', 'pending');
    const page = await c.get(prefs);
    assert.match(textOf(page.body), /Not confirmed yet/);
    assert.doesNotMatch(page.body, /Pause digests/, 'no pause offered before confirmation');
    const res = await c.post(prefs, { _csrf: csrfOf(page.body), action: 'pause', weeks: '2' });
    assert.equal(res.statusCode, 400);
    assert.match(textOf(res.body), /A pending subscription cannot be paused\./);
    assert.equal((await h.services.subscribers.get(subscriber.id))?.status, 'pending');

    const typed = await c.post(prefs, {
      _csrf: csrfOf(page.body), action: 'save', topics: ['agents'], timezone: 'Asia/Tokyo', time: '31:00', frequency: 'daily',
      includeKeywords: 'diffusion transformers', excludeKeywords: '', minUpvotes: '0', maxPapers: '10',
    });
    assert.equal(typed.statusCode, 400);
    assert.match(typed.body, /value="diffusion transformers"/, 'what the person typed is kept');
    assert.match(typed.body, /value="agents" checked/);
    assert.deepEqual((await h.services.subscribers.get(subscriber.id))?.includeKeywords, []);
  });

  it('lets an unsubscribed person come back from the preferences page', async () => {
    const { subscriber, prefs, unsub, c } = await setup('tara@example.org');
    const page = await c.get(unsub);
    await c.post(unsub, { _csrf: csrfOf(page.body) });
    const p = await c.get(prefs);
    assert.match(textOf(p.body), /You're unsubscribed/);
    const back = await c.post(prefs, { _csrf: csrfOf(p.body), action: 'resubscribe' });
    assert.match(textOf(back.body), /Status: Unsubscribed → Active/);
    assert.equal((await h.services.subscribers.get(subscriber.id))?.status, 'active');
  });

  it('saving the form as shown changes nothing, even for values set from the CLI with capitals', async () => {
    const { subscriber, prefs, c } = await setup('wim@example.org');
    await h.services.subscribers.update(subscriber.id, {
      includeKeywords: ['MoE', 'Sparse "Attention"'], followOrgs: ['Meta AI', 'Alibaba, Inc.'], followAuthors: ['Yann LeCun'], topics: ['llm'],
    });
    const page = await c.get(prefs);
    const unescape = (v: string) => v.replace(/&quot;/g, '"').replace(/&#x27;/g, "'").replace(/&#x3D;/g, '=').replace(/&amp;/g, '&');
    const value = (id: string) => unescape(new RegExp(`id="${id}"[^>]* value="([^"]*)"`).exec(page.body)?.[1] ?? '');
    const zone = /<option value="([^"]+)"[^>]* selected>/.exec(page.body)?.[1];
    const same = await c.post(prefs, {
      _csrf: csrfOf(page.body), action: 'save', topics: ['llm'], timezone: zone ?? '', time: '08:00', frequency: 'daily', weekday: '1',
      includeKeywords: value('includeKeywords'), excludeKeywords: value('excludeKeywords'), followAuthors: value('followAuthors'),
      followOrgs: value('followOrgs'), minUpvotes: value('minUpvotes'), maxPapers: value('maxPapers'),
    });
    assert.equal(same.statusCode, 200);
    assert.match(textOf(same.body), /Saved — nothing changed/);
    const after = await h.services.subscribers.get(subscriber.id);
    assert.deepEqual(after?.includeKeywords, ['MoE', 'Sparse "Attention"']);
    assert.deepEqual(after?.followOrgs, ['Meta AI', 'Alibaba, Inc.']);
  });

  it('lets a person whose mailbox bounced start the digests again', async () => {
    const { subscriber, prefs, c } = await setup('vera@example.org');
    await h.services.subscribers.recordBounce(subscriber.id, 1);
    const p = await c.get(prefs);
    assert.match(textOf(p.body), /Stopped: your mailbox refused our email/);
    assert.doesNotMatch(p.body, /Pause digests/, 'no pause offered for a suppressed address');
    const back = await c.post(prefs, { _csrf: csrfOf(p.body), action: 'resume' });
    assert.match(textOf(back.body), /Status: Stopped: your mailbox refused our email → Active/);
    const s = await h.services.subscribers.get(subscriber.id);
    assert.equal(s?.status, 'active');
    assert.equal(s?.bounceCount, 0);
  });

  it('deletes the data on request after a confirmation page (no unsubscribe needed), after which the links 404', async () => {
    const { subscriber, prefs, unsub, c } = await setup('uma@example.org');
    const p = await c.get(prefs);
    assert.match(p.body, /Delete my data/);
    const ask = await c.post(prefs, { _csrf: csrfOf(p.body), action: 'delete' });
    assert.equal(ask.statusCode, 303, 'the old button leads to the confirmation page');
    const confirmPage = await c.get(ask.headers.location as string);
    assert.match(textOf(confirmPage.body), /Delete your data\?/);
    assert.ok(await h.services.subscribers.get(subscriber.id), 'asking changes nothing');
    const gone = await c.post(`${prefs}/delete`, { _csrf: csrfOf(confirmPage.body), confirm: 'yes' });
    assert.equal(gone.statusCode, 200);
    assert.match(textOf(gone.body), /Your data is deleted/);
    assert.equal(await h.services.subscribers.get(subscriber.id), null);
    assert.equal(await h.services.subscribers.getByEmail('uma@example.org'), null);
    assert.equal((await c.get(prefs)).statusCode, 404);
    assert.equal((await c.get(unsub)).statusCode, 404);
  });
});
