// What providers told us, kept for the operator and for the reader's "Your data": per subscriber the last 50
// events (keys.deliveryEvents), and the last 500 events that matched nobody (keys.deliveryEventsUnmatched, the
// address masked — an unknown address is nobody's data to keep). Owns those keys.
import type { Redis } from 'ioredis';
import type { Keys } from '../redis/keys.js';

export interface RecordedEvent {
  at: string;
  receivedAt: string;
  provider: string;
  type: string;
  eventId: string;
  detail: string;
  code: number | null;
  /** What we did: suppressed, bounce-counted, unsubscribed, recorded, unknown-message, … */
  outcome: string;
  /** Unmatched events only: the recipient, masked. */
  recipient?: string;
  /** The Message-ID the provider named, if any (ours: it names the subscriber, and goes with them). */
  messageId?: string | null;
}

const PER_SUBSCRIBER = 50;
const UNMATCHED = 500;

export class DeliveryEventLog {
  constructor(
    private readonly redis: Redis,
    private readonly keys: Keys,
  ) {}

  async record(subscriberId: string, e: RecordedEvent): Promise<void> {
    const key = this.keys.deliveryEvents(subscriberId);
    await this.redis.multi().lpush(key, JSON.stringify(e)).ltrim(key, 0, PER_SUBSCRIBER - 1).exec();
  }

  async recordUnmatched(e: RecordedEvent): Promise<void> {
    const key = this.keys.deliveryEventsUnmatched;
    await this.redis.multi().lpush(key, JSON.stringify(e)).ltrim(key, 0, UNMATCHED - 1).exec();
  }

  async forSubscriber(subscriberId: string, limit = PER_SUBSCRIBER): Promise<RecordedEvent[]> {
    return (await this.redis.lrange(this.keys.deliveryEvents(subscriberId), 0, limit - 1)).map((s) => JSON.parse(s) as RecordedEvent);
  }

  async unmatched(limit = 50): Promise<RecordedEvent[]> {
    return (await this.redis.lrange(this.keys.deliveryEventsUnmatched, 0, limit - 1)).map((s) => JSON.parse(s) as RecordedEvent);
  }

  async deleteFor(subscriberId: string): Promise<void> {
    await this.redis.del(this.keys.deliveryEvents(subscriberId));
  }
}
