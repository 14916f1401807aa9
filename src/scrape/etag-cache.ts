// ETag + body per URL, kept in Redis so every worker shares them. Written only AFTER a listing was parsed and
// stored: an ETag saved for a page we then failed to read would turn the next fetch into a 304 that "confirms"
// nothing. Bodies are kept so a multi-page API scrape can rebuild a day when only some pages changed.
import type { Redis } from 'ioredis';
import type { Keys } from '../redis/keys.js';

export interface CachedResponse {
  etag: string;
  body: string;
}

export interface EtagCache {
  get(url: string): Promise<CachedResponse | null>;
  set(url: string, entry: CachedResponse): Promise<void>;
}

const TTL_SECONDS = 8 * 24 * 3600; // date pages stop changing; let old ones expire

export class RedisEtagCache implements EtagCache {
  constructor(
    private readonly redis: Redis,
    private readonly keys: Keys,
  ) {}

  async get(url: string): Promise<CachedResponse | null> {
    const [etag, body] = await this.redis.hmget(this.keys.httpCache(url), 'etag', 'body');
    return etag && body !== null && body !== undefined ? { etag, body } : null;
  }

  async set(url: string, entry: CachedResponse): Promise<void> {
    const key = this.keys.httpCache(url);
    await this.redis.multi().hset(key, 'etag', entry.etag, 'body', entry.body).expire(key, TTL_SECONDS).exec();
  }
}

/** For tests and dry runs. */
export class MemoryEtagCache implements EtagCache {
  readonly entries = new Map<string, CachedResponse>();
  async get(url: string) {
    return this.entries.get(url) ?? null;
  }
  async set(url: string, entry: CachedResponse) {
    this.entries.set(url, entry);
  }
}
