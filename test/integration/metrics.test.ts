// /metrics from a running `all` role (web + workers in one process, real SMTP sink): the Prometheus text parses,
// and the counters move when mail is sent and when the server refuses one (by class and reply code).
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import { Redis } from 'ioredis';
import { silentLogger } from '../../src/log.js';
import { start, type Running } from '../../src/main.js';
import type { Paper } from '../../src/papers/paper.js';
import { PaperStore } from '../../src/papers/store.js';
import { SettingsStore } from '../../src/ops/settings-store.js';
import { makeKeys } from '../../src/redis/keys.js';
import { SubscriberStore } from '../../src/subscribers/store.js';
import { parsePrometheus } from '../helpers/prometheus.js';
import { freePort, startRedis, type TestRedis } from '../helpers/redis-server.js';
import { startSmtpSink, type SmtpSink } from '../helpers/smtp-sink.js';
import { waitFor } from '../helpers/wait.js';

describe('metrics from a running process', () => {
  let redis: TestRedis;
  let client: Redis;
  let sink: SmtpSink;
  let dataDir: string;
  let running: Running;
  let base: string;
  const prefix = 'metricstest';
  const keys = makeKeys(prefix);

  before(async () => {
    redis = await startRedis();
    client = new Redis(redis.url);
    sink = await startSmtpSink();
    dataDir = mkdtempSync(join(tmpdir(), 'pd-metrics-'));
    const sendAt = new Date(Math.floor((Date.now() - 60_000) / 60_000) * 60_000);
    const day = sendAt.toISOString().slice(0, 10);
    const paper: Paper = {
      id: '2611.30001', title: 'A paper on language models', summary: 'Transformers.', authors: ['A. Author'], publishedAt: null, listedOn: day,
      upvotes: 50, comments: 0, url: 'https://huggingface.co/papers/2611.30001', arxivUrl: 'https://arxiv.org/abs/2611.30001', githubRepo: null,
      githubStars: null, projectPage: null, organization: null, thumbnail: null, keywords: [], aiSummary: null,
    };
    await new PaperStore(client, keys, () => new Date()).replaceDay(day, [paper], { source: 'test', url: 'http://test' });
    await new SettingsStore(client, keys).set({ tickEverySeconds: 10 }, 'test');
    // Two subscribers due a minute ago; the server will refuse the second one's address for good.
    const subs = new SubscriberStore(client, keys, () => new Date(sendAt.getTime() - 60_000));
    for (const email of ['ok@example.net', 'gone@example.net']) {
      await subs.create({ email, status: 'active', timezone: 'UTC', sendTime: { hour: sendAt.getUTCHours(), minute: sendAt.getUTCMinutes() } });
    }
    sink.failNext({ stage: 'rcpt', code: 550, message: '5.1.1 user unknown', to: 'gone@example.net' });
    const port = await freePort();
    base = `http://127.0.0.1:${port}`;
    running = await start('all', {
      env: { REDIS_URL: redis.url, REDIS_PREFIX: prefix, DATA_DIR: dataDir, SMTP_URL: sink.url, HOST: '127.0.0.1', PORT: String(port), PUBLIC_URL: base, HF_BASE_URL: 'http://127.0.0.1:9' },
      log: silentLogger(),
      bannerOut: new PassThrough(),
    });
  });
  after(async () => {
    await running?.stop();
    client?.disconnect();
    await sink?.close();
    await redis?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('counts sent and failed mail by class and reply code, with queue gauges and edition lag', async () => {
    const scrape = async () => {
      const res = await fetch(`${base}/metrics`);
      assert.equal(res.status, 200);
      assert.match(res.headers.get('content-type') ?? '', /^text\/plain; version=0\.0\.4/);
      return parsePrometheus(await res.text());
    };
    const m = await waitFor(async () => {
      const x = await scrape();
      return (x.get('papers_digest_emails_sent_total{kind="digest"}') ?? 0) >= 1 && (x.get('papers_digest_emails_failed_total{class="permanent",code="550"}') ?? 0) >= 1 ? x : null;
    }, { timeoutMs: 30_000, message: 'one digest sent and one refused with 550' });
    assert.equal(m.get('papers_digest_emails_sent_total{kind="digest"}'), 1);
    assert.equal(m.get('papers_digest_emails_failed_total{class="permanent",code="550"}'), 1);
    assert.equal(m.get('papers_digest_edition_lag_seconds_count'), 1);
    assert.ok((m.get('papers_digest_send_duration_seconds_count') ?? 0) >= 1);
    assert.equal(m.get('papers_digest_queue_jobs{queue="send",state="waiting"}'), 0);
    assert.ok((m.get('papers_digest_last_scrape_success_timestamp_seconds') ?? 0) > 0);
    assert.ok([...m.keys()].some((k) => k.startsWith('papers_digest_process_')), 'process metrics too');
    assert.equal(sink.to('ok@example.net').length, 1);
  });
});
