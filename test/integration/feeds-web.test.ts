// The feed surfaces over the real composition (app.inject, real redis-server): a reader's personal feed holds
// exactly the papers the ledger recorded for their editions (read back by a real parser), answers 304 when
// nothing changed, is rate-limited per feed without harming normal polling, and is revoked without touching the
// email links; the editions list pages newest first; the public archive and the front page's sample exist and
// carry no personal data or capability.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { parseAtomFeed, parseJsonFeed } from 'feedsmith';
import { buildApp } from '../../src/web/app.js';
import { feedsPlugins } from '../../src/web/feeds-plugin.js';
import { editionsUrl, feedManageUrl, feedUrls } from '../../src/feeds/feed-links.js';
import { subscriberLinks } from '../../src/links/signed-links.js';
import { createLogger } from '../../src/log.js';
import type { Paper } from '../../src/papers/paper.js';
import type { Subscriber } from '../../src/subscribers/subscriber.js';
import { archiveDay } from '../helpers/archive-days.js';
import { testClock } from '../helpers/clock.js';
import { Client, csrfOf, PUBLIC_URL, startWebHarness, textOf, type WebHarness } from './web-harness.js';

const DAYS = ['2026-08-20', '2026-08-21'];
const clock = testClock('2026-08-21T15:00:00Z');

describe('feeds, editions, public archive and front page (HTTP + Redis)', () => {
  let h: WebHarness;
  let sub: Subscriber;
  const byDay = new Map<string, Paper[]>(DAYS.map((d) => [d, archiveDay(d)]));
  /** period → paper ids, as the ledger recorded them */
  const delivered = new Map<string, string[]>();

  before(async () => {
    h = await startWebHarness({ prefix: 'feeds', clock });
    for (const d of DAYS) await h.services.papers.replaceDay(d, byDay.get(d)!, { source: 'test', url: 'test' });
    ({ subscriber: sub } = await h.services.subscribers.create({ email: 'reader@example.org', status: 'active', timezone: 'UTC', topics: ['agents'] }));
    // Twelve daily editions (2026-08-10 … 2026-08-21), two papers each, recorded the way the send job records them.
    const pool = [...byDay.get('2026-08-21')!, ...byDay.get('2026-08-20')!];
    for (let i = 0; i < 12; i++) {
      const period = `2026-08-${String(10 + i).padStart(2, '0')}`;
      clock.set(`${period}T07:00:0${i % 10}Z`);
      const ids = [pool[2 * i]!.id, pool[2 * i + 1]!.id];
      assert.equal((await h.services.ledger.claim(sub.id, period, 'w1')).outcome, 'claimed');
      await h.services.ledger.markSent(sub.id, period, {
        response: '250 ok',
        messageId: `<m${i}@x>`,
        paperIds: ids,
        selection: ids.map((id) => ({ id, reasons: [{ kind: 'topic', topicId: 'agents', topicLabel: 'agents', phrase: 'agent' }] })),
      });
      delivered.set(period, ids);
    }
    clock.set('2026-08-21T15:00:00Z');
  });
  after(async () => {
    await h?.close();
  });

  const urls = () => feedUrls(PUBLIC_URL, sub, 0, h.ctx.secrets.linkSecrets);
  const get = (url: string, headers: Record<string, string> = {}) => h.app.inject({ method: 'GET', url: url.replace(PUBLIC_URL, ''), headers });

  it('serves the personal Atom feed with exactly the delivered papers, newest edition first, and their reasons', async () => {
    const res = await get(urls().atom);
    assert.equal(res.statusCode, 200);
    assert.match(String(res.headers['content-type']), /^application\/atom\+xml/);
    assert.match(String(res.headers['cache-control']), /^private, max-age=900/);
    const feed = parseAtomFeed(res.body);
    const expected = [...delivered.keys()].reverse().flatMap((p) => delivered.get(p)!);
    assert.deepEqual(feed.entries?.map((e) => e.links?.[0]?.href), expected.map((id) => `https://huggingface.co/papers/${id}`));
    // the record keeps no send instant: an edition is stamped with its scheduled one (07:00 UTC, the default)
    assert.equal(feed.updated, '2026-08-21T07:00:00.000Z');
    const content = (feed.entries?.[0]?.content as { value?: string } | undefined)?.value ?? '';
    assert.match(content, /Why:<\/strong> Agents \(“agent”\)/, 'topic labels come from the catalog');
    assert.equal(res.body.includes(sub.id), false, 'no subscriber id inside the feed');
  });

  it('serves the same papers as JSON Feed 1.1', async () => {
    const res = await get(urls().json);
    assert.equal(res.statusCode, 200);
    assert.match(String(res.headers['content-type']), /^application\/feed\+json/);
    const feed = parseJsonFeed(res.body);
    assert.equal((JSON.parse(res.body) as { version: string }).version, 'https://jsonfeed.org/version/1.1');
    assert.equal(feed.items?.length, 24);
    assert.equal(feed.feed_url, urls().json);
  });

  it('answers 304 to If-None-Match and If-Modified-Since (If-None-Match wins when both are sent)', async () => {
    const first = await get(urls().atom);
    const etag = String(first.headers.etag);
    const lastModified = String(first.headers['last-modified']);
    assert.equal(lastModified, 'Fri, 21 Aug 2026 07:00:00 GMT');
    const again = await get(urls().atom, { 'if-none-match': etag });
    assert.equal(again.statusCode, 304);
    assert.equal(again.body, '');
    assert.equal((await get(urls().atom, { 'if-modified-since': lastModified })).statusCode, 304);
    assert.equal((await get(urls().atom, { 'if-none-match': '"stale"', 'if-modified-since': lastModified })).statusCode, 200, 'If-None-Match wins');
  });

  it('rate-limits one feed without harming normal polling', async () => {
    // Normal use: three readers each polling every 5 minutes for 2 hours, with the default limit.
    const start = clock.now();
    for (let t = 0; t < 24; t++) {
      for (let r = 0; r < 3; r++) assert.notEqual((await get(urls().atom)).statusCode, 429, `poll ${t} by reader ${r}`);
      clock.advance(5 * 60_000);
    }
    clock.set(new Date(start));
    // A runaway client, against a small limit on an app of its own.
    const app = await buildApp({ log: createLogger({ level: 'silent' }), plugins: feedsPlugins(h.services, { perFeed: { limit: 3, windowMs: 60_000 } }) });
    try {
      const path = urls().json.replace(PUBLIC_URL, '');
      clock.set('2026-08-21T16:00:00Z');
      for (let i = 0; i < 3; i++) assert.equal((await app.inject({ url: path })).statusCode, 200);
      const limited = await app.inject({ url: path });
      assert.equal(limited.statusCode, 429);
      assert.ok(Number(limited.headers['retry-after']) > 0);
      clock.advance(60_000);
      assert.equal((await app.inject({ url: path })).statusCode, 200, 'the next window is open again');
    } finally {
      await app.close();
      clock.set(new Date(start));
    }
  });

  it('revokes the feed address from the preferences link: old feed URLs die, email links keep working', async () => {
    const links = subscriberLinks(PUBLIC_URL, sub, h.ctx.secrets.linkSecrets, clock());
    const manage = links.preferences.replace('/preferences/', '/feeds/');
    assert.equal(feedManageUrl(PUBLIC_URL, sub, h.ctx.secrets.linkSecrets), manage);
    const c = new Client(h.app);
    const page = await c.get(manage);
    assert.equal(page.statusCode, 200);
    assert.ok(page.body.includes(urls().atom), 'the page shows the current feed address');
    const old = urls();
    const revoked = await c.post(`${manage}/revoke`, { _csrf: csrfOf(page.body) });
    assert.equal(revoked.statusCode, 303);
    assert.match(String(revoked.headers.location), /\?revoked=1$/);
    const after1 = await c.get(String(revoked.headers.location));
    assert.match(textOf(after1.body), /Feed address changed/);
    assert.equal((await get(old.atom)).statusCode, 404);
    assert.equal((await get(old.page)).statusCode, 404);
    const fresh = feedUrls(PUBLIC_URL, sub, 1, h.ctx.secrets.linkSecrets);
    assert.ok(after1.body.includes(fresh.atom));
    assert.equal((await get(fresh.atom)).statusCode, 200);
    assert.equal((await get(links.preferences)).statusCode, 200, 'email links are untouched');
    // Without the CSRF token nothing rotates.
    const refused = await new Client(h.app, '198.51.100.9').post(`${manage}/revoke`, {});
    assert.equal(refused.statusCode, 403);
    assert.equal((await get(fresh.atom)).statusCode, 200);
    // A feed link cannot revoke (it is not the preferences capability).
    const viaFeed = await c.post(`/feeds/${fresh.atom.split('/feed/')[1]!.replace('.atom', '')}/revoke`, { _csrf: csrfOf(page.body) });
    assert.equal(viaFeed.statusCode, 404);
  });

  it('links the personal feed page and the past editions from the preferences page', async () => {
    const links = subscriberLinks(PUBLIC_URL, sub, h.ctx.secrets.linkSecrets, clock());
    const page = await new Client(h.app, '198.51.100.30').get(links.preferences);
    assert.equal(page.statusCode, 200);
    const hrefs = [...page.body.matchAll(/href="([^"]+)"/g)].map((m) => m[1]!);
    assert.ok(hrefs.includes(feedManageUrl(PUBLIC_URL, sub, h.ctx.secrets.linkSecrets).replace(PUBLIC_URL, '')), 'the feed page');
    assert.ok(hrefs.includes(editionsUrl(PUBLIC_URL, sub, h.ctx.secrets.linkSecrets).replace(PUBLIC_URL, '')), 'past editions');
  });

  it('lets a reader choose email, feed only or both (post-redirect-get), refusing anything else', async () => {
    const manage = subscriberLinks(PUBLIC_URL, sub, h.ctx.secrets.linkSecrets, clock()).preferences.replace('/preferences/', '/feeds/');
    const c = new Client(h.app, '198.51.100.20');
    const page = await c.get(manage);
    assert.match(page.body, /value="email" checked/);
    assert.equal(await h.services.feeds.deliveryModes.get(sub.id), 'email');
    const saved = await c.post(`${manage}/delivery`, { _csrf: csrfOf(page.body), delivery: 'feed' });
    assert.equal(saved.statusCode, 303);
    assert.equal(await h.services.feeds.deliveryModes.get(sub.id), 'feed');
    const shown = await c.get(String(saved.headers.location));
    assert.match(shown.body, /value="feed" checked/);
    assert.match(textOf(shown.body), /Saved: your next editions arrive the new way/);
    const bad = await c.post(`${manage}/delivery`, { _csrf: csrfOf(page.body), delivery: 'pigeon' });
    assert.equal(bad.statusCode, 400);
    assert.equal(await h.services.feeds.deliveryModes.get(sub.id), 'feed', 'a refused post changes nothing');
    await h.services.feeds.deliveryModes.set(sub.id, 'email');
  });

  it('shows the feed in the browser: every edition as cards, with a Share link to the public day', async () => {
    const fresh = feedUrls(PUBLIC_URL, sub, 1, h.ctx.secrets.linkSecrets);
    const res = await get(fresh.page);
    assert.equal(res.statusCode, 200);
    assert.equal((res.body.match(/class="pcard"/g) ?? []).length, 24);
    assert.match(res.body, /href="\/topics\/agents\/2026-08-21"/);
    assert.match(res.body, /<meta name="robots" content="noindex">/);
    assert.doesNotMatch(res.body, /og:url/, 'no canonical or Open Graph URL on a capability page');
  });

  it('lists past editions newest first, ten a page', async () => {
    const url = editionsUrl(PUBLIC_URL, sub, h.ctx.secrets.linkSecrets);
    const p1 = await get(url);
    assert.equal(p1.statusCode, 200);
    const labels = [...p1.body.matchAll(/<strong>([^<]+)<\/strong><\/a>/g)].map((m) => m[1]);
    assert.equal(labels.length, 10);
    assert.equal(labels[0], 'Friday, 21 August 2026');
    assert.equal(labels[9], 'Wednesday, 12 August 2026');
    assert.match(p1.body, /\?page(=|&#x3D;)2" rel="next"/);
    const archiveLinks = [...p1.body.matchAll(/href="(\/archive\/[A-Za-z0-9_-]+)"/g)].map((m) => m[1]!);
    assert.equal(archiveLinks.length, 10);
    assert.equal((await get(archiveLinks[0]!)).statusCode, 200, 'each edition opens its web view');
    const p2 = await get(`${url}?page=2`);
    assert.equal([...p2.body.matchAll(/<strong>([^<]+)<\/strong><\/a>/g)].length, 2);
    assert.doesNotMatch(p2.body, /rel="next"/);
    assert.equal((await get(url.replace('/editions/', '/editions/x'))).statusCode, 404);
  });

  describe('public archive', () => {
    const capabilities = () => {
      const links = subscriberLinks(PUBLIC_URL, sub, h.ctx.secrets.linkSecrets, clock());
      const tokens = [links.preferences, links.unsubscribe, links.archive('2026-08-21'), urls().atom, editionsUrl(PUBLIC_URL, sub, h.ctx.secrets.linkSecrets)].map((u) => u.split('/').pop()!.replace(/\.atom$/, ''));
      return [sub.id, sub.email, ...tokens];
    };

    it('serves topic pages, past days, /latest and feeds, cacheable, with Open Graph tags and nothing personal', async () => {
      const pages = ['/latest', '/topics', '/topics/agents', '/topics/agents/2026-08-20', '/topics/all/2026-08-21', '/topics/agents/feed.atom', '/topics/all/feed.json'];
      const secrets = capabilities();
      for (const path of pages) {
        const res = await get(path);
        assert.equal(res.statusCode, 200, path);
        assert.match(String(res.headers['cache-control']), /^public, max-age=\d+/, path);
        assert.ok(res.headers.etag, path);
        assert.equal(res.headers['set-cookie'], undefined, `${path} sets no cookie`);
        for (const s of secrets) assert.equal(res.body.includes(s), false, `${path} carries no subscriber id, email or token`);
        assert.doesNotMatch(res.body, /\/(preferences|unsubscribe|archive|feed|editions)\/[A-Za-z0-9_-]{20,}/, `${path} links no capability`);
        assert.equal((await get(path, { 'if-none-match': String(res.headers.etag) })).statusCode, 304, `${path} revalidates`);
      }
      const latest = await get('/latest');
      assert.match(latest.body, /<meta property="og:title" content="Top papers of the day · Friday, 21 August 2026">/);
      assert.match(latest.body, /<meta property="og:url" content="http:\/\/digest\.test\/latest">/);
      assert.match(latest.body, /<link rel="alternate" type="application\/atom\+xml"/);
      assert.equal((latest.body.match(/class="pcard"/g) ?? []).length, 10);
      const topic = await get('/topics/agents/2026-08-20');
      assert.match(topic.body, /<link rel="canonical" href="http:\/\/digest\.test\/topics\/agents\/2026-08-20">/);
      assert.match(topic.body, /rel="next"/, 'links the newer day');
      const feed = parseAtomFeed((await get('/topics/agents/feed.atom')).body);
      assert.ok((feed.entries?.length ?? 0) > 0);
      assert.ok(feed.entries!.every((e) => /^tag:digest\.test,2026:topic\/agents\//.test(e.id ?? '')));
    });

    it('answers 404 for unknown topics and days', async () => {
      for (const path of ['/topics/nope', '/topics/agents/2026-13-45', '/topics/agents/2026-08-15', '/topics/nope/feed.atom']) {
        assert.equal((await get(path)).statusCode, 404, path);
      }
    });
  });

  it('shows a sample of the latest public top five on the front page, linking to the archive', async () => {
    const res = await get('/');
    assert.equal(res.statusCode, 200);
    assert.match(textOf(res.body), /What you get: a sample/);
    const sample = res.body.slice(res.body.indexOf('sample-heading'));
    assert.equal((sample.match(/class="pcard"/g) ?? []).length, 5);
    const top = byDay.get('2026-08-21')!.slice().sort((a, b) => b.upvotes - a.upvotes)[0]!;
    assert.ok(sample.includes(`https://huggingface.co/papers/${top.id}`), 'the most upvoted paper of the newest day leads');
    assert.match(sample, /href="\/topics\/all\/2026-08-21"/);
  });
});
