// How many digests fall due in each hour of the next N hours: one ZCOUNT per hour over the due index
// (subscriber id → next send instant in ms), pipelined. Overdue entries (score < now) are counted separately —
// they are the backlog the next tick fans out.
import type { Redis } from 'ioredis';
import type { Keys } from '../redis/keys.js';
import type { DueHistogram } from '../digest/upcoming.js';

// Same shape as the pure histogram in digest/upcoming.ts, so callers can use either.
export type { DueHistogram, DueHour } from '../digest/upcoming.js';

const HOUR = 3_600_000;

export async function dueHistogram(redis: Redis, keys: Keys, now: Date, hours = 24): Promise<DueHistogram> {
  const from = now.getTime();
  const firstHour = Math.floor(from / HOUR) * HOUR;
  const pipe = redis.pipeline();
  pipe.zcount(keys.dueIndex, '-inf', `(${from}`);
  for (let i = 0; i < hours; i++) {
    const start = Math.max(firstHour + i * HOUR, from);
    pipe.zcount(keys.dueIndex, String(start), `(${firstHour + (i + 1) * HOUR}`);
  }
  const res = (await pipe.exec()) ?? [];
  const counts = res.map(([err, v]) => {
    if (err) throw err;
    return Number(v);
  });
  return {
    overdue: counts[0] ?? 0,
    hours: Array.from({ length: hours }, (_, i) => ({ start: new Date(firstHour + i * HOUR), count: counts[i + 1] ?? 0 })),
  };
}

/** The oldest overdue entry: how far behind the tick/send pipeline is, in ms (0 when nothing is overdue). */
export async function oldestOverdueMs(redis: Redis, keys: Keys, now: Date): Promise<number> {
  const row = await redis.zrangebyscore(keys.dueIndex, '-inf', `(${now.getTime()}`, 'WITHSCORES', 'LIMIT', 0, 1);
  return row.length >= 2 ? now.getTime() - Number(row[1]) : 0;
}
