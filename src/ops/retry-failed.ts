// `retry-failed --period P`: give every edition that failed permanently in a period one more chance. Per edition:
// the ledger entry goes from `failed` back to `retrying` (compare-and-set in Lua, so an edition that changed
// meanwhile is left alone; `unknown` is never touched — it may have been delivered), then its send job runs again
// under the same deterministic id: a failed job is retried in place, a finished one is replaced, a missing one added.
import type { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import { SEND_JOB_NAME } from '../digest/tick.js';
import { DEFAULT_JOB_OPTIONS, sendJobId } from '../queue/catalog.js';
import type { Keys } from '../redis/keys.js';
import { editionsInState } from './editions.js';

// KEYS: entry, index. ARGV: subscriberId, nowIso. 1 when reopened.
const REOPEN = `
if redis.call('HGET', KEYS[1], 'state') ~= 'failed' then return 0 end
redis.call('HSET', KEYS[1], 'state', 'retrying', 'updatedAt', ARGV[2], 'reopenedAt', ARGV[2])
redis.call('HDEL', KEYS[1], 'owner', 'leaseUntil')
redis.call('HSET', KEYS[2], ARGV[1], 'retrying')
return 1`;

export interface RetryResult {
  period: string;
  failed: number;
  requeued: number;
  /** Changed state between listing and reopening (someone else acted): left alone. */
  skipped: number;
}

export async function retryFailed(
  deps: { redis: Redis; keys: Keys; sendQueue: Queue; clock: () => Date },
  period: string,
  opts: { dryRun?: boolean; onProgress?: (done: number, total: number) => void } = {},
): Promise<RetryResult> {
  const ids = await editionsInState(deps.redis, deps.keys, period, ['failed']);
  const result: RetryResult = { period, failed: ids.length, requeued: 0, skipped: 0 };
  if (opts.dryRun) return result;
  for (const [i, subscriberId] of ids.entries()) {
    const nowIso = deps.clock().toISOString();
    const reopened = await deps.redis.eval(REOPEN, 2, deps.keys.edition(subscriberId, period), deps.keys.editionsByPeriod(period), subscriberId, nowIso);
    if (reopened !== 1) {
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
        await deps.sendQueue.add(SEND_JOB_NAME, { subscriberId, period, dueAt: (job?.data as { dueAt?: string } | undefined)?.dueAt ?? nowIso }, { ...DEFAULT_JOB_OPTIONS.send, jobId });
      }
      // waiting / delayed / active: already on its way again
    }
    result.requeued += 1;
    opts.onProgress?.(i + 1, ids.length);
  }
  return result;
}
