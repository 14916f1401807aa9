// Composition of the domain services on top of the infrastructure context. Each domain adds its store/service
// here; roles (main.ts), the web app and CLI commands all take what they need from this one object.
import type { Context } from './context.js';
import { createMetrics, type Metrics } from './ops/metrics.js';
import { createArchiveRenderer } from './digest/archive.js';
import { DeliveryLedger } from './digest/ledger.js';
import { createMailer } from './mail/create-mailer.js';
import type { Mailer } from './mail/mailer.js';
import { compileTemplates, type Templates } from './mail/render.js';
import { PaperStore } from './papers/store.js';
import { SubscriberStore } from './subscribers/store.js';
import { fileURLToPath } from 'node:url';

export interface Services {
  ctx: Context;
  metrics: Metrics;
  /** SMTP pool or the .eml outbox (SMTP_URL unset); closed when the context closes. */
  mailer: Mailer;
  /** Delivery ledger per (subscriber, period), sent-papers ledger, archived web views (src/digest/ledger.ts). */
  ledger: DeliveryLedger;
  subscribers: SubscriberStore;
  /** Scraped papers, per-day rankings, scrape freshness and log (src/papers/store.ts). */
  papers: PaperStore;
  /** Every email template, compiled once here (a broken template fails the start). */
  templates: Templates;
}

export async function createServices(ctx: Context): Promise<Services> {
  const metrics = createMetrics({ defaultMetrics: true });
  const mailer = createMailer(ctx.config, ctx.log, { clock: ctx.clock });
  ctx.onClose(() => mailer.close());
  const subscribers = new SubscriberStore(ctx.redis, ctx.keys, ctx.clock);
  const papers = new PaperStore(ctx.redis, ctx.keys, ctx.clock);
  const templates = await compileTemplates(fileURLToPath(new URL('../templates', import.meta.url)));
  // Archive links render the edition again from the ledger's selection (no HTML stored per digest).
  const renderArchive = createArchiveRenderer({ subscribers, papers, templates, config: ctx.config, linkSecrets: ctx.secrets.linkSecrets, clock: ctx.clock });
  const ledger = new DeliveryLedger(ctx.redis, ctx.keys, ctx.clock, { renderArchive });
  return { ctx, metrics, mailer, ledger, subscribers, papers, templates };
}
