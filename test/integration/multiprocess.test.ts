// Scale-out: three worker processes (`papers-digest start --role worker`, real child processes) on one Redis and
// one SMTP sink deliver 2,000 digests that all fall due at once. Each subscriber must get exactly one message:
// the tick may run in any process (deterministic job ids absorb double fan-out), send jobs are spread by BullMQ,
// and the delivery ledger guards every send. Figures (wall time, per-process share) are printed, not asserted.
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { DeliveryLedger } from '../../src/digest/ledger.js';
import { SEND_BATCH_MAX } from '../../src/queue/catalog.js';
import type { Paper } from '../../src/papers/paper.js';
import { PaperStore } from '../../src/papers/store.js';
import { SettingsStore } from '../../src/settings/store.js';
import { makeKeys } from '../../src/redis/keys.js';
import { SubscriberStore } from '../../src/subscribers/store.js';
import { REPO_ROOT } from '../helpers/fixtures.js';
import { startRedis, type TestRedis } from '../helpers/redis-server.js';
import { startSmtpSink, type SmtpSink } from '../helpers/smtp-sink.js';
import { waitFor } from '../helpers/wait.js';

const SUBSCRIBERS = 2_000;
const WORKERS = 3;

function paper(i: number, day: string): Paper {
  const id = `2611.${String(10_000 + i)}`;
  return {
    id, title: `Paper ${i}: efficient language models`, summary: 'We study transformers, diffusion and reinforcement learning.', authors: ['A. Author'],
    publishedAt: `${day}T00:00:00.000Z`, listedOn: day, upvotes: 100 - i, comments: 1, url: `https://huggingface.co/papers/${id}`,
    arxivUrl: `https://arxiv.org/abs/${id}`, githubRepo: null, githubStars: null, projectPage: null, organization: null, thumbnail: null,
    keywords: [], aiSummary: null,
  };
}

describe(`scale-out: ${WORKERS} worker processes, ${SUBSCRIBERS} digests`, () => {
  let redis: TestRedis;
  let client: Redis;
  let sink: SmtpSink;
  let dataDir: string;
  const prefix = 'mp';
  const keys = makeKeys(prefix);
  const children: { child: ChildProcess; sent: number; ready: boolean; ticks: number; out: string }[] = [];
  let tick: Queue | null = null;

  before(async () => {
    redis = await startRedis();
    client = new Redis(redis.url);
    sink = await startSmtpSink({ parse: false });
    dataDir = mkdtempSync(join(tmpdir(), 'pd-mp-'));
    await new SettingsStore(client, keys).set({ sendRatePerSecond: 5_000, sendConcurrency: 16, tickEverySeconds: 10 }, 'test');
  });

  after(async () => {
    await Promise.all(
      children.map(
        ({ child }) =>
          new Promise<void>((resolve) => {
            if (child.exitCode !== null || child.signalCode !== null) return resolve();
            // A worker that does not stop within its shutdown bound is killed: the runner must never hang here.
            const force = setTimeout(() => child.kill('SIGKILL'), 15_000);
            child.once('exit', () => {
              clearTimeout(force);
              resolve();
            });
            child.kill('SIGTERM');
          }),
      ),
    );
    await tick?.close();
    client?.disconnect();
    await sink?.close();
    await redis?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('delivers each digest exactly once, shared by the processes', async () => {
    const env = {
      PATH: process.env.PATH ?? '',
      REDIS_URL: redis.url,
      REDIS_PREFIX: prefix,
      DATA_DIR: dataDir,
      SMTP_URL: sink.url,
      MAIL_FROM: 'Papers Digest <digest@example.org>',
      PUBLIC_URL: 'https://digest.example.org',
      // Shared secrets: every process must sign links with the same key.
      LINK_SECRETS: 'k1:9c1f0e2d7a6b5c4d3e2f1a0b9c8d7e6f5a4b3c2d',
      ADMIN_TOKEN: 'Zq8Xr2Lm5Np7Vt4Kw9Hy3Bc6',
      HF_BASE_URL: 'http://127.0.0.1:9',
      LOG_LEVEL: 'info',
      SHUTDOWN_TIMEOUT_MS: '5000',
    };
    const spawned = Date.now();
    for (let i = 0; i < WORKERS; i++) {
      const child = spawn(process.execPath, [join(REPO_ROOT, 'bin/papers-digest.js'), 'start', '--role', 'worker'], { env, stdio: ['ignore', 'pipe', 'pipe'] });
      const rec = { child, sent: 0, ready: false, ticks: 0, out: '' };
      let buf = '';
      child.stdout!.on('data', (d: Buffer) => {
        buf += d.toString();
        const lines = buf.split('\n');
        buf = lines.pop() ?? '';
        for (const l of lines) {
          if (l.includes('"msg":"digest sent"')) rec.sent += 1;
          else if (l.includes('"msg":"worker role started"')) rec.ready = true;
          else if (/"msg":"tick"/.test(l) && /"enqueued":[1-9]/.test(l)) rec.ticks += 1;
        }
      });
      child.stderr!.on('data', (d: Buffer) => {
        rec.out = (rec.out + d.toString()).slice(-4000);
      });
      children.push(rec);
    }
    await waitFor(() => children.every((c) => c.ready), { timeoutMs: 30_000, message: 'all workers started' });
    const startupMs = Date.now() - spawned;

    // Only now does the work appear: 2,000 subscribers whose send time was a minute ago, all due at once. The
    // running workers tick every 10 s: a tick landing in the middle of the seeding would fan out (and move on) the
    // subscribers written so far, so the tick queue is paused, and any tick already running let finish, until
    // every subscriber is in the due index. Resuming it releases them all to the next tick at once.
    tick = new Queue('tick', { connection: { url: redis.url }, prefix });
    await tick.pause();
    await waitFor(async () => (await tick!.getActiveCount()) === 0, { timeoutMs: 30_000, message: 'no tick running while the subscribers are seeded' });
    const now = Date.now();
    const sendAt = new Date(Math.floor((now - 60_000) / 60_000) * 60_000);
    const period = sendAt.toISOString().slice(0, 10);
    await new PaperStore(client, keys, () => new Date()).replaceDay(period, Array.from({ length: 12 }, (_, i) => paper(i, period)), { source: 'test', url: 'http://test' });
    const subs = new SubscriberStore(client, keys, () => new Date(sendAt.getTime() - 60_000));
    for (let i = 0; i < SUBSCRIBERS; i += 250) {
      await Promise.all(
        Array.from({ length: Math.min(250, SUBSCRIBERS - i) }, (_, j) =>
          subs.create({ email: `reader${i + j}@example.net`, status: 'active', timezone: 'UTC', sendTime: { hour: sendAt.getUTCHours(), minute: sendAt.getUTCMinutes() } }),
        ),
      );
    }
    assert.equal(await client.zcount(keys.dueIndex, '-inf', Date.now()), SUBSCRIBERS, 'every subscriber is due');
    await tick.resume();
    const dueAt = Date.now();
    await waitFor(() => sink.messages.length > 0, { timeoutMs: 30_000, message: 'first digest (next tick)' });
    const firstAt = Date.now();
    await sink.waitFor(SUBSCRIBERS, 100_000).catch((err: Error) => {
      throw new Error(`${err.message}\n${children.map((c, i) => `worker ${i} stderr: ${c.out}`).join('\n')}`);
    });
    const doneAt = Date.now();

    // Drained: nothing waiting, active or delayed, so no late duplicate can still arrive.
    const send = new Queue('send', { connection: { url: redis.url }, prefix });
    try {
      const counts = await waitFor(async () => {
        const c = await send.getJobCounts('waiting', 'active', 'delayed', 'prioritized', 'completed', 'failed');
        return (c.waiting ?? 0) + (c.active ?? 0) + (c.delayed ?? 0) + (c.prioritized ?? 0) === 0 ? c : null;
      }, { timeoutMs: 20_000, message: 'send queue drained' });
      // Completed jobs are removed at once (DEFAULT_JOB_OPTIONS.send); BullMQ's metrics count them. The tick put the
      // 2,000 editions in batches of up to SEND_BATCH_MAX (tick.ts fanOutJobs): one job per ≤ 50 editions.
      const completed = (await send.getMetrics('completed')).meta.count;
      assert.ok(completed >= SUBSCRIBERS / SEND_BATCH_MAX && completed < SUBSCRIBERS / 10, `send jobs completed: ${completed}`);
      assert.equal(counts.failed, 0);
    } finally {
      await send.close();
    }
    assert.equal(sink.messages.length, SUBSCRIBERS, 'no message twice');
    const recipients = new Set(sink.messages.flatMap((m) => m.envelope.rcptTo));
    assert.equal(recipients.size, SUBSCRIBERS, 'every subscriber exactly once');
    const ids = new Set(sink.messages.map((m) => /^Message-ID: (.*)$/im.exec(m.raw)?.[1]?.trim()));
    assert.equal(ids.size, SUBSCRIBERS);
    const ledger = await new DeliveryLedger(client, keys, () => new Date()).countsByState(period);
    assert.equal(ledger.sent, SUBSCRIBERS);
    await waitFor(() => children.reduce((a, c) => a + c.sent, 0) === SUBSCRIBERS, { timeoutMs: 5_000, message: 'every "digest sent" log line read' });

    const shares = children.map((c) => c.sent);
    process.stdout.write(
      `# multiprocess: ${SUBSCRIBERS} digests, ${WORKERS} worker processes (sendConcurrency 16 fleet-wide, rate 5000/s): ` +
        `start-up ${(startupMs / 1000).toFixed(1)} s; due → first delivery ${((firstAt - dueAt) / 1000).toFixed(1)} s (the next 10 s tick once resumed); ` +
        `first → last ${((doneAt - firstAt) / 1000).toFixed(1)} s = ${Math.round(SUBSCRIBERS / ((doneAt - firstAt) / 1000))}/s; ` +
        `per process ${shares.join(' / ')}; fan-out ticks with work per process ${children.map((c) => c.ticks).join(' / ')}\n`,
    );
    assert.ok(shares.filter((n) => n > 0).length >= 2, `the work is shared (per process: ${shares.join(', ')})`);
  });
});
