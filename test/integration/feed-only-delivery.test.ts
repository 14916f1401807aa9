// Feed-only delivery through the real send role (createServices → startSendRole, real redis-server, SMTP to the
// in-process sink): a reader whose delivery mode is `feed` gets no email, yet each edition is recorded in the ledger
// like a send — their feed shows its papers, the next period never repeats one, and the period counts hold them.
// An email reader beside them is mailed as before.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { Queue } from 'bullmq';
import { createContext, type Context } from '../../src/context.js';
import { startSendRole } from '../../src/worker.js';
import type { SendWorker } from '../../src/digest/send-worker.js';
import { silentLogger } from '../../src/log.js';
import { DEFAULT_JOB_OPTIONS, QUEUES, sendJobId } from '../../src/queue/catalog.js';
import { feedManageUrl } from '../../src/feeds/feed-links.js';
import { createServices, type Services } from '../../src/services.js';
import { testClock } from '../helpers/clock.js';
import { startRedis, type TestRedis } from '../helpers/redis-server.js';
import { startSmtpSink, type SmtpSink } from '../helpers/smtp-sink.js';
import { waitFor } from '../helpers/wait.js';
import { papersFor } from './send-harness.js';

const PERIODS = ['2026-11-02', '2026-11-03'];

describe('feed-only delivery (send role, ledger, SMTP sink)', () => {
  const clock = testClock(`${PERIODS[0]}T08:00:00Z`);
  let redis: TestRedis;
  let sink: SmtpSink;
  let dataDir: string;
  let ctx: Context;
  let services: Services;
  let send: SendWorker;
  let queue: Queue;

  before(async () => {
    redis = await startRedis();
    sink = await startSmtpSink();
    dataDir = mkdtempSync(join(tmpdir(), 'pd-feed-only-'));
    ctx = await createContext({
      env: { REDIS_URL: redis.url, REDIS_PREFIX: 'feedonly', DATA_DIR: dataDir, SMTP_URL: sink.url, PUBLIC_URL: 'https://digest.example.org', MAIL_FROM: 'Papers Digest <digest@example.org>' },
      log: silentLogger(),
      clock,
      manageRedis: false,
    });
    services = await createServices(ctx);
    send = await startSendRole(services);
    queue = new Queue(QUEUES.send, { connection: ctx.newRedis('test-queue', true), prefix: ctx.config.redisPrefix });
  });
  after(async () => {
    await send?.stop();
    await queue?.close();
    await ctx?.close();
    await sink?.close();
    await redis?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('mails the email reader, records the feed-only reader like a send, and never repeats a paper', async () => {
    const mk = (email: string) => services.subscribers.create({ email, status: 'active', timezone: 'UTC', sendTime: '08:00', maxPapers: 3 });
    const { subscriber: feedOnly } = await mk('feed-only@example.net');
    const { subscriber: mailed } = await mk('mailed@example.net');
    await services.feeds.deliveryModes.set(feedOnly.id, 'feed');

    const seen: string[][] = [];
    for (const [i, period] of PERIODS.entries()) {
      clock.set(`${period}T08:00:00Z`);
      // the same 30 papers listed again each day: only "never the same paper twice" keeps the second edition new
      await services.papers.replaceDay(period, papersFor(period), { source: 'test', url: 'test' });
      for (const s of [feedOnly, mailed]) {
        await queue.add('digest', { subscriberId: s.id, period, dueAt: clock().toISOString() }, { ...DEFAULT_JOB_OPTIONS.send, jobId: sendJobId(s.id, period) });
      }
      for (const s of [feedOnly, mailed]) {
        await waitFor(async () => (await services.ledger.get(s.id, period))?.state === 'sent', { message: `${s.email} ${period} recorded` });
      }
      await sink.waitFor(i + 1);
      const entry = (await services.ledger.get(feedOnly.id, period))!;
      assert.equal(entry.paperIds.length, 3, 'the feed-only edition counts its papers as sent');
      seen.push(entry.paperIds);
      const counts = await services.ledger.countsByState(period);
      assert.equal(counts.sent, 2, '`editions status` counts the feed-only edition as sent');
    }

    assert.equal(sink.to('feed-only@example.net').length, 0, 'a feed-only reader gets no email');
    assert.equal(sink.to('mailed@example.net').length, 2, 'the email reader is mailed each period');
    assert.equal(new Set(seen.flat()).size, 6, 'never the same paper twice across the two periods');
    const mail = sink.to('mailed@example.net')[0]!.parsed;
    assert.equal(mail.text?.match(/^Your feed: +(\S+)$/m)?.[1], feedManageUrl('https://digest.example.org', mailed, ctx.secrets.linkSecrets), 'the footer links the personal feed page');

    const feed = await services.feeds.editions.editions(feedOnly.id, 10);
    assert.deepEqual(feed.map((e) => e.period), [...PERIODS].reverse(), 'newest first');
    assert.deepEqual(feed.map((e) => e.papers.map((p) => p.paper.id)), [...seen].reverse(), 'the feed shows the recorded papers');
    assert.ok(feed.every((e) => e.papers.every((p) => p.whyLines.length > 0)), 'with their reasons');
  });
});
