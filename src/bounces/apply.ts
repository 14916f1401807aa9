// Apply one verified provider event: find the subscriber (our Message-ID first, else the recipient address),
// then act — a hard bounce counts toward suppression like a refusal at send time; a soft bounce is recorded and
// never suppresses alone; a spam complaint suppresses the address at once and unsubscribes. An event for a
// message or address we do not know is recorded (address masked) and otherwise ignored.
import type { Logger } from '../log.js';
import { maskEmail } from '../util/redact.js';
import { normalizeEmail } from '../subscribers/email.js';
import type { Subscriber } from '../subscribers/subscriber.js';
import type { SuppressionList } from '../subscribers/suppression.js';
import type { DeliveryEventLog, RecordedEvent } from './event-log.js';
import { maskedDetail, parseOurMessageId, type DeliveryEvent } from './event.js';

export interface ApplyDeps {
  subscribers: {
    get(id: string): Promise<Subscriber | null>;
    getByEmail(email: string): Promise<Subscriber | null>;
    recordBounce(id: string, threshold: number): Promise<unknown>;
    unsubscribe(id: string): Promise<unknown>;
  };
  suppression: Pick<SuppressionList, 'add'>;
  events: Pick<DeliveryEventLog, 'record' | 'recordUnmatched' | 'forSubscriber'>;
  /** Hard bounces before an address is suppressed (the live setting suppressAfterBounces). */
  threshold(): number | Promise<number>;
  /** The domain of our Message-IDs (mailDomain(config)). */
  mailDomain: string;
  clock: () => Date;
  log: Logger;
}

/** How far back provider hard bounces count toward the threshold (see hardBounceRun). */
export const HARD_BOUNCE_WINDOW_MS = 14 * 24 * 3600_000;

/**
 * Distinct messages reported hard-bounced by providers within the window, this one included. Needed because
 * the send path clears the bounce count whenever the SMTP server accepts a message — and with a relay it accepts
 * every one, the bounce coming later — so the stored count alone would never reach the threshold. Soft bounces
 * neither count nor break the run; a complaint does.
 */
export function hardBounceRun(history: readonly RecordedEvent[], current: DeliveryEvent, now: Date): number {
  const seen = new Set([current.messageId ?? current.eventId]);
  for (const h of history) {
    if (now.getTime() - Date.parse(h.receivedAt) > HARD_BOUNCE_WINDOW_MS) break;
    if (h.type === 'hard-bounce') seen.add(h.messageId ?? h.eventId);
    else if (h.type !== 'soft-bounce') break;
  }
  return seen.size;
}

export type ApplyOutcome = 'suppressed' | 'bounce-counted' | 'unsubscribed-and-suppressed' | 'recorded' | 'unknown-message';

async function findSubscriber(deps: ApplyDeps, e: DeliveryEvent): Promise<Subscriber | null> {
  const recipient = e.recipient ? normalizeEmail(e.recipient) : null;
  const address = recipient?.ok ? recipient.email : null;
  const ours = parseOurMessageId(e.messageId, deps.mailDomain);
  if (ours) {
    const sub = await deps.subscribers.get(ours.subscriberId);
    // The message was ours, but the address it went to is no longer this subscriber's: not theirs to act on.
    if (sub && (!address || sub.email === address)) return sub;
  }
  return address ? deps.subscribers.getByEmail(address) : null;
}

export async function applyDeliveryEvent(deps: ApplyDeps, e: DeliveryEvent): Promise<ApplyOutcome> {
  const now = deps.clock();
  const detail = maskedDetail(e.detail);
  const record = (outcome: string): RecordedEvent => ({ at: e.at, receivedAt: now.toISOString(), provider: e.provider, type: e.type, eventId: e.eventId.slice(0, 200), detail, code: e.code, outcome });
  const recordFor = (outcome: string): RecordedEvent => ({ ...record(outcome), messageId: e.messageId ? e.messageId.slice(0, 200) : null });
  const sub = await findSubscriber(deps, e);
  if (!sub) {
    await deps.events.recordUnmatched({ ...record('unknown-message'), recipient: e.recipient ? maskEmail(e.recipient) : '' });
    deps.log.info({ provider: e.provider, type: e.type }, 'provider event for an unknown message: recorded, ignored');
    return 'unknown-message';
  }
  const evidence = { provider: e.provider, eventId: e.eventId.slice(0, 200), type: e.type, detail, receivedAt: now.toISOString() };
  let outcome: ApplyOutcome = 'recorded';
  if (e.type === 'hard-bounce') {
    const threshold = await deps.threshold();
    const run = hardBounceRun(await deps.events.forSubscriber(sub.id), e, now);
    // Threshold 1 makes this bounce the one that stops the subscriber when the provider's run reached it.
    await deps.subscribers.recordBounce(sub.id, run >= threshold ? 1 : threshold);
    const after = await deps.subscribers.get(sub.id);
    outcome = 'bounce-counted';
    if (after && (after.status === 'bouncing' || after.bounceCount >= threshold || run >= threshold)) {
      await deps.suppression.add(sub.email, { at: now.toISOString(), code: e.code, reason: detail || 'hard bounce', subscriberId: sub.id, kind: 'hard-bounce', provider: e.provider, evidence });
      deps.log.warn({ subscriberId: sub.id, provider: e.provider, bounces: after.bounceCount }, 'address suppressed after repeated hard bounces (provider report)');
      outcome = 'suppressed';
    }
  } else if (e.type === 'complaint') {
    await deps.suppression.add(sub.email, { at: now.toISOString(), code: null, reason: 'spam complaint', subscriberId: sub.id, kind: 'complaint', provider: e.provider, evidence });
    await deps.subscribers.unsubscribe(sub.id);
    deps.log.warn({ subscriberId: sub.id, provider: e.provider }, 'spam complaint: address suppressed and unsubscribed');
    outcome = 'unsubscribed-and-suppressed';
  }
  await deps.events.record(sub.id, recordFor(outcome));
  return outcome;
}
