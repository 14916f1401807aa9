// Repeated errors, one line per window. During a Redis outage every BullMQ connection (each queue handle, each
// worker and its blocking connection) reports each failed reconnect: that was ≈ 250 error lines a minute, which
// drowned the one alertable `redis.down` line (src/redis/outage.ts). Here the first error with a given message is
// logged at once; the same message again within `windowMs` is only counted, and the next line about it (once
// the window has passed) says how many were left out. A different message is logged at once.
import type { Logger } from '../log.js';

export interface ErrorThrottleOptions {
  /** How long the same message stays quiet after it was logged (default 60 s). */
  windowMs?: number;
  now?: () => number;
}

export function throttledErrorLog(
  log: Pick<Logger, 'error' | 'warn'>,
  level: 'error' | 'warn',
  msg: string,
  opts: ErrorThrottleOptions = {},
): (err: Error) => void {
  const windowMs = opts.windowMs ?? 60_000;
  const now = opts.now ?? Date.now;
  // message → when it was last logged, and how many were held back since
  const seen = new Map<string, { at: number; held: number }>();
  return (err: Error) => {
    const key = err.message;
    const t = now();
    const s = seen.get(key);
    if (s && t - s.at < windowMs) {
      s.held++;
      return;
    }
    const repeated = s?.held ?? 0;
    seen.set(key, { at: t, held: 0 });
    if (seen.size > 100) seen.delete(seen.keys().next().value as string); // messages with ids in them: stay bounded
    log[level]({ err, ...(repeated ? { repeated, overMs: t - s!.at } : {}) }, repeated ? `${msg} (the same error ${repeated} more times since the last line)` : msg);
  };
}
