// The personal feed's key version, per subscriber: the `feed` signed link carries it as its scope, so "revoke"
// (rotate) kills every feed URL handed out so far without touching the email links (those check tokenVersion
// only). Kept beside, not inside, the subscriber record: one HASH field per reader who ever rotated; a reader who
// never did is at version 0 and costs nothing. Deleting a subscriber should HDEL it (forget).
import type { Redis } from 'ioredis';
import type { Keys } from '../redis/keys.js';

export class FeedVersionStore {
  constructor(
    private readonly redis: Redis,
    private readonly keys: Keys,
  ) {}

  async get(subscriberId: string): Promise<number> {
    const v = await this.redis.hget(this.keys.feedVersions, subscriberId);
    return v === null ? 0 : Number(v) || 0;
  }

  /** The new version (every older feed URL stops working). */
  async rotate(subscriberId: string): Promise<number> {
    return this.redis.hincrby(this.keys.feedVersions, subscriberId, 1);
  }

  async forget(subscriberId: string): Promise<void> {
    await this.redis.hdel(this.keys.feedVersions, subscriberId);
  }
}
