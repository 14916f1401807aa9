// Subscribe emails go through the `mail` queue, like digests: a 451 at RCPT or a connection dropped after DATA
// used to lose a confirmation (one attempt, no retry, no metric). Now each request is one job (id and Message-ID
// from the request): retried with exponential backoff, counted, and sent once — a Redis marker per
// request (`sending` while an attempt runs, `sent` after the server's 250) makes a second run of the same request
// a no-op, whichever process runs it.
//
// `deliver` is what callers use: it enqueues the job first, delayed (the safety net: a process that dies right
// after the request still has it sent by a worker), then makes the first attempt at once in this process, so a
// CLI command or the subscribe page does not wait for the worker's next poll. When that attempt succeeds the job
// finds the marker and completes without sending; when it fails, the job's retries take over.
import { randomBytes } from 'node:crypto';
import { UnrecoverableError, type Job, type Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import { confirmationJobId, confirmationJobSchema, DEFAULT_JOB_OPTIONS, JOB_NAMES } from '../queue/catalog.js';
import type { Keys } from '../redis/keys.js';
import type { Subscriber } from '../subscribers/subscriber.js';
import { sendConfirmation, type ConfirmationDeps, type ConfirmationOutcome } from './confirmation.js';
import { classifySmtpError } from './smtp-errors.js';

export interface ConfirmationJobDeps extends ConfirmationDeps {
  redis: Redis;
  keys: Keys;
  getSubscriber(id: string): Promise<Subscriber | null>;
  metrics?: (ConfirmationDeps['metrics'] & { emailsFailed?: { inc(labels: { class: string; code: string }): void } }) | null;
}

/** How long an attempt may hold the request before another run may take it over. */
const SENDING_LEASE_MS = 120_000;
/** How long a sent request is remembered (well past the last retry). */
const SENT_TTL_S = 7 * 24 * 3600;
/** The safety-net job waits this long before a worker looks at it (the inline attempt normally settles it). */
export const SAFETY_NET_DELAY_MS = 60_000;

export type ConfirmationAttempt = ConfirmationOutcome | 'already-sent' | 'gone';

export class ConfirmationInFlightError extends Error {
  constructor() {
    super('another attempt at this subscribe email is in flight');
  }
}

/** One attempt at one request. Throws UnrecoverableError for a permanent refusal, another error to retry. */
export async function runConfirmationJob(deps: ConfirmationJobDeps, data: unknown): Promise<ConfirmationAttempt> {
  const { subscriberId, requestId } = confirmationJobSchema.parse(data);
  const marker = deps.keys.confirmationSent(confirmationJobId(subscriberId, requestId));
  const claimed = await deps.redis.set(marker, 'sending', 'PX', SENDING_LEASE_MS, 'NX');
  if (!claimed) {
    if ((await deps.redis.get(marker)) === 'sent') return 'already-sent';
    throw new ConfirmationInFlightError();
  }
  let outcome: ConfirmationOutcome;
  try {
    const subscriber = await deps.getSubscriber(subscriberId);
    if (!subscriber) {
      await deps.redis.set(marker, 'sent', 'EX', SENT_TTL_S);
      return 'gone'; // removed since: nothing to send
    }
    outcome = await sendConfirmation(deps, subscriber, requestId);
  } catch (err) {
    await deps.redis.del(marker);
    const c = classifySmtpError(err);
    deps.metrics?.emailsFailed?.inc({ class: c.kind, code: String(c.code ?? 'none') });
    // The cause is left out on purpose: nodemailer's error carries the address (the message here is masked).
    if (c.kind === 'permanent') throw new UnrecoverableError(`subscribe email refused: ${c.message}`);
    // eslint-disable-next-line preserve-caught-error
    throw new Error(`subscribe email not sent (${c.kind}${c.code ? ` ${c.code}` : ''}): ${c.message}`);
  }
  await deps.redis.set(marker, 'sent', 'EX', SENT_TTL_S);
  return outcome;
}

export interface DeliverResult {
  jobId: string;
  /** The inline attempt's outcome, or the error it met (the queued job retries then). */
  outcome: ConfirmationAttempt | null;
  error: Error | null;
  /** The error was permanent: no retry will follow. */
  final: boolean;
}

/** Enqueue the request (delayed safety net), then try once now. */
export async function deliverConfirmation(
  deps: ConfirmationJobDeps & { queue: Pick<Queue, 'add'> },
  subscriber: Subscriber,
  requestId = `${deps.clock().getTime().toString(36)}${randomBytes(4).toString('hex')}`,
): Promise<DeliverResult> {
  const data = { subscriberId: subscriber.id, requestId };
  const jobId = confirmationJobId(subscriber.id, requestId);
  await deps.queue.add(JOB_NAMES.mail, data, { ...DEFAULT_JOB_OPTIONS.mail, jobId, delay: SAFETY_NET_DELAY_MS });
  try {
    return { jobId, outcome: await runConfirmationJob(deps, data), error: null, final: false };
  } catch (err) {
    const final = err instanceof UnrecoverableError;
    deps.log.warn({ jobId, subscriberId: subscriber.id, err }, final ? 'subscribe email refused' : 'subscribe email not sent yet; the mail queue retries it');
    return { jobId, outcome: null, error: err as Error, final };
  }
}

/** The mail queue's processor (the worker role runs it; see startConfirmationWorker). */
export function confirmationProcessor(deps: ConfirmationJobDeps) {
  return async (job: Pick<Job, 'id' | 'data'>) => ({ outcome: await runConfirmationJob(deps, job.data) });
}
