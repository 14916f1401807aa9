// A send worker SIGKILLed in the middle of a batch, then another worker takes over through BullMQ's stalled-job
// recovery: no digest is delivered twice. Editions the dead worker had claimed but not handed to SMTP are sent by
// the survivor once the lease runs out; those it had handed over (the sending marker) are recorded `unknown` —
// the sink may hold them, but never twice.
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { Queue } from 'bullmq';
import { DEFAULT_JOB_OPTIONS, QUEUES, SEND_BATCH_JOB_NAME, sendBatchJobId, sendJobId } from '../../src/queue/catalog.js';
import { REPO_ROOT } from '../helpers/fixtures.js';
import { startRedis, type TestRedis } from '../helpers/redis-server.js';
import { startSmtpSink, type SmtpSink } from '../helpers/smtp-sink.js';
import { waitFor } from '../helpers/wait.js';
import { buildSendParts, papersFor, subscriberFixture, TEST_SEND_SETTINGS, type SendParts } from './send-harness.js';
import { startSendWorker, type SendWorker } from '../../src/digest/send-worker.js';

const PREFIX = 'sendcrash';
const LEASE_MS = 1_500;
const N = 60;
const PERIOD = new Date().toISOString().slice(0, 10);

describe('worker killed mid-batch', () => {
  let redis: TestRedis;
  let sink: SmtpSink;
  let parts: SendParts;
  let queue: Queue;
  let child: ChildProcess | null = null;
  let survivor: SendWorker | null = null;

  before(async () => {
    redis = await startRedis();
    sink = await startSmtpSink({ replyDelayMs: 15 });
    parts = await buildSendParts(redis.url, PREFIX, sink.url, { leaseMs: LEASE_MS });
    queue = new Queue(QUEUES.send, { connection: parts.bullConnection, prefix: PREFIX });
    await parts.papers.replaceDay(PERIOD, papersFor(PERIOD), { source: 'test', url: 'test' });
  });
  after(async () => {
    if (child && child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    await survivor?.stop();
    await queue.close();
    await parts.mailer.close();
    await sink.close();
    await parts.bullConnection.quit();
    await parts.redis.quit();
    await redis.stop();
  });

  type Sub = ReturnType<typeof subscriberFixture>;
  /** Enqueue the editions, start a worker in a child process, SIGKILL it after 12 deliveries, let a survivor finish. */
  async function crashRound(t: { diagnostic(msg: string): void }, tag: string, enqueue: (subs: Sub[], due: string) => Promise<void>): Promise<void> {
    if (survivor) {
      await survivor.stop();
      survivor = null;
    }
    sink.reset();
    const subs = Array.from({ length: N }, (_, i) => subscriberFixture(`sub${tag}${String(i).padStart(4, '0')}`));
    for (const s of subs) await parts.subscribers.put(s);
    await enqueue(subs, new Date().toISOString());

    const c = spawn(process.execPath, ['--import', 'tsx', join(REPO_ROOT, 'test/integration/send-crash.child.ts'), redis.url, PREFIX, sink.url, String(LEASE_MS)], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    child = c;
    const exited = new Promise<void>((resolve) => c.once('exit', () => resolve()));
    await sink.waitFor(12, 30_000);
    c.kill('SIGKILL');
    await exited;
    const beforeTakeover = sink.messages.length;
    assert.ok(beforeTakeover < N, `the child was killed mid-batch (${beforeTakeover} of ${N} delivered)`);

    survivor = await startSendWorker(parts.deps, {
      connect: () => parts.bullConnection, prefix: PREFIX, settings: TEST_SEND_SETTINGS, lockDurationMs: 1_000, stalledIntervalMs: 300,
    });
    const states = await waitFor(async () => {
      const entries = await Promise.all(subs.map((s) => parts.ledger.get(s.id, PERIOD)));
      return entries.every((e) => e && ['sent', 'unknown'].includes(e.state)) ? entries.map((e) => e!.state) : null;
    }, { timeoutMs: 30_000, message: 'every edition settled' });

    const perSub = new Map<string, number>();
    for (const m of sink.messages) perSub.set(m.envelope.rcptTo[0]!, (perSub.get(m.envelope.rcptTo[0]!) ?? 0) + 1);
    const unknown = subs.filter((_, i) => states[i] === 'unknown');
    for (const [i, s] of subs.entries()) {
      const got = perSub.get(s.email) ?? 0;
      if (states[i] === 'sent') assert.equal(got, 1, `${s.id} sent exactly once`);
      else assert.ok(got <= 1, `${s.id} (unknown) at most once`);
    }
    assert.ok(unknown.length <= TEST_SEND_SETTINGS.sendConcurrency, `only editions in flight at the kill are in doubt (${unknown.length})`);
    assert.ok(sink.messages.length > beforeTakeover, 'the survivor delivered the rest');
    const ours = await Promise.all(subs.map((s) => parts.ledger.get(s.id, PERIOD)));
    t.diagnostic(`killed after ${beforeTakeover} deliveries; in doubt: ${unknown.length} (sink holds ${unknown.filter((s) => perSub.has(s.email)).length} of them); total ${sink.messages.length}`);
    assert.equal(ours.filter((e) => e && ['sent', 'unknown'].includes(e.state)).length, N);
  }

  it('delivers every digest at most once, and every one not in doubt exactly once', async (t) => {
    await crashRound(t, 'Crash', (subs, due) =>
      queue.addBulk(subs.map((s) => ({ name: 'send', data: { subscriberId: s.id, period: PERIOD, dueAt: due }, opts: { ...DEFAULT_JOB_OPTIONS.send, jobId: sendJobId(s.id, PERIOD) } }))).then(() => undefined),
    );
  });

  it('the same with batch jobs (the fan-out of a large due range): the survivor finishes the batches of the dead worker', async (t) => {
    await crashRound(t, 'Batch', async (subs, due) => {
      const editions = subs.map((s) => ({ subscriberId: s.id, period: PERIOD, dueAt: due }));
      // 4 batches of 15: with sendConcurrency 4 the child runs all four at once
      const jobs = [0, 15, 30, 45].map((i) => editions.slice(i, i + 15));
      await queue.addBulk(jobs.map((eds) => ({ name: SEND_BATCH_JOB_NAME, data: { editions: eds }, opts: { ...DEFAULT_JOB_OPTIONS.send, jobId: sendBatchJobId(eds) } })));
    });
  });
});
