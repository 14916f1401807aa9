// The send job's ChannelSendPort (digest/send-channel.ts) over the channel store and the webhook client: a channel
// as a subscriber-shaped record for selection, and one edition formatted (channelEdition → Slack blocks / Discord
// embeds / signed JSON) and posted (deliverEdition). 404/410 are counted on the channel (suppressed after repeated
// ones), a success resets the count. The URL stays in here: results carry status codes only.
import type { ChannelSendPort } from '../../digest/send-channel.js';
import { publicDayUrl } from '../../links/public-day.js';
import { editionLabel } from '../../mail/view-model.js';
import type { Subscriber } from '../../subscribers/subscriber.js';
import { whyLinesOf } from '../ledger-source.js';
import type { Channel } from './channel.js';
import { isChannelId } from './channel-schedule.js';
import type { ChannelStore } from './channel-store.js';
import { deliverEdition, type DeliverOptions } from './deliver.js';
import { channelEdition } from './payload.js';

export function channelAsSubscriber(c: Channel): Subscriber {
  return {
    id: c.id,
    email: '',
    status: 'active',
    pausedUntil: null,
    timezone: c.timezone,
    sendTime: c.sendTime,
    frequency: c.frequency,
    topics: c.topics,
    includeKeywords: c.includeKeywords,
    excludeKeywords: c.excludeKeywords,
    followAuthors: c.followAuthors,
    followOrgs: c.followOrgs,
    ...(c.seedPapers ? { seedPapers: c.seedPapers } : {}),
    minUpvotes: c.minUpvotes,
    maxPapers: c.maxPapers,
    createdAt: c.createdAt,
    confirmedAt: c.createdAt,
    unsubscribedAt: null,
    tokenVersion: 0,
    bounceCount: 0,
  };
}

export function channelSendPort(deps: {
  channels: Pick<ChannelStore, 'get' | 'recordResult'>;
  publicUrl: string;
  clock: () => Date;
  /** Attempts and backoff within one delivery (deliver.ts defaults when omitted). */
  deliver?: DeliverOptions;
}): ChannelSendPort {
  return {
    isChannel: isChannelId,
    async get(id) {
      const c = await deps.channels.get(id);
      return c ? { subscriber: channelAsSubscriber(c), suppressed: c.status === 'suppressed' } : null;
    },
    async deliver(id, period, papers) {
      const c = await deps.channels.get(id);
      if (!c) return { outcome: 'failed', status: null, error: 'channel removed' };
      const now = deps.clock();
      const label = editionLabel(period, c.frequency.kind, now, c.timezone).long;
      const edition = channelEdition(
        { period, sentAt: now.toISOString(), papers: papers.map((p) => ({ paper: p.paper, whyLines: whyLinesOf(p.reasons) })) },
        label,
        publicDayUrl(deps.publicUrl, c.topics, period),
      );
      const res = await deliverEdition(c, edition, { now: deps.clock, ...deps.deliver });
      if (res.outcome === 'sent') await deps.channels.recordResult(id, 'ok');
      else if (res.outcome === 'gone') await deps.channels.recordResult(id, 'gone');
      return {
        outcome: res.outcome,
        status: res.status,
        ...(res.retryAfterMs !== undefined ? { retryAfterMs: res.retryAfterMs } : {}),
        ...(res.maybeDelivered ? { maybeDelivered: true } : {}),
        ...(res.error !== undefined ? { error: res.error } : {}),
      };
    },
  };
}
