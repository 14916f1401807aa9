// Composition of the domain services on top of the infrastructure context. Each domain adds its store/service
// here; roles (main.ts), the web app and CLI commands all take what they need from this one object.
import type { Context } from './context.js';
import { createMetrics, type Metrics } from './ops/metrics.js';
import { createMailer } from './mail/create-mailer.js';
import type { Mailer } from './mail/mailer.js';

export interface Services {
  ctx: Context;
  metrics: Metrics;
  /** SMTP pool or the .eml outbox (SMTP_URL unset); closed when the context closes. */
  mailer: Mailer;
}

export async function createServices(ctx: Context): Promise<Services> {
  const metrics = createMetrics({ defaultMetrics: true });
  const mailer = createMailer(ctx.config, ctx.log, { clock: ctx.clock });
  ctx.onClose(() => mailer.close());
  return { ctx, metrics, mailer };
}
