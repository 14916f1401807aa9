// A Redis outage under a running queue worker: BullMQ reports every failed reconnect of every connection, which
// used to be ≈ 250 error lines a minute (issue 11). Each distinct error is now one line per minute per queue
// handle and worker, however many times it repeats; the jobs run again once Redis is back.
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import { Redis } from 'ioredis';
import { createLogger } from '../../src/log.js';
import { openQueues } from '../../src/queue/handles.js';
import { startQueueWorker, type QueueWorker } from '../../src/queue/worker.js';
import { startRedis, type TestRedis } from '../helpers/redis-server.js';
import { waitFor } from '../helpers/wait.js';

describe('queue worker during a Redis outage', () => {
  let redis: TestRedis;
  let qw: QueueWorker;
  const conns: Redis[] = [];
  const lines: { msg: string; level: number }[] = [];
  let errorsSeen = 0;
  let processed = 0;

  before(async () => {
    redis = await startRedis();
    const log = createLogger({ level: 'info' }, new Writable({ write(c, _e, cb) { lines.push(JSON.parse(String(c)) as { msg: string; level: number }); cb(); } }));
    qw = await startQueueWorker({
      queue: 'scrape',
      connect: () => {
        const c = new Redis(redis.url, { maxRetriesPerRequest: null, retryStrategy: () => 50 });
        conns.push(c);
        return c;
      },
      prefix: 'outage-log',
      log,
      processor: async () => {
        processed++;
      },
      shutdownTimeoutMs: 5_000,
    });
    qw.worker.on('error', () => errorsSeen++);
    qw.queue.on('error', () => errorsSeen++);
  });
  after(async () => {
    await qw.stop();
    for (const c of conns) c.disconnect();
    await redis.stop();
  });

  it('logs each repeated error once, not once per reconnect, and works again when Redis is back', async () => {
    await qw.queue.add('scrape', {});
    await waitFor(() => processed === 1, { message: 'first job processed' });
    const before = lines.length;
    await redis.kill();
    // Reconnects every 50 ms: wait until BullMQ has reported many errors.
    await waitFor(() => errorsSeen >= 40, { message: 'errors reported during the outage', timeoutMs: 20_000 });
    const outage = lines.slice(before).filter((l) => l.level >= 40);
    const distinct = new Set(outage.map((l) => `${l.msg}|${(l as { err?: { message?: string } }).err?.message}`));
    assert.ok(outage.length <= distinct.size, `${outage.length} lines for ${errorsSeen} errors: repeats must be held back`);
    assert.ok(outage.length < errorsSeen / 4, `${outage.length} lines for ${errorsSeen} errors`);
    await redis.restart();
    await qw.queue.add('scrape', {});
    await waitFor(() => processed === 2, { message: 'a job processed after the outage', timeoutMs: 20_000 });
  });

  it('the operators\' queue handles (web role, CLI) log repeated errors the same way, not raw to stderr', async () => {
    const opsLines: { msg: string; level: number }[] = [];
    const conn = new Redis(redis.url, { maxRetriesPerRequest: null, retryStrategy: () => 50 });
    conns.push(conn);
    const ops = openQueues(conn, 'outage-log', createLogger({ level: 'info' }, new Writable({ write(c, _e, cb) { opsLines.push(JSON.parse(String(c)) as { msg: string; level: number }); cb(); } })));
    let opsErrors = 0;
    ops.scrape.on('error', () => opsErrors++);
    await ops.scrape.getJobCounts();
    await redis.kill();
    await waitFor(() => opsErrors >= 20, { message: 'errors reported during the outage', timeoutMs: 20_000 });
    const scrapeLines = opsLines.filter((l) => l.msg.startsWith('scrape queue error'));
    assert.ok(scrapeLines.length >= 1, 'the error is in the structured log');
    assert.ok(scrapeLines.length <= 2, `${scrapeLines.length} lines for ${opsErrors} errors`);
    await redis.restart();
    await waitFor(async () => (await ops.scrape.getJobCounts()) !== null, { message: 'reconnected', timeoutMs: 20_000 });
    await ops.close();
  });
});
