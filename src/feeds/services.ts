// The feeds room's parts, built by the composition root (src/services.ts): feed key versions, channel subscribers,
// and the FeedEditionSource the feed route and the editions page read through (the ledger's compact edition record).
import type { Redis } from 'ioredis';
import type { DeliveryLedger } from '../digest/ledger.js';
import type { Paper } from '../papers/paper.js';
import type { Keys } from '../redis/keys.js';
import type { Subscriber } from '../subscribers/subscriber.js';
import { ChannelStore, type ChannelDue } from './channels/channel-store.js';
import type { FeedEditionSource } from './edition.js';
import { DeliveryModeStore } from './delivery-mode.js';
import { FeedVersionStore } from './feed-version.js';
import { ledgerEditionSource } from './ledger-source.js';

export interface FeedServices {
  versions: FeedVersionStore;
  /** email (default) | feed | both: the send job asks `sendsEmail(mode)` (src/feeds/delivery-mode.ts). */
  deliveryModes: DeliveryModeStore;
  channels: ChannelStore;
  /** The port over the ledger's compact per-subscriber edition record (ledger-source.ts). */
  editions: FeedEditionSource;
}

export function createFeedServices(deps: {
  redis: Redis;
  keys: Keys;
  clock: () => Date;
  ledger: Pick<DeliveryLedger, 'editions'>;
  papers: { getMany(ids: string[]): Promise<Paper[]> };
  subscribers: { get(id: string): Promise<Subscriber | null> };
  /** The due index: channels are put in it on add and taken out on remove (the tick fans them out). */
  due?: ChannelDue;
}): FeedServices {
  return {
    versions: new FeedVersionStore(deps.redis, deps.keys),
    deliveryModes: new DeliveryModeStore(deps.redis, deps.keys),
    channels: new ChannelStore(deps.redis, deps.keys, deps.clock, deps.due ?? null),
    editions: ledgerEditionSource({ ledger: deps.ledger, papers: deps.papers, subscribers: deps.subscribers, clock: deps.clock }),
  };
}
