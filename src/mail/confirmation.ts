// The email someone gets after asking to subscribe: a confirm link (48 h) while pending, or — when the address
// is already subscribed — a link to its preferences instead, so a second sign-up neither errors nor tells the
// person at the keyboard anything. The subscribe page and the CLI import (without --confirmed) both call this.
import { mailDomain, type Config, type LinkSecret } from '../config.js';
import type { Logger } from '../log.js';
import { CONFIRM_TTL_MS, subscriberLinks } from '../links/signed-links.js';
import { messageIdFor } from './headers.js';
import type { Mailer } from './mailer.js';
import type { Templates } from './render.js';
import { buildAlreadySubscribedView, buildConfirmView } from './view-model.js';
import type { Subscriber } from '../subscribers/subscriber.js';
import { topicById } from '../papers/topics.js';

/** What sendConfirmation needs (structural, so tests can pass a small object). */
export interface ConfirmationDeps {
  config: Pick<Config, 'publicUrl' | 'mailFrom' | 'mailReplyTo'>;
  linkSecrets: readonly LinkSecret[];
  clock: () => Date;
  log: Logger;
  mailer: Pick<Mailer, 'send'>;
  templates: Pick<Templates, 'confirmation' | 'alreadySubscribed'>;
  /** Counted in the emails-sent metric (kind `confirm` or `already-subscribed`). */
  metrics?: { emailsSent: { inc(labels: { kind: string }): void } } | null;
}

export type ConfirmationOutcome = 'confirm-sent' | 'preferences-sent' | 'skipped';

/**
 * Send the right email for a subscribe request. Pending (or unsubscribed, asking to come back) → confirm link;
 * active or paused → preferences link; bouncing → nothing (their mailbox refuses our mail).
 */
export async function sendConfirmation(deps: ConfirmationDeps, subscriber: Subscriber, requestId?: string): Promise<ConfirmationOutcome> {
  const { config, clock } = deps;
  const log = deps.log.child({ mod: 'confirmation' });
  const now = clock();
  if (subscriber.status === 'bouncing') {
    log.info({ subscriberId: subscriber.id }, 'subscribe request for a bouncing address: nothing sent');
    return 'skipped';
  }
  const links = subscriberLinks(config.publicUrl, subscriber, deps.linkSecrets, now);
  const already = subscriber.status === 'active' || subscriber.status === 'paused';
  const rendered = already
    ? deps.templates.alreadySubscribed(buildAlreadySubscribedView({ preferencesUrl: links.preferences, publicUrl: config.publicUrl }))
    : deps.templates.confirmation(
        buildConfirmView({
          confirmUrl: links.confirm,
          expiresHours: CONFIRM_TTL_MS / 3_600_000,
          topicsChosen: subscriber.topics.map((id) => topicById(id)?.label ?? id),
          schedule: subscriber,
          now,
          publicUrl: config.publicUrl,
        }),
      );
  const kind = already ? 'already-subscribed' : 'confirm';
  // One id per request (a resend is a new message, not a duplicate of the first; a retry of one request is the same).
  const messageId = messageIdFor(kind, requestId ?? now.getTime().toString(36), subscriber.id, mailDomain(config));
  const result = await deps.mailer.send({
    to: subscriber.email,
    from: config.mailFrom,
    replyTo: config.mailReplyTo,
    subject: rendered.subject,
    html: rendered.html,
    text: rendered.text,
    messageId,
    headers: { 'Auto-Submitted': 'auto-generated' },
  });
  deps.metrics?.emailsSent.inc({ kind });
  log.info({ subscriberId: subscriber.id, kind, response: result.response }, 'subscribe email sent');
  return already ? 'preferences-sent' : 'confirm-sent';
}
