// The tick's fan-out into jobs (fanOutJobs) and what a batch job does with each edition's outcome (runSendBatch).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { JOB_NAMES, SEND_BATCH_JOB_NAME, SEND_BATCH_MAX, sendBatchJobId, sendJobId, type SendJob } from '../../../src/queue/catalog.js';
import { BatchInterrupted, runSendBatch, type BatchPort } from '../../../src/digest/send-batch.js';
import type { SendOutcome } from '../../../src/digest/send-types.js';
import { batchSizeFor, fanOutJobs, JOBS_PER_SLOT } from '../../../src/digest/tick.js';

const editions = (n: number, period = '2026-12-07'): SendJob[] =>
  Array.from({ length: n }, (_, i) => ({ subscriberId: `sub${String(i).padStart(6, '0')}`, period, dueAt: '2026-12-07T07:00:00.000Z' }));

const throttled = { kind: 'throttled', code: 451, enhanced: '4.7.1', message: 'slow down', bounce: false } as const;

describe('fanOutJobs', () => {
  it('sizes batches so each send slot gets at least JOBS_PER_SLOT jobs, at most SEND_BATCH_MAX editions each', () => {
    assert.equal(batchSizeFor(5, 8), 1, 'a few due: one job each');
    assert.equal(batchSizeFor(400, 16), Math.ceil(400 / (JOBS_PER_SLOT * 16)), 'a moderate range: every slot gets a job');
    assert.equal(batchSizeFor(2_000, 16), SEND_BATCH_MAX);
    assert.equal(batchSizeFor(1_000_000, 8), SEND_BATCH_MAX);
    assert.equal(batchSizeFor(1_000_000, 256), SEND_BATCH_MAX, 'a big fleet still gets full batches for a big range');
    assert.equal(batchSizeFor(0, 8), 1);
  });

  it('batches of one are plain digest jobs under their deterministic id', () => {
    const jobs = fanOutJobs(editions(5), 1);
    assert.equal(jobs.length, 5);
    for (const [i, j] of jobs.entries()) {
      assert.equal(j.name, JOB_NAMES.send);
      assert.equal(j.opts.jobId, sendJobId(`sub${String(i).padStart(6, '0')}`, '2026-12-07'));
    }
  });

  it('every edition in exactly one job, in order, sizes as even as possible and never above the size asked', () => {
    const all = editions(100);
    const jobs = fanOutJobs(all, 30);
    assert.equal(jobs.length, 4);
    const seen = jobs.flatMap((j) => (j.name === SEND_BATCH_JOB_NAME ? j.data.editions : [j.data]));
    assert.deepEqual(seen, all, 'in order, none lost, none twice');
    assert.deepEqual(jobs.map((j) => (j.name === SEND_BATCH_JOB_NAME ? j.data.editions.length : 1)), [25, 25, 25, 25]);
  });

  it('a read of 1,000 due at full size: 20 batch jobs with distinct ids', () => {
    const jobs = fanOutJobs(editions(1_000), SEND_BATCH_MAX);
    assert.equal(jobs.length, 1_000 / SEND_BATCH_MAX);
    for (const j of jobs) assert.ok(j.name === SEND_BATCH_JOB_NAME && j.data.editions.length === SEND_BATCH_MAX);
    assert.equal(new Set(jobs.map((j) => j.opts.jobId)).size, jobs.length, 'distinct ids');
  });

  it('batch ids are deterministic for the same editions, and differ for others', () => {
    const a = editions(30);
    assert.equal(sendBatchJobId(a), sendBatchJobId(a.map((e) => ({ ...e }))));
    assert.notEqual(sendBatchJobId(a), sendBatchJobId(a.slice(1)));
    assert.notEqual(sendBatchJobId(a), sendBatchJobId(editions(30, '2026-12-08')));
    assert.equal(fanOutJobs(a, 30)[0]!.opts.jobId, fanOutJobs(a, 30)[0]!.opts.jobId);
  });
});

describe('runSendBatch', () => {
  const port = (outcomes: Record<string, SendOutcome | Error>, stopAfter = Infinity): BatchPort & { ran: string[] } => {
    const ran: string[] = [];
    return {
      ran,
      run: async (e) => {
        ran.push(e.subscriberId);
        const o = outcomes[e.subscriberId] ?? { kind: 'sent', messageId: '<m>', response: '250', papers: 3 };
        if (o instanceof Error) throw o;
        return o;
      },
      stopping: () => ran.length >= stopAfter,
    };
  };

  it('counts deliveries and settled editions; a transient failure goes on as its own job; a permanent one stays failed', async () => {
    const all = editions(6);
    const p = await runSendBatch(all, port({
      sub000001: { kind: 'settled', state: 'sent', reason: 'already-settled' },
      sub000002: { kind: 'retry', error: { kind: 'transient', code: 450, enhanced: null, message: 'busy', bounce: false } },
      sub000003: { kind: 'settled', state: 'failed', reason: 'permanent-550' },
    }));
    assert.deepEqual({ sent: p.sent, settled: p.settled, failed: p.failed }, { sent: 3, settled: 1, failed: 1 });
    assert.deepEqual(p.retry.map((e) => e.subscriberId), ['sub000002']);
    assert.deepEqual(p.later, []);
    assert.equal(p.throttle, null);
  });

  it('editions that must wait stay in the job, which comes back after the shortest wait', async () => {
    const p = await runSendBatch(editions(4), port({
      sub000001: { kind: 'wait', delayMs: 300_000, reason: 'stale-papers' },
      sub000003: { kind: 'wait', delayMs: 1_250, reason: 'lease-held' },
    }));
    assert.deepEqual(p.later.map((e) => e.subscriberId), ['sub000001', 'sub000003']);
    assert.equal(p.laterMs, 1_250);
    assert.equal(p.sent, 2);
  });

  it('a throttle stops the batch at once: that edition and every one after it run again later', async () => {
    const pt = port({ sub000002: { kind: 'throttle', error: throttled } });
    const p = await runSendBatch(editions(5), pt);
    assert.deepEqual(pt.ran, ['sub000000', 'sub000001', 'sub000002'], 'nothing tried after the refusal');
    assert.deepEqual(p.later.map((e) => e.subscriberId), ['sub000002', 'sub000003', 'sub000004']);
    assert.equal(p.throttle?.code, 451);
  });

  it('a stopping worker sets the rest aside', async () => {
    const pt = port({}, 2);
    const p = await runSendBatch(editions(5), pt);
    assert.deepEqual(pt.ran, ['sub000000', 'sub000001']);
    assert.deepEqual(p.later.map((e) => e.subscriberId), ['sub000002', 'sub000003', 'sub000004']);
    assert.ok(p.laterMs <= 1_000);
  });

  it('an infrastructure error interrupts the batch, naming every edition not done', async () => {
    const boom = new Error('Connection is closed.');
    const p = runSendBatch(editions(5), port({
      sub000000: { kind: 'retry', error: { kind: 'transient', code: 450, enhanced: null, message: 'busy', bounce: false } },
      sub000001: { kind: 'wait', delayMs: 1_000, reason: 'lease-held' },
      sub000003: boom,
    }));
    await assert.rejects(p, (err: unknown) => {
      assert.ok(err instanceof BatchInterrupted);
      assert.equal(err.cause, boom);
      assert.deepEqual(err.unfinished.map((e) => e.subscriberId), ['sub000000', 'sub000001', 'sub000003', 'sub000004']);
      return true;
    });
  });
});
