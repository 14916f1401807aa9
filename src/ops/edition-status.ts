// `editions status`: for one period, how many subscribers should get an edition (eligible) and where each one
// is — sent, failed, suppressed, unknown, skipped, or still pending (in flight, or not started yet). The ledger's
// per-period index says where the started ones are; walking the subscribers finds those not started yet.
import type { Redis } from 'ioredis';
import { occurrenceOn } from '../digest/schedule.js';
import type { Keys } from '../redis/keys.js';
import type { Subscriber } from '../subscribers/subscriber.js';
import { editionStateCounts } from './editions.js';

export interface EditionStatus {
  period: string;
  eligible: number;
  sent: number;
  failed: number;
  suppressed: number;
  unknown: number;
  skipped: number;
  /** eligible − settled: in flight (claimed, sending, retrying) plus not started. */
  pending: number;
  inFlight: number;
  notStarted: number;
}

const WEEK = /^\d{4}-W\d{2}$/;

/** Pure: would this subscriber get an edition in `period` (and has it not started, given the ledger)? */
export function expectsEdition(sub: Pick<Subscriber, 'status' | 'frequency' | 'timezone' | 'sendTime' | 'createdAt'>, period: string): boolean {
  if (sub.status !== 'active') return false;
  if (WEEK.test(period)) return sub.frequency.kind === 'weekly';
  if (sub.frequency.kind !== 'daily') return false;
  const occ = occurrenceOn(sub, period);
  return occ !== null && occ.at.getTime() >= Date.parse(sub.createdAt);
}

export async function editionStatus(
  deps: { redis: Redis; keys: Keys; subscribers: { getMany(ids: string[]): Promise<(Subscriber | null)[]> } },
  period: string,
  onProgress?: (done: number, total: number) => void,
): Promise<EditionStatus> {
  return (await editionStatuses(deps, [period], onProgress))[0]!;
}

/** Several periods in one walk over the subscribers (the dashboard and `editions status` show those under way). */
export async function editionStatuses(
  deps: { redis: Redis; keys: Keys; subscribers: { getMany(ids: string[]): Promise<(Subscriber | null)[]> } },
  periods: string[],
  onProgress?: (done: number, total: number) => void,
): Promise<EditionStatus[]> {
  const ledgers = await Promise.all(
    periods.map(async (period) => {
      const counts = await editionStateCounts(deps.redis, deps.keys, period);
      const inLedger = new Set<string>();
      let cursor = '0';
      do {
        const [next, flat] = await deps.redis.hscan(deps.keys.editionsByPeriod(period), cursor, 'COUNT', 1000);
        cursor = next;
        for (let i = 0; i < flat.length; i += 2) inLedger.add(flat[i]!);
      } while (cursor !== '0');
      return { period, counts, inLedger, notStarted: 0 };
    }),
  );
  const total = await deps.redis.zcard(deps.keys.subscribersAll);
  for (let offset = 0; offset < total; offset += 500) {
    const ids = await deps.redis.zrange(deps.keys.subscribersAll, offset, offset + 499);
    const subs = await deps.subscribers.getMany(ids);
    for (const s of subs) {
      if (!s) continue;
      for (const l of ledgers) if (!l.inLedger.has(s.id) && expectsEdition(s, l.period)) l.notStarted += 1;
    }
    onProgress?.(Math.min(offset + 500, total), total);
  }
  return ledgers.map(({ period, counts, inLedger, notStarted }) => {
    const n = (k: string) => counts[k] ?? 0;
    const settled = n('sent') + n('failed') + n('suppressed') + n('unknown') + n('skipped');
    const inFlight = inLedger.size - settled;
    return {
      period,
      eligible: inLedger.size + notStarted,
      sent: n('sent'),
      failed: n('failed'),
      suppressed: n('suppressed'),
      unknown: n('unknown'),
      skipped: n('skipped'),
      pending: inFlight + notStarted,
      inFlight,
      notStarted,
    };
  });
}
