// Wires the subscriber pages to the real services (the store, settings, link secrets, mailer + compiled email
// templates, the delivery ledger's archive — read only; the send job writes it). Registered in src/web/plugins.ts.
import type { Services } from '../services.js';
import { nextDueAt } from '../subscribers/due.js';
import { TOPICS } from '../papers/topics.js';
import type { ReaderStorePort, SubscribeLimits } from './page-kit.js';
import { previewLastDays } from './preview.js';
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
      await services.sendConfirmation(s);
    },
    nextDelivery: (s) => nextDueAt(s, ctx.clock()),
    archive: (id, period) => ledger.archive(id, period),
    papers: services.papers,
    // The reader store (rel-core's src/relevance/reader-store.ts, services.readers): feedback, reading list, learned.
    ...readersOf(services),
    preview: (s) => previewLastDays({ papers: services.papers, clock: ctx.clock, cap: async () => (await ctx.settings.get()).maxPapersCap }, s),
    ...(opts.limits ? { limits: opts.limits } : {}),
  });
}

function readersOf(services: Services): { readers?: ReaderStorePort } {
  const readers = (services as Services & { readers?: ReaderStorePort }).readers;
  return readers ? { readers } : {};
}
