// Fixed-window counters in Redis (keys.rateLimit), so every web process shares them. One INCR+PEXPIRE per hit;
// the window is derived from the injected clock. Fixed windows allow up to 2x the limit across a boundary —
// acceptable for abuse control, and far simpler than a sliding log.
import type { Redis } from 'ioredis';
import type { Keys } from '../redis/keys.js';

export interface Limit {
  limit: number;
  windowMs: number;
}

export interface HitResult {
  allowed: boolean;
  count: number;
  /** Milliseconds until the current window ends. */
  retryAfterMs: number;
}

export class RateLimiter {
  constructor(
    private readonly redis: Redis,
    private readonly keys: Keys,
    private readonly clock: () => Date,
  ) {}

  /** Count one hit for `key` in `scope`; `allowed` is false once the window's count exceeds the limit. */
  async hit(scope: string, key: string, limit: Limit): Promise<HitResult> {
    const now = this.clock().getTime();
    const window = Math.floor(now / limit.windowMs);
    const redisKey = this.keys.rateLimit(scope, `${key}:${window}`);
    const res = await this.redis.multi().incr(redisKey).pexpire(redisKey, limit.windowMs + 1000).exec();
    const count = Number(res?.[0]?.[1] ?? 0);
    return { allowed: count <= limit.limit, count, retryAfterMs: (window + 1) * limit.windowMs - now };
  }
}
