// Scrape → Redis against a real redis-server and the loopback HF server: papers stored and ranked, freshness and
// the scrape log kept, 304 and quiet days confirmed without rewriting, and every kind of bad input raising
// ScrapeLayoutError (alert event + metric) while leaving the stored papers exactly as they were.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { Redis } from 'ioredis';
import { createLogger } from '../../src/log.js';
import { createMetrics } from '../../src/metrics/metrics.js';
import type { Paper } from '../../src/papers/paper.js';
import { PaperStore } from '../../src/papers/store.js';
import { makeKeys } from '../../src/redis/keys.js';
import { ScrapeLayoutError } from '../../src/scrape/errors.js';
import { RedisEtagCache } from '../../src/scrape/etag-cache.js';
import { HttpClient } from '../../src/scrape/http.js';
import { scrapeListing, type ScrapeDeps } from '../../src/scrape/scrape.js';
import { ApiSource, PageSource } from '../../src/scrape/sources.js';
import { testClock } from '../helpers/clock.js';
import { FIXTURES, readFixture } from '../helpers/fixtures.js';
import { startHfServer, type HfServer } from '../helpers/hf-server.js';
import { startRedis, type TestRedis } from '../helpers/redis-server.js';

let server: TestRedis;
let redis: Redis;
let hf: HfServer;
const keys = makeKeys('t-scrape-store');
const clock = testClock('2026-09-28T12:00:00Z');
const lines: Record<string, unknown>[] = [];
const log = createLogger(
  { level: 'info' },
  new Writable({
    write(chunk, _enc, cb) {
      lines.push(JSON.parse(String(chunk)) as Record<string, unknown>);
      cb();
    },
  }),
);
const metrics = createMetrics();
let store: PaperStore;
let deps: ScrapeDeps;

before(async () => {
  server = await startRedis();
  redis = new Redis(server.url);
  hf = await startHfServer();
  store = new PaperStore(redis, keys, clock);
  const http = new HttpClient({ userAgent: 'papers-digest/test', retries: 0, timeoutMs: 2_000, sleep: async () => {} });
  const cache = new RedisEtagCache(redis, keys);
  deps = { source: new PageSource(http, cache, hf.url), store, cache, log, metrics, clock };
});
after(async () => {
  await redis.quit();
  await hf.close();
  await server.stop();
});

/** Everything under our prefix except the scrape log and HTTP cache, which failures are allowed to touch. */
async function snapshot(): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const k of (await redis.keys(`${keys.prefix}:*`)).sort()) {
    if (k === keys.scrapeLog || k.includes(':http:')) continue;
    out[k] = String(await redis.dump(k));
  }
  return out;
}

const alerts = async () => (await metrics.alerts.get()).values.find((v) => v.labels.event === 'scrape.layout_changed')?.value ?? 0;

describe('scrape into Redis', () => {
  it('stores the 28 papers of the day, ranked by upvotes, with freshness and a log entry', async () => {
    const out = await scrapeListing(deps, { day: '2026-09-28', today: '2026-09-28' });
    assert.equal(out.status, 'ok');
    assert.equal(out.stored, 28);
    assert.equal(out.added, 28);
    const day = await store.getDay('2026-09-28');
    assert.equal(day.length, 28);
    assert.equal(day[0]!.id, '2609.31620');
    assert.equal(day[0]!.upvotes, 110);
    const ups = day.map((p) => p.upvotes);
    assert.deepEqual(ups, [...ups].sort((a, b) => b - a));
    assert.equal((await store.get('2609.31620'))!.organization?.name, 'USC-PSI-Lab');
    assert.equal((await store.lastSuccessfulScrape())!.toISOString(), '2026-09-28T12:00:00.000Z');
    assert.equal((await store.lastScrapeOfDay('2026-09-28'))!.toISOString(), '2026-09-28T12:00:00.000Z');
    const [entry] = await store.recentScrapes(5);
    assert.deepEqual({ ...entry, url: undefined }, { at: '2026-09-28T12:00:00.000Z', source: 'page', url: undefined, day: '2026-09-28', listed: ['2026-09-28'], papers: 28, status: 'ok' });
    assert.ok(await redis.exists(keys.httpCache(`${hf.url}/papers/date/2026-09-28`)), 'ETag cached after storing');
  });

  it('304 rewrites nothing but refreshes the day’s freshness', async () => {
    const before = await snapshot();
    clock.advance(30 * 60_000);
    const out = await scrapeListing(deps, { day: '2026-09-28', today: '2026-09-28' });
    assert.equal(out.status, 'not-modified');
    assert.equal(hf.requests.at(-1)!.headers['if-none-match'] !== undefined, true);
    const afterSnap = await snapshot();
    for (const k of Object.keys(before)) if (!k.endsWith(':scrape:days') && !k.endsWith(':scrape:last-ok')) assert.equal(afterSnap[k], before[k], `${k} untouched`);
    assert.equal((await store.lastScrapeOfDay('2026-09-28'))!.toISOString(), '2026-09-28T12:30:00.000Z');
    assert.equal((await store.lastSuccessfulScrape())!.toISOString(), '2026-09-28T12:30:00.000Z');
    assert.equal((await store.recentScrapes(1))[0]!.status, 'not-modified');
  });

  it('a changed page refreshes upvotes and re-ranks the day', async () => {
    const page = readFixture(FIXTURES.page).replace('&quot;upvotes&quot;:110', '&quot;upvotes&quot;:1');
    hf.route('/papers/date/2026-09-28', page);
    const out = await scrapeListing(deps, { day: '2026-09-28', today: '2026-09-28' });
    assert.equal(out.added, 0);
    assert.equal((await store.get('2609.31620'))!.upvotes, 1);
    const day = await store.getDay('2026-09-28');
    assert.equal(day[0]!.id, '2609.18703');
    assert.notEqual(day.findIndex((p) => p.id === '2609.31620'), 0);
  });

  const bad: [string, string][] = [
    ['empty body', ''],
    ['truncated HTML', readFixture(FIXTURES.page).slice(0, 100_000)],
    ['login page', '<html><head><title>Log In - Hugging Face</title></head><body><form action="/login"><input name="username"></form></body></html>'],
    ['error page', '<html><head><title>Hugging Face – 500</title></head><body><h1>500</h1></body></html>'],
    ['JSON of the wrong shape', '{"error":"Sorry, we are down"}'],
    ['props holding entries without ids', `<html><body><div data-target="DailyPapers" data-props="{&quot;dateString&quot;:&quot;2026-09-28&quot;,&quot;dailyPapers&quot;:[{&quot;x&quot;:1}]}"></div></body></html>`],
  ];
  for (const [name, body] of bad) {
    it(`bad input (${name}): ScrapeLayoutError, alert raised, stored papers untouched`, async () => {
      const before = await snapshot();
      const alertsBefore = await alerts();
      hf.route('/papers/date/2026-09-28', body);
      lines.length = 0;
      await assert.rejects(scrapeListing(deps, { day: '2026-09-28', today: '2026-09-28' }), (err: unknown) => {
        assert.ok(err instanceof ScrapeLayoutError);
        assert.match(err.message, /\/papers\/date\/2026-09-28/);
        return true;
      });
      assert.deepEqual(await snapshot(), before);
      assert.equal(await alerts(), alertsBefore + 1);
      assert.ok(lines.some((l) => l.event === 'scrape.layout_changed' && l.level === 50), 'alertable log event');
      const [entry] = await store.recentScrapes(1);
      assert.equal(entry!.status, 'failed');
      assert.match(entry!.error!, /layout not recognized/);
    });
  }

  it('hostile text is stored as plain, cleaned text (not an error)', async () => {
    const hostile = JSON.stringify([{ paper: { id: '2609.66666v1', title: '<img src=x onerror=alert(1)>\u0000 Ti&amp;tle', upvotes: 3, submittedOnDailyAt: '2026-09-25T00:00:00Z' } }]);
    hf.route('/api/daily_papers?date=2026-09-25&limit=100&p=0', hostile);
    const api = new ApiSource(new HttpClient({ userAgent: 'papers-digest/test', retries: 0 }), null, hf.url);
    const out = await scrapeListing({ ...deps, source: api }, { day: '2026-09-25', today: '2026-09-28' });
    assert.equal(out.status, 'ok');
    assert.equal((await store.get('2609.66666'))!.title, '<img src=x onerror=alert(1)> Ti&tle');
  });

  it('an answer for another day than the one asked for is stored under its own day, with a warning', async () => {
    hf.route('/api/daily_papers?date=2026-09-23&limit=100&p=0', JSON.stringify([{ paper: { id: '2609.55555', title: 'Elsewhere', upvotes: 1, submittedOnDailyAt: '2026-09-22T00:00:00Z' } }]));
    hf.route('/api/daily_papers?date=2026-09-23&limit=100&p=1', '[]');
    const api = new ApiSource(new HttpClient({ userAgent: 'papers-digest/test', retries: 0 }), null, hf.url);
    const out = await scrapeListing({ ...deps, source: api }, { day: '2026-09-23', today: '2026-09-28' });
    assert.deepEqual(out.warnings, ['asked for 2026-09-23, but the 1 papers are listed on 2026-09-22']);
    assert.deepEqual((await store.getDay('2026-09-22')).map((p) => p.id), ['2609.55555']);
    assert.equal(await redis.exists(keys.papersByDay('2026-09-23')), 0);
  });

  it('a quiet day from the API ([] for a Sunday) writes no papers but counts as confirmed', async () => {
    hf.route('/api/daily_papers?date=2026-09-27&limit=100&p=0', '[]');
    const api = new ApiSource(new HttpClient({ userAgent: 'papers-digest/test', retries: 0 }), null, hf.url);
    const before = await snapshot();
    clock.advance(60_000);
    const out = await scrapeListing({ ...deps, source: api }, { day: '2026-09-27', today: '2026-09-28' });
    assert.equal(out.status, 'empty');
    assert.equal(await redis.exists(keys.papersByDay('2026-09-27')), 0);
    assert.equal((await store.lastScrapeOfDay('2026-09-27'))!.toISOString(), clock().toISOString());
    const afterSnap = await snapshot();
    for (const k of Object.keys(before)) if (!k.endsWith(':scrape:days') && !k.endsWith(':scrape:last-ok')) assert.equal(afterSnap[k], before[k]);
  });

  it('an empty page for a past weekday is a layout error; for a Saturday it is a quiet day', async () => {
    const empty = (d: string) => `<html><body><div data-target="DailyPapers" data-props="{&quot;dateString&quot;:&quot;${d}&quot;,&quot;dailyPapers&quot;:[]}"></div></body></html>`;
    hf.route('/papers/date/2026-09-24', empty('2026-09-24'));
    await assert.rejects(scrapeListing(deps, { day: '2026-09-24', today: '2026-09-28' }), /2026-09-24 \(a past weekday\) holds no papers/);
    hf.route('/papers/date/2026-09-26', empty('2026-09-26'));
    const out = await scrapeListing(deps, { day: '2026-09-26', today: '2026-09-28' });
    assert.equal(out.status, 'empty');
  });

  it('listedSince returns every paper listed on or after a day, each once', async () => {
    const papers = await store.listedSince('2026-09-25');
    assert.equal(papers.length, 29);
    assert.equal(new Set(papers.map((p) => p.id)).size, 29);
    assert.equal((await store.listedSince('2026-09-26')).length, 28);
    assert.equal((await store.listedSince('2026-09-29')).length, 0);
  });

  it('week/month listings merge into days, never shrinking them', async () => {
    const [a, b] = (await store.getDay('2026-09-28')).slice(0, 2) as [Paper, Paper];
    await store.replaceDays(new Map([['2026-09-28', [{ ...a, upvotes: 999 }]]]), { source: 'page', url: 'week' }, null, { rebuild: false });
    const day = await store.getDay('2026-09-28');
    assert.equal(day.length, 28, 'merged, not replaced');
    assert.equal(day[0]!.id, a.id);
    assert.equal(day[0]!.upvotes, 999);
    assert.ok(day.some((p) => p.id === b.id));
  });

  it('a listing read only in part (cards without the JSON, or records dropped) refreshes papers but never shrinks the day', async () => {
    const card = (id: string, title: string, up: number) =>
      `<article><h3><a href="/papers/${id}">${title}</a></h3><div role="checkbox"><input type="checkbox"><div>${up}</div></div></article>`;
    const [a, b] = (await store.getDay('2026-09-28')) as [Paper, Paper];
    // A page whose JSON is gone and that shows only some of the day (a changed layout, a "trending" strip): 2 cards.
    hf.route('/papers/date/2026-09-28', `<!doctype html><html><body><main>${card(a.id, a.title, 5000)}${card('2609.77777', 'New one', 1)}</main></body></html>`);
    const out = await scrapeListing(deps, { day: '2026-09-28', today: '2026-09-28' });
    assert.equal(out.status, 'ok');
    assert.equal(out.stored, 2);
    let day = await store.getDay('2026-09-28');
    assert.equal(day.length, 29, 'the 28 stay, the new one is added');
    assert.deepEqual([day[0]!.id, day[0]!.upvotes], [a.id, 5000], 'upvotes refreshed');
    // JSON whose records mostly fail to normalize (an older entry shape): the readable one is stored, the day kept.
    const props = JSON.stringify({ dateString: '2026-09-28', dailyPapers: [{ paper: { id: b.id, title: b.title, upvotes: 6000 } }, { paper: { arxivId: '2609.88888' } }] });
    hf.route('/papers/date/2026-09-28', `<html><body><div data-target="DailyPapers" data-props="${props.replace(/"/g, '&quot;')}"></div></body></html>`);
    const out2 = await scrapeListing(deps, { day: '2026-09-28', today: '2026-09-28' });
    assert.equal(out2.rejected, 1);
    day = await store.getDay('2026-09-28');
    assert.equal(day.length, 29);
    assert.deepEqual([day[0]!.id, day[0]!.upvotes], [b.id, 6000]);
    assert.ok(lines.some((l) => l.msg === 'scrape: listing read in part; merged into its days instead of replacing them'));
  });

  it('the latest listing (no day asked) and an API cut off at its page cap merge into their days, never shrink them', async () => {
    const before = (await store.getDay('2026-09-28')).length;
    assert.ok(before >= 28);
    const one = (id: string) => JSON.stringify([{ paper: { id, title: `Latest ${id}`, upvotes: 2, submittedOnDailyAt: '2026-09-28T00:00:00Z' } }]);
    hf.route('/api/daily_papers?limit=100&p=0', one('2609.44441'));
    hf.route('/api/daily_papers?limit=100&p=1', '[]');
    const api = new ApiSource(new HttpClient({ userAgent: 'papers-digest/test', retries: 0 }), null, hf.url);
    await scrapeListing({ ...deps, source: api }, { today: '2026-09-28' });
    assert.equal((await store.getDay('2026-09-28')).length, before + 1, 'the latest listing adds, never replaces');

    hf.route('/api/daily_papers?date=2026-09-28&limit=100&p=0', one('2609.44442'));
    hf.route('/api/daily_papers?date=2026-09-28&limit=100&p=1', one('2609.44443'));
    const capped = new ApiSource(new HttpClient({ userAgent: 'papers-digest/test', retries: 0 }), null, hf.url, { maxPages: 1 });
    const out = await scrapeListing({ ...deps, source: capped }, { day: '2026-09-28', today: '2026-09-28' });
    assert.ok(out.warnings.some((w) => /stopped after 1 pages/.test(w)));
    assert.equal((await store.getDay('2026-09-28')).length, before + 2, 'a listing cut at the page cap adds, never replaces');
  });

  it('dry run (no store) writes nothing at all', async () => {
    hf.route('/papers/date/2026-09-28', readFixture(FIXTURES.page));
    const before = JSON.stringify(await snapshot()) + (await redis.llen(keys.scrapeLog));
    const out = await scrapeListing({ ...deps, store: null, cache: null }, { day: '2026-09-28', today: '2026-09-28' });
    assert.equal(out.papers.length, 28);
    assert.equal(out.stored, 0);
    assert.equal(JSON.stringify(await snapshot()) + (await redis.llen(keys.scrapeLog)), before);
  });
});
