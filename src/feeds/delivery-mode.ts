// How a reader gets each edition: by email (the default), by feed only (no email), or both. Kept beside the
// subscriber record (one HASH field per reader who changed it) so the preferences validator stays as it is; the
// integrator may fold it into the preferences as a `delivery` field (see README, "Feeds, channels and the public
// archive").
//
// What the send job does with it (every mode goes through the same ledger, so "never the same paper twice",
// the period semantics and `editions status` hold whatever the mode):
//   email | both  as today: claim → select → render → SMTP → markSent. (The feed always shows what the ledger holds.)
//   feed          claim → select (the same selection) → NO render, NO SMTP → markSent(subscriberId, period,
//                 { response: 'feed-only', messageId: '', paperIds, selection }) — recorded like a send, mailed to
//                 nobody. A quiet day is `skipped` as for email; suppression / bounce rules do not apply (no mail).
import type { Redis } from 'ioredis';
import type { Keys } from '../redis/keys.js';

export type DeliveryMode = 'email' | 'feed' | 'both';
export const DELIVERY_MODES: readonly DeliveryMode[] = ['email', 'feed', 'both'];

export function parseDeliveryMode(v: unknown): DeliveryMode | null {
  return typeof v === 'string' && (DELIVERY_MODES as readonly string[]).includes(v.trim().toLowerCase()) ? (v.trim().toLowerCase() as DeliveryMode) : null;
}

/** Whether the send job mails this edition (false: record it in the ledger only). */
export function sendsEmail(mode: DeliveryMode): boolean {
  return mode !== 'feed';
}

export class DeliveryModeStore {
  constructor(
    private readonly redis: Redis,
    private readonly keys: Keys,
  ) {}

  async get(subscriberId: string): Promise<DeliveryMode> {
    return parseDeliveryMode(await this.redis.hget(this.keys.deliveryModes, subscriberId)) ?? 'email';
  }

  /** Many at once (the send path reads a batch): absent = 'email'. */
  async getMany(ids: readonly string[]): Promise<DeliveryMode[]> {
    if (ids.length === 0) return [];
    const vals = await this.redis.hmget(this.keys.deliveryModes, ...ids);
    return vals.map((v) => parseDeliveryMode(v) ?? 'email');
  }

  async set(subscriberId: string, mode: DeliveryMode): Promise<void> {
    if (mode === 'email') await this.redis.hdel(this.keys.deliveryModes, subscriberId);
    else await this.redis.hset(this.keys.deliveryModes, subscriberId, mode);
  }

  async forget(subscriberId: string): Promise<void> {
    await this.redis.hdel(this.keys.deliveryModes, subscriberId);
  }
}
