// `retry-failed --period P`: give every edition that failed permanently in a period one more chance. Per edition:
// the ledger reopens it (`failed` → `retrying`, compare-and-set: an edition that changed meanwhile is left alone;
// `unknown` is never touched — it may have been delivered), then its send job runs again under the same
// deterministic id: a failed job is retried in place, a finished one is replaced, a missing one added.
import type { Queue } from 'bullmq';
import type { DeliveryLedger } from '../digest/ledger.js';
import { DEFAULT_JOB_OPTIONS, JOB_NAMES, sendJobId } from '../queue/catalog.js';

export interface RetryResult {
  period: string;
  failed: number;
  requeued: number;
  /** Changed state between listing and reopening (someone else acted): left alone. */
  skipped: number;
}

export async function retryFailed(
  deps: { ledger: Pick<DeliveryLedger, 'subscribersIn' | 'reopenFailed'>; sendQueue: Queue; clock: () => Date },
  period: string,
  opts: { dryRun?: boolean; onProgress?: (done: number, total: number) => void } = {},
): Promise<RetryResult> {
  const ids = await deps.ledger.subscribersIn(period, ['failed']);
  const result: RetryResult = { period, failed: ids.length, requeued: 0, skipped: 0 };
  if (opts.dryRun) return result;
  for (const [i, subscriberId] of ids.entries()) {
    if (!(await deps.ledger.reopenFailed(subscriberId, period))) {
      result.skipped += 1;
      continue;
    }
    const jobId = sendJobId(subscriberId, period);
    const job = await deps.sendQueue.getJob(jobId);
    const state = job ? await job.getState() : null;
    if (job && state === 'failed') {
      await job.retry('failed');
    } else {
      if (job && (state === 'completed' || state === 'unknown')) await job.remove();
      if (!job || state === 'completed' || state === 'unknown') {
        const dueAt = (job?.data as { dueAt?: string } | undefined)?.dueAt ?? deps.clock().toISOString();
        await deps.sendQueue.add(JOB_NAMES.send, { subscriberId, period, dueAt }, { ...DEFAULT_JOB_OPTIONS.send, jobId });
      }
      // waiting / delayed / active: already on its way again
    }
    result.requeued += 1;
    opts.onProgress?.(i + 1, ids.length);
  }
  return result;
}
