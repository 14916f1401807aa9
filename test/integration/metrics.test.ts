// /metrics from running processes with a real SMTP sink: the Prometheus text parses, and the counters move when
// mail is sent and when the server refuses one (by class and reply code) — in one `all` process, and with the
// roles split (a worker's counters reach the web role's /metrics through its Redis snapshot, labelled with
// its instance, never counted twice).
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import { Redis } from 'ioredis';
import { silentLogger } from '../../src/log.js';
import { start, type Role, type Running } from '../../src/main.js';
import type { Paper } from '../../src/papers/paper.js';
import { PaperStore } from '../../src/papers/store.js';
import { SettingsStore } from '../../src/settings/store.js';
import { makeKeys } from '../../src/redis/keys.js';
import { SubscriberStore } from '../../src/subscribers/store.js';
import { parsePrometheus, sumSeries } from '../helpers/prometheus.js';
import { freePort, startRedis, type TestRedis } from '../helpers/redis-server.js';
import { startSmtpSink, type SmtpSink } from '../helpers/smtp-sink.js';
import { waitFor } from '../helpers/wait.js';

function setup(prefix: string, roles: Role[]) {
  const h = {} as { redis: TestRedis; client: Redis; sink: SmtpSink; dataDir: string; running: Running[]; base: string; day: string; scrape(): Promise<Map<string, number>> };
  const keys = makeKeys(prefix);
  before(async () => {
    h.redis = await startRedis();
    h.client = new Redis(h.redis.url);
    h.sink = await startSmtpSink();
    h.dataDir = mkdtempSync(join(tmpdir(), 'pd-metrics-'));
    const sendAt = new Date(Math.floor((Date.now() - 60_000) / 60_000) * 60_000);
    const day = sendAt.toISOString().slice(0, 10);
    h.day = day; // the edition's period, fixed here: recomputing it from the wall clock later breaks across UTC midnight
    const paper: Paper = {
      id: '2611.30001', title: 'A paper on language models', summary: 'Transformers.', authors: ['A. Author'], publishedAt: null, listedOn: day,
      upvotes: 50, comments: 0, url: 'https://huggingface.co/papers/2611.30001', arxivUrl: 'https://arxiv.org/abs/2611.30001', githubRepo: null,
      githubStars: null, projectPage: null, organization: null, thumbnail: null, keywords: [], aiSummary: null,
    };
    await new PaperStore(h.client, keys, () => new Date()).replaceDay(day, [paper], { source: 'test', url: 'http://test' });
    await new SettingsStore(h.client, keys).set({ tickEverySeconds: 10 }, 'test');
    // Two subscribers due a minute ago; the server will refuse the second one's address for good.
    const subs = new SubscriberStore(h.client, keys, () => new Date(sendAt.getTime() - 60_000));
    for (const email of ['ok@example.net', 'gone@example.net']) {
      await subs.create({ email, status: 'active', timezone: 'UTC', sendTime: { hour: sendAt.getUTCHours(), minute: sendAt.getUTCMinutes() } });
    }
    h.sink.failNext({ stage: 'rcpt', code: 550, message: '5.1.1 user unknown', to: 'gone@example.net' });
    const port = await freePort();
    h.base = `http://127.0.0.1:${port}`;
    h.running = [];
    for (const role of roles) {
      h.running.push(
        await start(role, {
          env: { REDIS_URL: h.redis.url, REDIS_PREFIX: prefix, DATA_DIR: h.dataDir, SMTP_URL: h.sink.url, HOST: '127.0.0.1', PORT: String(port), PUBLIC_URL: h.base, HF_BASE_URL: 'http://127.0.0.1:9' },
          log: silentLogger(),
          bannerOut: new PassThrough(),
        }),
      );
    }
  });
  after(async () => {
    for (const r of h.running ?? []) await r.stop();
    h.client?.disconnect();
    await h.sink?.close();
    await h.redis?.stop();
    rmSync(h.dataDir, { recursive: true, force: true });
  });
  h.scrape = async () => {
    const res = await fetch(`${h.base}/metrics`);
    assert.equal(res.status, 200);
    assert.match(res.headers.get('content-type') ?? '', /^text\/plain; version=0\.0\.4/);
    return parsePrometheus(await res.text());
  };
  return h;
}

describe('metrics: one process with every role', () => {
  const h = setup('metricsall', ['all']);

  it('counts sent and failed mail by class and reply code, with queue gauges and edition lag', async () => {
    const m = await waitFor(async () => {
      const x = await h.scrape();
      // The send counter moves when the transport accepts; the lag once the ledger has recorded it, a moment later.
      return sumSeries(x, 'papers_digest_emails_sent_total', 'kind="digest"') >= 1 &&
        sumSeries(x, 'papers_digest_emails_failed_total', 'class="permanent",code="550"') >= 1 &&
        sumSeries(x, 'papers_digest_edition_lag_seconds_count', '') >= 1
        ? x
        : null;
    }, { timeoutMs: 30_000, message: 'one digest sent (and its lag recorded) and one refused with 550' });
    // Exactly one each: the process's own snapshot in Redis is not added to its live registry.
    assert.equal(sumSeries(m, 'papers_digest_emails_sent_total', 'kind="digest"'), 1);
    assert.equal(sumSeries(m, 'papers_digest_emails_failed_total', 'class="permanent",code="550"'), 1);
    assert.equal(sumSeries(m, 'papers_digest_edition_lag_seconds_count', ''), 1);
    assert.ok(sumSeries(m, 'papers_digest_send_duration_seconds_count', '') >= 1);
    assert.ok(sumSeries(m, 'papers_digest_render_duration_seconds_count', '') >= 2, 'each rendered message is timed, delivered or refused');
    assert.equal(sumSeries(m, 'papers_digest_queue_jobs', 'queue="send",state="waiting"'), 0);
    assert.ok(sumSeries(m, 'papers_digest_last_scrape_success_timestamp_seconds', '') > 0);
    assert.ok([...m.keys()].some((k) => k.startsWith('papers_digest_process_cpu_seconds_total')), 'process metrics too');
    assert.ok(![...m.keys()].some((k) => k.startsWith('papers_digest_process_process_')), 'named once, not process_process_');
    assert.equal(h.sink.to('ok@example.net').length, 1);
  });
});

describe('metrics: web and worker roles apart', () => {
  const h = setup('metricssplit', ['web', 'worker']);

  it("serves the worker's counters from the web role, labelled with the worker's instance", async () => {
    const [web, worker] = h.running;
    await h.sink.waitFor(1, 30_000);
    await waitFor(() => h.sink.events.some((e) => e.code === 550), { timeoutMs: 30_000, message: 'the 550 refusal' });
    await waitFor(async () => (await worker!.services.ledger.countsByState(h.day)).failed === 1, {
      message: 'the refusal settled in the ledger',
    });
    await worker!.stop(); // its last snapshot is published on the way out
    const m = await h.scrape();
    const workerId = worker!.services.metrics.instance;
    assert.equal(m.get(`papers_digest_emails_sent_total{kind="digest",pd_instance="${workerId}"}`), 1);
    assert.equal(m.get(`papers_digest_emails_failed_total{class="permanent",code="550",pd_instance="${workerId}"}`), 1);
    assert.equal(sumSeries(m, 'papers_digest_emails_sent_total', ''), 1, 'the web process itself sent nothing');
    assert.ok([...m.keys()].some((k) => k.includes(`pd_instance="${web!.services.metrics.instance}"`)));
  });
});
