// Papers older than the longest selection window plus the archive's 30 days are pruned with their day indexes,
// against a real redis-server and an injected clock: papers re-listed on a kept day stay, a paper a scrape re-listed
// meanwhile stays, the prune is idempotent and safe to run on two workers at once; the tick queue's worker runs it.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { createContext } from '../../src/context.js';
import { PAPERS_KEEP_DAYS, startTickScheduler } from '../../src/digest/tick-scheduler.js';
import { silentLogger } from '../../src/log.js';
import { PRUNE_JOB } from '../../src/queue/catalog.js';
import { SubscriberStore } from '../../src/subscribers/store.js';
import { waitFor } from '../helpers/wait.js';
import type { Paper } from '../../src/papers/paper.js';
import { PaperStore } from '../../src/papers/store.js';
import { makeKeys } from '../../src/redis/keys.js';
import { testClock } from '../helpers/clock.js';
import { startRedis, type TestRedis } from '../helpers/redis-server.js';

function paper(id: string, day: string, upvotes = 10): Paper {
  return {
    id, title: `Paper ${id}`, summary: 'We study transformers.', authors: ['A. Author'], publishedAt: `${day}T00:00:00.000Z`, listedOn: day, upvotes,
    comments: 0, url: `https://huggingface.co/papers/${id}`, arxivUrl: `https://arxiv.org/abs/${id}`, githubRepo: null, githubStars: null,
    projectPage: null, organization: null, thumbnail: null, keywords: [], aiSummary: null,
  };
}

const meta = { source: 'file', url: 'file://test' };

describe('papers prune (real redis-server, injected clock)', () => {
  let server: TestRedis;
  let redis: Redis;

  before(async () => {
    server = await startRedis();
    redis = new Redis(server.url);
  });
  after(async () => {
    redis.disconnect();
    await server.stop();
  });

  it('keeps the longest window plus 30 days of archive', () => {
    assert.ok(PAPERS_KEEP_DAYS >= 14 + 30, `${PAPERS_KEEP_DAYS}`);
  });

  it('drops old days, their index entries and the papers no kept day lists; keeps re-listed papers; idempotent', async () => {
    const keys = makeKeys(`t-prune-${randomBytes(4).toString('hex')}`);
    const clock = testClock('2026-06-01T12:00:00Z');
    const store = new PaperStore(redis, keys, clock);
    await store.replaceDay('2026-06-01', [paper('2606.00001', '2026-06-01'), paper('2606.00002', '2026-06-01')], meta);
    await store.replaceDay('2026-06-15', [paper('2606.00003', '2026-06-15'), paper('2606.00004', '2026-06-15')], meta);
    await store.replaceDay('2026-07-10', [paper('2607.00001', '2026-07-10')], meta);
    await store.replaceDay('2026-07-19', [paper('2607.00002', '2026-07-19')], meta);
    // 2606.00004 is listed again later (HF re-lists some papers): the later listing keeps it
    await store.replaceDay('2026-08-30', [paper('2606.00004', '2026-08-30'), paper('2608.00001', '2026-08-30')], meta);

    clock.set('2026-09-01T10:00:00Z');
    // first kept day: 2026-09-01 − 44 days − 1 (zones either side of UTC) = 2026-07-18
    const r = await store.prune(44);
    assert.deepEqual(r, { days: 3, papers: 4, firstKeptDay: '2026-07-18' });
    assert.deepEqual(await store.daysSince('2000-01-01'), ['2026-07-19', '2026-08-30']);
    for (const day of ['2026-06-01', '2026-06-15', '2026-07-10']) {
      assert.equal(await redis.exists(keys.papersByDay(day)), 0, `${day} index gone`);
      assert.equal(await redis.hexists(keys.scrapeDays, day), 0, `${day} scrape stamp gone`);
    }
    for (const id of ['2606.00001', '2606.00002', '2606.00003', '2607.00001']) assert.equal(await store.get(id), null, `${id} pruned`);
    for (const id of ['2606.00004', '2607.00002', '2608.00001']) assert.ok(await store.get(id), `${id} kept`);
    assert.deepEqual((await store.listedSince('2026-07-01')).map((p) => p.id).sort(), ['2606.00004', '2607.00002', '2608.00001']);

    // again, and on two workers at once: nothing more to do, nothing kept is lost
    const [a, b] = await Promise.all([store.prune(44), new PaperStore(redis, keys, clock).prune(44)]);
    assert.deepEqual([a.days, a.papers, b.days, b.papers], [0, 0, 0, 0]);
    assert.equal((await store.listedSince('2000-01-01')).length, 3);
  });

  it('keeps a paper whose stored listing day is recent even when no kept day read by the prune lists it', async () => {
    const keys = makeKeys(`t-prune-${randomBytes(4).toString('hex')}`);
    const clock = testClock('2026-06-01T12:00:00Z');
    const store = new PaperStore(redis, keys, clock);
    await store.replaceDay('2026-06-01', [paper('2606.00009', '2026-06-01')], meta);
    // as if a scrape had just re-listed it on a day the prune had not seen yet
    await redis.hset(keys.paper('2606.00009'), 'json', JSON.stringify(paper('2606.00009', '2026-09-01')));
    clock.set('2026-09-01T10:00:00Z');
    const r = await store.prune(PAPERS_KEEP_DAYS);
    assert.deepEqual({ days: r.days, papers: r.papers }, { days: 1, papers: 0 });
    assert.ok(await store.get('2606.00009'));
    assert.equal(await redis.exists(keys.papersByDay('2026-06-01')), 0);
  });

  it('the tick queue carries a daily prune job scheduler, and its worker runs the prune', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'pd-prune-'));
    const clock = testClock('2026-06-01T12:00:00Z');
    const ctx = await createContext({
      env: { REDIS_URL: server.url, REDIS_PREFIX: `t-prune-${randomBytes(4).toString('hex')}`, DATA_DIR: dataDir, PUBLIC_URL: 'https://digest.example.org' },
      log: silentLogger(),
      manageRedis: false,
      clock,
    });
    const papers = new PaperStore(ctx.redis, ctx.keys, clock);
    const ticker = await startTickScheduler({ ctx, subscribers: new SubscriberStore(ctx.redis, ctx.keys, clock), papers });
    try {
      await papers.replaceDay('2026-06-01', [paper('2606.00011', '2026-06-01')], meta);
      const scheduler = await ticker.tickQueue.getJobScheduler(PRUNE_JOB.schedulerId);
      assert.equal(scheduler?.pattern, PRUNE_JOB.pattern);
      clock.set('2026-09-01T10:00:00Z');
      await ticker.tickQueue.add(PRUNE_JOB.name, {}, { removeOnComplete: true });
      await waitFor(async () => (await ctx.redis.exists(ctx.keys.papersByDay('2026-06-01'))) === 0, { message: 'the worker pruned the old day' });
      assert.equal(await papers.get('2606.00011'), null);
    } finally {
      await ticker.stop();
      await ctx.close();
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
