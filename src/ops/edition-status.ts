// `editions status`: for one period, how many subscribers should get an edition (eligible) and where each one
// is — sent, failed, suppressed, unknown, skipped, or still pending (in flight, or not started yet). The ledger's
// per-period index says where the started ones are; walking the subscribers finds those not started yet.
import type { DeliveryLedger } from '../digest/ledger.js';
import { occurrenceOn } from '../schedule/schedule.js';
import type { SubscriberStore } from '../subscribers/store.js';
import type { Subscriber } from '../subscribers/subscriber.js';

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
  /**
   * False once the period is past the ledger's detailed days: the counts are its exact aggregated counters, and
   * who was never started is no longer known (notStarted 0).
   */
  detailed: boolean;
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

export interface EditionStatusDeps {
  ledger: Pick<DeliveryLedger, 'states' | 'periodSummary'>;
  subscribers: Pick<SubscriberStore, 'count' | 'list'>;
}

export async function editionStatus(deps: EditionStatusDeps, period: string, onProgress?: (done: number, total: number) => void): Promise<EditionStatus> {
  return (await editionStatuses(deps, [period], onProgress))[0]!;
}

const PAGE = 500;

/** Several periods in one walk over the subscribers (the dashboard and `editions status` show those under way). */
export async function editionStatuses(deps: EditionStatusDeps, periods: string[], onProgress?: (done: number, total: number) => void): Promise<EditionStatus[]> {
  const ledgers = await Promise.all(
    periods.map(async (period) => {
      const summary = await deps.ledger.periodSummary(period);
      return { period, summary, states: summary.detailed ? await deps.ledger.states(period) : null, notStarted: 0 };
    }),
  );
  const total = await deps.subscribers.count();
  let done = 0;
  let cursor: string | null = null;
  do {
    const page: Awaited<ReturnType<SubscriberStore['list']>> = await deps.subscribers.list({ cursor, limit: PAGE });
    for (const s of page.items) {
      for (const l of ledgers) if (l.states && !l.states.has(s.id) && expectsEdition(s, l.period)) l.notStarted += 1;
    }
    done += page.items.length;
    onProgress?.(Math.min(done, total), total);
    cursor = page.nextCursor;
  } while (cursor);
  return ledgers.map(({ period, summary, notStarted }) => {
    const counts: Record<string, number> = summary.counts;
    const n = (k: string) => counts[k] ?? 0;
    const settled = n('sent') + n('failed') + n('suppressed') + n('unknown') + n('skipped');
    const started = Object.values(counts).reduce((a, b) => a + b, 0);
    const inFlight = started - settled;
    return {
      period,
      eligible: started + notStarted,
      sent: n('sent'),
      failed: n('failed'),
      suppressed: n('suppressed'),
      unknown: n('unknown'),
      skipped: n('skipped'),
      pending: inFlight + notStarted,
      inFlight,
      notStarted,
      detailed: summary.detailed,
    };
  });
}
