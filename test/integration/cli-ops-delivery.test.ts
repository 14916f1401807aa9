// The delivery-side operator commands as child processes against a private redis-server and a real SMTP sink:
// preview writes exactly the HTML send-test delivers; schedule show, editions status and retry-failed read and
// act on what the other domains wrote.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import type { Paper } from '../../src/papers/paper.js';
import { PaperStore } from '../../src/papers/store.js';
import { createMetrics } from '../../src/metrics/metrics.js';
import { fleetMetrics } from '../../src/metrics/relay.js';
import { makeKeys } from '../../src/redis/keys.js';
import { SubscriberStore } from '../../src/subscribers/store.js';
import { REPO_ROOT } from '../helpers/fixtures.js';
import { startRedis, type TestRedis } from '../helpers/redis-server.js';
import { startSmtpSink, type SmtpSink } from '../helpers/smtp-sink.js';

function cli(env: Record<string, string>, ...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [join(REPO_ROOT, 'bin/papers-digest.js'), ...args], { env: { PATH: process.env.PATH ?? '', ...env }, timeout: 60_000 }, (err, stdout, stderr) => {
      resolve({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, stdout, stderr });
    });
  });
}

function paper(id: string, title: string, day: string, upvotes: number): Paper {
  return {
    id, title, summary: `${title}: a study of large language models and diffusion.`, authors: ['Ada Lovelace', 'Alan Turing'],
    publishedAt: `${day}T00:00:00.000Z`, listedOn: day, upvotes, comments: 3, url: `https://huggingface.co/papers/${id}`,
    arxivUrl: `https://arxiv.org/abs/${id}`, githubRepo: null, githubStars: null, projectPage: null, organization: null,
    thumbnail: null, keywords: ['language models'], aiSummary: null,
  };
}

describe('operator CLI: preview, send-test, schedule, editions, retry-failed', () => {
  let redis: TestRedis;
  let client: Redis;
  let sink: SmtpSink;
  let dataDir: string;
  let env: Record<string, string>;
  const prefix = 'clidel';
  const keys = makeKeys(prefix);
  const today = new Date().toISOString().slice(0, 10);
  let subId = '';

  before(async () => {
    redis = await startRedis();
    client = new Redis(redis.url);
    sink = await startSmtpSink();
    dataDir = mkdtempSync(join(tmpdir(), 'pd-cli-del-'));
    env = { REDIS_URL: redis.url, REDIS_PREFIX: prefix, DATA_DIR: dataDir, SMTP_URL: sink.url, MAIL_FROM: 'Papers Digest <digest@example.org>', PUBLIC_URL: 'https://digest.example.org' };
    const papers = new PaperStore(client, keys, () => new Date());
    await papers.replaceDay(today, [paper('2611.00001', 'Scaling Laws for Tiny Transformers', today, 120), paper('2611.00002', 'Diffusion Without Tears', today, 80)], { source: 'test', url: 'http://test' });
    const subs = new SubscriberStore(client, keys, () => new Date());
    const { subscriber } = await subs.create({ email: 'reader@example.net', status: 'active', timezone: 'UTC', sendTime: { hour: 23, minute: 59 } });
    subId = subscriber.id;
  });
  after(async () => {
    client.disconnect();
    await sink.close();
    await redis.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('preview writes the HTML that send-test then delivers through SMTP, byte for byte', async () => {
    const out = join(dataDir, 'preview.html');
    const p = await cli(env, 'preview', '--subscriber', 'reader@example.net', '--out', out, '--json');
    assert.equal(p.code, 0, p.stderr);
    const info = JSON.parse(p.stdout) as { subscriberId: string; to: string; papers: number; subject: string };
    assert.equal(info.subscriberId, subId);
    assert.equal(info.to, 'r***@example.net');
    assert.equal(info.papers, 2);
    const html = readFileSync(out, 'utf8');
    assert.match(html, /Scaling Laws for Tiny Transformers/);
    assert.equal(sink.messages.length, 0, 'preview sends nothing');
    assert.deepEqual(await client.keys(`${prefix}:ed:*`), [], 'preview records nothing (no edition, record or index key)');

    // `--subscriber=<id>`, not `--subscriber <id>`: a subscriber id is random base64url and starts with '-' one time
    // in 64, which parseArgs refuses as an ambiguous option argument in the two-word form.
    const s = await cli(env, 'send-test', '--to', 'operator@example.com', `--subscriber=${subId}`, '--json');
    assert.equal(s.code, 0, s.stderr);
    const [msg] = await sink.waitFor(1);
    assert.deepEqual(msg!.envelope.rcptTo, ['operator@example.com']);
    assert.equal(msg!.parsed.subject, info.subject);
    assert.equal(String(msg!.parsed.html).replace(/\r\n/g, '\n'), html.replace(/\r\n/g, '\n'));
    assert.match(String(msg!.parsed.messageId), /^<test-[0-9a-f]{12}-/);
    assert.equal(msg!.parsed.headers.get('x-papers-digest-test'), 'yes');
    assert.deepEqual(await client.keys(`${prefix}:ed:*`), [], 'send-test records nothing either');

    const sample = await cli(env, 'send-test', '--to', 'operator@example.com');
    assert.equal(sample.code, 0, sample.stderr);
    await sink.waitFor(2);
    const bad = await cli(env, 'send-test', '--to', 'a@b.c, d@e.f');
    assert.equal(bad.code, 2);

    // Both test emails count in the fleet's emails-sent metric (the CLI process is gone; its count is not).
    const own = createMetrics();
    const text = await (await fleetMetrics(client, keys, own, new Date())).metrics();
    assert.match(text, /papers_digest_emails_sent_total\{kind="test",pd_instance="cli"\} 2\b/);
  });

  it('schedule show lists missing schedulers and the due digests per hour', async () => {
    const r = await cli(env, 'schedule', 'show', '--json');
    assert.equal(r.code, 0, r.stderr);
    const s = JSON.parse(r.stdout) as { schedulers: { id: string; present: boolean }[]; due: { total: number; overdue: number; hours: { count: number }[] }; scrape: { next: string[] } };
    assert.deepEqual(s.schedulers.map((x) => [x.id, x.present]), [['scrape-listing', false], ['tick', false]]);
    assert.equal(s.due.hours.length, 24);
    assert.equal(s.due.total + s.due.overdue, 1, 'the one active subscriber is in the due index');
    assert.equal(s.scrape.next.length, 3);
    const text = await cli(env, 'schedule', 'show');
    assert.match(text.stdout, /tick\s+MISSING/);
  });

  it('editions status counts each state and the editions not started; retry-failed reopens only failed ones', async () => {
    const period = '2026-01-15';
    const ledger = (id: string, state: string) =>
      client.multi().hset(keys.edition(id, period), { state, updatedAt: new Date().toISOString() }).hset(keys.editionsByPeriod(period), id, state).exec();
    await ledger('sub-sent-1', 'sent');
    await ledger('sub-sent-2', 'sent');
    await ledger('sub-failed', 'failed');
    await ledger('sub-unknown', 'unknown');
    await ledger('sub-busy', 'claimed');
    const st = await cli(env, 'editions', 'status', '--period', period, '--json');
    assert.equal(st.code, 0, st.stderr);
    const s = JSON.parse(st.stdout) as Record<string, number>;
    assert.deepEqual(
      { eligible: s.eligible, sent: s.sent, failed: s.failed, unknown: s.unknown, inFlight: s.inFlight, pending: s.pending },
      { eligible: 5, sent: 2, failed: 1, unknown: 1, inFlight: 1, pending: 1 },
      'the active subscriber was created after that day, so it is not eligible',
    );
    // Without --period: every edition under way now (two or three local dates, UTC−12 … UTC+14), UTC today among them.
    const live = JSON.parse((await cli(env, 'editions', 'status', '--json')).stdout) as { periods: (Record<string, number> & { period: string })[] };
    const utcToday = new Date().toISOString().slice(0, 10);
    assert.ok(live.periods.length >= 2 && live.periods.length <= 4, JSON.stringify(live.periods.map((p) => p.period)));
    const todayStatus = live.periods.find((p) => p.period === utcToday);
    assert.ok(todayStatus, `UTC today ${utcToday} is among the periods under way`);
    assert.equal(todayStatus.notStarted, 1);

    const dry = await cli(env, 'retry-failed', '--period', period, '--dry-run', '--json');
    assert.equal((JSON.parse(dry.stdout) as { failed: number }).failed, 1);
    assert.equal(await client.hget(keys.edition('sub-failed', period), 'state'), 'failed');
    const r = await cli(env, 'retry-failed', '--period', period, '--json');
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(JSON.parse(r.stdout), { period, failed: 1, requeued: 1, skipped: 0, dryRun: false });
    assert.equal(await client.hget(keys.edition('sub-failed', period), 'state'), 'retrying');
    assert.equal(await client.hget(keys.editionsByPeriod(period), 'sub-failed'), 'retrying');
    assert.equal(await client.hget(keys.edition('sub-unknown', period), 'state'), 'unknown', 'unknown is never retried');
    const q = new Queue('send', { connection: { url: redis.url }, prefix });
    try {
      const job = await q.getJob(`digest-sub-failed-${period}`);
      assert.ok(job);
      assert.equal(await job.getState(), 'waiting');
      assert.equal((job.data as { subscriberId: string }).subscriberId, 'sub-failed');
    } finally {
      await q.close();
    }
  });
});
