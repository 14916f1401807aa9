// The send job: one digest for one (subscriber, period). Steps: ledger says not yet done → papers fresh enough
// (else wait, delayed, up to a deadline) → claim → subscriber still active, address not suppressed → select →
// (send-email.ts) render → 'sending' marker → SMTP → mark sent with the reply and the papers. Channels (`ch_…`) take
// send-channel.ts after the claim. The queue plumbing (BullMQ worker, live settings) is in send-worker.ts; these
// files decide, the worker obeys.
//
// Round trips of a digest (each line one wait; the commands on it go out together):
//   1. last successful scrape, the subscriber
//   2. the claim (one script: it also returns the subscriber's edition record = the papers already sent), the
//      address's suppression, the delivery mode and the reader's model
//   3. papers sent under the previous ledger layout; the candidates only when this worker has not read them since
//      the last scrape (candidateCache)
//   4. the 'sending' marker (send-email.ts), then SMTP
//   5. the delivery recorded (one script)
import { randomBytes } from 'node:crypto';
import type { Logger } from '../log.js';
import type { Settings } from '../settings/schema.js';
import type { Paper } from '../papers/paper.js';
import { sendJobSchema, type SendJob } from '../queue/catalog.js';
import type { Subscriber } from '../subscribers/subscriber.js';
import type { EditionRecord } from './edition-record.js';
import type { EditionState } from './ledger.js';
import { selectPapers } from './select.js';
import { editionWindow } from './window.js';
import { afterClaimChannel } from './send-channel.js';
import { sendEmailEdition, withRetries } from './send-email.js';
import type { ScoringModel } from '../relevance/model.js';
import { hintStands, type SuggestionHint } from '../relevance/suggest.js';
import { rankWeightsOf } from '../relevance/rank.js';
import type { SendDeps, SendJobRun, SendOutcome } from './send-types.js';

export type { SendDeps, SendJobRun, SendOutcome } from './send-types.js';

const CANDIDATE_CACHE_MAX = 64;

/**
 * The papers listed since `firstDay`, read once per (first day, last scrape) and shared by the digests that need
 * them. Exported for its test.
 */
export function candidates(deps: Pick<SendDeps, 'candidateCache' | 'papers'>, firstDay: string, lastOk: Date | null): Promise<Paper[]> {
  const cache = deps.candidateCache;
  if (!cache) return deps.papers.listedSince(firstDay);
  const stamp = lastOk?.getTime() ?? -1;
  const key = `${firstDay}|${stamp}`;
  let hit = cache.get(key);
  if (!hit) {
    // A newer scrape supersedes every entry read before it: digests now ask for the new one, and the old entries'
    // copies of the same papers would only hold memory until 64 newer keys pushed them out.
    for (const k of cache.keys()) if (Number(k.slice(k.indexOf('|') + 1)) < stamp) cache.delete(k);
    hit = deps.papers.listedSince(firstDay);
    hit.catch(() => cache.delete(key));
    cache.set(key, hit);
    if (cache.size > CANDIDATE_CACHE_MAX) cache.delete(cache.keys().next().value!);
  }
  return hit;
}

const STALE_RECHECK_MS = 5 * 60_000;
const QUIET_RECHECK_HOURS = 12;

// Owners must differ between attempts and processes: a random part per process, a counter per attempt (a random
// read per job cost ~1 % of the send path's CPU).
const OWNER_NONCE = randomBytes(6).toString('base64url');
let ownerSeq = 0;

export function newOwner(jobId: string): string {
  ownerSeq = (ownerSeq + 1) % Number.MAX_SAFE_INTEGER;
  return `${jobId}:${OWNER_NONCE}${ownerSeq.toString(36)}`;
}

/**
 * Run one send job. Never throws for an SMTP outcome (those become SendOutcome); throws only for bad input or
 * infrastructure errors (Redis down), which the worker lets BullMQ retry.
 */
export async function runSendJob(deps: SendDeps, run: SendJobRun): Promise<SendOutcome> {
  const parsed = sendJobSchema.safeParse(run.data);
  if (!parsed.success) throw new Error(`send job ${run.id}: bad payload: ${parsed.error.issues.map((i) => i.message).join('; ')}`);
  const job: SendJob = parsed.data;
  const { subscriberId, period } = job;
  const log = deps.log.child({ jobId: run.id, subscriberId, period });
  const settings = deps.settings();
  const now = deps.clock();

  // Freshness: wait (delayed, not failed) for a scrape, up to staleWaitMinutes past the due instant — unless the
  // edition is settled already (then there is nothing to wait for).
  // One round trip for what does not depend on the claim: the last scrape and the subscriber.
  let staleSkip = false;
  const [lastOk, subRead] = await Promise.all([deps.papers.lastSuccessfulScrape(), deps.subscribers.get(subscriberId)]);
  if (!subRead && !deps.channels?.isChannel(subscriberId)) {
    // Gone (deleted after the tick read them): nothing to deliver and nothing to record. A batch job holds ids until
    // it runs, and a "Delete my data" that came meanwhile must find no ledger entry written after it.
    deps.metrics.editionsSkipped.inc({ reason: 'no-subscriber' });
    log.info({ reason: 'no-subscriber' }, 'edition not sent');
    return { kind: 'settled', state: 'skipped', reason: 'no-subscriber' };
  }
  if (!lastOk || now.getTime() - lastOk.getTime() > settings.freshnessHours * 3600_000) {
    const existing = await deps.ledger.get(subscriberId, period);
    if (existing && ['sent', 'failed', 'unknown', 'suppressed', 'skipped'].includes(existing.state)) {
      return { kind: 'settled', state: existing.state, reason: 'already-settled' };
    }
    const deadline = Date.parse(job.dueAt) + settings.staleWaitMinutes * 60_000;
    if (now.getTime() < deadline) {
      log.info({ lastOk: lastOk?.toISOString() ?? null }, 'papers are stale: waiting for a scrape');
      return { kind: 'wait', delayMs: Math.min(deadline - now.getTime(), deps.staleRecheckMs ?? STALE_RECHECK_MS), reason: 'stale-papers' };
    }
    if (settings.stalePolicy === 'skip') staleSkip = true;
    else log.warn({ lastOk: lastOk?.toISOString() ?? null }, 'papers still stale at the deadline: sending anyway (stalePolicy=send)');
  }

  const owner = newOwner(run.id);
  // The claim (one script, which also returns the subscriber's edition record: the sent papers) and the reads that
  // depend only on the subscriber go together: one round trip. The mode and the model are read for an active
  // email subscriber only (what afterClaim may need), and wasted only when the claim finds the edition settled.
  const active = subRead?.status === 'active' && !deps.channels?.isChannel(subscriberId);
  const [claim, suppressed, mode, learned] = await Promise.all([
    deps.ledger.claimWithRecord(subscriberId, period, owner),
    subRead ? deps.suppression.has(subRead.email) : Promise.resolve(false),
    active && deps.deliveryMode ? deps.deliveryMode(subscriberId) : Promise.resolve(undefined),
    active && deps.readers ? deps.readers.loadForSend(subscriberId) : Promise.resolve(null),
  ]);
  if (claim.outcome === 'done') return { kind: 'settled', state: claim.state, reason: 'already-settled' };
  if (claim.outcome === 'unknown') {
    log.warn('a previous attempt crashed after handing the message to SMTP: recorded unknown, not resent');
    deps.metrics.emailsFailed.inc({ class: 'unknown', code: 'none' });
    return { kind: 'settled', state: 'unknown', reason: 'crashed-after-sending-marker' };
  }
  if (claim.outcome === 'busy') return { kind: 'wait', delayMs: Math.max(1_000, claim.until - now.getTime() + 250), reason: 'lease-held' };

  // While we work, the lease is renewed: a short lease lets another worker recover a crashed one's editions soon.
  const renewEvery = deps.leaseRenewMs ?? Math.max(1_000, Math.floor(deps.ledger.lease / 3));
  const renewal = setInterval(() => {
    deps.ledger.renew(subscriberId, period, owner).catch((err: unknown) => log.warn({ err }, 'could not renew the lease'));
  }, renewEvery);
  renewal.unref();
  try {
    return await afterClaim(deps, { run, job, log, settings, now, lastOk, staleSkip, owner, sub: subRead, suppressed, feedOnly: mode === 'feed', model: learned?.model ?? null, hint: learned?.hint ?? null, record: claim.record, attempt: claim.attempt });
  } finally {
    clearInterval(renewal);
  }
}

interface Claimed {
  run: SendJobRun;
  job: SendJob;
  log: Logger;
  settings: Settings;
  now: Date;
  lastOk: Date | null;
  staleSkip: boolean;
  owner: string;
  sub: Subscriber | null;
  suppressed: boolean;
  /** The reader takes editions by feed only (feeds/delivery-mode.ts). */
  feedOnly: boolean;
  model: ScoringModel | null;
  /** The suggestion the digest mentions (relevance/suggest.ts), if it still stands. */
  hint: SuggestionHint | null;
  record: EditionRecord;
  attempt: number;
}

async function afterClaim(deps: SendDeps, c: Claimed): Promise<SendOutcome> {
  const { run, job, log, settings, now, lastOk, owner, record } = c;
  const { subscriberId, period } = job;
  if (deps.channels?.isChannel(subscriberId)) {
    return afterClaimChannel(
      { ledger: deps.ledger, channels: deps.channels, metrics: deps.metrics, candidates: (firstDay) => candidates(deps, firstDay, lastOk), ...(deps.pace ? { pace: deps.pace } : {}) },
      { subscriberId, period, owner, attempt: c.attempt, record, now, staleSkip: c.staleSkip, settings, log, run },
    );
  }
  const skip = async (state: EditionState & ('skipped' | 'suppressed'), reason: string): Promise<SendOutcome> => {
    await deps.ledger.settle(subscriberId, period, owner, state, { reason, attempts: c.attempt }, record);
    deps.metrics.editionsSkipped.inc({ reason });
    log.info({ reason }, 'edition not sent');
    return { kind: 'settled', state, reason };
  };
  if (c.staleSkip) return skip('skipped', 'stale-papers');

  const sub = c.sub;
  if (!sub) return skip('skipped', 'no-subscriber'); // not reached: a missing subscriber is skipped before the claim
  if (sub.status !== 'active') return skip(sub.status === 'bouncing' ? 'suppressed' : 'skipped', `status-${sub.status}`);
  const { feedOnly, model } = c;
  // A feed-only reader is mailed nothing: an address suppressed for bounces does not stop their feed.
  if (c.suppressed && !feedOnly) return skip('suppressed', 'address-suppressed');

  const { firstDay, days: lookbackDays } = editionWindow(sub, period, now, settings.lookbackDays); // weekly: the whole week
  const [papers, sentIds] = await Promise.all([candidates(deps, firstDay, lastOk), deps.ledger.sentPaperIds(sub.id, record)]);
  const selected = selectPapers({
    subscriber: sub,
    papers,
    sentIds,
    now,
    lookbackDays,
    cap: settings.maxPapersCap,
    model,
    weights: rankWeightsOf(settings),
    ranking: settings.relevanceRanking,
  });
  if (selected.length === 0 && settings.quietDayPolicy === 'skip') {
    const out = await skip('skipped', 'quiet-day');
    // Not final for good: papers that arrive later in the window re-open it (quiet-recheck.ts).
    const until = Date.parse(job.dueAt) + (deps.quietRecheckHours ?? QUIET_RECHECK_HOURS) * 3600_000;
    if (until > now.getTime()) await deps.ledger.noteQuiet(subscriberId, period, until);
    return out;
  }

  if (feedOnly) {
    // Recorded like a send (the same selection; every paper counts as sent: the feed shows them all), mailed to nobody.
    if (selected.length === 0) return skip('skipped', 'feed-nothing-new');
    const paperIds = selected.map((s) => s.paper.id);
    const selection = selected.map((s) => ({ id: s.paper.id, reasons: s.reasons }));
    await withRetries(() => deps.ledger.markSent(subscriberId, period, { response: 'feed-only', messageId: '', paperIds, selection, attempts: c.attempt }, record), log, deps.recordRetryDelaysMs);
    log.info({ papers: paperIds.length, kind: 'feed-only' }, 'edition recorded for the feed (no email)');
    return { kind: 'sent', messageId: '', response: 'feed-only', papers: paperIds.length };
  }

  // Kept since the reader's last feedback: not when they have added or excluded the word since (declined: the
  // reader store already left it out).
  const hint = c.hint && hintStands(c.hint, sub) ? c.hint : null;
  return sendEmailEdition(deps, { run, job, log, now, owner, sub, attempt: c.attempt, record, selected, papers, sentIds, hint });
}
