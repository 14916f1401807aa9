// Hostile and broken listings against a real redis-server (issue 11): a refresh never moves a stored paper out of
// the day it was listed on (a listing repeating today's ids under 1999-01-01 hid them from every digest), a
// listing with far more papers than any real day is refused with nothing stored, and a day that would shrink
// sharply is merged into instead of rebuilt — each raising scrape.layout_changed, each with the operator's override.
import { after, before, beforeEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Redis } from 'ioredis';
import { silentLogger } from '../../src/log.js';
import { createMetrics } from '../../src/metrics/metrics.js';
import type { Paper } from '../../src/papers/paper.js';
import { PaperStore } from '../../src/papers/store.js';
import { makeKeys } from '../../src/redis/keys.js';
import { ScrapeLayoutError } from '../../src/scrape/errors.js';
import type { ParsedListing } from '../../src/scrape/listing.js';
import { scrapeListing, type ScrapeDeps } from '../../src/scrape/scrape.js';
import type { ListingSource } from '../../src/scrape/sources.js';
import { testClock } from '../helpers/clock.js';
import { startRedis, type TestRedis } from '../helpers/redis-server.js';

const TODAY = '2026-09-28';
let server: TestRedis;
let redis: Redis;
let store: PaperStore;
let n = 0;
const clock = testClock(`${TODAY}T12:00:00Z`);

function paper(id: string, listedOn: string, upvotes = 10): Paper {
  return {
    id, title: `Paper ${id}`, summary: 'A study.', authors: ['Ada Lovelace'], publishedAt: null, listedOn, upvotes, comments: 0,
    url: `https://huggingface.co/papers/${id}`, arxivUrl: `https://arxiv.org/abs/${id}`, githubRepo: null, githubStars: null,
    projectPage: null, organization: null, thumbnail: null, keywords: [], aiSummary: null,
  };
}

function sourceOf(papers: Paper[]): ListingSource {
  const listing: ParsedListing = { source: 'api', via: 'api', papers, pageDay: null, periodType: null, rejected: [], warnings: [] };
  return { name: 'api', fetchListing: async () => ({ kind: 'listing', url: 'http://hf.test/api/daily_papers', listing, cacheWrites: [] }) };
}

const ids = (count: number, base = 0) => Array.from({ length: count }, (_, i) => `2609.${String(10000 + base + i)}`);
const metrics = createMetrics();
const alerts = async () => (await metrics.alerts.get()).values.find((v) => v.labels.event === 'scrape.layout_changed')?.value ?? 0;

function deps(papers: Paper[], extra: Partial<ScrapeDeps> = {}): ScrapeDeps {
  return { source: sourceOf(papers), store, cache: null, log: silentLogger(), metrics, clock, ...extra };
}

before(async () => {
  server = await startRedis();
  redis = new Redis(server.url);
});
beforeEach(() => {
  store = new PaperStore(redis, makeKeys(`t-scrape-trust-${++n}`), clock);
});
after(async () => {
  await redis.quit();
  await server.stop();
});

describe('a refresh never moves a stored paper out of its day', () => {
  it('keeps today\'s 30 papers on today when a latest listing repeats them under 1999-01-01', async () => {
    const today = ids(30).map((id, i) => paper(id, TODAY, 100 - i));
    await scrapeListing(deps(today), { day: TODAY, today: TODAY });
    const hostile = ids(30).map((id) => paper(id, '1999-01-01', 500));
    await scrapeListing(deps(hostile), { day: null, today: TODAY });
    const day = await store.getDay(TODAY);
    assert.equal(day.length, 30);
    assert.ok(day.every((p) => p.listedOn === TODAY), 'every paper still says it is listed today (selection filters on it)');
    assert.equal(day[0]!.upvotes, 500, 'the other fields are refreshed');
    assert.deepEqual(await store.getDay('1999-01-01'), []);
    assert.deepEqual(await store.daysSince('1990-01-01'), [TODAY]);
    const since = await store.listedSince(TODAY);
    assert.equal(since.length, 30);
  });

  it('a rebuild of another day does not shrink the day a paper was kept on', async () => {
    const yesterday = '2026-09-27';
    await scrapeListing(deps(ids(10).map((id) => paper(id, yesterday))), { day: yesterday, today: TODAY });
    // Today's listing repeats two of yesterday's papers (HF re-lists some papers): today lists them too, and
    // yesterday still lists all ten.
    const todays = [...ids(2).map((id) => paper(id, TODAY)), ...ids(5, 100).map((id) => paper(id, TODAY))];
    await scrapeListing(deps(todays), { day: TODAY, today: TODAY });
    assert.equal((await store.getDay(yesterday)).length, 10);
    assert.deepEqual((await store.getDay(TODAY)).map((p) => p.id).sort(), [...ids(2), ...ids(5, 100)].sort());
    // A rebuild of yesterday under an earlier date for the same ids moves nothing back.
    await scrapeListing(deps(ids(2).map((id) => paper(id, '2026-09-01'))), { day: '2026-09-01', today: TODAY });
    assert.deepEqual((await store.getDay(TODAY)).map((p) => p.id).sort(), [...ids(2), ...ids(5, 100)].sort());
  });
});

describe('implausible listings', () => {
  it('refuses 50,000 stubs for one day: nothing stored, layout_changed raised', async () => {
    await scrapeListing(deps(ids(30).map((id) => paper(id, TODAY))), { day: TODAY, today: TODAY });
    const before = await alerts();
    const stubs = Array.from({ length: 50_000 }, (_, i) => paper(`stub.${i}`, TODAY, 0));
    await assert.rejects(scrapeListing(deps(stubs), { day: TODAY, today: TODAY }), (err: unknown) => {
      assert.ok(err instanceof ScrapeLayoutError);
      assert.match(err.message, /50000 papers for 2026-09-28.*--accept-listing/);
      return true;
    });
    assert.equal(await store.countDay(TODAY), 30);
    assert.equal(await store.get('stub.1'), null);
    assert.equal(await alerts(), before + 1);
  });

  it('stores an oversized listing when the operator accepts it, or under a raised limit', async () => {
    const big = Array.from({ length: 200 }, (_, i) => paper(`big.${i}`, TODAY, 1));
    await assert.rejects(scrapeListing(deps(big), { day: TODAY, today: TODAY }), ScrapeLayoutError);
    const out = await scrapeListing(deps(big, { limits: { maxPapersPerDay: 150, accept: true } }), { day: TODAY, today: TODAY });
    assert.equal(out.stored, 200);
    assert.equal(await store.countDay(TODAY), 200);
    const raised = await scrapeListing(deps(big, { limits: { maxPapersPerDay: 500 } }), { day: TODAY, today: TODAY });
    assert.equal(raised.stored, 200);
  });

  it('a one-entry listing for today does not shrink the day to one paper; alert; accepted on override', async () => {
    const thirty = ids(30).map((id) => paper(id, TODAY));
    await scrapeListing(deps(thirty), { day: TODAY, today: TODAY });
    const before = await alerts();
    const out = await scrapeListing(deps([paper(ids(1)[0]!, TODAY, 99)]), { day: TODAY, today: TODAY });
    assert.equal(await store.countDay(TODAY), 30);
    assert.match(out.warnings.join('\n'), /holds 1 papers where 30 are stored/);
    assert.equal(await alerts(), before + 1);
    assert.equal((await store.get(ids(1)[0]!))!.upvotes, 99, 'still refreshed');
    // A normal small change (30 → 28) rebuilds as before.
    await scrapeListing(deps(thirty.slice(0, 28)), { day: TODAY, today: TODAY });
    assert.equal(await store.countDay(TODAY), 28);
    await scrapeListing(deps([paper(ids(1)[0]!, TODAY)], { limits: { maxPapersPerDay: 150, accept: true } }), { day: TODAY, today: TODAY });
    assert.equal(await store.countDay(TODAY), 1);
  });
});
