// The mail queue's worker (subscribe emails; see confirmation-job.ts): a few at a time, retried with the queue's
// exponential backoff. An attempt that finds another one in flight for the same request waits for the retry.
import type { Redis } from 'ioredis';
import type { Logger } from '../log.js';
import { QUEUES } from '../queue/catalog.js';
import { startQueueWorker, type QueueWorker } from '../queue/worker.js';
import { confirmationProcessor, type ConfirmationJobDeps } from './confirmation-job.js';

export interface ConfirmationWorkerOptions {
  connect: (name: string) => Redis;
  prefix: string;
  log: Logger;
  shutdownTimeoutMs: number;
  concurrency?: number;
}

export async function startConfirmationWorker(deps: ConfirmationJobDeps, opts: ConfirmationWorkerOptions): Promise<QueueWorker> {
  return startQueueWorker({
    queue: QUEUES.mail,
    connect: opts.connect,
    prefix: opts.prefix,
    log: opts.log.child({ mod: 'mail-queue' }),
    processor: confirmationProcessor(deps),
    worker: { concurrency: opts.concurrency ?? 4 },
    shutdownTimeoutMs: opts.shutdownTimeoutMs,
  });
}
