// The replay guard: a delivery id is accepted once within its TTL (SET NX PX). Claimed before the events are
// applied; released again if applying failed, so the provider's retry is not refused for our own failure.
import type { Redis } from 'ioredis';
import type { Keys } from '../redis/keys.js';

/** Longer than any provider's retry window (Postmark and SendGrid retry for up to a day or more). */
export const SEEN_TTL_MS = 7 * 24 * 3600_000;

export class ReplayGuard {
  constructor(
    private readonly redis: Redis,
    private readonly keys: Keys,
    private readonly ttlMs = SEEN_TTL_MS,
  ) {}

  /** True the first time (provider, id) is seen within the TTL. */
  async claim(provider: string, id: string): Promise<boolean> {
    return (await this.redis.set(this.keys.webhookSeen(provider, id), '1', 'PX', this.ttlMs, 'NX')) === 'OK';
  }

  async release(provider: string, id: string): Promise<void> {
    await this.redis.del(this.keys.webhookSeen(provider, id));
  }
}
