// Benchmark: the send path's own cost per digest, with the steady bench's stub mailer and templates (no SMTP, no
// MJML): N subscribers (default 5,000) due at once, one tick fans them out while the send queue is paused, then the
// real send worker (BullMQ, runSendJob, the ledger) drains the queue. Measured over the drain only: this process's
// CPU (user + system) and the Redis server's, and the Redis commands executed (INFO commandstats: those run inside
// scripts included), per delivered digest; by command name, and — with `--monitor` — by key family (MONITOR,
// which costs Redis time itself: use it to attribute, not to time).
// `node bin/run-ts.js bench/send-path.ts [--subscribers N] [--monitor]`
import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { DeliveryLedger } from '../src/digest/ledger.js';
import { startSendWorker } from '../src/digest/send-worker.js';
import { runTick } from '../src/digest/tick.js';
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
import { commandStats, redisCpuSeconds, BENCH_PREFS as PREFS, BENCH_ZONES as ZONES, startCpuProfile } from './common.js';

export interface SendPathOptions {
  subscribers?: number;
  concurrency?: number;
  /** Attribute commands to key families with MONITOR (slows Redis: do not read the CPU figures of such a run). */
  monitor?: boolean;
}

const round = (n: number, d = 2) => Number(n.toFixed(d));
const DAYS = ['2026-11-24', '2026-11-25', '2026-11-26', '2026-11-27'];



/** A key's family for the MONITOR breakdown (the prefix and ids stripped). */
function keyFamily(args: string[], prefix: string): string {
  const cmd = (args[0] ?? '').toLowerCase();
  const key = args.find((a, i) => i > 0 && a.startsWith(`${prefix}:`));
  if (!key) return cmd;
  const rest = key.slice(prefix.length + 1);
  const fam = rest
    .replace(/^(send|tick):[^:]*digest-[^:]+/, '$1:<job>')
    .replace(/^(sub|reader|ed:rec|sent):[^:]+/, '$1:<id>')
    .replace(/^ed:(\d{4}-\d{2}-\d{2}|\d{4}-W\d{2}):.+/, 'ed:<period>:<id>')
    .replace(/\d{4}-\d{2}-\d{2}|\d{4}-W\d{2}/g, '<day>')
    .replace(/^paper:.+/, 'paper:<id>');
  return `${cmd} ${fam}`;
}

export async function benchSendPath(opts: SendPathOptions = {}) {
  const n = opts.subscribers ?? 5_000;
  const server = await startRedis();
  const redis = new Redis(server.url);
  const bull = new Redis(server.url, { maxRetriesPerRequest: null });
  let t = Date.parse(`${DAYS[0]}T00:00:00Z`);
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
          maxPapers: 5 + (j % 8), ...PREFS[j % PREFS.length],
        } as Parameters<SubscriberStore['prepare']>[0]));
      }
      await store.createPrepared(batch);
    }
    // Real listings (the archive's last days, re-dated), one per day of the window.
    const dir = resolve(FIXTURES_DIR, '..', 'hf-archive', 'days');
    const files = readdirSync(dir).filter((f) => /^\d{4}-\d{2}-\d{2}\.json$/.test(f)).sort().slice(-DAYS.length);
    for (const [i, day] of DAYS.entries()) {
      t = Date.parse(`${day}T00:30:00Z`);
      const raw = JSON.parse(readFileSync(join(dir, files[i]!), 'utf8')) as unknown[];
      const listed = normalizeEntries(raw, { fallbackDay: day }).papers.map((p) => ({ ...p, listedOn: day }));
      await papers.replaceDay(day, listed, { source: 'bench', url: `archive:${files[i]}` });
    }

    let delivered = 0;
    const mailer: Mailer = {
      kind: 'outbox',
      describe: 'bench stub',
      async send(m, o) {
        await o?.beforeSend?.();
        delivered++;
        return { messageId: m.messageId, response: '250 ok' };
      },
      verify: async () => {},
      close: async () => {},
    };
    const templates = {
      digest: (v: Parameters<Templates['digest']>[0]) => ({ subject: v.subject, html: Buffer.alloc(0), text: v.papers.map((p: { url: string }) => p.url).join('\n'), papersShown: v.papers.length, papersWebOnly: 0 }),
      nothingNew: (v: Parameters<Templates['nothingNew']>[0]) => ({ subject: v.subject, html: '', text: '' }),
    } as unknown as Templates;
    const settings = { ...DEFAULT_SETTINGS, sendRatePerSecond: 100_000, sendConcurrency: opts.concurrency ?? 64, freshnessHours: 48 };
    const outcomes = new Map<string, number>();
    const worker = await startSendWorker(
      { suppression: new SuppressionList(redis, keys), clock, log, subscribers: store, papers, ledger, mailer, metrics: createMetrics(), templates,
        linkSecrets: [{ kid: 'b1', secret: 'bench-secret-0123456789-abcdefghijkl' }],
        config: { publicUrl: 'https://digest.example.org', mailFrom: 'Papers Digest <digest@example.org>', mailReplyTo: null, listUnsubscribeMailto: null } },
      { connect: () => bull, prefix: keys.prefix, settings, onOutcome: (_id, o) => outcomes.set(o.kind, (outcomes.get(o.kind) ?? 0) + 1) },
    );
    const sendQueue = new Queue(QUEUES.send, { connection: bull, prefix: keys.prefix, streams: QUEUE_STREAMS });
    const drained = async () => {
      for (;;) {
        const c = await sendQueue.getJobCounts('waiting', 'active', 'delayed', 'prioritized');
        if (Object.values(c).every((x) => x === 0)) return;
        await new Promise((r) => setTimeout(r, 20));
      }
    };

    // Everyone falls due once (the latest edition at or before now).
    t = Date.parse(`${DAYS.at(-1)!}T23:59:00Z`);
    await sendQueue.pause();
    const tick = await runTick({ subscribers: store, sendQueue, clock, log, settings });
    if (tick.enqueued !== n) throw new Error(`tick enqueued ${tick.enqueued} of ${n}`);

    const families = new Map<string, number>();
    const monitor = opts.monitor ? await redis.monitor() : null;
    monitor?.on('monitor', (_time: string, args: string[]) => {
      const f = keyFamily(args, keys.prefix);
      families.set(f, (families.get(f) ?? 0) + 1);
    });
    const stats0 = await commandStats(redis);
    const redisCpu0 = await redisCpuSeconds(redis);
    // BENCH_SEND_PROFILE=file.cpuprofile: a V8 CPU profile of the drain alone (open it in Chrome DevTools).
    const stopProfile = await startCpuProfile(process.env.BENCH_SEND_PROFILE);
    const cpu0 = process.cpuUsage();
    const t0 = performance.now();
    await sendQueue.resume();
    await drained();
    const wallMs = performance.now() - t0;
    const cpu = process.cpuUsage(cpu0);
    await stopProfile();
    const redisCpu = (await redisCpuSeconds(redis)) - redisCpu0;
    const stats1 = await commandStats(redis);
    monitor?.disconnect();
    await worker.stop();
    await sendQueue.close();

    const jobs = [...outcomes.values()].reduce((a, b) => a + b, 0);
    const perCommand: Record<string, number> = {};
    let commands = 0;
    for (const [name, calls] of stats1) {
      const d = calls - (stats0.get(name) ?? 0) - (name === 'info' ? 2 : 0);
      if (d <= 0) continue;
      commands += d;
      perCommand[name] = round(d / jobs, 2);
    }
    return {
      subscribers: n,
      jobs,
      delivered,
      outcomes: Object.fromEntries(outcomes),
      wallSeconds: round(wallMs / 1000, 2),
      nodeCpuMsPerJob: round((cpu.user + cpu.system) / 1000 / jobs, 3),
      redisCpuMsPerJob: round((redisCpu * 1000) / jobs, 3),
      redisCommandsPerJob: round(commands / jobs, 2),
      redisCommandsByName: Object.fromEntries(Object.entries(perCommand).sort((a, b) => b[1] - a[1])),
      ...(monitor
        ? { sentByClientPerJob: Object.fromEntries([...families].sort((a, b) => b[1] - a[1]).filter(([, c]) => c / jobs >= 0.05).map(([f, c]) => [f, round(c / jobs, 2)])) }
        : {}),
    };
  } finally {
    await bull.quit().catch(() => {});
    await redis.quit().catch(() => {});
    await server.stop();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const i = process.argv.indexOf('--subscribers');
  console.log(JSON.stringify(await benchSendPath({ ...(i > 0 ? { subscribers: Number(process.argv[i + 1]) } : {}), monitor: process.argv.includes('--monitor') }), null, 2));
}
