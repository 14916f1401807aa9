// Subscribe emails through the mail queue (issue 11): a 451 at RCPT or a connection dropped after DATA no longer
// loses a confirmation — the mail queue's worker retries it, as one message (same Message-ID), sent once and
// counted; and no log line carries the address (nodemailer's `err.rejected` included).
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { createContext, type Context } from '../../src/context.js';
import { createLogger } from '../../src/log.js';
import { startConfirmationWorker } from '../../src/mail/confirmation-worker.js';
import type { QueueWorker } from '../../src/queue/worker.js';
import { createServices, type Services } from '../../src/services.js';
import { startRedis, type TestRedis } from '../helpers/redis-server.js';
import { startSmtpSink, type SmtpSink } from '../helpers/smtp-sink.js';
import { waitFor } from '../helpers/wait.js';

let redis: TestRedis;
let sink: SmtpSink;
let ctx: Context;
let services: Services;
let worker: QueueWorker;
let dataDir: string;
const lines: string[] = [];

before(async () => {
  redis = await startRedis();
  sink = await startSmtpSink();
  dataDir = mkdtempSync(join(tmpdir(), 'pd-confirm-q-'));
  const log = createLogger({ level: 'debug' }, new Writable({ write(chunk, _e, cb) { lines.push(String(chunk)); cb(); } }));
  ctx = await createContext({
    env: {
      REDIS_URL: redis.url, REDIS_PREFIX: 'cq', SMTP_URL: sink.url, DATA_DIR: dataDir, PUBLIC_URL: 'http://digest.test',
      LINK_SECRETS: 'k2:Qm9vdHN0cmFwLXNlY3JldC1mb3ItdGVzdHMtb25seS0x', MAIL_FROM: 'Papers Digest <digest@digest.test>',
    },
    log,
    manageRedis: false,
  });
  services = createServices(ctx);
  worker = await startConfirmationWorker(await services.confirmationDeps(), {
    connect: (name) => ctx.newRedis(name, true), prefix: ctx.config.redisPrefix, log, shutdownTimeoutMs: 5_000,
  });
});
after(async () => {
  await worker.stop();
  await ctx.close();
  await sink.close();
  await redis.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

const sent = async (kind: string) => (await services.metrics.emailsSent.get()).values.find((v) => v.labels.kind === kind)?.value ?? 0;

async function runQueuedNow(jobId: string): Promise<unknown> {
  const job = await services.queues.mail.getJob(jobId);
  assert.ok(job, 'the request is on the mail queue');
  if ((await job.getState()) === 'delayed') await job.promote();
  return waitFor(async () => ((await services.queues.mail.getJob(jobId))?.finishedOn ? (await services.queues.mail.getJob(jobId))!.returnvalue : null), {
    timeoutMs: 20_000,
    message: `job ${jobId} finished`,
  });
}

describe('confirmation emails go through the mail queue', () => {
  it('a 451 at RCPT is retried by the worker: one confirmation arrives, counted once', async () => {
    const { subscriber } = await services.subscribers.create({ email: 'ann@example.org' });
    const before = await sent('confirm');
    sink.failNext({ stage: 'rcpt', code: 451, message: '4.7.1 ann@example.org greylisted, try again later', to: 'ann@example.org' });
    const r = await services.deliverConfirmation(subscriber);
    assert.ok(r.error, 'the first try failed');
    assert.equal(r.final, false);
    assert.equal(sink.to('ann@example.org').length, 0);
    assert.deepEqual(await runQueuedNow(r.jobId), { outcome: 'confirm-sent' });
    const mails = sink.to('ann@example.org');
    assert.equal(mails.length, 1);
    assert.match(mails[0]!.raw, /http:\/\/digest\.test\/confirm\//);
    assert.equal(await sent('confirm'), before + 1);
  });

  it('a drop after DATA is resent with the same Message-ID', async () => {
    const { subscriber } = await services.subscribers.create({ email: 'bob@example.org' });
    sink.dropNextDuringData({ to: 'bob@example.org' });
    const r = await services.deliverConfirmation(subscriber);
    assert.ok(r.error);
    assert.equal(sink.dropped.length, 1);
    await runQueuedNow(r.jobId);
    const [mail] = sink.to('bob@example.org');
    assert.ok(mail);
    const id = (raw: string) => /^Message-ID: (.+)$/im.exec(raw)?.[1]?.trim();
    assert.equal(id(mail.raw), id(sink.dropped[0]!.raw));
  });

  it('sent at once when the server accepts, and the queued safety net then sends nothing more', async () => {
    const { subscriber } = await services.subscribers.create({ email: 'cy@example.org' });
    const outcome = await services.sendConfirmation(subscriber);
    assert.equal(outcome, 'confirm-sent');
    assert.equal(sink.to('cy@example.org').length, 1);
    const jobs = await services.queues.mail.getDelayed();
    const job = jobs.find((j) => (j.data as { subscriberId: string }).subscriberId === subscriber.id);
    assert.ok(job?.id);
    assert.deepEqual(await runQueuedNow(job.id), { outcome: 'already-sent' });
    assert.equal(sink.to('cy@example.org').length, 1, 'exactly once');
    assert.deepEqual(Object.keys(job.data as object).sort(), ['requestId', 'subscriberId'], 'no address in job data');
  });

  it('a permanent refusal is final, says so, and no log line holds the address (err.rejected included)', async () => {
    const { subscriber } = await services.subscribers.create({ email: 'dee@example.org' });
    sink.failNext({ stage: 'rcpt', code: 550, message: '5.1.1 <dee@example.org>: no such user', to: 'dee@example.org' });
    await assert.rejects(services.sendConfirmation(subscriber), (err: Error) => {
      assert.match(err.message, /refused/);
      assert.doesNotMatch(err.message, /queued/);
      return true;
    });
    const all = lines.join('');
    assert.match(all, /subscribe email refused/, 'the refusal was logged');
    for (const a of ['ann@example.org', 'bob@example.org', 'cy@example.org', 'dee@example.org']) assert.ok(!all.includes(a), `${a} in the log`);
  });
});
