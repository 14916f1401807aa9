// The per-period detailed index of the delivery ledger: subscriberId → state for the last few days, for `editions
// status`, the dashboard and `retry-failed` (ledger.ts; older periods keep exact counters instead).
//
// Split into buckets of ~64 subscribers (by a hash of the id), so each bucket stays a small listpack-encoded hash:
// ≈ 30 B per subscriber and day, where one hash of every subscriber (hashtable-encoded) took ≈ 77 B. The bucket
// count is fixed per period by its first writer (HSETNX into keys.editionIndexBuckets), from how many subscribers
// the latest periods' indexes hold (the ledger's own data; the subscriber keys belong to the subscriber store): a
// period's buckets never move. (The very first period of a deployment gets one bucket; the next ones are sized.) Each bucket holds a state as one digit
// (INDEX_STATE_CODES). A period begun before the upgrade keeps the previous layout's one hash (keys.editionsByPeriod)
// until it is aggregated: the scripts (ledger-scripts.ts) keep writing there, so nobody is counted twice.
import type { Redis } from 'ioredis';
import type { Keys } from '../redis/keys.js';
import { INDEX_STATE_CODES } from './ledger-scripts.js';
import type { EditionState } from './ledger-types.js';

/** Subscribers per bucket, on average: well under hash-max-listpack-entries (128 by default). */
const BUCKET_SUBSCRIBERS = 64;
const MAX_BUCKETS = 1 << 16;

/** How many buckets a period's detailed index gets for `subscribers` (a power of two). */
export function indexBucketCount(subscribers: number): number {
  let b = 1;
  while (b < MAX_BUCKETS && b * BUCKET_SUBSCRIBERS < subscribers) b *= 2;
  return b;
}

/** The bucket of a subscriber id (FNV-1a over its UTF-16 code units), for `buckets` a power of two. */
export function indexBucketOf(subscriberId: string, buckets: number): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < subscriberId.length; i++) {
    h ^= subscriberId.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return (h >>> 0) & (buckets - 1);
}

export class PeriodIndex {
  /** period → its bucket count (fixed once set: cached). */
  private readonly bucketCounts = new Map<string, number>();

  constructor(
    private readonly redis: Redis,
    private readonly keys: Keys,
  ) {}

  /** The subscriber's bucket key for a period; the first writer of a period fixes its bucket count. */
  async bucketKey(subscriberId: string, period: string): Promise<string> {
    return this.keys.editionIndexBucket(period, indexBucketOf(subscriberId, await this.bucketsFor(period)));
  }

  /** The bucket count of a period, fixed now if unset (sized for the latest periods' subscribers + 25 %). */
  private async bucketsFor(period: string): Promise<number> {
    const known = await this.knownBuckets(period);
    if (known) return known;
    await this.redis.hsetnx(this.keys.editionIndexBuckets, period, indexBucketCount(Math.ceil((await this.recentSize(period)) * 1.25)));
    return this.knownBuckets(period);
  }

  /** The most subscribers any of the four latest periods (other than `period`) holds in its detailed index. */
  private async recentSize(period: string): Promise<number> {
    let most = 0;
    for (const p of (await this.redis.zrevrange(this.keys.editionPeriods, 0, 4)).filter((x) => x !== period).slice(0, 4)) {
      const buckets = await this.knownBuckets(p);
      const pipe = this.redis.pipeline().hlen(this.keys.editionsByPeriod(p));
      for (let i = 0; i < buckets; i++) pipe.hlen(this.keys.editionIndexBucket(p, i));
      most = Math.max(most, ((await pipe.exec()) ?? []).reduce((n, [, v]) => n + (Number(v) || 0), 0));
    }
    return most;
  }

  /** The bucket count of a period as stored; 0 when the period has none (yet). */
  async knownBuckets(period: string): Promise<number> {
    const cached = this.bucketCounts.get(period);
    if (cached) return cached;
    const stored = Number(await this.redis.hget(this.keys.editionIndexBuckets, period)) || 0;
    if (stored) {
      if (this.bucketCounts.size > 1000) this.bucketCounts.clear();
      this.bucketCounts.set(period, stored);
    }
    return stored;
  }

  /** Whether the period is still detailed (not aggregated into counters yet). */
  async isDetailed(period: string): Promise<boolean> {
    const [whole, counts] = await Promise.all([this.redis.exists(this.keys.editionsByPeriod(period)), this.redis.exists(this.keys.editionCounts(period))]);
    return whole === 1 || counts === 0;
  }

  /**
   * The period's detailed index, entry by entry: its buckets read a batch at a time (a period can hold millions),
   * nothing kept but what `fn` keeps. A period begun before the upgrade has its whole-period hash (HSCAN); should a
   * subscriber be in both (a worker of the previous version still running), the bucket, written by this version, wins.
   */
  async scan(period: string, fn: (subscriberId: string, state: EditionState) => void): Promise<void> {
    const buckets = await this.knownBuckets(period);
    const whole = this.keys.editionsByPeriod(period);
    const both = buckets && (await this.redis.exists(whole)) ? new Map<string, EditionState>() : null;
    const emit = both ? (id: string, state: EditionState) => both.set(id, state) : fn;
    if (both || !buckets) {
      let cursor = '0';
      do {
        const [next, flat] = await this.redis.hscan(whole, cursor, 'COUNT', 1000);
        cursor = next;
        for (let i = 0; i + 1 < flat.length; i += 2) emit(flat[i]!, flat[i + 1] as EditionState);
      } while (cursor !== '0');
    }
    for (let b = 0; b < buckets; b += 256) {
      const p = this.redis.pipeline();
      for (let i = b; i < Math.min(buckets, b + 256); i++) p.hgetall(this.keys.editionIndexBucket(period, i));
      for (const [err, h] of (await p.exec()) ?? []) {
        if (err) throw err;
        for (const [id, code] of Object.entries(h as Record<string, string>)) emit(id, (INDEX_STATE_CODES[Number(code)] ?? code) as EditionState);
      }
    }
    if (both) for (const [id, state] of both) fn(id, state);
  }

  /** Every key of the period's detailed index (the whole-period hash of the previous layout, and the buckets). */
  async keysOf(period: string): Promise<string[]> {
    const buckets = await this.knownBuckets(period);
    return [this.keys.editionsByPeriod(period), ...Array.from({ length: buckets }, (_, i) => this.keys.editionIndexBucket(period, i))];
  }

  /** The period is gone (retention dropped it): forget its bucket count. */
  forget(period: string): void {
    this.bucketCounts.delete(period);
  }
}
