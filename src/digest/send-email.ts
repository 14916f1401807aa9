// The send job's email branch (send.ts decides whether and what to send; this file sends it): render the selection
// (or the "nothing new" note), set the 'sending' marker once the relay is ready to take the data, hand the message
// to SMTP, and record the outcome. Every SMTP failure goes through classifySmtpError once and its class decides:
// retry, slow the queue, bounce, or record unknown (never resend).
import { mailDomain } from '../config.js';
import type { Logger } from '../log.js';
import type { Paper } from '../papers/paper.js';
import { subscriberLinks } from '../links/signed-links.js';
import { digestHeaders, listIdFor, messageIdFor } from '../mail/headers.js';
import type { SendResult } from '../mail/mailer.js';
import { classifySmtpError, type SmtpErrorClass } from '../mail/smtp-errors.js';
import { buildDigestView, buildNothingNewView, nothingNewCause } from '../mail/view-model.js';
import type { SendJob } from '../queue/catalog.js';
import type { Subscriber } from '../subscribers/subscriber.js';
import type { EditionRecord } from './edition-record.js';
import type { SelectedPaper } from './select.js';
import type { SendDeps, SendJobRun, SendOutcome } from './send-types.js';
import type { SuggestionHint } from '../relevance/suggest.js';

/** A claimed email edition and what was selected for it. */
export interface EmailEdition {
  run: SendJobRun;
  job: SendJob;
  log: Logger;
  now: Date;
  owner: string;
  sub: Subscriber;
  attempt: number;
  /** The subscriber's edition record as the claim read it (the settle's compare-and-set starts from it). */
  record: EditionRecord;
  selected: SelectedPaper[];
  /** The candidates and the papers already sent: the "nothing new" note names its cause from them. */
  papers: Paper[];
  sentIds: Set<string>;
  /** The suggestion the digest mentions above its footer (relevance/suggest.ts); null for none. */
  hint?: SuggestionHint | null;
}

/** Our lease ran out and another worker took the edition over before we transmitted anything. */
class ClaimLostError extends Error {
  constructor() {
    super('ledger claim lost before sending');
    this.name = 'ClaimLostError';
  }
}

/** Render, mark 'sending', send, record. Never throws for an SMTP outcome (those become SendOutcome). */
export async function sendEmailEdition(deps: SendDeps, e: EmailEdition): Promise<SendOutcome> {
  const { run, job, log, now, owner, sub, record, selected, papers, sentIds } = e;
  const { subscriberId, period } = job;
  const links = subscriberLinks(deps.config.publicUrl, sub, deps.linkSecrets, now, { period });
  const common = { subscriber: sub, period, now, publicUrl: deps.config.publicUrl, ...(deps.topicLabels ? { topicLabels: deps.topicLabels } : {}) };
  let rendered: { subject: string; html: string | Buffer; text: string };
  let paperIds: string[] = [];
  let kind: 'digest' | 'nothing-new';
  const renderStarted = process.hrtime.bigint();
  if (selected.length === 0) {
    kind = 'nothing-new';
    rendered = deps.templates.nothingNew(
      buildNothingNewView({
        ...common,
        cause: nothingNewCause(papers, sentIds, sub.minUpvotes),
        links: { preferences: links.preferences, unsubscribe: links.unsubscribe, readingList: links.readingList },
      }),
    );
  } else {
    kind = 'digest';
    const view = buildDigestView({
      ...common,
      selected,
      links: { preferences: links.preferences, unsubscribe: links.unsubscribe, archive: links.archive(period), readingList: links.readingList, ...feedLinkOf(deps, sub) },
      feedback: (paperId) => links.feedback(paperId),
      hint: e.hint ?? null,
    });
    const digest = deps.templates.digest(view);
    rendered = { subject: digest.subject, html: digest.html, text: digest.text };
    // Papers that did not fit the email live only in the web version: they may still come in a later email.
    paperIds = selected.slice(0, digest.papersShown).map((s) => s.paper.id);
  }
  deps.metrics.renderDuration?.observe(Number(process.hrtime.bigint() - renderStarted) / 1e9);
  const domain = mailDomain(deps.config);
  const messageId = messageIdFor(kind, period, sub.id, domain);
  const headers = digestHeaders({
    listUnsubscribeUrl: links.unsubscribe,
    mailto: deps.config.listUnsubscribeMailto,
    mailtoSubject: `unsubscribe ${sub.id}`,
    listId: listIdFor(domain),
  });

  await deps.pace?.();
  const started = process.hrtime.bigint();
  let result: SendResult;
  try {
    result = await deps.mailer.send({
      to: sub.email,
      from: deps.config.mailFrom,
      replyTo: deps.config.mailReplyTo,
      subject: rendered.subject,
      html: rendered.html,
      text: rendered.text,
      messageId,
      headers,
    }, {
      // The 'sending' marker, set once the transport is ready to transmit: a crash after it is `unknown`.
      beforeSend: async () => {
        if (!(await deps.ledger.markSending(subscriberId, period, owner))) throw new ClaimLostError();
      },
    });
  } catch (err) {
    if (err instanceof ClaimLostError) {
      log.warn('lost the claim before sending (lease expired and taken over): not sending');
      return { kind: 'wait', delayMs: 1_000, reason: 'claim-lost' };
    }
    const err2 = classifySmtpError(err);
    deps.metrics.emailsFailed.inc({ class: err2.kind, code: err2.code === null ? 'none' : String(err2.code) });
    log.warn({ class: err2.kind, code: err2.code, smtp: err2.message }, 'send failed');
    return afterFailure(deps, { subscriberId, period, owner, sub, run, attempt: e.attempt, record }, err2);
  }
  // Delivered. Outside the try above on purpose: a failure to record it must never be mistaken for an SMTP
  // failure (that would release the claim and send again). If it cannot be recorded, the entry keeps its
  // 'sending' marker and the next claim records it unknown — never a second copy.
  deps.metrics.sendDuration.observe(Number(process.hrtime.bigint() - started) / 1e9);
  deps.metrics.emailsSent.inc({ kind });
  // The selection (ids + reasons) is what the archive link renders the web view from (archive.ts).
  const selection = selected.map((s) => ({ id: s.paper.id, reasons: s.reasons }));
  await withRetries(() => deps.ledger.markSent(subscriberId, period, { response: result.response, messageId, paperIds, selection, attempts: e.attempt }, record), log, deps.recordRetryDelaysMs);
  if (sub.bounceCount > 0 && deps.subscribers.clearBounces) {
    await deps.subscribers.clearBounces(sub.id).catch((err: unknown) => log.warn({ err }, 'could not reset the bounce count'));
  }
  const lag = (deps.clock().getTime() - Date.parse(job.dueAt)) / 1000;
  if (Number.isFinite(lag) && lag >= 0) deps.metrics.editionLag.observe(lag);
  log.info({ papers: paperIds.length, kind }, 'digest sent');
  return { kind: 'sent', messageId, response: result.response, papers: paperIds.length };
}

function feedLinkOf(deps: SendDeps, sub: Subscriber): { feed?: string } {
  const feed = deps.feedLink?.(sub);
  return feed ? { feed } : {};
}

/** A few quick retries for the write that records a delivery (a Redis fail-over takes a moment). */
export async function withRetries(fn: () => Promise<void>, log: Logger, delays: number[] = [100, 500, 2_000]): Promise<void> {
  for (let i = 0; ; i++) {
    try {
      return await fn();
    } catch (err) {
      if (i >= delays.length) {
        log.error({ err }, 'delivered, but the ledger could not record it: it will read as unknown, never resent');
        throw err;
      }
      await new Promise((r) => setTimeout(r, delays[i]));
    }
  }
}

async function afterFailure(
  deps: SendDeps,
  at: { subscriberId: string; period: string; owner: string; sub: Subscriber; run: SendJobRun; attempt: number; record: EditionRecord },
  c: SmtpErrorClass,
): Promise<SendOutcome> {
  const { subscriberId, period, owner } = at;
  const detail = { error: c.message, code: c.code, attempts: at.attempt };
  switch (c.kind) {
    case 'unknown':
      await deps.ledger.settle(subscriberId, period, owner, 'unknown', detail, at.record);
      return { kind: 'settled', state: 'unknown', reason: 'connection-lost-after-data' };
    case 'permanent': {
      // Bounce bookkeeping first, then the ledger: whoever sees the edition failed sees the bounce counted.
      if (c.bounce) {
        const threshold = deps.settings().suppressAfterBounces;
        await deps.subscribers.recordBounce(subscriberId, threshold);
        const after = await deps.subscribers.get(subscriberId);
        if (after && (after.status === 'bouncing' || after.bounceCount >= threshold)) {
          // The address itself is suppressed too, so a re-subscription under a new id is not mailed either.
          await deps.suppression.add(at.sub.email, { at: deps.clock().toISOString(), code: c.code, reason: c.message, subscriberId });
          deps.log.warn({ subscriberId, bounces: after.bounceCount }, 'address suppressed after repeated hard bounces');
        }
      }
      await deps.ledger.settle(subscriberId, period, owner, 'failed', detail, at.record);
      return { kind: 'settled', state: 'failed', reason: `permanent-${c.code ?? 'error'}` };
    }
    case 'throttled':
      await deps.ledger.settle(subscriberId, period, owner, 'retrying', detail);
      return { kind: 'throttle', error: c };
    case 'transient': {
      const last = at.run.attemptsMade + 1 >= at.run.attempts;
      await deps.ledger.settle(subscriberId, period, owner, last ? 'failed' : 'retrying', detail, at.record);
      return last ? { kind: 'settled', state: 'failed', reason: 'attempts-exhausted' } : { kind: 'retry', error: c };
    }
  }
}
