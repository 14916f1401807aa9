// Benchmark section "delivery": N subscribers (default 20,000) delivered end to end — one tick fans them out into
// send jobs, the real send worker claims, selects, renders, sends over the pooled SMTP adapter and marks each one —
// to a loopback SMTP sink running in ANOTHER process (bench/smtp-sink-process.ts). Beside it, in the same run and
// to the same sink, raw nodemailer (its own pool transport, same connection count) sending the same messages
// (a sample recorded during the end-to-end phase, cycled). Also the bench process's peak RSS and Redis memory per
// subscriber (everything: subscriber, due entry, ledger entry, sent papers, archived web view, BullMQ job).
// Standalone: `node bin/run-ts.js bench/delivery.ts [--subscribers N]`; bench/run.ts runs it as section "delivery".
import { fork, type ChildProcess } from 'node:child_process';
import { connect } from 'node:net';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import nodemailer from 'nodemailer';
import { DeliveryLedger } from '../src/digest/ledger.js';
import { startSendWorker } from '../src/digest/send-worker.js';
import { runTick } from '../src/digest/tick.js';
import { silentLogger } from '../src/log.js';
import type { Mailer, OutgoingMessage } from '../src/mail/mailer.js';
import { compileTemplates } from '../src/mail/render.js';
import { SmtpMailer } from '../src/mail/smtp-mailer.js';
import { createMetrics } from '../src/metrics/metrics.js';
import { DEFAULT_SETTINGS } from '../src/settings/schema.js';
import { normalizeEntries } from '../src/papers/normalize.js';
import type { Paper } from '../src/papers/paper.js';
import { PaperStore } from '../src/papers/store.js';
import { QUEUES } from '../src/queue/catalog.js';
import { makeKeys } from '../src/redis/keys.js';
import { SubscriberStore } from '../src/subscribers/store.js';
import { SuppressionList } from '../src/subscribers/suppression.js';
import type { Subscriber } from '../src/subscribers/subscriber.js';
import { FIXTURES, readFixture } from '../test/helpers/fixtures.js';
import { startRedis } from '../test/helpers/redis-server.js';
import { redisCpuSeconds, BENCH_PREFS as PREFS } from './common.js';

export interface DeliveryBenchOptions {
  subscribers?: number;
  /** SMTP connections, ours and raw nodemailer's alike (default 8). */
  connections?: number;
  /** Send worker concurrency (default 32). */
  concurrency?: number;
  /** Messages recorded for the raw phase (default 500), cycled to `subscribers` sends. */
  sample?: number;
}

export interface DeliveryBenchResult {
  delivery: {
    subscribers: number;
    digestsPerSecond: number;
    rawSmtpPerSecond: number;
    ratio: number;
    /** nodemailer's pool as shipped (no TCP_NODELAY; Nagle + delayed ACK cost it ~40 ms per message). */
    rawSmtpStockPerSecond: number;
    tickMs: number;
    totalSeconds: number;
    avgMessageBytes: number;
    connections: number;
    concurrency: number;
  };
  /**
   * The render step's share of the worker process's CPU in the measured run: the send path's render time (view model,
   * HTML fill as UTF-8 bytes, text part, size budget: papers_digest_render_duration_seconds, synchronous work on
   * the process's one JS thread) over the process's whole CPU time (user + system, every thread: the tick, BullMQ,
   * ioredis, MIME building, SMTP) while delivering. Per delivered digest too.
   */
  render: { shareOfSendCpu: number; renderMsPerDigest: number; cpuMsPerDigest: number; redisCpuMsPerDigest: number };
  memory: { peakRssMb: number };
  redis: { bytesPerSubscriber: number; breakdownBytes: Record<string, number> };
}

const BENCH_DIR = dirname(fileURLToPath(import.meta.url));
const ZONES = ['UTC', 'Europe/Berlin', 'America/New_York', 'Asia/Kolkata', 'Australia/Lord_Howe', 'America/Santiago', 'Asia/Tokyo', 'Pacific/Chatham'];
const round = (n: number, d = 2) => Number(n.toFixed(d));

interface Sink {
  port: number;
  count(): Promise<{ messages: number; bytes: number }>;
  stop(): void;
}

async function startSinkProcess(): Promise<Sink> {
  const child: ChildProcess = fork(join(BENCH_DIR, 'smtp-sink-process.ts'), [], { execArgv: ['--import', 'tsx'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const port = await new Promise<number>((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', (code) => reject(new Error(`sink process exited (${code})`)));
    child.on('message', (m: { type?: string; port?: number }) => {
      if (m.type === 'ready') resolve(m.port!);
    });
  });
  child.removeAllListeners('exit');
  return {
    port,
    count: () =>
      new Promise((resolve) => {
        const on = (m: { type?: string; messages?: number; bytes?: number }) => {
          if (m.type !== 'count') return;
          child.off('message', on);
          resolve({ messages: m.messages!, bytes: m.bytes! });
        };
        child.on('message', on);
        child.send({ type: 'count' });
      }),
    stop: () => child.disconnect(),
  };
}

function listing(day: string, k: number, base: Paper[]): Paper[] {
  return base.map((p, i) => ({ ...p, id: `${p.id}${k}`, listedOn: day, url: `https://huggingface.co/papers/${p.id}${k}`, upvotes: p.upvotes + i }));
}

/** Seconds the send path has spent rendering so far (the render-duration histogram's sum). */
async function renderSeconds(metrics: ReturnType<typeof createMetrics>): Promise<number> {
  const { values } = await metrics.renderDuration.get();
  return values.find((v) => v.metricName === 'papers_digest_render_duration_seconds_sum')?.value ?? 0;
}

/** CPU seconds the Redis server has used (user + system, all its threads). */

async function usedMemory(redis: Redis): Promise<number> {
  const info = await redis.info('memory');
  return Number(/used_memory:(\d+)/.exec(info)![1]);
}

async function until(fn: () => Promise<boolean>, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await fn())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** nodemailer's own pool transport sending `count` messages cycled from `sample`, at most `window` in flight. */
async function rawRate(port: number, sample: OutgoingMessage[], count: number, connections: number, noDelay: boolean): Promise<number> {
  const transport = nodemailer.createTransport({ pool: true, host: '127.0.0.1', port, maxConnections: connections, maxMessages: 100, secure: false, ignoreTLS: true });
  if (noDelay) {
    // nodemailer's documented custom-socket hook: hand it a connected socket with Nagle off.
    (transport as unknown as { getSocket: (o: unknown, cb: (err: Error | null, s?: { connection: unknown }) => void) => void }).getSocket = (_o, cb) => {
      const s = connect(port, '127.0.0.1', () => cb(null, { connection: s }));
      s.setNoDelay(true);
      s.once('error', (err) => cb(err));
    };
  }
  const window = connections * 4;
  let next = 0;
  const t0 = performance.now();
  const lane = async () => {
    while (next < count) {
      const m = sample[next++ % sample.length]!;
      await transport.sendMail({ from: m.from, to: m.to, subject: m.subject, html: m.html, text: m.text, messageId: m.messageId, headers: m.headers });
    }
  };
  await Promise.all(Array.from({ length: window }, lane));
  const rate = count / ((performance.now() - t0) / 1000);
  transport.close();
  return rate;
}

export async function benchDelivery(opts: DeliveryBenchOptions = {}): Promise<DeliveryBenchResult> {
  const n = opts.subscribers ?? 20_000;
  const connections = opts.connections ?? 8;
  const concurrency = opts.concurrency ?? 32;
  const sampleSize = opts.sample ?? 500;
  const server = await startRedis();
  const sink = await startSinkProcess();
  const redis = new Redis(server.url);
  const bull = new Redis(server.url, { maxRetriesPerRequest: null });
  let t = Date.parse('2026-11-27T06:00:00Z');
  const clock = () => new Date(t);
  const keys = makeKeys('bench');
  const log = silentLogger();
  try {
    const base = normalizeEntries(JSON.parse(readFixture(FIXTURES.api)) as unknown[], { fallbackDay: '2026-07-31' }).papers;
    const papers = new PaperStore(redis, keys, clock);
    for (const [k, day] of ['2026-11-25', '2026-11-26', '2026-11-27', '2026-11-28'].entries()) await papers.replaceDay(day, listing(day, k, base), { source: 'bench', url: 'bench' });

    // Subscribers, written the way the CSV import does (prepared, pipelined).
    const store = new SubscriberStore(redis, keys, clock);
    const ledger = new DeliveryLedger(redis, keys, clock);
    const smtp = new SmtpMailer({ url: `smtp://127.0.0.1:${sink.port}`, clock, log, maxConnections: connections, maxMessages: 100 });
    const sample: OutgoingMessage[] = [];
    const mailer: Mailer = {
      kind: 'smtp',
      describe: smtp.describe,
      send: (m, o) => {
        if (sample.length < sampleSize) sample.push(m);
        return smtp.send(m, o);
      },
      verify: () => smtp.verify(),
      close: () => smtp.close(),
    };
    const settings = { ...DEFAULT_SETTINGS, sendRatePerSecond: 10_000, sendConcurrency: concurrency };
    const metrics = createMetrics();
    const worker = await startSendWorker(
      { suppression: new SuppressionList(redis, keys), clock, log, subscribers: store, papers, ledger, mailer, metrics, templates: await compileTemplates(join(BENCH_DIR, '..', 'templates')),
        linkSecrets: [{ kid: 'b1', secret: 'bench-secret-0123456789-abcdefghijkl' }],
        config: { publicUrl: 'https://digest.example.org', mailFrom: 'Papers Digest <digest@example.org>', mailReplyTo: null, listUnsubscribeMailto: 'unsubscribe@example.org' } },
      { connect: () => bull, prefix: keys.prefix, settings },
    );
    const sendQueue = new Queue(QUEUES.send, { connection: bull, prefix: keys.prefix });

    // Warm-up (not measured, not counted): a few hundred digests through the same worker and pool, and raw sends,
    // so neither side pays JIT and connection set-up inside its measurement. Then the memory baseline.
    const warm = Math.min(500, Math.max(50, Math.floor(n / 20)));
    const warmSubs = Array.from({ length: warm }, (_, j) => store.prepare({ email: `warmup${j}@bench.example`, status: 'active', timezone: 'UTC', sendTime: '05:00', ...PREFS[j % PREFS.length] }));
    await store.createPrepared(warmSubs);
    await redis.zrem(keys.dueIndex, ...warmSubs.map((s) => s.id)); // the measured tick must not pick them up
    await sendQueue.addBulk(warmSubs.map((s) => ({ name: 'warmup', data: { subscriberId: s.id, period: '2026-11-27', dueAt: clock().toISOString() }, opts: { jobId: `warmup-${s.id}`, removeOnComplete: true } })));
    await until(async () => (await ledger.countsByState('2026-11-27')).sent + (await ledger.countsByState('2026-11-27')).skipped >= warm, 10 * 60_000, 'warm-up digests');
    await rawRate(sink.port, sample, warm, connections, true);
    sample.length = 0;
    const baseline = await usedMemory(redis);

    // The measured subscribers.
    for (let i = 0; i < n; i += 1000) {
      const batch: Subscriber[] = [];
      for (let j = i; j < Math.min(n, i + 1000); j++) {
        batch.push(store.prepare({ email: `reader${j}@bench.example`, status: 'active', timezone: ZONES[j % ZONES.length], sendTime: `0${j % 10}:${j % 2 ? '30' : '00'}`, maxPapers: 5 + (j % 8), ...PREFS[j % PREFS.length] }));
      }
      await store.createPrepared(batch);
    }

    // A day later everyone is due exactly once (catch-up sends the latest edition only); a fresh scrape first.
    t = Date.parse('2026-11-28T10:00:00Z');
    await papers.replaceDay('2026-11-28', listing('2026-11-28', 3, base), { source: 'bench', url: 'bench' });
    const before = await sink.count();
    const renderBefore = await renderSeconds(metrics);
    const redisCpu0 = await redisCpuSeconds(redis);
    const cpu0 = process.cpuUsage();
    const t0 = performance.now();
    const tick = await runTick({ subscribers: store, sendQueue, clock, log, settings });
    const tickMs = performance.now() - t0;
    if (tick.enqueued !== n) throw new Error(`tick enqueued ${tick.enqueued} of ${n}`);
    await until(async () => (await sendQueue.getJobCounts('completed')).completed! + (await sendQueue.getJobCounts('failed')).failed! >= n, 30 * 60_000, 'all send jobs');
    const e2eSeconds = (performance.now() - t0) / 1000;
    const cpu = process.cpuUsage(cpu0);
    const cpuSeconds = (cpu.user + cpu.system) / 1e6;
    const redisCpu = (await redisCpuSeconds(redis)) - redisCpu0;
    const renderCpuSeconds = (await renderSeconds(metrics)) - renderBefore;
    const after = await sink.count();
    const delivered = after.messages - before.messages;
    const counts = await ledger.countsByState('2026-11-28');
    const sentAll = Object.values(counts).reduce((a, b) => a + b, 0);
    if (sentAll < n * 0.5) throw new Error(`only ${sentAll} editions settled`);
    await worker.stop();

    const used = await usedMemory(redis);
    const breakdown: Record<string, number> = {};
    const ids = (await redis.zrange(keys.subscribersAll, 0, 99)) as string[];
    const avg = async (name: string, keyOf: (id: string) => string) => {
      const sizes = await Promise.all(ids.map((id) => redis.memory('USAGE', keyOf(id)).then((v) => Number(v ?? 0))));
      breakdown[name] = round(sizes.reduce((a, b) => a + b, 0) / ids.length, 0);
    };
    await avg('subscriber', (id) => keys.subscriber(id));
    await avg('ledgerEntry', (id) => keys.edition(id, '2026-11-28'));
    await avg('sentPapers', (id) => keys.sentPapers(id));
    await avg('bullmqJob', (id) => sendQueue.toKey(`digest-${id}-2026-11-28`));

    // Raw nodemailer, same sink, same connection count, the same messages.
    const rawCount = Math.min(n, 10_000);
    const rawStock = await rawRate(sink.port, sample, Math.min(rawCount, 2_000), connections, false);
    const raw = await rawRate(sink.port, sample, rawCount, connections, true);
    const digestsPerSecond = delivered / e2eSeconds;
    await sendQueue.close();
    await smtp.close();
    return {
      delivery: {
        subscribers: n,
        digestsPerSecond: round(digestsPerSecond, 1),
        rawSmtpPerSecond: round(raw, 1),
        ratio: round(digestsPerSecond / raw, 3),
        rawSmtpStockPerSecond: round(rawStock, 1),
        tickMs: round(tickMs, 0),
        totalSeconds: round(e2eSeconds, 2),
        avgMessageBytes: Math.round((after.bytes - before.bytes) / Math.max(1, delivered)),
        connections,
        concurrency,
      },
      render: {
        shareOfSendCpu: round(renderCpuSeconds / cpuSeconds, 4),
        renderMsPerDigest: round((renderCpuSeconds * 1000) / Math.max(1, delivered), 4),
        cpuMsPerDigest: round((cpuSeconds * 1000) / Math.max(1, delivered), 4),
        // Not in the share above: the Redis server's own CPU for the same run (scripts, BullMQ), for sizing.
        redisCpuMsPerDigest: round((redisCpu * 1000) / Math.max(1, delivered), 4),
      },
      memory: { peakRssMb: round(process.resourceUsage().maxRSS / 1024, 1) },
      redis: { bytesPerSubscriber: Math.round((used - baseline) / n), breakdownBytes: breakdown },
    };
  } finally {
    sink.stop();
    await bull.quit().catch(() => {});
    await redis.quit().catch(() => {});
    await server.stop();
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const i = process.argv.indexOf('--subscribers');
  const result = await benchDelivery(i > 0 ? { subscribers: Number(process.argv[i + 1]) } : {});
  process.stdout.write(JSON.stringify(result, null, 2) + '\n');
}
