// An alertable event for a Redis outage. A lost Redis used to give ≈ 250 error lines (every connection, every
// worker) and no one event an alert rule could match. This watches one connection: when it has not been ready
// for `graceMs` (a blip is not an outage), it logs `redis.down` once at error level and counts the alert; when it
// is ready again it logs `redis.up` with how long it was gone. Once per episode.
import type { Redis } from 'ioredis';
import type { Logger } from '../log.js';

export const REDIS_DOWN_EVENT = 'redis.down';

export interface OutageWatchOptions {
  log: Pick<Logger, 'error' | 'warn'>;
  alerts?: { inc(labels: { event: string }): void } | null;
  graceMs?: number;
  now?: () => number;
}

export function watchRedisOutage(redis: Pick<Redis, 'on' | 'off' | 'status'>, opts: OutageWatchOptions): () => void {
  const graceMs = opts.graceMs ?? 5_000;
  const now = opts.now ?? Date.now;
  let lostAt: number | null = null;
  let raised = false;
  let timer: NodeJS.Timeout | null = null;
  let lastError = '';
  const raise = () => {
    timer = null;
    if (raised || redis.status === 'ready') return;
    raised = true;
    opts.log.error({ event: REDIS_DOWN_EVENT, sinceMs: lostAt === null ? 0 : now() - lostAt, status: redis.status, error: lastError }, 'ALERT: Redis is unreachable; pages answer 503 and jobs wait until it is back');
    opts.alerts?.inc({ event: REDIS_DOWN_EVENT });
  };
  const onLost = () => {
    if (lostAt !== null) return;
    lostAt = now();
    timer = setTimeout(raise, graceMs);
    timer.unref();
  };
  const onError = (err: Error) => {
    lastError = err.message;
    onLost();
  };
  const onReady = () => {
    if (timer) clearTimeout(timer);
    timer = null;
    if (raised) opts.log.warn({ event: 'redis.up', downMs: lostAt === null ? 0 : now() - lostAt }, 'Redis is reachable again');
    lostAt = null;
    raised = false;
  };
  redis.on('close', onLost);
  redis.on('error', onError);
  redis.on('ready', onReady);
  return () => {
    if (timer) clearTimeout(timer);
    redis.off('close', onLost);
    redis.off('error', onError);
    redis.off('ready', onReady);
  };
}
