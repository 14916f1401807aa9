// The job catalog: every queue, its job names, payload schema and default options, in one place. Payloads carry
// ids and period keys only, never email addresses (Redis keeps job data in plain text).
import { createHash } from 'node:crypto';
import { z } from 'zod';

export const QUEUES = { scrape: 'scrape', tick: 'tick', send: 'send', mail: 'mail' } as const;
export type QueueName = (typeof QUEUES)[keyof typeof QUEUES];
/**
 * BullMQ's events stream per queue (`<queue>:events`): nothing here reads it (no QueueEvents listeners), so it keeps
 * only the last ~1,000 events (BullMQ's default is 10,000: ≈ 1.2 MB for the send queue). Every Queue instance writes
 * this into the queue's meta hash, so all of them pass the same value.
 */
export const QUEUE_STREAMS = { events: { maxLen: 1000 } } as const;

/** The job name each queue's jobs carry (the scrape and tick job schedulers, the tick's fan-out, retry-failed). */
export const JOB_NAMES = { scrape: 'scrape', tick: 'tick', send: 'digest', mail: 'confirmation' } as const satisfies Record<QueueName, string>;

export const scrapeJobSchema = z.object({
  /** Days to scrape (YYYY-MM-DD); empty = today and `scrapeDaysBack` days before, in the scrape zone. */
  dates: z.array(z.string().regex(/^\d{4}-\d{2}-\d{2}$/)).default([]),
  reason: z.enum(['schedule', 'manual', 'cli']).default('schedule'),
});
export type ScrapeJob = z.infer<typeof scrapeJobSchema>;

export const sendJobSchema = z.object({
  subscriberId: z.string().min(8).max(64),
  period: z.string().regex(/^(\d{4}-\d{2}-\d{2}|\d{4}-W\d{2})$/),
  /** When the edition fell due (ISO), for lag metrics and the freshness wait. */
  dueAt: z.string(),
});
export type SendJob = z.infer<typeof sendJobSchema>;

/**
 * Several editions in one send job (the tick's fan-out of a large due range): one BullMQ job per up to
 * SEND_BATCH_MAX editions instead of one each, which is what lets one tick fan out a million due subscribers
 * (issue 10). The send worker runs them one after another (send-worker.ts); an edition that must be retried later
 * becomes its own `digest` job.
 */
export const SEND_BATCH_JOB_NAME = 'digest-batch';
export const SEND_BATCH_MAX = 50;
export const sendBatchJobSchema = z.object({ editions: z.array(sendJobSchema).min(1).max(SEND_BATCH_MAX) });
export type SendBatchJob = z.infer<typeof sendBatchJobSchema>;

/** A subscribe email (confirm link, or the preferences link for an address already subscribed). */
export const confirmationJobSchema = z.object({
  subscriberId: z.string().min(8).max(64),
  /** One per request (its instant in base 36 + random): seeds the job id and the Message-ID, so retries are one message. */
  requestId: z.string().regex(/^[a-z0-9]{8,40}$/),
});
export type ConfirmationJob = z.infer<typeof confirmationJobSchema>;

export function confirmationJobId(subscriberId: string, requestId: string): string {
  return `confirm-${subscriberId}-${requestId}`;
}

export const SCRAPE_SCHEDULER_ID = 'scrape-listing';
/** The tick job carries no data: each run reads the due index at its own instant. */
export const TICK_SCHEDULER_ID = 'tick';
/** The papers prune: a daily job in the tick queue (its worker runs it), at a quiet UTC minute. */
export const PRUNE_JOB = { schedulerId: 'prune-papers', name: 'prune-papers', pattern: '0 17 3 * * *' } as const;

export function sendJobId(subscriberId: string, period: string): string {
  return `digest-${subscriberId}-${period}`;
}

/**
 * Deterministic for the same editions in the same order, so that a tick that crashed between its add and its
 * advance, and re-reads the same entries, adds the same ids again (absorbed by BullMQ, as for `digest` jobs).
 */
export function sendBatchJobId(editions: readonly Pick<SendJob, 'subscriberId' | 'period'>[]): string {
  const h = createHash('sha256');
  for (const e of editions) h.update(`${e.subscriberId}/${e.period};`);
  return `batch-${editions[0]!.period}-${h.digest('base64url').slice(0, 22)}`;
}

export const DEFAULT_JOB_OPTIONS = {
  scrape: { attempts: 3, backoff: { type: 'exponential', delay: 30_000 }, removeOnComplete: { count: 200 }, removeOnFail: { count: 500 } },
  // Nothing reads a finished tick (its outcome is logged and counted): completed ones go at once.
  tick: { attempts: 1, removeOnComplete: true, removeOnFail: { count: 100 } },
  prune: { attempts: 3, backoff: { type: 'exponential', delay: 60_000 }, removeOnComplete: true, removeOnFail: { count: 20 } },
  // Completed send jobs are removed at once (the delivery ledger is the record; a re-added job finds its edition
  // settled there and does nothing); failed ones stay 30 days for `retry-failed` and the operator.
  send: { attempts: 8, backoff: { type: 'jitter-exponential' }, removeOnComplete: true, removeOnFail: { age: 30 * 24 * 3600 } },
  mail: { attempts: 8, backoff: { type: 'exponential', delay: 30_000 }, removeOnComplete: { age: 24 * 3600, count: 10_000 }, removeOnFail: { age: 30 * 24 * 3600 } },
} as const;
