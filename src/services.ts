// The composition root every entry point shares (web, worker and CLI): the stores over the context's Redis, and
// the parts that cost something to build — the compiled email templates, the mail transport, the metrics registry,
// the queue handles — built on first use, once. A CLI command that sends nothing never compiles MJML or reads a
// DKIM key; a role touches what it needs at start, so a broken template or key fails the start.
import { fileURLToPath } from 'node:url';
import type { Context } from './context.js';
import { createArchiveRenderer } from './digest/archive.js';
import { DeliveryLedger } from './digest/ledger.js';
import type { ConfirmationOutcome } from './mail/confirmation.js';
import { deliverConfirmation, type ConfirmationJobDeps, type DeliverResult } from './mail/confirmation-job.js';
import { createMailer } from './mail/create-mailer.js';
import type { Mailer } from './mail/mailer.js';
import { compileTemplates, type Templates } from './mail/render.js';
import { createMetrics, type Metrics } from './metrics/metrics.js';
import { openQueues, type OpsQueues } from './queue/handles.js';
import { PaperStore } from './papers/store.js';
import { ReaderStore } from './relevance/reader-store.js';
import { SubscriberStore } from './subscribers/store.js';
import type { Subscriber } from './subscribers/subscriber.js';
import { SuppressionList } from './subscribers/suppression.js';
import { createFeedServices, type FeedServices } from './feeds/services.js';
import { DeliveryEventLog } from './bounces/event-log.js';
import { coreDataOwners } from './data-owners.js';
import { SubscriberJobs } from './queue/subscriber-jobs.js';
import type { SubscriberDataOwner } from './subscribers/data-owners.js';

const TEMPLATES_DIR = fileURLToPath(new URL('../templates', import.meta.url));

export interface Services {
  ctx: Context;
  subscribers: SubscriberStore;
  /** Scraped papers, per-day rankings, scrape freshness and log (src/papers/store.ts). */
  papers: PaperStore;
  /** Delivery ledger per (subscriber, period) and the sent-papers ledger (src/digest/ledger.ts). */
  ledger: DeliveryLedger;
  /** Addresses never mailed (repeated hard bounces). */
  suppression: SuppressionList;
  /** Personal feed key versions, channel subscribers, and the FeedEditionSource port (src/feeds/services.ts). */
  feeds: FeedServices;
  /** What mail providers reported (bounces, complaints) per subscriber, and what matched nobody. */
  deliveryEvents: DeliveryEventLog;
  /** Everything kept per reader, by owner: "Download my data" and "Delete my data" go through these (data-owners.ts). */
  dataOwners: SubscriberDataOwner[];
  /** Each reader's feedback (👍 / 👎 / save, seed papers) and personal model (src/relevance/reader-store.ts). */
  readers: ReaderStore;
  /** Every email template, compiled on first use (a broken template fails there, at the start of a role). */
  templates(): Promise<Templates>;
  /** SMTP pool or the .eml outbox (SMTP_URL unset), made on first use; closed when the context closes. */
  readonly mailer: Mailer;
  /** This process's metrics registry (with process metrics), made on first use. */
  readonly metrics: Metrics;
  /** Handles on every queue for reading and managing them (one connection), opened on first use. */
  readonly queues: OpsQueues;
  /**
   * Email someone who asked to subscribe: the confirm link, or their preferences link when already subscribed.
   * Queued on the mail queue (retries with backoff, sent once) and tried at once; throws when that first try
   * failed, saying whether the queue retries it (src/mail/confirmation-job.ts).
   */
  sendConfirmation(subscriber: Subscriber): Promise<ConfirmationOutcome>;
  /** The same, never throwing for a mail failure (the subscribe page: the queue retries). */
  deliverConfirmation(subscriber: Subscriber): Promise<DeliverResult>;
  /** What the mail queue's worker needs (src/mail/confirmation-worker.ts). */
  confirmationDeps(): Promise<ConfirmationJobDeps>;
}

export function createServices(ctx: Context): Services {
  const subscribers = new SubscriberStore(ctx.redis, ctx.keys, ctx.clock);
  const papers = new PaperStore(ctx.redis, ctx.keys, ctx.clock);
  let templates: Promise<Templates> | null = null;
  const compiled = () => (templates ??= compileTemplates(TEMPLATES_DIR));
  // Archive links render the edition again from the ledger's selection (no HTML stored per digest).
  const renderArchive = createArchiveRenderer({ subscribers, papers, templates: compiled, config: ctx.config, linkSecrets: ctx.secrets.linkSecrets, clock: ctx.clock });
  let mailer: Mailer | null = null;
  let metrics: Metrics | null = null;
  let queues: OpsQueues | null = null;
  const ledger = new DeliveryLedger(ctx.redis, ctx.keys, ctx.clock, { renderArchive });
  const suppression = new SuppressionList(ctx.redis, ctx.keys);
  const deliveryEvents = new DeliveryEventLog(ctx.redis, ctx.keys);
  const feeds = createFeedServices({ redis: ctx.redis, keys: ctx.keys, clock: ctx.clock, ledger, papers, subscribers, due: subscribers });
  const readers = new ReaderStore({ redis: ctx.redis, keys: ctx.keys, papers, clock: ctx.clock, log: ctx.log });
  const jobs = new SubscriberJobs(ctx.redis, () => services.queues.send);
  const services: Services = {
    ctx,
    subscribers,
    papers,
    ledger,
    feeds,
    suppression,
    deliveryEvents,
    dataOwners: coreDataOwners({ subscribers, ledger, deliveryEvents, suppression, jobs, readers, feeds }),
    readers,
    templates: compiled,
    get mailer() {
      if (!mailer) {
        const m = createMailer(ctx.config, ctx.log, { clock: ctx.clock });
        ctx.onClose(() => m.close());
        mailer = m;
      }
      return mailer;
    },
    get metrics() {
      return (metrics ??= createMetrics({ defaultMetrics: true }));
    },
    get queues() {
      if (!queues) {
        const q = openQueues(ctx.newRedis('queues', true), ctx.config.redisPrefix, ctx.log);
        ctx.onClose(() => q.close());
        queues = q;
      }
      return queues;
    },
    async confirmationDeps() {
      const { config, secrets, clock, log } = ctx;
      return {
        config, linkSecrets: secrets.linkSecrets, clock, log, mailer: services.mailer, templates: await compiled(), metrics: services.metrics,
        redis: ctx.redis, keys: ctx.keys, getSubscriber: (id: string) => subscribers.get(id),
      };
    },
    async deliverConfirmation(subscriber) {
      return deliverConfirmation({ ...(await services.confirmationDeps()), queue: services.queues.mail }, subscriber);
    },
    async sendConfirmation(subscriber) {
      const r = await services.deliverConfirmation(subscriber);
      if (r.error) throw new Error(r.final ? r.error.message : `${r.error.message} (queued: the worker retries it with backoff)`);
      return r.outcome === 'confirm-sent' || r.outcome === 'preferences-sent' ? r.outcome : 'skipped';
    },
  };
  return services;
}
