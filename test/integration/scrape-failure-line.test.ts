// A failed scrape run logs one line a person reads — the cause and when the next try is — not a stack trace per
// day and per attempt (issue 11).
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import { createContext, type Context } from '../../src/context.js';
import { createLogger } from '../../src/log.js';
import { DEFAULT_JOB_OPTIONS } from '../../src/queue/catalog.js';
import { PaperStore } from '../../src/papers/store.js';
import { HttpStatusError } from '../../src/scrape/errors.js';
import { startScrapeScheduler, type ScrapeScheduler } from '../../src/scrape/job.js';
import { testClock } from '../helpers/clock.js';
import { startRedis, type TestRedis } from '../helpers/redis-server.js';
import { waitFor } from '../helpers/wait.js';

describe('a failed scrape run', () => {
  let server: TestRedis;
  let ctx: Context;
  let sched: ScrapeScheduler;
  const lines: { level: number; msg: string; err?: unknown }[] = [];
  const dataDir = mkdtempSync(join(tmpdir(), 'pd-scrape-fail-'));

  before(async () => {
    server = await startRedis();
    const log = createLogger({ level: 'info' }, new Writable({ write(c, _e, cb) { lines.push(JSON.parse(String(c)) as { level: number; msg: string }); cb(); } }));
    ctx = await createContext({
      env: { REDIS_URL: server.url, REDIS_PREFIX: 'scrape-fail', DATA_DIR: dataDir, PUBLIC_URL: 'https://digest.example.org', ADMIN_TOKEN: 'Xk29fjQ0sLm3nB7vC1zR8tY4' },
      log,
      clock: testClock('2026-09-28T12:00:00Z'),
      manageRedis: false,
    });
    const source = { name: 'api', fetchListing: async () => { throw new HttpStatusError('https://huggingface.co/api/daily_papers', 503, 3); } };
    sched = await startScrapeScheduler({ ctx, papers: new PaperStore(ctx.redis, ctx.keys, ctx.clock), source, catchUp: false });
  });
  after(async () => {
    await sched.stop();
    await ctx.close();
    await server.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('logs one summary line with the cause and the next try, and no stack trace', async () => {
    const job = await sched.queue.add('scrape', { dates: ['2026-09-28', '2026-09-27'], reason: 'manual' }, { ...DEFAULT_JOB_OPTIONS.scrape });
    await waitFor(async () => ((await sched.queue.getJobState(job.id!)) === 'delayed' ? true : null), { message: 'first attempt failed' });
    const loud = lines.filter((l) => l.level >= 40 && (l as { mod?: string }).mod === 'scrape');
    assert.equal(loud.length, 1, JSON.stringify(loud));
    assert.match(loud[0]!.msg, /^scrape failed for 2026-09-28, 2026-09-27: .*503.*; retry 2\/3 in 30 s$/);
    assert.ok(!JSON.stringify(lines).includes('"stack"'), 'no stack trace at info or above');
  });
});
