// The per-subscriber data owners of this deployment (see subscribers/data-owners.ts): built by the composition
// root from the stores. Add one here for every new thing kept per reader.
import type { DeliveryEventLog } from './bounces/event-log.js';
import type { DeliveryLedger } from './digest/ledger.js';
import type { FeedServices } from './feeds/services.js';
import type { ReaderStore } from './relevance/reader-store.js';
import type { SubscriberJobs } from './queue/subscriber-jobs.js';
import type { SubscriberDataOwner } from './subscribers/data-owners.js';
import { PREFERENCE_FIELDS, type SubscriberStore } from './subscribers/store.js';
import type { SuppressionList } from './subscribers/suppression.js';

export function coreDataOwners(s: {
  subscribers: SubscriberStore;
  ledger: DeliveryLedger;
  deliveryEvents: DeliveryEventLog;
  suppression: SuppressionList;
  jobs: SubscriberJobs;
  readers: ReaderStore;
  feeds: FeedServices;
}): SubscriberDataOwner[] {
  return [
    {
      name: 'subscriber',
      async exportFor(id) {
        const sub = await s.subscribers.get(id);
        if (!sub) return undefined;
        const preferences = Object.fromEntries(PREFERENCE_FIELDS.map((f) => [f, (sub as unknown as Record<string, unknown>)[f]]));
        return { id: sub.id, email: sub.email, status: sub.status, pausedUntil: sub.pausedUntil, createdAt: sub.createdAt, confirmedAt: sub.confirmedAt, unsubscribedAt: sub.unsubscribedAt, bounceCount: sub.bounceCount, preferences };
      },
      async deleteFor(id) {
        await s.subscribers.remove(id);
      },
    },
    { name: 'editions', exportFor: (id) => s.ledger.exportFor(id), deleteFor: (id) => s.ledger.deleteFor(id) },
    { name: 'deliveryEvents', exportFor: (id) => s.deliveryEvents.forSubscriber(id), deleteFor: (id) => s.deliveryEvents.deleteFor(id) },
    { name: 'suppression', exportFor: (_id, email) => s.suppression.exportFor(email), deleteFor: (_id, email) => s.suppression.deleteFor(email) },
    { name: 'relevance', exportFor: (id) => s.readers.exportData(id), deleteFor: (id) => s.readers.deleteAll(id) },
    {
      name: 'feeds',
      async exportFor(id) {
        return { deliveryMode: await s.feeds.deliveryModes.get(id), feedKeyVersion: await s.feeds.versions.get(id) };
      },
      async deleteFor(id) {
        await Promise.all([s.feeds.deliveryModes.forget(id), s.feeds.versions.forget(id)]);
      },
    },
    { name: 'sendJobs', exportFor: async () => undefined, deleteFor: (id) => s.jobs.deleteFor(id) },
  ];
}
