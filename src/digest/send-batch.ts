// A batch send job (the tick's fan-out of a large due range, tick.ts fanOutJobs): its editions run one after
// another through the same runSendJob as a `digest` job, so a batch holds one of the fleet's sendConcurrency slots
// and sends one email at a time, like one job. What each edition's outcome asks for:
// - sent, settled: done (a permanent failure is in the ledger — edition status, `retry-failed` — and the log);
// - retry (transient SMTP trouble): the edition continues as its own `digest` job, with its own backoff and the
//   attempts left, so one bad mailbox never holds up or repeats the other 49;
// - wait (papers stale, another worker holds its lease): it stays in this job, which runs again after the shortest
//   wait asked for, holding only the editions not done;
// - throttle (the relay refuses everything): the whole queue holds, and this job runs again afterwards with the
//   editions from this one on;
// - the worker stopping or sending paused between two editions: the rest stay in this job for later (no slot is
//   held by a worker that is going away).
// Running an edition twice is harmless: the delivery ledger's claim finds it settled.
import type { SmtpErrorClass } from '../mail/smtp-errors.js';
import type { SendJob } from '../queue/catalog.js';
import type { SendOutcome } from './send-types.js';

export interface BatchPort {
  /** Run one edition (runSendJob). May throw for infrastructure errors (Redis down). */
  run(edition: SendJob): Promise<SendOutcome>;
  /** Stop taking editions from this batch (the worker is closing, or sending is paused). */
  stopping(): boolean;
}

export interface BatchProgress {
  sent: number;
  /** Settled without a delivery now: skipped, suppressed, already done, unknown. */
  settled: number;
  /** Settled failed (permanent refusal, or attempts exhausted). */
  failed: number;
  /** To continue as their own `digest` job (transient failure). */
  retry: SendJob[];
  /** To run again in this job, after `laterMs`. */
  later: SendJob[];
  laterMs: number;
  /** Set when the relay throttles: `later` then holds every edition from the refused one on. */
  throttle: SmtpErrorClass | null;
}

/** Thrown when an edition could not run (infrastructure): `unfinished` is what this job must still do. */
export class BatchInterrupted extends Error {
  constructor(
    readonly unfinished: SendJob[],
    cause: unknown,
  ) {
    super(`send batch interrupted: ${cause instanceof Error ? cause.message : String(cause)}`, { cause });
    this.name = 'BatchInterrupted';
  }
}

/** How soon a batch set aside because its worker stopped (or sending paused) is taken up again. */
export const BATCH_SET_ASIDE_MS = 1_000;

export async function runSendBatch(editions: readonly SendJob[], port: BatchPort): Promise<BatchProgress> {
  const p: BatchProgress = { sent: 0, settled: 0, failed: 0, retry: [], later: [], laterMs: Infinity, throttle: null };
  for (let i = 0; i < editions.length; i++) {
    const edition = editions[i]!;
    if (port.stopping()) {
      p.later.push(...editions.slice(i));
      p.laterMs = Math.min(p.laterMs, BATCH_SET_ASIDE_MS);
      break;
    }
    let outcome: SendOutcome;
    try {
      outcome = await port.run(edition);
    } catch (err) {
      throw new BatchInterrupted([...p.retry, ...p.later, ...editions.slice(i)], err);
    }
    switch (outcome.kind) {
      case 'sent':
        p.sent++;
        break;
      case 'settled':
        if (outcome.state === 'failed') p.failed++;
        else p.settled++;
        break;
      case 'retry':
        p.retry.push(edition);
        break;
      case 'wait':
        p.later.push(edition);
        p.laterMs = Math.min(p.laterMs, outcome.delayMs);
        break;
      case 'throttle':
        p.throttle = outcome.error;
        p.later.push(...editions.slice(i));
        return p;
    }
  }
  return p;
}
