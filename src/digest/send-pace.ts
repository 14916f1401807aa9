// The fleet-wide send rate (sendRatePerSecond), counted per email or channel post at the moment it is handed over.
// BullMQ's own limiter counts jobs, and since the tick puts up to 50 editions in one job (tick.ts fanOutJobs), the
// job count no longer says how many emails go out: every delivery takes a slot here first. One counter per
// wall-clock second in Redis (INCR, expiring after 2 s), shared by every worker process; a delivery that finds its
// second full waits for the next one. Like BullMQ's limiter it is a fixed window: at most `rate` per calendar
// second. Wall-clock time on purpose: rates are about the relay, not the digest's (injectable) schedule clock.
import type { Redis } from 'ioredis';

const TAKE = `
local n = redis.call('INCR', KEYS[1])
if n == 1 then redis.call('PEXPIRE', KEYS[1], ARGV[1]) end
return n
`;

type PaceRedis = Redis & { pdPaceTake(key: string, ttlMs: number): Promise<number> };

export interface SendPaceOptions {
  /** Wall clock in ms (tests inject one). */
  now?: () => number;
  sleep?: (ms: number) => Promise<void>;
}

export class SendPace {
  private readonly redis: PaceRedis;
  private readonly now: () => number;
  private readonly sleep: (ms: number) => Promise<void>;

  constructor(
    redis: Redis,
    private readonly key: (second: number) => string,
    /** The current limit per second (live settings). */
    private readonly rate: () => number,
    opts: SendPaceOptions = {},
  ) {
    const r = redis as PaceRedis;
    if (typeof r.pdPaceTake !== 'function') redis.defineCommand('pdPaceTake', { numberOfKeys: 1, lua: TAKE });
    this.redis = r;
    this.now = opts.now ?? Date.now;
    this.sleep = opts.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms)));
  }

  /** Resolves once this delivery has a slot in the current second; returns how long it waited (ms). */
  async take(): Promise<number> {
    const started = this.now();
    for (;;) {
      const now = this.now();
      const second = Math.floor(now / 1000);
      const n = await this.redis.pdPaceTake(this.key(second), 2_000);
      if (n <= Math.max(1, this.rate())) return now - started;
      // Full: try again at the start of the next second, spread over its first 50 ms so waiting workers do not all
      // arrive at once.
      await this.sleep((second + 1) * 1000 - now + Math.floor(Math.random() * 50));
    }
  }
}
