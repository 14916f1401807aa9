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
  stops.push(startWorkerWatchdog(services)); // scrape.stale / edition.late alerts (src/ops/watchdog.ts)
  // This process's counters, published to Redis for the web role's fleet-wide /metrics (src/ops/metrics-relay.ts)
  const { ctx } = services;
  stops.push(startMetricsPublisher({ redis: ctx.redis, keys: ctx.keys, metrics: services.metrics, log: ctx.log, clock: ctx.clock }));
  const scrape = await startScrapeScheduler({ ctx: services.ctx, papers: services.papers, metrics: services.metrics });
  stops.push(() => scrape.stop());
  const send = await startSendRole(services); // send queue: rate/concurrency/pause live from settings
  stops.push(() => send.stop());
  // UTC tick every tickEverySeconds: due index → send jobs (src/digest/tick.ts)
  const tick = await startTickScheduler({ ctx: services.ctx, subscribers: services.subscribers, metrics: services.metrics });
  stops.push(() => tick.stop());
  services.ctx.log.info('worker role started');
  return async () => {
    for (const s of stops.reverse()) await s();
  };
}
