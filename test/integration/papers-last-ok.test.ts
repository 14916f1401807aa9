// PaperStore.lastSuccessfulScrape: every send job asks, dozens at once, so concurrent callers share reads — but
// a caller never gets the answer of a read sent before it called (that read may predate a scrape it knows of).
// Against a real redis-server, counting the GETs it executes.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Redis } from 'ioredis';
import { PaperStore } from '../../src/papers/store.js';
import { makeKeys } from '../../src/redis/keys.js';
import { testClock } from '../helpers/clock.js';
import { startRedis, type TestRedis } from '../helpers/redis-server.js';

async function getCalls(redis: Redis): Promise<number> {
  const info = await redis.info('commandstats');
  return Number(/cmdstat_get:calls=(\d+)/.exec(info)?.[1] ?? 0);
}

describe('last successful scrape: shared reads (real redis-server)', () => {
  let server: TestRedis;
  let redis: Redis;
  let admin: Redis;

  before(async () => {
    server = await startRedis();
    redis = new Redis(server.url);
    admin = new Redis(server.url);
  });
  after(async () => {
    redis.disconnect();
    admin.disconnect();
    await server.stop();
  });

  it('fifty callers at once cost at most two reads, and each gets the stored instant', async () => {
    const keys = makeKeys('lastok1');
    const store = new PaperStore(redis, keys, testClock('2026-12-01T08:00:00Z'));
    await admin.set(keys.scrapeLastOk, '2026-12-01T07:00:00.000Z');
    const before = await getCalls(admin);
    const all = await Promise.all(Array.from({ length: 50 }, () => store.lastSuccessfulScrape()));
    const reads = (await getCalls(admin)) - before;
    assert.ok(reads >= 1 && reads <= 2, `${reads} GETs for 50 concurrent callers`);
    for (const d of all) assert.equal(d?.toISOString(), '2026-12-01T07:00:00.000Z');
    assert.equal(await store.lastSuccessfulScrape().then((d) => d?.toISOString()), '2026-12-01T07:00:00.000Z', 'a later caller reads again');
  });

  it('a caller never shares a read sent before it called: a scrape it knows of is always seen', async () => {
    const keys = makeKeys('lastok2');
    const store = new PaperStore(redis, keys, testClock('2026-12-01T08:00:00Z'));
    await redis.set(keys.scrapeLastOk, '2026-12-01T07:00:00.000Z');
    // On one connection, in this order: A's read, the scrape's write, B's read (if B sent one of its own).
    const a = store.lastSuccessfulScrape();
    const written = redis.set(keys.scrapeLastOk, '2026-12-01T07:30:00.000Z');
    const b = store.lastSuccessfulScrape();
    await written;
    assert.equal((await a)?.toISOString(), '2026-12-01T07:00:00.000Z', 'A read before the write');
    assert.equal((await b)?.toISOString(), '2026-12-01T07:30:00.000Z', 'B, called after the write was sent, sees it');
  });

  it('a failed read fails its callers only; the next caller reads again', async () => {
    const keys = makeKeys('lastok3');
    const store = new PaperStore(redis, keys, testClock('2026-12-01T08:00:00Z'));
    await admin.hset(keys.scrapeLastOk, 'not', 'a string'); // GET answers WRONGTYPE
    const [a, b] = await Promise.allSettled([store.lastSuccessfulScrape(), store.lastSuccessfulScrape()]);
    assert.equal(a.status, 'rejected');
    assert.equal(b.status, 'rejected', 'the caller waiting for the next read gets its error too');
    await admin.del(keys.scrapeLastOk);
    await admin.set(keys.scrapeLastOk, '2026-12-01T06:00:00.000Z');
    assert.equal((await store.lastSuccessfulScrape())?.toISOString(), '2026-12-01T06:00:00.000Z');
  });
});
