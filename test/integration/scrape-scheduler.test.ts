// The scrape queue end to end (real redis-server, real BullMQ, loopback HF server): the job scheduler exists
// with the default pattern and follows the setting live; a job stores the day's papers (JSON API first, the
// listing page when the API's answer is unusable); a layout error fails the job with its reason, without
// retries; scrapingPaused skips scheduled runs.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { createContext, type Context } from '../../src/context.js';
import { silentLogger } from '../../src/log.js';
import { createMetrics } from '../../src/metrics/metrics.js';
import { PaperStore } from '../../src/papers/store.js';
import { SCRAPE_SCHEDULER_ID } from '../../src/queue/catalog.js';
import { catchUpScrape, scrapeDates, startScrapeScheduler, type ScrapeScheduler } from '../../src/scrape/job.js';
import { DEFAULT_SETTINGS } from '../../src/settings/schema.js';
import { testClock } from '../helpers/clock.js';
import { startHfServer, type HfServer } from '../helpers/hf-server.js';
import { startRedis, type TestRedis } from '../helpers/redis-server.js';
import { waitFor } from '../helpers/wait.js';

describe('scrape job scheduler and worker', () => {
  let server: TestRedis;
  let hf: HfServer;
  let ctx: Context;
  let sched: ScrapeScheduler;
  let papers: PaperStore;
  const metrics = createMetrics();
  const dataDir = mkdtempSync(join(tmpdir(), 'pd-scrape-sched-'));

  before(async () => {
    server = await startRedis();
    hf = await startHfServer();
    ctx = await createContext({
      env: { REDIS_URL: server.url, REDIS_PREFIX: `t-scrape-${randomBytes(4).toString('hex')}`, DATA_DIR: dataDir, HF_BASE_URL: hf.url, PUBLIC_URL: 'https://digest.example.org' },
      log: silentLogger(),
      clock: testClock('2026-09-28T12:00:00Z'),
      manageRedis: false,
    });
    papers = new PaperStore(ctx.redis, ctx.keys, ctx.clock);
    sched = await startScrapeScheduler({ ctx, papers, metrics, catchUp: false });
  });
  after(async () => {
    await sched?.stop();
    await ctx?.close();
    await hf.close();
    await server.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('default days: today and the day before, in the scrape zone', () => {
    assert.deepEqual(scrapeDates({ scrapeTimezone: 'UTC', scrapeDaysBack: 1 }, new Date('2026-09-28T00:30:00Z')), ['2026-09-28', '2026-09-27']);
    assert.deepEqual(scrapeDates({ scrapeTimezone: 'America/Los_Angeles', scrapeDaysBack: 0 }, new Date('2026-09-28T00:30:00Z')), ['2026-09-27']);
  });

  it('the scheduler exists with the default pattern and changes when the setting changes, without a restart', async () => {
    const first = await waitFor(() => sched.queue.getJobScheduler(SCRAPE_SCHEDULER_ID), { message: 'scheduler upserted' });
    assert.equal(first.pattern, '*/30 * * * *');
    assert.equal(first.tz, 'UTC');
    await ctx.settings.set({ scrapePattern: '5 */2 * * *', scrapeTimezone: 'Europe/Paris' }, 'test');
    // Both the queue's scheduler and the worker's own record of it follow (the record is set once the upsert returns).
    const changed = await waitFor(async () => {
      const s = await sched.queue.getJobScheduler(SCRAPE_SCHEDULER_ID);
      return s?.pattern === '5 */2 * * *' && sched.current()?.pattern === '5 */2 * * *' ? s : null;
    }, { message: 'scheduler follows the setting' });
    assert.equal(changed.tz, 'Europe/Paris');
    assert.deepEqual(sched.current(), { pattern: '5 */2 * * *', tz: 'Europe/Paris' });
    assert.equal((await sched.queue.getJobSchedulers()).length, 1, 'replaced, not added');
    assert.ok(ctx.keys.prefix.startsWith('t-scrape-'));
    assert.ok((await ctx.redis.keys(`${ctx.config.redisPrefix}:scrape:*`)).length > 0, 'BullMQ keys live under REDIS_PREFIX');
  });

  it('a job stores the day: the API answer is unusable, so the listing page is read instead', async () => {
    hf.route('/api/daily_papers?date=2026-09-28&limit=100&p=0', '{"error":"maintenance"}');
    const job = await sched.queue.add('scrape', { dates: ['2026-09-28'], reason: 'manual' });
    const done = await waitFor(async () => ((await job.isCompleted()) ? job.id : null), { message: 'job completed' });
    assert.ok(done);
    const day = await papers.getDay('2026-09-28');
    assert.equal(day.length, 28);
    assert.equal(day[0]!.id, '2609.31620');
    const alerts = (await metrics.alerts.get()).values.find((v) => v.labels.event === 'scrape.layout_changed')?.value;
    assert.equal(alerts, 1, 'the API layout change is still alerted');
    assert.equal((await papers.recentScrapes(1))[0]!.source, 'page', 'the scrape log names the source that answered');
  });

  it('a layout error fails the job with its reason and is not retried; stored papers stay', async () => {
    hf.route('/api/daily_papers?date=2026-09-21&limit=100&p=0', '[1,2]');
    hf.route('/papers/date/2026-09-21', '<html><head><title>Log In - Hugging Face</title></head><body><form></form></body></html>');
    const job = await sched.queue.add('scrape', { dates: ['2026-09-21'], reason: 'manual' });
    await waitFor(async () => (await job.isFailed()) || null, { message: 'job failed' });
    const failed = (await sched.queue.getJob(job.id!))!;
    assert.match(failed.failedReason, /layout not recognized at http:\/\/127\.0\.0\.1:\d+\/papers\/date\/2026-09-21: no DailyPapers data-props and no paper cards/);
    assert.equal(failed.attemptsMade, 1);
    assert.equal((await papers.getDay('2026-09-28')).length, 28);
  });

  it('scrapingPaused skips scheduled runs', async () => {
    await ctx.settings.set({ scrapingPaused: true }, 'test');
    const before = hf.requests.length;
    const job = await sched.queue.add('scrape', { dates: [], reason: 'schedule' });
    await waitFor(async () => (await job.isCompleted()) || null, { message: 'job completed' });
    const doneJob = (await sched.queue.getJob(job.id!))!;
    assert.deepEqual(doneJob.returnvalue, { skipped: 'paused', days: [] });
    assert.equal(hf.requests.length, before, 'no request made');
  });

  it('on start, stale or missing papers are scraped at once, once for several workers, and not while paused', async () => {
    const log = silentLogger();
    const none = { lastSuccessfulScrape: async () => null };
    const at = new Date('2026-09-28T12:03:00Z');
    assert.equal(await catchUpScrape(sched.queue, none, DEFAULT_SETTINGS, at, log), true);
    assert.equal(await catchUpScrape(sched.queue, none, DEFAULT_SETTINGS, new Date('2026-09-28T12:04:00Z'), log), true);
    const jobs = (await sched.queue.getJobs(['waiting', 'active', 'completed', 'failed', 'delayed'])).filter((j) => j.id?.startsWith('scrape-catchup-'));
    assert.equal(jobs.length, 1, 'two workers starting together enqueue one catch-up scrape');
    assert.deepEqual(jobs[0]!.data, { dates: [], reason: 'schedule' });
    const fresh = { lastSuccessfulScrape: async () => new Date('2026-09-28T11:50:00Z') };
    assert.equal(await catchUpScrape(sched.queue, fresh, DEFAULT_SETTINGS, at, log), false, 'fresh papers: wait for the schedule');
    assert.equal(await catchUpScrape(sched.queue, none, { ...DEFAULT_SETTINGS, scrapingPaused: true }, at, log), false, 'paused: nothing');
  });
});
