// The send job's branch for a channel subscriber (`ch_…`: a Slack, Discord or generic webhook). Same claim, same
// lease, same ledger and period semantics as an email; what differs is after the claim: the channel's preferences
// select (no personal model), the 'sending' marker goes down right before the HTTP request, and the webhook's answer
// settles the edition:
//   sent    → markSent (its papers count as sent: never the same paper twice)
//   retry   → may have reached the endpoint (timeout / reset): `unknown`, never resent (no idempotency key on Slack
//             or Discord); else released and retried — at the endpoint's Retry-After when it gave one — until the
//             job's attempts are spent, then `failed`
//   gone    → 404/410 counted by the channel store (suppressed after repeated ones); the edition `failed`
//   failed  → `failed` (permanent: other 4xx, payload over the limit)
// The port (ChannelSendPort) is built by the composition root over the feeds room; the webhook URL never comes here.
import type { Logger } from '../log.js';
import type { Paper } from '../papers/paper.js';
import type { Reason } from '../papers/reason.js';
import type { Settings } from '../settings/schema.js';
import type { Subscriber } from '../subscribers/subscriber.js';
import type { EditionRecord } from './edition-record.js';
import type { DeliveryLedger, EditionState } from './ledger.js';
import { selectPapers } from './select.js';
import { editionWindow } from './window.js';
import { rankWeightsOf } from '../relevance/rank.js';

export interface ChannelDeliveryResult {
  outcome: 'sent' | 'retry' | 'gone' | 'failed';
  status: number | null;
  retryAfterMs?: number;
  maybeDelivered?: boolean;
  /** Status codes and error codes only: never the URL. */
  error?: string;
}

export interface ChannelSendPort {
  isChannel(id: string): boolean;
  /** The channel as a subscriber-shaped record for selection (no email), or null when it was removed. */
  get(id: string): Promise<{ subscriber: Subscriber; suppressed: boolean } | null>;
  /** Format and post one edition (the port records gone/ok on the channel). */
  deliver(id: string, period: string, papers: { paper: Paper; reasons: Reason[] }[]): Promise<ChannelDeliveryResult>;
}

export interface ChannelJobState {
  subscriberId: string;
  period: string;
  owner: string;
  attempt: number;
  record: EditionRecord;
  now: Date;
  staleSkip: boolean;
  settings: Settings;
  log: Logger;
  run: { attemptsMade: number; attempts: number };
}

export type ChannelOutcome =
  | { kind: 'sent'; messageId: string; response: string; papers: number }
  | { kind: 'settled'; state: EditionState; reason: string }
  | { kind: 'wait'; delayMs: number; reason: string }
  | { kind: 'retry'; error: { kind: 'transient'; code: number | null; enhanced: null; message: string; bounce: false } };

export interface ChannelJobDeps {
  ledger: DeliveryLedger;
  candidates(firstDay: string): Promise<Paper[]>;
  channels: ChannelSendPort;
  metrics: { editionsSkipped: { inc(labels: { reason: string }): void } };
  /** Waits for a slot under the fleet-wide send rate (send-pace.ts); absent = no limit. */
  pace?: () => Promise<unknown>;
}

export async function afterClaimChannel(deps: ChannelJobDeps, c: ChannelJobState): Promise<ChannelOutcome> {
  const { subscriberId, period, owner, record, log, settings, now } = c;
  const skip = async (state: 'skipped' | 'suppressed', reason: string): Promise<ChannelOutcome> => {
    await deps.ledger.settle(subscriberId, period, owner, state, { reason, attempts: c.attempt }, record);
    deps.metrics.editionsSkipped.inc({ reason });
    log.info({ reason }, 'channel edition not sent');
    return { kind: 'settled', state, reason };
  };
  if (c.staleSkip) return skip('skipped', 'stale-papers');
  const found = await deps.channels.get(subscriberId);
  if (!found) return skip('skipped', 'no-channel');
  if (found.suppressed) return skip('suppressed', 'channel-suppressed');
  const sub = found.subscriber;

  const { firstDay, days: lookbackDays } = editionWindow(sub, period, now, settings.lookbackDays);
  const [papers, sentIds] = await Promise.all([deps.candidates(firstDay), deps.ledger.sentPaperIds(subscriberId, record)]);
  const selected = selectPapers({
    subscriber: sub, papers, sentIds, now, lookbackDays, cap: settings.maxPapersCap, model: null, weights: rankWeightsOf(settings), ranking: settings.relevanceRanking,
  });
  // A channel gets no "nothing new" post: a quiet edition is skipped whatever the email policy.
  if (selected.length === 0) return skip('skipped', 'quiet-day');

  await deps.pace?.();
  if (!(await deps.ledger.markSending(subscriberId, period, owner))) {
    log.warn('lost the claim before posting (lease expired and taken over): not posting');
    return { kind: 'wait', delayMs: 1_000, reason: 'claim-lost' };
  }
  const res = await deps.channels.deliver(subscriberId, period, selected.map((s) => ({ paper: s.paper, reasons: s.reasons })));
  const detail = { error: res.error ?? res.outcome, code: res.status, attempts: c.attempt };
  switch (res.outcome) {
    case 'sent': {
      const selection = selected.map((s) => ({ id: s.paper.id, reasons: s.reasons }));
      const paperIds = selection.map((s) => s.id);
      await deps.ledger.markSent(subscriberId, period, { response: `HTTP ${res.status ?? ''}`.trim(), messageId: '', paperIds, selection, attempts: c.attempt }, record);
      log.info({ papers: paperIds.length, status: res.status }, 'channel edition delivered');
      return { kind: 'sent', messageId: '', response: `HTTP ${res.status ?? ''}`.trim(), papers: paperIds.length };
    }
    case 'retry': {
      if (res.maybeDelivered) {
        await deps.ledger.settle(subscriberId, period, owner, 'unknown', detail, record);
        log.warn({ error: res.error }, 'the webhook may have received the edition (timeout or reset): recorded unknown, not resent');
        return { kind: 'settled', state: 'unknown', reason: 'channel-maybe-delivered' };
      }
      // The ledger's attempt count bounds the waits that do not spend a BullMQ attempt (Retry-After).
      const last = c.run.attemptsMade + 1 >= c.run.attempts || c.attempt >= c.run.attempts;
      await deps.ledger.settle(subscriberId, period, owner, last ? 'failed' : 'retrying', detail, record);
      log.warn({ status: res.status, retryAfterMs: res.retryAfterMs ?? null, last }, 'channel delivery to retry');
      if (last) return { kind: 'settled', state: 'failed', reason: 'attempts-exhausted' };
      if (res.retryAfterMs !== undefined) return { kind: 'wait', delayMs: Math.max(1_000, res.retryAfterMs), reason: 'channel-retry-after' };
      return { kind: 'retry', error: { kind: 'transient', code: res.status, enhanced: null, message: res.error ?? 'webhook retry', bounce: false } };
    }
    case 'gone':
    case 'failed':
      await deps.ledger.settle(subscriberId, period, owner, 'failed', detail, record);
      log.warn({ status: res.status, outcome: res.outcome }, 'channel delivery failed');
      return { kind: 'settled', state: 'failed', reason: `channel-${res.outcome}-${res.status ?? 'error'}` };
  }
}
