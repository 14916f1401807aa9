// The provider webhooks wired to the real services: one provider per configured secret (config.webhooks).
import { mailDomain, type WebhookSecrets } from '../../config.js';
import { genericProvider } from '../../bounces/generic.js';
import { mailgunProvider } from '../../bounces/mailgun.js';
import { postmarkProvider } from '../../bounces/postmark.js';
import type { WebhookProvider } from '../../bounces/provider.js';
import { ReplayGuard } from '../../bounces/replay.js';
import { resendProvider } from '../../bounces/resend.js';
import { sendgridProvider } from '../../bounces/sendgrid.js';
import { sesProvider, snsHttpsSource, type SnsSource } from '../../bounces/sns.js';
import type { Services } from '../../services.js';
import { webhookPlugin } from './routes.js';

/** Which endpoints are on: those whose secret is set. */
export function configuredProviders(w: WebhookSecrets, opts: { snsSource: SnsSource }): WebhookProvider[] {
  const out: WebhookProvider[] = [];
  if (w.sesTopicArns) out.push(sesProvider({ topicArns: w.sesTopicArns, source: opts.snsSource }));
  if (w.postmarkAuth) out.push(postmarkProvider(w.postmarkAuth));
  if (w.sendgridPublicKey) out.push(sendgridProvider(w.sendgridPublicKey));
  if (w.mailgunSigningKey) out.push(mailgunProvider(w.mailgunSigningKey));
  if (w.resendSecret) out.push(resendProvider(w.resendSecret));
  if (w.genericSecret) out.push(genericProvider(w.genericSecret));
  return out;
}

export function webhookRoutes(services: Services, opts: { snsSource?: SnsSource } = {}) {
  const { ctx } = services;
  const log = ctx.log.child({ mod: 'webhooks' });
  return webhookPlugin({
    providers: configuredProviders(ctx.config.webhooks, { snsSource: opts.snsSource ?? snsHttpsSource({ clock: ctx.clock }) }),
    guard: new ReplayGuard(ctx.redis, ctx.keys),
    apply: {
      subscribers: services.subscribers,
      suppression: services.suppression,
      events: services.deliveryEvents,
      threshold: async () => (await ctx.settings.get()).suppressAfterBounces,
      mailDomain: mailDomain(ctx.config),
      clock: ctx.clock,
      log,
    },
    clock: ctx.clock,
    log,
  });
}
