// Benchmark section "steady": what a deployment holds at steady state. D real listed days from the HF archive
// fixtures (../shared/fixtures/hf-archive/days, the last D of them, re-dated to D consecutive days) are replayed
// through the real path — PaperStore, runTick every 30 simulated minutes, the BullMQ send worker (runSendJob:
// claim, selection, the ledger) — with an injected clock, for N subscribers in many zones and send times (one in ten
// weekly). Each simulated day ends with the worker role's housekeeping against the injected clock: ledger retention
// and the paper prune (PaperStore.prune(PAPERS_KEEP_DAYS), as the daily prune job does). The BullMQ queues keep the
// events stream the app configures (QUEUE_STREAMS: ~1,000 events). The mailer and templates are stubs (fast, in
// process; rendering is measured by the `render` and `delivery` sections): every selected paper is "in the email",
// and the stub mailer checks that no paper reaches one reader twice.
// The tick's CPU is measured alone: the send queue is paused while runTick runs (its jobs wait), and the process's
// CPU time (user + system) over runTick is divided by the subscribers it found due.
// At the end: MEMORY USAGE of every key, by key family, per subscriber (measured, not extrapolated).
// Memory of this process: peak RSS and heap used (garbage included); run with NODE_OPTIONS=--expose-gc to also get
// the heap still reachable after a full GC at each day's end (retainedHeapMb), and STEADY_HEAP_SNAPSHOT=<dir> to
// write a heap snapshot there at the last day's end (what holds the memory).
// `npm run bench -- --only steady --subscribers N --days D`
import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { writeHeapSnapshot } from 'node:v8';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { encodeRecord } from '../src/digest/edition-record.js';
import { DeliveryLedger } from '../src/digest/ledger.js';
import { startSendWorker } from '../src/digest/send-worker.js';
import { runTick } from '../src/digest/tick.js';
import { PAPERS_KEEP_DAYS } from '../src/digest/tick-scheduler.js';
import { silentLogger } from '../src/log.js';
import type { Mailer } from '../src/mail/mailer.js';
import type { Templates } from '../src/mail/render.js';
import { createMetrics } from '../src/metrics/metrics.js';
import { normalizeEntries } from '../src/papers/normalize.js';
import { PaperStore } from '../src/papers/store.js';
import { QUEUE_STREAMS, QUEUES } from '../src/queue/catalog.js';
import { makeKeys } from '../src/redis/keys.js';
import { DEFAULT_SETTINGS } from '../src/settings/schema.js';
import { SubscriberStore } from '../src/subscribers/store.js';
import type { Subscriber } from '../src/subscribers/subscriber.js';
import { SuppressionList } from '../src/subscribers/suppression.js';
import { FIXTURES_DIR } from '../test/helpers/fixtures.js';
import { startRedis } from '../test/helpers/redis-server.js';
import { BENCH_PREFS as PREFS, BENCH_ZONES as ZONES } from './common.js';

export interface SteadyOptions {
  subscribers?: number;
  days?: number;
  /** Send worker concurrency (default 64). */
  concurrency?: number;
  /**
   * Also measure Redis (the same way as at the end) after every `measureEvery` days from day 30 on, printed to
   * stderr as one JSON line each: a long run that must be cut short still leaves measured checkpoints.
   * Default: STEADY_MEASURE_EVERY from the environment, else none.
   */
  measureEvery?: number;
}

const START = '2026-06-01';
const round = (n: number, d = 2) => Number(n.toFixed(d));

function archiveDir(): string {
  return process.env.PD_ARCHIVE_DIR ?? resolve(FIXTURES_DIR, '..', 'hf-archive', 'days');
}

function addDays(day: string, n: number): string {
  return new Date(Date.parse(`${day}T00:00:00Z`) + n * 86_400_000).toISOString().slice(0, 10);
}

function family(key: string, prefix: string): string {
  const k = key.slice(prefix.length + 1);
  if (k.startsWith('ed:rec:')) return 'editionRecord';
  if (k.startsWith('ed:index:') || k.startsWith('ed:ix:')) return 'periodIndex';
  if (k.startsWith('ed:reasons')) return 'reasonDictionary (global)';
  if (/^ed:(counts|failed|quiet|periods|tombs|layout|ix-buckets)/.test(k)) return 'periodCounters';
  if (k.startsWith('ed:')) return 'editionInFlight';
  if (k.startsWith('sent:')) return 'sentPapersLegacy';
  if (k.startsWith('sub:') && !k.startsWith('sub:by-email') && !k.startsWith('sub:all')) return 'subscriber';
  if (k.startsWith('sub:') || k === 'due') return 'subscriberIndexes';
  if (k.startsWith('paper') || k.startsWith('scrape')) return 'papers (global)';
  if (k.startsWith(`${QUEUES.send}:`) || k.startsWith(`${QUEUES.tick}:`)) return 'bullmq';
  return 'other';
}

/** MEMORY USAGE of every key (SAMPLES 0 = exact for aggregates), by key family; per subscriber. */
async function measureKeys(redis: Redis, prefix: string, n: number) {
  const families: Record<string, { keys: number; bytes: number }> = {};
  let cursor = '0';
  do {
    const [next, found] = await redis.scan(cursor, 'COUNT', 2000);
    cursor = next;
    const p = redis.pipeline();
    for (const k of found) p.memory('USAGE', k, 'SAMPLES', 0);
    const res = (await p.exec()) ?? [];
    found.forEach((k, i) => {
      const f = family(k, prefix);
      families[f] ??= { keys: 0, bytes: 0 };
      families[f].keys++;
      families[f].bytes += Number(res[i]?.[1] ?? 0);
    });
  } while (cursor !== '0');
  const total = Object.values(families).reduce((a, f) => a + f.bytes, 0);
  const global = Object.entries(families).filter(([k]) => k.includes('(global)') || k === 'bullmq').reduce((a, [, f]) => a + f.bytes, 0);
  const perSub = Object.fromEntries(Object.entries(families).sort((a, b) => b[1].bytes - a[1].bytes).map(([k, f]) => [k, { bytesPerSubscriber: round(f.bytes / n, 1), keys: f.keys }]));
  return { total, global, perSub };
}

export async function benchSteady(opts: SteadyOptions = {}) {
  const n = opts.subscribers ?? 20_000;
  const measureEvery = opts.measureEvery ?? (Number(process.env.STEADY_MEASURE_EVERY ?? 0) || 0);
  const days = opts.days ?? 60;
  const files = readdirSync(archiveDir()).filter((f) => /^\d{4}-\d{2}-\d{2}\.json$/.test(f)).sort().slice(-days);
  if (files.length < days) throw new Error(`only ${files.length} archived days in ${archiveDir()}`);
  const server = await startRedis();
  const redis = new Redis(server.url);
  const bull = new Redis(server.url, { maxRetriesPerRequest: null });
  let t = Date.parse(`${addDays(START, -1)}T00:00:00Z`);
  const clock = () => new Date(t);
  const keys = makeKeys('bench');
  const log = silentLogger();
  try {
    const papers = new PaperStore(redis, keys, clock);
    const store = new SubscriberStore(redis, keys, clock);
    const ledger = new DeliveryLedger(redis, keys, clock);
    for (let i = 0; i < n; i += 1000) {
      const batch: Subscriber[] = [];
      for (let j = i; j < Math.min(n, i + 1000); j++) {
        batch.push(store.prepare({
          email: `reader${j}@bench.example`, status: 'active', timezone: ZONES[j % ZONES.length], sendTime: `${String(j % 24).padStart(2, '0')}:${j % 2 ? '30' : '00'}`,
          frequency: j % 10 === 9 ? { kind: 'weekly', weekday: (j % 7) + 1 } : { kind: 'daily' }, maxPapers: 5 + (j % 8), ...PREFS[j % PREFS.length],
        } as Parameters<SubscriberStore['prepare']>[0]));
      }
      await store.createPrepared(batch);
    }

    // Repeats: (reader, paper) pairs seen, one bit each.
    const paperIx = new Map<string, number>();
    const seen = new Map<number, Uint8Array>();
    let repeats = 0;
    let delivered = 0;
    let papersSent = 0;
    const mailer: Mailer = {
      kind: 'outbox',
      describe: 'bench stub',
      async send(m, o) {
        await o?.beforeSend?.();
        const reader = Number(/^reader(\d+)@/.exec(m.to)![1]);
        let bits = seen.get(reader);
        for (const id of m.text.split('\n').filter(Boolean)) {
          let ix = paperIx.get(id);
          if (ix === undefined) paperIx.set(id, (ix = paperIx.size));
          if (!bits || bits.length * 8 <= ix) {
            const grown = new Uint8Array(Math.max(64, (ix >> 3) + 64));
            if (bits) grown.set(bits);
            seen.set(reader, (bits = grown));
          }
          if (bits[ix >> 3]! & (1 << (ix & 7))) repeats++;
          bits[ix >> 3]! |= 1 << (ix & 7);
          papersSent++;
        }
        delivered++;
        return { messageId: m.messageId, response: '250 ok' };
      },
      verify: async () => {},
      close: async () => {},
    };
    const templates: Pick<Templates, 'digest' | 'nothingNew'> = {
      digest: (v: Parameters<Templates['digest']>[0]) => ({ subject: v.subject, html: Buffer.alloc(0), text: v.papers.map((p: { url: string }) => /papers\/([^/?#]+)$/.exec(p.url)?.[1] ?? p.url).join('\n'), papersShown: v.papers.length, papersWebOnly: 0 }),
      nothingNew: (v: Parameters<Templates['nothingNew']>[0]) => ({ subject: v.subject, html: '', text: '' }),
    } as unknown as Pick<Templates, 'digest' | 'nothingNew'>;
    const settings = { ...DEFAULT_SETTINGS, sendRatePerSecond: 100_000, sendConcurrency: opts.concurrency ?? 64, freshnessHours: 48 };
    const worker = await startSendWorker(
      { suppression: new SuppressionList(redis, keys), clock, log, subscribers: store, papers, ledger, mailer, metrics: createMetrics(), templates: templates as Templates,
        linkSecrets: [{ kid: 'b1', secret: 'bench-secret-0123456789-abcdefghijkl' }],
        config: { publicUrl: 'https://digest.example.org', mailFrom: 'Papers Digest <digest@example.org>', mailReplyTo: null, listUnsubscribeMailto: null } },
      { connect: () => bull, prefix: keys.prefix, settings },
    );
    const sendQueue = new Queue(QUEUES.send, { connection: bull, prefix: keys.prefix, streams: QUEUE_STREAMS });
    const drained = async () => {
      for (;;) {
        const c = await sendQueue.getJobCounts('waiting', 'active', 'delayed', 'prioritized');
        if (Object.values(c).every((x) => x === 0)) return;
        await new Promise((r) => setTimeout(r, 5));
      }
    };

    let tickCpuUs = 0;
    let due = 0;
    let peakRss = 0;
    let peakHeap = 0;
    let retainedHeap = 0;
    const gc = (globalThis as { gc?: () => void }).gc;
    const t0 = performance.now();
    const rssBeforeReplay = process.memoryUsage().rss;
    for (const [i, file] of files.entries()) {
      const day = addDays(START, i);
      const raw = JSON.parse(readFileSync(join(archiveDir(), file), 'utf8')) as unknown[];
      const listed = normalizeEntries(raw, { fallbackDay: day }).papers.map((p) => ({ ...p, listedOn: day }));
      for (let half = 0; half < 48; half++) {
        t = Date.parse(`${day}T00:00:00Z`) + half * 30 * 60_000;
        if (half % 24 === 0 && listed.length) await papers.replaceDay(day, listed, { source: 'bench', url: `archive:${file}` });
        // The tick alone: the send queue is paused while it runs (jobs wait), so the process CPU it takes is the tick's.
        await sendQueue.pause();
        const s = process.cpuUsage();
        const r = await runTick({ subscribers: store, sendQueue, clock, log, settings });
        const used = process.cpuUsage(s);
        tickCpuUs += used.user + used.system;
        await sendQueue.resume();
        due += r.due;
        await drained();
        const mem = process.memoryUsage();
        peakRss = Math.max(peakRss, mem.rss);
        peakHeap = Math.max(peakHeap, mem.heapUsed);
      }
      // The day's housekeeping, as the worker role does it: ledger retention, and the paper prune (daily at 03:17).
      t = Date.parse(`${addDays(day, 1)}T00:00:00Z`) - 1;
      await ledger.applyRetention();
      await papers.prune(PAPERS_KEEP_DAYS);
      if (gc) {
        gc();
        retainedHeap = Math.max(retainedHeap, process.memoryUsage().heapUsed);
      }
      if (i === files.length - 1 && process.env.STEADY_HEAP_SNAPSHOT) process.stderr.write(`steady: heap snapshot ${writeHeapSnapshot(join(process.env.STEADY_HEAP_SNAPSHOT, 'steady.heapsnapshot'))}\n`);
      process.stderr.write(`steady: day ${i + 1}/${days} (${day}, ${listed.length} papers) delivered ${delivered}, repeats ${repeats}, ${((performance.now() - t0) / 1000).toFixed(0)} s\n`);
      if (measureEvery && i + 1 >= 30 && i + 1 < files.length && (i + 1 - 30) % measureEvery === 0) {
        const m = await measureKeys(redis, keys.prefix, n);
        process.stderr.write(`steady checkpoint ${JSON.stringify({ day: i + 1, subscribers: n, bytesPerSubscriber: round(m.total / n, 0), bytesPerSubscriberWithoutGlobal: round((m.total - m.global) / n, 0), breakdown: m.perSub, repeats, delivered, tickMicrosPerSubscriber: round(tickCpuUs / Math.max(1, due), 1), peakRssMb: round(Math.max(peakRss, process.resourceUsage().maxRSS * 1024) / 1048576, 1), peakHeapUsedMb: round(peakHeap / 1048576, 1), ...(gc ? { retainedHeapMb: round(retainedHeap / 1048576, 1) } : {}) })}\n`);
      }
    }
    await worker.stop();
    await sendQueue.close();

    const { total, global, perSub } = await measureKeys(redis, keys.prefix, n);
    // The archive's reach: sample daily readers, count their delivered editions still viewable.
    const today = new Date(t).toISOString().slice(0, 10);
    const sample = (await redis.zrange(keys.subscribersAll, 0, 199)) as string[];
    let viewable = 0;
    let oldest = 0;
    const parts = { bytes: 0, withoutReasons: 0, withoutPapers: 0, papers: 0, entries: 0 };
    for (const id of sample) {
      const rec = await ledger.readRecord(id);
      parts.bytes += encodeRecord(rec).length;
      parts.withoutReasons += encodeRecord({ ...rec, entries: rec.entries.map((e) => ({ ...e, selection: e.selection.map((p) => ({ ...p, reasonIds: [] })) })) }).length;
      parts.withoutPapers += encodeRecord({ ...rec, entries: rec.entries.map((e) => ({ ...e, selection: [] })) }).length;
      parts.papers += rec.entries.reduce((a, e) => a + e.selection.length, 0);
      parts.entries += rec.entries.length;
      const sent = rec.entries.filter((e) => e.state === 'sent' && !e.period.includes('W'));
      viewable += sent.length;
      for (const e of sent) oldest = Math.max(oldest, Math.round((Date.parse(`${today}T00:00:00Z`) - Date.parse(`${e.period}T00:00:00Z`)) / 86_400_000));
    }
    const info = await redis.info('memory');
    const stats = await redis.info('commandstats');
    const commands = [...stats.matchAll(/cmdstat_([^:]+):calls=(\d+),usec=(\d+)/g)].map((m) => ({ cmd: m[1]!, calls: Number(m[2]), usec: Number(m[3]) })).sort((a, b) => b.usec - a.usec);
    if (process.env.STEADY_COMMANDS) process.stderr.write(`${commands.slice(0, 20).map((c) => `${c.cmd} ${c.calls} ${c.usec}us`).join('\n')}\n`);
    return {
      subscribers: n,
      days,
      listedDays: `${files[0]!.slice(0, 10)} … ${files.at(-1)!.slice(0, 10)} (re-dated ${START} … ${today})`,
      bytesPerSubscriber: round(total / n, 0),
      bytesPerSubscriberWithoutGlobal: round((total - global) / n, 0),
      breakdown: perSub,
      repeats,
      delivered,
      papersPerDigest: round(papersSent / Math.max(1, delivered), 2),
      tickMicrosPerSubscriber: round(tickCpuUs / Math.max(1, due), 1),
      tickDue: due,
      peakRssMb: round(Math.max(peakRss, process.resourceUsage().maxRSS * 1024) / 1048576, 1),
      peakHeapUsedMb: round(peakHeap / 1048576, 1),
      rssBeforeReplayMb: round(rssBeforeReplay / 1048576, 1),
      ...(gc ? { retainedHeapMb: round(retainedHeap / 1048576, 1) } : {}),
      record: {
        bytes: round(parts.bytes / sample.length, 0),
        reasonsBytes: round((parts.bytes - parts.withoutReasons) / sample.length, 0),
        papersBytes: round((parts.withoutReasons - parts.withoutPapers) / sample.length, 0),
        entries: round(parts.entries / sample.length, 1),
        papers: round(parts.papers / sample.length, 1),
      },
      archive: { sampledReaders: sample.length, deliveredEditionsViewablePerReader: round(viewable / sample.length, 1), oldestViewableDays: oldest },
      redisUsedMemoryMb: round(Number(/used_memory:(\d+)/.exec(info)![1]) / 1048576, 1),
      projectedRedisGbAt1M: round(((total - global) * (1_000_000 / n) + global) / 1e9, 2),
      seconds: round((performance.now() - t0) / 1000, 0),
    };
  } finally {
    await bull.quit().catch(() => {});
    await redis.quit().catch(() => {});
    await server.stop();
  }
}
