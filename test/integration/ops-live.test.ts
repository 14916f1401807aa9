// Live re-apply in a running worker (src/main.ts start('worker')): settings changed from another process — the
// CLI, as an operator would — reach the worker through the settings channel and are applied without a restart:
// the scrape job scheduler's pattern and zone, the tick interval, the send queue's fleet-wide rate limit and
// concurrency, and the sending pause.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { silentLogger } from '../../src/log.js';
import { start, type Running } from '../../src/main.js';
import { SettingsStore } from '../../src/settings/store.js';
import { SCRAPE_SCHEDULER_ID, TICK_SCHEDULER_ID } from '../../src/queue/catalog.js';
import { makeKeys } from '../../src/redis/keys.js';
import { REPO_ROOT } from '../helpers/fixtures.js';
import { startRedis, type TestRedis } from '../helpers/redis-server.js';
import { waitFor } from '../helpers/wait.js';

function cli(env: Record<string, string>, ...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [join(REPO_ROOT, 'bin/papers-digest.js'), ...args], { env: { PATH: process.env.PATH ?? '', ...env }, timeout: 30_000 }, (err, stdout, stderr) => {
      resolve({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, stdout, stderr });
    });
  });
}

describe('live settings re-applied in a running worker', () => {
  let redis: TestRedis;
  let client: Redis;
  let dataDir: string;
  let running: Running;
  let env: Record<string, string>;
  const prefix = 'livetest';
  const queues: Queue[] = [];
  const q = (name: string) => {
    const queue = new Queue(name, { connection: { url: redis.url }, prefix });
    queues.push(queue);
    return queue;
  };

  before(async () => {
    redis = await startRedis();
    client = new Redis(redis.url);
    dataDir = mkdtempSync(join(tmpdir(), 'pd-live-'));
    // HF_BASE_URL points nowhere: a scheduled scrape that fires during the test fails fast and harmlessly.
    env = { REDIS_URL: redis.url, REDIS_PREFIX: prefix, DATA_DIR: dataDir, HF_BASE_URL: 'http://127.0.0.1:9', LOG_LEVEL: 'warn' };
    running = await start('worker', { env, log: silentLogger(), bannerOut: new PassThrough() });
  });
  after(async () => {
    await running?.stop();
    for (const queue of queues) await queue.close();
    client.disconnect();
    await redis.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('starts with the schedulers and limiter from the current settings', async () => {
    const scrape = await waitFor(() => q('scrape').getJobScheduler(SCRAPE_SCHEDULER_ID));
    assert.equal(scrape.pattern, '*/30 * * * *');
    const tick = await waitFor(() => q('tick').getJobScheduler(TICK_SCHEDULER_ID));
    assert.equal(tick.pattern, '0 * * * * *', 'every minute, on the minute (UTC)');
    const meta = await client.hgetall(`${prefix}:send:meta`);
    assert.equal(meta.max, '20');
    assert.equal(meta.duration, '1000');
  });

  it('a scrape pattern and zone changed from the CLI move the scheduler, no restart', async () => {
    const r = await cli(env, 'settings', 'set', 'scrapePattern=15 */2 * * *', 'scrapeTimezone=Europe/Paris');
    assert.equal(r.code, 0, r.stderr);
    const s = await waitFor(async () => {
      const x = await q('scrape').getJobScheduler(SCRAPE_SCHEDULER_ID);
      return x?.pattern === '15 */2 * * *' ? x : null;
    }, { message: 'scrape scheduler pattern re-applied' });
    assert.equal(s.tz, 'Europe/Paris');
  });

  it('send rate, concurrency and tick interval changes reach the send limiter and the tick scheduler', async () => {
    const store = new SettingsStore(client, makeKeys(prefix));
    await store.set({ sendRatePerSecond: 77, sendConcurrency: 5, tickEverySeconds: 30 }, 'test');
    await waitFor(async () => (await client.hget(`${prefix}:send:meta`, 'max')) === '77', { message: 'send rate limit re-applied' });
    assert.equal(await client.hget(`${prefix}:send:meta`, 'concurrency'), '5');
    await waitFor(async () => (await q('tick').getJobScheduler(TICK_SCHEDULER_ID))?.pattern === '*/30 * * * * *', { message: 'tick interval re-applied' });
  });

  it('pausing sending pauses the send queue; resuming resumes it', async () => {
    const send = q('send');
    assert.equal(await send.isPaused(), false);
    assert.equal((await cli(env, 'pause', 'sending')).code, 0);
    await waitFor(() => send.isPaused(), { message: 'send queue paused' });
    assert.equal((await cli(env, 'resume', 'sending')).code, 0);
    await waitFor(async () => !(await send.isPaused()), { message: 'send queue resumed' });
  });
});
