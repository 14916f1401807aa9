// Benchmark section "tick": N subscribers (default 100,000; `--due N`) all due at once in a real redis-server this
// bench starts — most at one popular local time in one zone (the worst case issue 10 names: a million readers of
// 08:00 Berlin), the rest spread over zones, send times and weekly days — fanned out by ONE runTick in this process
// into real BullMQ send jobs. Reports the tick's wall time, its Node CPU per due subscriber (user + system of this
// process while the tick ran), the Redis server's CPU and the Redis commands it executed per subscriber (INFO
// commandstats: every command, those run inside scripts included), and the process's peak RSS.
// Standalone: `node bin/run-ts.js bench/tick.ts [--due N]`; bench/run.ts runs it as section "tick".
// Knobs (environment): BENCH_TICK_WARM=N (an unmeasured tick of N other subscribers first, as in a worker that has
// ticked before), BENCH_TICK_CONCURRENCY, BENCH_TICK_CHUNK (runTick's batches in flight and batch size),
// BENCH_TICK_PROFILE=file.cpuprofile. GC is a large share of the tick's CPU: compare with
// NODE_OPTIONS=--max-semi-space-size=64 (a bigger young generation).
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { runTick } from '../src/digest/tick.js';
import { silentLogger } from '../src/log.js';
import { QUEUES, SEND_BATCH_JOB_NAME, type SendBatchJob, type SendJob } from '../src/queue/catalog.js';
import { makeKeys } from '../src/redis/keys.js';
import { newSubscriberId, SubscriberStore } from '../src/subscribers/store.js';
import type { Subscriber } from '../src/subscribers/subscriber.js';
import { startRedis } from '../test/helpers/redis-server.js';
import { commandStats, redisCpuSeconds, startCpuProfile } from './common.js';

export interface TickBenchOptions {
  /** Subscribers due at the measured tick (default 100,000). */
  due?: number;
}

const round = (n: number, d = 2) => Number(n.toFixed(d));

// [share of subscribers, profile]; the first is the popular 08:00 in one zone.
const PROFILES: [number, Record<string, unknown>][] = [
  [0.6, { timezone: 'Europe/Berlin', sendTime: '08:00' }],
  [0.1, { timezone: 'America/New_York', sendTime: '07:30', topics: ['llm'] }],
  [0.1, { timezone: 'Asia/Kolkata', sendTime: '09:15', frequency: 'weekly:mon' }],
  [0.1, { timezone: 'UTC', sendTime: '06:45', includeKeywords: ['diffusion'] }],
  [0.05, { timezone: 'Australia/Lord_Howe', sendTime: '12:00' }],
  [0.05, { timezone: 'America/Santiago', sendTime: '00:00', frequency: 'weekly:mon' }],
];



/** Write `n` active subscribers straight through the store's create script, 5,000 per pipeline. */
async function seed(store: SubscriberStore, n: number): Promise<void> {
  const templates = PROFILES.map(([share, prefs]) => ({ share, sub: store.prepare({ email: 'template@example.org', status: 'active', ...prefs }) }));
  let made = 0;
  const batch: Subscriber[] = [];
  const flush = async () => {
    const res = await store.createPrepared(batch.splice(0));
    if (res.some((r) => !r.created)) throw new Error('seed: duplicate address');
  };
  for (const { share, sub } of templates) {
    const count = sub === templates.at(-1)!.sub ? n - made : Math.round(n * share);
    for (let i = 0; i < count; i++, made++) {
      batch.push({ ...sub, id: newSubscriberId(), email: `reader${made}@example.org` });
      if (batch.length === 5_000) await flush();
    }
  }
  if (batch.length) await flush();
}

/** One tick over `n` subscribers under another prefix, before the measured one; its Node CPU per subscriber. */
async function warmUpTick(redis: Redis, bull: Redis, n: number): Promise<number> {
  let now = new Date('2026-09-28T00:00:00Z');
  const keys = makeKeys('warm');
  const store = new SubscriberStore(redis, keys, () => now);
  const queue = new Queue(QUEUES.send, { connection: bull, prefix: keys.prefix });
  try {
    await seed(store, n);
    now = new Date('2026-09-28T23:00:00Z');
    const cpu0 = process.cpuUsage();
    await runTick({ subscribers: store, sendQueue: queue, clock: () => now, log: silentLogger(), settings: { sendingPaused: false } });
    const cpu = process.cpuUsage(cpu0);
    return round((cpu.user + cpu.system) / n, 2);
  } finally {
    await queue.close();
  }
}

export async function benchTick(opts: TickBenchOptions = {}) {
  const n = opts.due ?? 100_000;
  const server = await startRedis();
  const redis = new Redis(server.url);
  const bull = new Redis(server.url, { maxRetriesPerRequest: null });
  const keys = makeKeys('bench');
  let now = new Date('2026-09-28T00:00:00Z'); // Monday
  const clock = () => now;
  const store = new SubscriberStore(redis, keys, clock);
  const sendQueue = new Queue(QUEUES.send, { connection: bull, prefix: keys.prefix });
  try {
    let t0 = performance.now();
    await seed(store, n);
    const seedSeconds = (performance.now() - t0) / 1000;
    now = new Date('2026-09-28T23:00:00Z'); // every profile's Monday send has passed
    // BENCH_TICK_WARM=N: first one unmeasured tick of N other subscribers (their own prefix and queue), as a worker
    // that has ticked before (JIT-compiled, heap grown) would run it. Default 0: the measured tick runs cold.
    const warm = Number(process.env.BENCH_TICK_WARM ?? 0);
    const warmUp = warm > 0 ? await warmUpTick(redis, bull, warm) : null;
    const dueCount = await store.countDue(new Date(now.getTime() + 1));
    if (dueCount !== n) throw new Error(`tick bench: ${dueCount} due, expected ${n}`);

    const stats0 = await commandStats(redis);
    const redisCpu0 = await redisCpuSeconds(redis);
    // BENCH_TICK_PROFILE=file.cpuprofile: a V8 CPU profile of the measured tick alone (open it in Chrome DevTools).
    const stopProfile = await startCpuProfile(process.env.BENCH_TICK_PROFILE);
    const cpu0 = process.cpuUsage();
    t0 = performance.now();
    const result = await runTick({ subscribers: store, sendQueue, clock, log: silentLogger(), settings: { sendingPaused: false }, ...(process.env.BENCH_TICK_CONCURRENCY ? { concurrency: Number(process.env.BENCH_TICK_CONCURRENCY) } : {}), ...(process.env.BENCH_TICK_CHUNK ? { chunkSize: Number(process.env.BENCH_TICK_CHUNK) } : {}) });
    const wallMs = performance.now() - t0;
    const cpu = process.cpuUsage(cpu0);
    await stopProfile();
    const redisCpu = (await redisCpuSeconds(redis)) - redisCpu0;
    const stats1 = await commandStats(redis);
    if (result.enqueued !== n) throw new Error(`tick enqueued ${result.enqueued} of ${n}`);
    // Every due subscriber's edition is in exactly one job (a `digest` job, or one of a batch's editions).
    const jobs = await sendQueue.getJobs(['waiting', 'prioritized', 'delayed']);
    const editions = new Set<string>();
    for (const j of jobs) for (const e of j.name === SEND_BATCH_JOB_NAME ? (j.data as SendBatchJob).editions : [j.data as SendJob]) editions.add(e.subscriberId);
    if (editions.size !== n) throw new Error(`tick bench: ${editions.size} subscribers in ${jobs.length} send jobs, expected ${n}`);
    if ((await store.countDue(new Date(now.getTime() + 1))) !== 0) throw new Error('tick bench: entries left due');

    const perCommand: Record<string, number> = {};
    let commands = 0;
    for (const [name, calls] of stats1) {
      const d = calls - (stats0.get(name) ?? 0) - (name === 'info' ? 2 : 0);
      if (d <= 0) continue;
      commands += d;
      perCommand[name] = round(d / n, 3);
    }
    return {
      due: n,
      wallSeconds: round(wallMs / 1000, 2),
      perSecond: Math.round((n / wallMs) * 1000),
      nodeCpuMicrosPerSubscriber: round(((cpu.user + cpu.system) / n), 2),
      redisCpuMicrosPerSubscriber: round((redisCpu * 1e6) / n, 2),
      redisCommandsPerSubscriber: round(commands / n, 2),
      sendJobs: jobs.length,
      redisCommandsByName: Object.fromEntries(Object.entries(perCommand).sort((a, b) => b[1] - a[1]).slice(0, 12)),
      projectedSecondsFor1M: round((wallMs / 1000) * (1_000_000 / n), 1),
      seedSeconds: round(seedSeconds, 1),
      ...(warmUp === null ? {} : { warmUp: { subscribers: warm, nodeCpuMicrosPerSubscriber: warmUp } }),
      ...(process.env.NODE_OPTIONS ? { nodeOptions: process.env.NODE_OPTIONS } : {}),
      peakRssMb: round(process.resourceUsage().maxRSS / 1024, 1),
    };
  } finally {
    await sendQueue.close();
    redis.disconnect();
    bull.disconnect();
    await server.stop();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const i = process.argv.indexOf('--due');
  console.log(JSON.stringify(await benchTick(i > 0 ? { due: Number(process.argv[i + 1]) } : {}), null, 2));
}
