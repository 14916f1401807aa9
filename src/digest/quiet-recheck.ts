// A quiet-day skip is not final for good: when a scrape brings papers later in the edition's window (the listing
// came late, or a bad listing was corrected), the skipped editions still within their re-check window are opened
// again (skipped → retrying, compare-and-set in the ledger) and their send job runs once more under the same id.
// If selection still finds nothing, the edition is skipped again; if it finds papers, the reader gets the digest.
// Run by the send role's housekeeping each time the last successful scrape moves on (send-worker.ts).
import type { Queue } from 'bullmq';
import type { Logger } from '../log.js';
import { DEFAULT_JOB_OPTIONS, JOB_NAMES, sendJobId } from '../queue/catalog.js';
import type { DeliveryLedger } from './ledger.js';

export async function recheckQuietDays(deps: { ledger: Pick<DeliveryLedger, 'quietSkips' | 'reopenQuiet' | 'forgetQuiet'>; sendQueue: Queue; clock: () => Date; log: Logger }): Promise<number> {
  let reopened = 0;
  for (const { subscriberId, period } of await deps.ledger.quietSkips()) {
    await deps.ledger.forgetQuiet(subscriberId, period);
    if (!(await deps.ledger.reopenQuiet(subscriberId, period))) continue;
    const jobId = sendJobId(subscriberId, period);
    const old = await deps.sendQueue.getJob(jobId);
    if (old && ['completed', 'failed'].includes(await old.getState())) await old.remove();
    await deps.sendQueue.add(JOB_NAMES.send, { subscriberId, period, dueAt: deps.clock().toISOString() }, { ...DEFAULT_JOB_OPTIONS.send, jobId });
    reopened++;
  }
  if (reopened) deps.log.info({ reopened }, 'quiet-day skips re-opened: papers arrived later in their window');
  return reopened;
}
