// Batch send jobs (the tick's fan-out of a large due range, up to 50 editions per job) through BullMQ, a real
// redis-server and the in-process SMTP sink: every edition delivered once; a transient failure continues as its own
// job; a permanent one is failed in the ledger; a throttle holds the queue and the batch resumes where it stopped;
// a stopping worker hands the rest to another; a deleted subscriber leaves nothing behind; the fleet-wide rate
// (SendPace) counts emails, not jobs.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Redis } from 'ioredis';
import { SendPace } from '../../src/digest/send-pace.js';
import type { SendWorker } from '../../src/digest/send-worker.js';
import { DEFAULT_JOB_OPTIONS, SEND_BATCH_JOB_NAME, sendBatchJobId, sendJobId, type SendJob } from '../../src/queue/catalog.js';
import { makeKeys } from '../../src/redis/keys.js';
import { testClock } from '../helpers/clock.js';
import { startRedis, type TestRedis } from '../helpers/redis-server.js';
import { waitFor } from '../helpers/wait.js';
import { papersFor, sendHarness, subscriberFixture, type SendHarness } from './send-harness.js';

const PERIOD = '2026-11-28';
const DUE = '2026-11-28T08:00:00.000Z';

describe('batch send jobs', () => {
  let redis: TestRedis;
  let h: SendHarness;
  let worker: SendWorker | null = null;
  const clock = testClock('2026-11-28T08:00:30Z');
  let n = 0;
  /** `count` active subscribers, stored, as editions of PERIOD. */
  const make = async (count: number, tag: string): Promise<SendJob[]> => {
    const out: SendJob[] = [];
    for (let i = 0; i < count; i++) {
      const sub = subscriberFixture(`b${tag}${String(n++).padStart(8, '0')}`, { maxPapers: 3 });
      await h.subscribers.put(sub);
      out.push({ subscriberId: sub.id, period: PERIOD, dueAt: DUE });
    }
    return out;
  };
  const emailOf = (e: SendJob) => `${e.subscriberId.toLowerCase()}@example.net`;
  const addBatch = async (editions: SendJob[]) => {
    const jobId = sendBatchJobId(editions);
    // Finished jobs are kept here so the test can read their outcome (production removes completed ones).
    await h.queue.add(SEND_BATCH_JOB_NAME, { editions }, { ...DEFAULT_JOB_OPTIONS.send, removeOnComplete: false, jobId });
    return jobId;
  };
  const finished = async (jobId: string) => {
    await waitFor(async () => ['completed', 'failed'].includes(await h.queue.getJobState(jobId)), { timeoutMs: 20_000, message: `job ${jobId} finished` });
    return (await h.queue.getJob(jobId))!;
  };
  const deliveredOnce = (eds: SendJob[]) => {
    for (const e of eds) assert.equal(h.sink.to(emailOf(e)).length, 1, `${e.subscriberId}: exactly one message`);
  };

  before(async () => {
    redis = await startRedis();
    h = await sendHarness(redis.url, 'sendbatch', { clock });
    await h.papers.replaceDay('2026-11-27', papersFor('2026-11-27').slice(0, 15), { source: 'test', url: 'test' });
    await h.papers.replaceDay('2026-11-28', papersFor('2026-11-28').slice(15), { source: 'test', url: 'test' });
  });
  after(async () => {
    await h.close();
    await redis.stop();
  });

  it('delivers every edition of a batch once, in one job, and records each in the ledger', async () => {
    worker ??= await h.startWorker();
    const eds = await make(12, 'ok');
    const job = await finished(await addBatch(eds));
    assert.deepEqual(job.returnvalue, { sent: 12, settled: 0, failed: 0, retried: 0 });
    deliveredOnce(eds);
    for (const e of eds) assert.equal((await h.ledger.get(e.subscriberId, PERIOD))?.state, 'sent');
    // Added again (a tick that crashed before advancing re-adds it): the ledger finds every edition settled.
    await job.remove();
    const again = await finished(await addBatch(eds));
    assert.deepEqual(again.returnvalue, { sent: 0, settled: 12, failed: 0, retried: 0 });
    deliveredOnce(eds);
  });

  it('a transient refusal continues as its own job; a permanent one is failed in the ledger; the rest are delivered', async () => {
    worker ??= await h.startWorker();
    const eds = await make(6, 'mix');
    const [busy, gone] = [eds[1]!, eds[3]!];
    h.sink.failNext({ stage: 'rcpt', code: 450, message: '4.2.1 Mailbox busy, try later', to: emailOf(busy) });
    h.sink.failNext({ stage: 'rcpt', code: 550, message: '5.1.1 No such user', to: emailOf(gone) });
    const job = await finished(await addBatch(eds));
    assert.deepEqual(job.returnvalue, { sent: 4, settled: 0, failed: 1, retried: 1 });
    assert.equal((await h.ledger.get(gone.subscriberId, PERIOD))?.state, 'failed');
    assert.equal(h.sink.to(emailOf(gone)).length, 0);
    // The busy mailbox's edition is a `digest` job of its own, with its own backoff and the attempts left.
    // The busy mailbox's edition went on as a `digest` job of its own (its own backoff, the attempts left), which
    // delivered it and, completed, was removed.
    await waitFor(async () => (await h.ledger.get(busy.subscriberId, PERIOD))?.state === 'sent', { message: 'the busy mailbox got its digest' });
    await waitFor(async () => (await h.queue.getJobState(sendJobId(busy.subscriberId, PERIOD))) === 'unknown', { message: 'its own job done' });
    deliveredOnce(eds.filter((e) => e !== gone));
    assert.deepEqual(h.sink.events.filter((e) => e.rcptTo.includes(emailOf(busy))).map((e) => `${e.stage}:${e.code}`), ['rcpt:450', 'accept:250']);
  });

  it('a throttling relay holds the queue; the batch resumes with the editions not done, each delivered once', async () => {
    worker ??= await h.startWorker();
    const eds = await make(5, 'thr');
    h.sink.failNext({ stage: 'data', code: 451, message: '4.7.1 Too many messages, slow down', to: emailOf(eds[2]!) });
    const job = await finished(await addBatch(eds));
    assert.equal(await job.getState(), 'completed');
    assert.deepEqual(job.data, { editions: eds.slice(2) }, 'it came back holding only the refused edition and those after it');
    assert.deepEqual(job.returnvalue, { sent: 3, settled: 0, failed: 0, retried: 0 });
    deliveredOnce(eds);
    assert.equal(job.attemptsMade, 1, 'a throttle spends no attempt');
  });

  it('a worker that stops mid-batch sets the rest aside for another worker; nothing is sent twice', async () => {
    if (worker) await worker.stop();
    worker = null;
    // A slow relay (150 ms per reply, separate harness) so that the stop lands while the batch is running.
    const slow = await sendHarness(redis.url, 'sendbatch-slow', { clock, sink: { replyDelayMs: 150 } });
    try {
      await slow.papers.replaceDay('2026-11-28', papersFor('2026-11-28'), { source: 'test', url: 'test' });
      const eds: SendJob[] = [];
      for (let i = 0; i < 20; i++) {
        const sub = subscriberFixture(`bstop${String(i).padStart(8, '0')}`, { maxPapers: 3 });
        await slow.subscribers.put(sub);
        eds.push({ subscriberId: sub.id, period: PERIOD, dueAt: DUE });
      }
      const first = await slow.startWorker({ shutdownTimeoutMs: 10_000 });
      const jobId = sendBatchJobId(eds);
      await slow.queue.add(SEND_BATCH_JOB_NAME, { editions: eds }, { ...DEFAULT_JOB_OPTIONS.send, removeOnComplete: false, jobId });
      await waitFor(() => slow.sink.messages.length >= 1, { message: 'the batch is running' });
      await first.stop(); // returns once its current edition is done: the rest is set aside, not cut off
      const byFirst = slow.sink.messages.length;
      assert.ok(byFirst < eds.length, `the first worker stopped before the end (${byFirst} sent)`);
      assert.equal(await slow.queue.getJobState(jobId), 'delayed');
      assert.equal(((await slow.queue.getJob(jobId))!.data as { editions: SendJob[] }).editions.length, eds.length - byFirst);
      await slow.startWorker();
      await waitFor(async () => (await slow.queue.getJobState(jobId)) === 'completed', { timeoutMs: 20_000, message: 'the second worker finished the batch' });
      for (const e of eds) assert.equal(slow.sink.to(`${e.subscriberId.toLowerCase()}@example.net`).length, 1, `${e.subscriberId}: exactly once`);
    } finally {
      await slow.close();
    }
  });

  it('an edition whose subscriber was deleted meanwhile is skipped and leaves no ledger entry', async () => {
    worker ??= await h.startWorker();
    const eds = await make(3, 'del');
    await h.redis.del(`sendbatch:test-sub:${eds[1]!.subscriberId}`);
    const job = await finished(await addBatch(eds));
    assert.deepEqual(job.returnvalue, { sent: 2, settled: 1, failed: 0, retried: 0 });
    assert.equal(await h.ledger.get(eds[1]!.subscriberId, PERIOD), null);
    const leftovers = await h.redis.keys(`sendbatch:*${eds[1]!.subscriberId}*`);
    assert.deepEqual(leftovers, []);
  });

  it('sendRatePerSecond counts emails, not jobs: a batch of 9 at 4 per second takes at least two second boundaries', async () => {
    if (worker) await worker.stop();
    worker = await h.startWorker({ settings: { ...h.settings, sendRatePerSecond: 4 } });
    const eds = await make(9, 'rate');
    const before = h.sink.messages.length;
    await finished(await addBatch(eds));
    const times = h.sink.messages.slice(before).map((m) => m.receivedAt.getTime());
    assert.equal(times.length, 9);
    // 9 emails at 4 per calendar second need three seconds' windows: the last starts ≥ 1 s after the first did.
    assert.ok(times.at(-1)! - times[0]! >= 1_000, `spread over ${times.at(-1)! - times[0]!} ms`);
    deliveredOnce(eds);
  });
});

describe('SendPace', () => {
  let redis: TestRedis;
  let client: Redis;
  before(async () => {
    redis = await startRedis();
    client = new Redis(redis.url);
  });
  after(async () => {
    client.disconnect();
    await redis.stop();
  });

  it('gives `rate` slots per wall-clock second, fleet-wide, and makes the next wait for the next second', async () => {
    let now = Date.parse('2026-12-06T10:00:00.200Z');
    const waits: number[] = [];
    let rate = 3;
    const opts = { now: () => now, sleep: async (ms: number) => { waits.push(ms); now += ms; } };
    const keys = makeKeys('pace');
    // Two workers sharing one Redis share the slots.
    const a = new SendPace(client, keys.sendPace, () => rate, opts);
    const b = new SendPace(client, keys.sendPace, () => rate, opts);
    const waited = [await a.take(), await b.take(), await a.take()];
    assert.deepEqual(waited, [0, 0, 0]);
    assert.equal(waits.length, 0);
    const fourth = await b.take();
    assert.ok(fourth >= 800 && fourth < 850, `waited to the next second (${fourth} ms)`);
    assert.equal(Math.floor(now / 1000), Math.floor(Date.parse('2026-12-06T10:00:01.000Z') / 1000));
    // A live change of the setting applies to the next take.
    rate = 1;
    const fifth = await a.take();
    assert.ok(fifth >= 900, `second 1 already has its one (${fifth} ms)`);
    assert.ok(await client.pttl(keys.sendPace(Math.floor(now / 1000))) > 0, 'counters expire');
  });
});
