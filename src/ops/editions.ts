// Edition ledger counts for one period, read from the per-period index (HASH subscriberId → state) the send job
// keeps beside each ledger entry. HSCAN in batches so a period with a million editions never blocks Redis.
import type { Redis } from 'ioredis';
import type { Keys } from '../redis/keys.js';

export type StateCounts = Record<string, number>;

export async function editionStateCounts(redis: Redis, keys: Keys, period: string): Promise<StateCounts> {
  const counts: StateCounts = {};
  let cursor = '0';
  do {
    const [next, flat] = await redis.hscan(keys.editionsByPeriod(period), cursor, 'COUNT', 1000);
    cursor = next;
    for (let i = 1; i < flat.length; i += 2) {
      const state = flat[i]!;
      counts[state] = (counts[state] ?? 0) + 1;
    }
  } while (cursor !== '0');
  return counts;
}

/** Subscriber ids in a period whose ledger state is one of `states` (for retry-failed). */
export async function editionsInState(redis: Redis, keys: Keys, period: string, states: string[]): Promise<string[]> {
  const ids: string[] = [];
  let cursor = '0';
  do {
    const [next, flat] = await redis.hscan(keys.editionsByPeriod(period), cursor, 'COUNT', 1000);
    cursor = next;
    for (let i = 0; i + 1 < flat.length; i += 2) if (states.includes(flat[i + 1]!)) ids.push(flat[i]!);
  } while (cursor !== '0');
  return ids;
}
