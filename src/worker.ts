// The worker role: every queue's worker and the schedulers that feed them. Returns a stop function that stops
// taking jobs and waits for in-flight ones (bounded by SHUTDOWN_TIMEOUT_MS).
import { startMetricsPublisher } from './ops/metrics-relay.js';
import { startWorkerWatchdog } from './ops/watchdog.js';
import { startScrapeScheduler } from './scrape/job.js';
import { startTickScheduler } from './digest/tick-scheduler.js';
import type { Services } from './services.js';
import { startSendRole } from './digest/send-worker.js';

export async function startWorkers(services: Services): Promise<() => Promise<void>> {
  const stops: (() => Promise<void>)[] = [];
  const stopAll = async () => {
    for (const s of stops.reverse()) await s();
  };
  const { ctx } = services;
  try {
    stops.push(startWorkerWatchdog(services)); // scrape.stale / edition.late alerts (src/ops/watchdog.ts)
    // This process's counters, published to Redis for the web role's fleet-wide /metrics (src/ops/metrics-relay.ts)
    stops.push(startMetricsPublisher({ redis: ctx.redis, keys: ctx.keys, metrics: services.metrics, log: ctx.log, clock: ctx.clock }));
    const scrape = await startScrapeScheduler({ ctx, papers: services.papers, metrics: services.metrics });
    stops.push(() => scrape.stop());
    const send = await startSendRole(services); // send queue: rate/concurrency/pause live from settings
    stops.push(() => send.stop());
    // UTC tick every tickEverySeconds: due index → send jobs (src/digest/tick.ts)
    const tick = await startTickScheduler({ ctx, subscribers: services.subscribers, metrics: services.metrics });
    stops.push(() => tick.stop());
  } catch (err) {
    // A part that failed to start must not leave the others running (they would keep the process alive).
    await stopAll().catch(() => {});
    throw err;
  }
  ctx.log.info('worker role started');
  return stopAll;
}
