// Crash recovery and retention around the send job: a completed job is removed and a re-added one stays harmless;
// the lease is renewed while a send takes long (so a short lease is safe and a dead worker's editions come back
// soon); the 'sending' marker waits for the DATA phase (a failure before it is never "maybe delivered"); a
// quiet-day skip is re-checked when papers arrive later in its window.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { recheckQuietDays } from '../../src/digest/quiet-recheck.js';
import { runSendJob } from '../../src/digest/send.js';
import { silentLogger } from '../../src/log.js';
import type { Mailer } from '../../src/mail/mailer.js';
import { DEFAULT_JOB_OPTIONS, sendJobId } from '../../src/queue/catalog.js';
import { testClock } from '../helpers/clock.js';
import { startRedis, type TestRedis } from '../helpers/redis-server.js';
import { waitFor } from '../helpers/wait.js';
import { papersFor, sendHarness, subscriberFixture, TEST_SEND_SETTINGS, type SendHarness } from './send-harness.js';

const PERIOD = '2026-11-28';
const DUE = '2026-11-28T08:00:00.000Z';

describe('send recovery and retention', () => {
  let redis: TestRedis;
  let h: SendHarness;
  const clock = testClock('2026-11-28T08:00:30Z');
  const settled = (id: string, period = PERIOD) =>
    waitFor(async () => {
      const e = await h.ledger.get(id, period);
      return e && ['sent', 'failed', 'unknown', 'suppressed', 'skipped'].includes(e.state) ? e : null;
    }, { message: `edition ${id}/${period} settled` });

  before(async () => {
    redis = await startRedis();
    h = await sendHarness(redis.url, 'sendrecovery', { clock });
    await h.papers.replaceDay('2026-11-27', papersFor('2026-11-27').slice(0, 15), { source: 'test', url: 'test' });
    await h.papers.replaceDay('2026-11-28', papersFor('2026-11-28').slice(15), { source: 'test', url: 'test' });
  });
  after(async () => {
    await h.close();
    await redis.stop();
  });

  it('a completed send job is removed; the same job added again later is harmless', async () => {
    const worker = await h.startWorker();
    try {
      const sub = subscriberFixture('subReadd001');
      await h.subscribers.put(sub);
      const jobId = sendJobId(sub.id, PERIOD);
      await h.queue.add('digest', { subscriberId: sub.id, period: PERIOD, dueAt: DUE }, { ...DEFAULT_JOB_OPTIONS.send, jobId });
      assert.equal((await settled(sub.id)).state, 'sent');
      await waitFor(async () => (await h.queue.getJob(jobId)) === undefined, { message: 'completed job removed' });
      // a tick that crashed between its add and its advance adds the same job again, now that the first is gone
      await h.queue.add('digest', { subscriberId: sub.id, period: PERIOD, dueAt: DUE }, { ...DEFAULT_JOB_OPTIONS.send, jobId });
      await waitFor(async () => (await h.queue.getJob(jobId)) === undefined, { message: 're-added job done and removed' });
      assert.equal(h.sink.to(sub.email).length, 1, 'delivered once');
      assert.equal((await h.queue.getJobCounts('failed')).failed, 0);
    } finally {
      await worker.stop();
    }
  });

  it('renews the lease while a send takes long: nobody else can take the edition over meanwhile', async () => {
    const sub = subscriberFixture('subLease001');
    await h.subscribers.put(sub);
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    let started = false;
    const slow: Mailer = {
      kind: 'smtp', describe: 'slow', verify: async () => {}, close: async () => {},
      async send(m, o) {
        started = true;
        await gate;
        await o?.beforeSend?.();
        return { messageId: m.messageId, response: '250 ok' };
      },
    };
    const run = runSendJob({ ...h.deps, mailer: slow, log: silentLogger(), settings: () => TEST_SEND_SETTINGS, leaseRenewMs: 10 }, { id: 'lease-job', data: { subscriberId: sub.id, period: PERIOD, dueAt: DUE }, attemptsMade: 0, attempts: 8 });
    await waitFor(async () => started, { message: 'send under way' });
    assert.ok(h.ledger.lease <= 60_000, 'a short lease: a dead worker\'s edition is recovered within a minute or so');
    clock.advance(10 * 60_000); // far past the first lease
    await waitFor(async () => ((await h.ledger.get(sub.id, PERIOD))?.leaseUntil ?? 0) > clock.now(), { message: 'lease renewed' });
    assert.equal((await h.ledger.claim(sub.id, PERIOD, 'someone-else')).outcome, 'busy');
    release();
    assert.equal((await run).kind, 'sent');
    assert.equal((await h.ledger.get(sub.id, PERIOD))?.state, 'sent');
  });

  it('the sending marker waits for DATA: a refusal or a drop before it leaves nothing in doubt', async () => {
    const sub = subscriberFixture('subMarker01');
    await h.subscribers.put(sub);
    let hooks = 0;
    h.sink.failNext({ stage: 'rcpt', code: 451, message: '4.3.0 try later', to: sub.email });
    await assert.rejects(h.mailer.send({ to: sub.email, from: 'd@example.org', replyTo: null, subject: 's', html: 'h', text: 't', messageId: '<m1@example.org>', headers: {} }, { beforeSend: async () => void hooks++ }));
    assert.equal(hooks, 0, 'the marker hook did not run: the envelope was refused before DATA');
    // a hook that refuses (claim lost) aborts before any byte of the message: nothing delivered, the connection dropped
    const before = h.sink.messages.length;
    await assert.rejects(
      h.mailer.send({ to: sub.email, from: 'd@example.org', replyTo: null, subject: 's', html: 'h', text: 't', messageId: '<m2@example.org>', headers: {} }, { beforeSend: async () => { hooks++; throw new Error('claim lost'); } }),
      /claim lost/,
    );
    assert.equal(hooks, 1);
    assert.equal(h.sink.messages.length, before, 'nothing delivered');
    const ok = await h.mailer.send({ to: sub.email, from: 'd@example.org', replyTo: null, subject: 's', html: 'h', text: 't', messageId: '<m3@example.org>', headers: {} }, { beforeSend: async () => void hooks++ });
    assert.match(ok.response, /^250/);
    assert.equal(hooks, 2);
  });

  it('a quiet-day skip is re-checked when papers arrive later in the window', async () => {
    const worker = await h.startWorker();
    try {
      const sub = subscriberFixture('subQuiet001', { includeKeywords: ['zzqqxxunlikely'] });
      await h.subscribers.put(sub);
      await h.queue.add('digest', { subscriberId: sub.id, period: PERIOD, dueAt: DUE }, { ...DEFAULT_JOB_OPTIONS.send, jobId: sendJobId(sub.id, PERIOD) });
      const first = await settled(sub.id);
      assert.deepEqual([first.state, first.reason], ['skipped', 'quiet-day']);
      assert.equal(await recheckQuietDays({ ledger: h.ledger, sendQueue: h.queue, clock, log: silentLogger() }), 1, 'still quiet: re-checked once more');
      await waitFor(async () => (await h.queue.getJob(sendJobId(sub.id, PERIOD))) === undefined, { message: 're-check ran' });
      assert.equal((await settled(sub.id)).state, 'skipped');
      // a paper matching the reader's keyword is listed later the same day
      clock.advance(3 * 3600_000);
      const late = { ...papersFor(PERIOD, 1)[0]!, id: '2611.99999', title: 'A zzqqxxunlikely result', listedOn: PERIOD };
      await h.papers.replaceDay(PERIOD, [...papersFor(PERIOD).slice(15), late], { source: 'test', url: 'test' });
      assert.equal(await recheckQuietDays({ ledger: h.ledger, sendQueue: h.queue, clock, log: silentLogger() }), 1);
      await waitFor(async () => (await h.ledger.get(sub.id, PERIOD))?.state === 'sent', { message: 'sent after the late papers' });
      assert.deepEqual((await h.ledger.get(sub.id, PERIOD))?.paperIds, ['2611.99999']);
      assert.equal(h.sink.to(sub.email).length, 1);
      // past the window: forgotten, never re-opened
      clock.advance(24 * 3600_000);
      assert.equal(await recheckQuietDays({ ledger: h.ledger, sendQueue: h.queue, clock, log: silentLogger() }), 0);
    } finally {
      await worker.stop();
      clock.set('2026-11-28T08:00:30Z');
    }
  });
});
