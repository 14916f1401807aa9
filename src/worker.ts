// The worker role: every queue's worker and the schedulers that feed them, the watchdog and the metrics
// publisher, built from the shared composition root. Returns a stop function that stops taking jobs and waits for
// in-flight ones (bounded by SHUTDOWN_TIMEOUT_MS), last started first stopped.
import { startTickScheduler } from './digest/tick-scheduler.js';
import { startSendWorker, type SendWorker, type SendWorkerOptions } from './digest/send-worker.js';
import { feedManageUrl } from './feeds/feed-links.js';
import { withChannels } from './feeds/channels/channel-schedule.js';
import { channelSendPort } from './feeds/channels/send-port.js';
import { startConfirmationWorker } from './mail/confirmation-worker.js';
import { startMetricsPublisher } from './metrics/relay.js';
import { startWatchdog } from './ops/watchdog.js';
import { TOPICS } from './papers/topics.js';
import { startScrapeScheduler } from './scrape/job.js';
import type { Services } from './services.js';

export async function startWorkers(services: Services): Promise<() => Promise<void>> {
  const stops: (() => Promise<void>)[] = [];
  const stopAll = async () => {
    for (const s of stops.reverse()) await s();
  };
  const { ctx, metrics } = services;
  try {
    // scrape.stale / edition.late alerts (src/ops/watchdog.ts)
    stops.push(
      startWatchdog(
        { redis: ctx.redis, keys: ctx.keys, papers: services.papers, subscribers: services.subscribers, queues: services.queues, settings: () => ctx.settings.get(), metrics, log: ctx.log.child({ mod: 'watchdog' }), clock: ctx.clock },
        { firstPassMs: 30_000 },
      ),
    );
    // This process's counters, published to Redis for the web role's fleet-wide /metrics (src/metrics/relay.ts)
    stops.push(startMetricsPublisher({ redis: ctx.redis, keys: ctx.keys, metrics, log: ctx.log, clock: ctx.clock }));
    const scrape = await startScrapeScheduler({ ctx, papers: services.papers, metrics });
    stops.push(() => scrape.stop());
    // mail queue: subscribe emails, retried with backoff (src/mail/confirmation-job.ts)
    const mail = await startConfirmationWorker(await services.confirmationDeps(), {
      connect: (name) => ctx.newRedis(name, true),
      prefix: ctx.config.redisPrefix,
      log: ctx.log,
      shutdownTimeoutMs: ctx.config.shutdownTimeoutMs,
    });
    stops.push(() => mail.stop());
    const send = await startSendRole(services); // send queue: rate/concurrency/pause live from settings
    stops.push(() => send.stop());
    // UTC tick every tickEverySeconds: due index → send jobs (src/digest/tick.ts)
    const tick = await startTickScheduler({ ctx, subscribers: withChannels(services.subscribers, services.feeds.channels), papers: services.papers, metrics });
    stops.push(() => tick.stop());
  } catch (err) {
    // A part that failed to start must not leave the others running (they would keep the process alive).
    await stopAll().catch(() => {});
    throw err;
  }
  ctx.log.info('worker role started');
  return stopAll;
}

/**
 * The worker role's send worker: the send job's parts from the composition root, settings followed live, its own
 * BullMQ connections. The mailer is closed afterwards by the context.
 */
export async function startSendRole(services: Services, extra: Partial<SendWorkerOptions> = {}): Promise<SendWorker> {
  const { ctx, mailer } = services;
  return startSendWorker(
    {
      clock: ctx.clock,
      log: ctx.log,
      config: ctx.config,
      linkSecrets: ctx.secrets.linkSecrets,
      subscribers: services.subscribers,
      suppression: services.suppression,
      papers: services.papers,
      templates: await services.templates(),
      mailer,
      ledger: services.ledger,
      readers: services.readers,
      deliveryMode: (id) => services.feeds.deliveryModes.get(id),
      feedLink: (sub) => feedManageUrl(ctx.config.publicUrl, sub, ctx.secrets.linkSecrets),
      channels: channelSendPort({ channels: services.feeds.channels, publicUrl: ctx.config.publicUrl, clock: ctx.clock }),
      metrics: services.metrics,
      topicLabels: Object.fromEntries(TOPICS.map((t) => [t.id, t.label])),
    },
    {
      connect: (name) => ctx.newRedis(name, true),
      prefix: ctx.config.redisPrefix,
      live: await ctx.liveSettings(),
      shutdownTimeoutMs: ctx.config.shutdownTimeoutMs,
      // ledger migration (once), retention, quiet-day re-checks (src/digest/send-worker.ts)
      housekeepingEveryMs: 60_000,
      // Two jobs per pooled connection keep every connection busy (one sends while the next claims and renders).
      ...(mailer.parallelism ? { localConcurrencyCap: mailer.parallelism * 2 } : {}),
      ...extra,
    },
  );
}
