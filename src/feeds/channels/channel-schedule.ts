// Channel subscribers in the tick: their ids (`ch_…`) sit in the subscribers' due index (ChannelStore puts them
// there), and this adapter answers the tick's one schedule read (dueRecords) for them from the channel store, so the
// tick fans them out with the same plan, the same deterministic job id and the same compare-and-set advance.
// A suppressed or removed channel reads as gone / unsubscribed: the tick drops its entry.
import type { TickSubscribers } from '../../digest/tick.js';
import { formatFrequency, formatSendTime } from '../../subscribers/preferences.js';
import type { DueRecord } from '../../subscribers/store.js';
import type { Channel } from './channel.js';

/** `ch_` + 12 base64url characters (channel-store.ts). A subscriber id is 22 characters: the two never meet, even
 *  when a random subscriber id happens to begin with `ch_`. */
export function isChannelId(id: string): boolean {
  return id.length === 15 && id.startsWith('ch_');
}

export function channelDueRecord(c: Channel | null): DueRecord | null {
  if (!c) return null;
  return {
    status: c.status === 'active' ? 'active' : 'unsubscribed',
    pausedUntil: null,
    timezone: c.timezone,
    sendTime: formatSendTime(c.sendTime),
    frequency: formatFrequency(c.frequency),
  };
}

export function withChannels(subscribers: TickSubscribers, channels: { get(id: string): Promise<Channel | null> }): TickSubscribers {
  return {
    countDue: (before) => subscribers.countDue(before),
    dueEntries: (upTo, offset, limit) => subscribers.dueEntries(upTo, offset, limit),
    advanceDue: (moves) => subscribers.advanceDue(moves),
    resume: (id) => subscribers.resume(id),
    async dueRecords(ids) {
      const people = ids.filter((id) => !isChannelId(id));
      const [recs, chans] = await Promise.all([
        people.length === ids.length ? subscribers.dueRecords(ids) : subscribers.dueRecords(people),
        Promise.all(ids.filter(isChannelId).map(async (id) => channelDueRecord(await channels.get(id)))),
      ]);
      if (people.length === ids.length) return recs;
      let p = 0;
      let c = 0;
      return ids.map((id) => (isChannelId(id) ? chans[c++]! : recs[p++]!));
    },
  };
}
