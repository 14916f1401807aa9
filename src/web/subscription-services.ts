// Wires the subscriber pages to the real services (the store, settings, link secrets, mailer + compiled email
// templates, the delivery ledger's archive — read only; the send job writes it). Registered in src/web/plugins.ts.
import type { Services } from '../services.js';
import { nextDueAt } from '../subscribers/due.js';
import { TOPICS } from '../papers/topics.js';
import type { SubscribeLimits } from './page-kit.js';
import { subscriptionPlugin } from './subscription-routes.js';

export function subscriptionRoutes(services: Services, opts: { limits?: Partial<SubscribeLimits> } = {}) {
  const { ctx, ledger } = services;
  return subscriptionPlugin({
    store: services.subscribers,
    topics: TOPICS,
    settings: ctx.settings,
    secrets: ctx.secrets.linkSecrets,
    publicUrl: ctx.config.publicUrl,
    redis: ctx.redis,
    keys: ctx.keys,
    clock: ctx.clock,
    log: ctx.log.child({ mod: 'subscribe' }),
    notify: async (s) => {
      await services.deliverConfirmation(s); // a failed first try is retried by the mail queue
    },
    nextDelivery: (s) => nextDueAt(s, ctx.clock()),
    archive: (id, period) => ledger.archive(id, period),
    ...(opts.limits ? { limits: opts.limits } : {}),
  });
}
