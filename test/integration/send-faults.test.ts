// The send job end to end through BullMQ, a real redis-server and the in-process SMTP sink: a normal delivery
// (headers, both MIME parts, ledger, sent papers, archive), duplicates, and every fault class from the issue.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { DeliveryLedger } from '../../src/digest/ledger.js';
import { runSendJob, type SendDeps } from '../../src/digest/send.js';
import type { SendWorker } from '../../src/digest/send-worker.js';
import { sendJobId } from '../../src/queue/catalog.js';
import { testClock } from '../helpers/clock.js';
import { startRedis, type TestRedis } from '../helpers/redis-server.js';
import { waitFor } from '../helpers/wait.js';
import { papersFor, sendHarness, subscriberFixture, type SendHarness } from './send-harness.js';

const PERIOD = '2026-11-28';
const DUE = '2026-11-28T08:00:00.000Z';

describe('send job', () => {
  let redis: TestRedis;
  let h: SendHarness;
  let worker: SendWorker;
  const clock = testClock('2026-11-28T08:00:30Z');
  const settled = (id: string, period = PERIOD) =>
    waitFor(async () => {
      const e = await h.ledger.get(id, period);
      return e && ['sent', 'failed', 'unknown', 'suppressed', 'skipped'].includes(e.state) ? e : null;
    }, { message: `edition ${id}/${period} settled` });
  // The ledger settles before BullMQ finishes the job: wait for the job too before reading its counters.
  const finished = async (jobId: string) => {
    await waitFor(async () => ['completed', 'failed'].includes(await h.queue.getJobState(jobId)), { message: `job ${jobId} finished` });
    return (await h.queue.getJob(jobId))!;
  };

  before(async () => {
    redis = await startRedis();
    h = await sendHarness(redis.url, 'sendfaults', { clock });
    await h.papers.replaceDay('2026-11-27', papersFor('2026-11-27').slice(0, 15), { source: 'test', url: 'test' });
    await h.papers.replaceDay('2026-11-28', papersFor('2026-11-28').slice(15), { source: 'test', url: 'test' });
    worker = await h.startWorker();
  });
  after(async () => {
    await h.close();
    await redis.stop();
  });

  it('delivers one digest with list headers and both MIME parts, and records ledger, sent papers and archive', async () => {
    const sub = subscriberFixture('subOkay0001', { maxPapers: 4 });
    await h.subscribers.put(sub);
    await h.enqueue(sub.id, PERIOD, DUE);
    const entry = await settled(sub.id);
    assert.equal(entry.state, 'sent');
    // The settled record keeps state, papers and reasons only: the SMTP reply and Message-ID were never read again.
    assert.equal(entry.response, null);
    assert.equal(entry.paperIds.length, 4);
    const [m] = h.sink.to(sub.email);
    assert.ok(m, 'message captured');
    const p = m.parsed;
    assert.equal(p.messageId, `<digest-${PERIOD}-${sub.id}@example.org>`);
    assert.match(p.subject ?? '', /^Papers Digest, /);
    assert.deepEqual(p.from?.value.map((a) => [a.name, a.address]), [['Papers Digest', 'digest@example.org']]);
    const raw = '\r\n' + m.raw.replace(/\r\n[ \t]+/g, ' ');
    const unsub = /\r\nList-Unsubscribe: <(https:\/\/digest\.example\.org\/unsubscribe\/[^>]+)>, <mailto:unsubscribe@example\.org\?subject=unsubscribe%20subOkay0001>\r\n/.exec(raw);
    assert.ok(unsub, 'one List-Unsubscribe header with https and mailto');
    assert.match(raw, /\r\nList-Unsubscribe-Post: List-Unsubscribe=One-Click\r\n/);
    assert.match(raw, /\r\nList-Id: Papers Digest <papers-digest\.example\.org>\r\n/i);
    // both parts, each holding the papers chosen, and the same unsubscribe link in the footer
    const first = (await h.papers.get(entry.paperIds[0]!))!;
    assert.ok(p.text?.includes(first.title.slice(0, 30)), 'text part lists the top paper');
    assert.ok((p.html || '').includes(first.url), 'html part links the top paper');
    assert.ok((p.html || '').includes(unsub[1]!.replace(/&/g, '&amp;')), 'html footer holds the unsubscribe link');
    assert.deepEqual([...(await h.ledger.sentPaperIds(sub.id))].sort(), [...entry.paperIds].sort());
    // the archive link's web view: every paper of the edition, rendered again from the ledger's selection
    assert.deepEqual(await h.redis.keys(`${h.keys.prefix}:archive:*`), [], 'no HTML stored per digest');
    assert.deepEqual(entry.selection.map((s) => s.id), entry.paperIds);
    const web = (await h.ledger.archive(sub.id, PERIOD)) ?? '';
    for (const id of entry.paperIds) assert.ok(web.includes(`https://huggingface.co/papers/${id}`), `web view lists ${id}`);
    assert.ok(!web.includes('/archive/'), 'the web view has no view-in-browser link');
    assert.equal(await h.metrics.emailsSent.get().then((v) => v.values.find((x) => x.labels.kind === 'digest')?.value), 1);
  });

  it('the same edition enqueued twice (same job id, then a different one) is delivered once', async () => {
    const sub = subscriberFixture('subTwice0001');
    await h.subscribers.put(sub);
    await Promise.all([h.enqueue(sub.id, PERIOD, DUE), h.enqueue(sub.id, PERIOD, DUE)]);
    await settled(sub.id);
    await h.enqueue(sub.id, PERIOD, DUE, `manual-${sub.id}`);
    await waitFor(async () => (await h.queue.getJobState(`manual-${sub.id}`)) === 'completed', { message: 'second job completed' });
    assert.equal(h.sink.to(sub.email).length, 1);
    assert.deepEqual(await h.queue.getJob(`manual-${sub.id}`).then((j) => j?.returnvalue), { state: 'sent', reason: 'already-settled' });
  });

  it('451 then recovers: the queue is slowed, the digest delivered once, later, without spending an attempt', async () => {
    const sub = subscriberFixture('subThrottle1');
    await h.subscribers.put(sub);
    h.sink.failNext({ stage: 'data', code: 451, message: '4.7.1 Too many messages, slow down', to: sub.email });
    await h.enqueue(sub.id, PERIOD, DUE);
    const entry = await settled(sub.id);
    assert.equal(entry.state, 'sent');
    assert.equal(entry.attempts, 2, 'claimed twice: the refused try and the delivery');
    assert.deepEqual(h.sink.events.filter((e) => e.rcptTo.includes(sub.email)).map((e) => `${e.stage}:${e.code}`), ['data:451', 'accept:250']);
    assert.equal(h.sink.to(sub.email).length, 1);
    const job = await finished(sendJobId(sub.id, PERIOD));
    assert.equal(job.attemptsMade, 1, 'a throttle is not an attempt: only the delivery counts');
    const alerts = (await h.metrics.alerts.get()).values.find((v) => v.labels.event === 'smtp.throttled');
    assert.ok(alerts && alerts.value >= 1, 'smtp.throttled raised as an alert metric');
  });

  it('a 4xx on RCPT is retried with backoff and delivered once', async () => {
    const sub = subscriberFixture('subRetry0001');
    await h.subscribers.put(sub);
    h.sink.failNext({ stage: 'rcpt', code: 450, message: '4.2.1 mailbox busy', to: sub.email, times: 2 });
    await h.enqueue(sub.id, PERIOD, DUE);
    const entry = await settled(sub.id);
    assert.equal(entry.state, 'sent');
    assert.equal(h.sink.to(sub.email).length, 1);
    assert.equal((await finished(sendJobId(sub.id, PERIOD))).attemptsMade, 3, 'two refused attempts and the delivery');
  });

  it('550: no retry, counted as a bounce; the address is suppressed after the configured count', async () => {
    const sub = subscriberFixture('subBounce001');
    await h.subscribers.put(sub);
    h.sink.failNext({ stage: 'rcpt', code: 550, message: '5.1.1 no such user', to: sub.email, times: 2 });
    await h.enqueue(sub.id, '2026-11-26', DUE);
    const first = await settled(sub.id, '2026-11-26');
    assert.equal(first.state, 'failed');
    assert.equal(first.code, 550);
    const job = await finished(sendJobId(sub.id, '2026-11-26'));
    assert.equal(await job.getState(), 'failed');
    assert.equal(job.attemptsMade, 1, 'not retried');
    assert.equal((await h.subscribers.get(sub.id))?.bounceCount, 1);
    assert.equal(await h.redis.hexists(h.keys.suppressed, sub.email), 0, 'one bounce is not enough');

    await h.enqueue(sub.id, '2026-11-27', DUE);
    assert.equal((await settled(sub.id, '2026-11-27')).state, 'failed');
    const after2 = await h.subscribers.get(sub.id);
    assert.equal(after2?.status, 'bouncing');
    assert.equal(await h.redis.hexists(h.keys.suppressed, sub.email), 1);

    await h.enqueue(sub.id, PERIOD, DUE);
    assert.equal((await settled(sub.id)).state, 'suppressed');
    assert.equal(h.sink.events.filter((e) => e.rcptTo.includes(sub.email)).length, 2, 'no SMTP transaction after suppression');
  });

  it('a delivery in between resets the count: only consecutive bounces suppress', async () => {
    const sub = subscriberFixture('subBounce002');
    await h.subscribers.put(sub);
    h.sink.failNext({ stage: 'rcpt', code: 550, message: '5.2.1 mailbox disabled', to: sub.email });
    await h.enqueue(sub.id, '2026-11-25', DUE);
    assert.equal((await settled(sub.id, '2026-11-25')).state, 'failed');
    assert.equal((await h.subscribers.get(sub.id))?.bounceCount, 1);
    await h.enqueue(sub.id, '2026-11-26', DUE);
    assert.equal((await settled(sub.id, '2026-11-26')).state, 'sent');
    await waitFor(async () => (await h.subscribers.get(sub.id))?.bounceCount === 0, { message: 'bounce count reset' });
    h.sink.failNext({ stage: 'rcpt', code: 550, message: '5.2.1 mailbox disabled', to: sub.email });
    await h.enqueue(sub.id, '2026-11-27', DUE);
    assert.equal((await settled(sub.id, '2026-11-27')).state, 'failed');
    const after = await h.subscribers.get(sub.id);
    assert.deepEqual([after?.status, after?.bounceCount], ['active', 1]);
    assert.equal(await h.redis.hexists(h.keys.suppressed, sub.email), 0);
  });

  it('connection lost after the message data: recorded unknown, never resent', async () => {
    const sub = subscriberFixture('subUnknown01');
    await h.subscribers.put(sub);
    h.sink.dropNextDuringData({ to: sub.email });
    await h.enqueue(sub.id, PERIOD, DUE);
    const entry = await settled(sub.id);
    assert.equal(entry.state, 'unknown');
    assert.equal(h.sink.dropped.filter((d) => d.envelope.rcptTo.includes(sub.email)).length, 1);
    // a manual re-enqueue under another id does not resend either
    await h.enqueue(sub.id, PERIOD, DUE, `again-${sub.id}`);
    await waitFor(async () => (await h.queue.getJobState(`again-${sub.id}`)) === 'completed');
    assert.equal(h.sink.to(sub.email).length, 0);
    assert.equal(h.sink.events.filter((e) => e.rcptTo.includes(sub.email)).length, 1);
  });

  it('quiet day: skipped by default; a short "nothing new" note under the note policy', async () => {
    const quiet = { includeKeywords: ['xylophone-orchestra-nowhere'] };
    const a = subscriberFixture('subQuiet0001', quiet);
    const b = subscriberFixture('subQuiet0002', quiet);
    await h.subscribers.put(a);
    await h.subscribers.put(b);
    await h.enqueue(a.id, PERIOD, DUE);
    const ea = await settled(a.id);
    assert.deepEqual([ea.state, ea.reason], ['skipped', 'quiet-day']);
    await worker.apply({ ...h.settings, quietDayPolicy: 'note' });
    await h.enqueue(b.id, PERIOD, DUE);
    assert.equal((await settled(b.id)).state, 'sent');
    await worker.apply(h.settings);
    assert.equal(h.sink.to(a.email).length, 0);
    const [note] = h.sink.to(b.email);
    assert.equal(note?.parsed.messageId, `<nothing-new-${PERIOD}-${b.id}@example.org>`);
    assert.match(note?.parsed.subject ?? '', /^Nothing new/);
  });

  it('a delivery the ledger cannot record is never sent again: it becomes unknown', async () => {
    const sub = subscriberFixture('subNoRecord1');
    await h.subscribers.put(sub);
    class FailingLedger extends DeliveryLedger {
      override async markSent(): Promise<void> {
        throw new Error('redis unavailable');
      }
    }
    const ledger = new FailingLedger(h.redis, h.keys, clock, { leaseMs: 1_000 });
    let sends = 0;
    const deps: SendDeps = {
      ...h.deps,
      ledger,
      recordRetryDelaysMs: [1],
      settings: () => h.settings,
      mailer: {
        async send(m, o) {
          await o?.beforeSend?.();
          sends += 1;
          return { messageId: m.messageId, response: '250 OK' };
        },
      },
    };
    const run = { id: 'job-norecord', data: { subscriberId: sub.id, period: PERIOD, dueAt: DUE }, attemptsMade: 0, attempts: 8 };
    await assert.rejects(runSendJob(deps, run), /redis unavailable/);
    assert.equal((await h.ledger.get(sub.id, PERIOD))?.state, 'sending');
    clock.advance(1_001);
    assert.deepEqual(await runSendJob(deps, { ...run, attemptsMade: 1 }), { kind: 'settled', state: 'unknown', reason: 'crashed-after-sending-marker' });
    assert.equal(sends, 1);
  });

  it('inactive subscribers are skipped without mail', async () => {
    const sub = subscriberFixture('subPaused001', { status: 'paused', pausedUntil: '2026-12-10' });
    await h.subscribers.put(sub);
    await h.enqueue(sub.id, PERIOD, DUE);
    const e = await settled(sub.id);
    assert.deepEqual([e.state, e.reason], ['skipped', 'status-paused']);
  });

  it('sendingPaused pauses the queue live; concurrency follows the setting', async () => {
    await worker.apply({ ...h.settings, sendingPaused: true, sendConcurrency: 2, sendRatePerSecond: 7 });
    assert.equal(await h.queue.isPaused(), true);
    assert.equal(worker.worker.concurrency, 2);
    // fleet-wide: stored on the queue, obeyed by every worker process
    assert.equal(await h.queue.getGlobalConcurrency(), 2);
    assert.deepEqual(await h.queue.getGlobalRateLimit(), { max: 7, duration: 1000 });
    const sub = subscriberFixture('subPause0001');
    await h.subscribers.put(sub);
    await h.enqueue(sub.id, PERIOD, DUE);
    assert.ok(['waiting', 'paused'].includes(await h.queue.getJobState(sendJobId(sub.id, PERIOD))));
    assert.equal(await h.ledger.get(sub.id, PERIOD), null, 'not taken while paused');
    await worker.apply(h.settings);
    assert.equal((await settled(sub.id)).state, 'sent');
    assert.equal(worker.worker.concurrency, h.settings.sendConcurrency);
    assert.deepEqual(await h.queue.getGlobalRateLimit(), { max: h.settings.sendRatePerSecond, duration: 1000 });
  });

  it('a local cap (from the SMTP pool) bounds this process without lowering the fleet-wide concurrency', async () => {
    const capped = await h.startWorker({ localConcurrencyCap: 4, autorun: false, settings: { ...h.settings, sendConcurrency: 16 } });
    assert.equal(capped.worker.concurrency, 4);
    assert.equal(await h.queue.getGlobalConcurrency(), 16);
    await capped.apply({ ...h.settings, sendConcurrency: 2 });
    assert.equal(capped.worker.concurrency, 2, 'a fleet-wide value below the cap wins');
    assert.equal(await h.queue.getGlobalConcurrency(), 2);
    await capped.stop();
    await worker.apply(h.settings); // the suite's own worker re-asserts the fleet-wide values
    assert.equal(h.mailer.parallelism, 4, 'the pool size (maxConnections) the send role derives the cap from');
  });
});

describe('send job: stale papers', () => {
  let redis: TestRedis;
  let h: SendHarness;
  const clock = testClock('2026-11-28T08:00:30Z');
  before(async () => {
    redis = await startRedis();
    h = await sendHarness(redis.url, 'sendstale', { clock });
    clock.set('2026-11-27T20:00:00Z'); // the last scrape: 12 h before the send
    await h.papers.replaceDay('2026-11-27', papersFor('2026-11-27'), { source: 'test', url: 'test' });
    clock.set('2026-11-28T08:00:30Z');
    h.deps.staleRecheckMs = 50;
  });
  after(async () => {
    await h.close();
    await redis.stop();
  });

  it('waits (delayed, not failed) while papers are stale, then sends once a scrape lands', async () => {
    const worker = await h.startWorker();
    const sub = subscriberFixture('subStale0001');
    await h.subscribers.put(sub);
    await h.enqueue(sub.id, PERIOD, DUE);
    const jobId = sendJobId(sub.id, PERIOD);
    await waitFor(async () => (await h.queue.getJobState(jobId)) === 'delayed', { message: 'job delayed' });
    assert.equal(await h.ledger.get(sub.id, PERIOD), null, 'nothing claimed while waiting');
    assert.equal(h.sink.messages.length, 0);
    await h.papers.replaceDay('2026-11-28', papersFor('2026-11-28'), { source: 'test', url: 'test' });
    await waitFor(async () => (await h.ledger.get(sub.id, PERIOD))?.state === 'sent', { message: 'sent after the scrape' });
    assert.equal(h.sink.to(sub.email).length, 1);
    await waitFor(async () => (await h.queue.getJobState(jobId)) === 'completed');
    assert.equal((await h.queue.getJob(jobId))?.attemptsMade, 1, 'waiting spent no attempt');

    // past the deadline, stalePolicy=skip skips the edition instead of waiting
    clock.set('2026-11-29T18:00:00Z');
    await worker.apply({ ...h.settings, stalePolicy: 'skip' });
    const late = subscriberFixture('subStale0002');
    await h.subscribers.put(late);
    await h.enqueue(late.id, '2026-11-29', '2026-11-29T08:00:00.000Z');
    const e = await waitFor(async () => {
      const got = await h.ledger.get(late.id, '2026-11-29');
      return got?.state === 'skipped' ? got : null;
    });
    assert.equal(e.reason, 'stale-papers');
  });
});
