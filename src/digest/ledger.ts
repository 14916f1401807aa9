// The delivery ledger: the record that makes "exactly one digest per (subscriber, period)" hold across duplicate
// jobs, retries and crashed workers; per-period views for operators; and what was sent (no paper twice).
//
// Layout (keys.ts):
// - In flight: one HASH per edition (keys.edition) while it is claimed / sending / retrying: owner, leaseUntil,
//   attempts, the last error. Transitions that race (claim, the sending marker, release, an operator's reopen) are
//   Lua scripts (ledger-scripts.ts), one call each.
// - Settled: the subscriber's compact EDITION RECORD (edition-record.ts): per period of the last `recordDays`
//   days its final state, attempts, a short detail and the selection (ids + reasons). Settling rewrites the record
//   and deletes the hash in one script (compare-and-set on the record's seq). The archive view and the sent-papers
//   dedupe read the record: nothing else is kept per edition.
// - Per period: a detailed index (subscriberId → state) for `detailDays`, then exact counters + the failed ids.
//   The detailed index is split into buckets of ~64 subscribers (ledger-period-index.ts), so each stays a small
//   listpack-encoded hash: ≈ 30 B per subscriber and day instead of ≈ 77 B in one big hash. A period begun under
//   the previous layout keeps its one big hash (editionsByPeriod) until it is aggregated.
// - Housekeeping (ledger-housekeeping.ts): the legacy fold, retention, quiet-day skips, readers' data rights.
// - Upgrade: per-edition hashes of the previous layout (final states kept in the hash, `sent:*` ZSETs) are read
//   as they are, and folded into records by migrateLegacy(); nothing is resent.
//
// Entry states:
//   claimed    a worker owns it (owner + leaseUntil, renewed while it works) and has not handed the data over yet
//   sending    the 'sending' marker: set right before the message data goes to the transport. If the owner vanishes
//              now, nobody knows whether the server got it -> becomes `unknown` and is never resent.
//   retrying   an attempt failed before any data reached the server (transient/throttled); claimable again
//   sent  failed (permanent refusal)  unknown (maybe delivered)  suppressed  skipped (nothing to send)   — final
import type { Redis } from 'ioredis';
import type { Keys } from '../redis/keys.js';
import { archivalReason, type Reason } from '../papers/reason.js';
import { decodeRecord, encodeRecord, periodCode, sentIdsOf, withEntry, type EditionRecord, type FinalState, type RecordEntry, type RecordPaper } from './edition-record.js';
import { LedgerHousekeeping } from './ledger-housekeeping.js';
import { PeriodIndex } from './ledger-period-index.js';
import { withLedgerScripts, type LedgerRedis } from './ledger-scripts.js';
import { decodeLegacySelection, legacyEntry } from './ledger-legacy.js';
import { MAX_WINDOW_DAYS } from './window.js';
import { EDITION_STATES, FINAL_STATES, type EditionEntry, type EditionSelection, type EditionState, type LedgerReads } from './ledger-types.js';

export { EDITION_STATES, FINAL_STATES, type EditionEntry, type EditionSelection, type EditionState, type LedgerReads } from './ledger-types.js';

/** HF re-lists some papers up to six days after their first listing. */
const RELISTING_MARGIN_DAYS = 7;

export type ClaimResult =
  | { outcome: 'claimed'; attempt: number }
  /** Another worker holds an unexpired lease: come back at `until` (ms). */
  | { outcome: 'busy'; until: number }
  /** Already settled (sent, failed, unknown, …): nothing to do. */
  | { outcome: 'done'; state: EditionState }
  /** A previous owner crashed after the 'sending' marker: now recorded as unknown, never resent. */
  | { outcome: 'unknown' };

/** What a delivered edition held: enough to render its web view again (archive.ts). Reasons are stored as given. */
export type ArchiveRenderer = (input: { subscriberId: string; period: string; selection: EditionSelection[] }) => Promise<string | null>;

/** One settled edition as the record keeps it (DeliveryLedger.editions). */
export interface SettledEdition {
  period: string;
  state: FinalState;
  /** How many of `selection` (from the start) were delivered. */
  shown: number;
  selection: EditionSelection[];
}

export interface LedgerOptions {
  /** How long a claim is good for without news from its owner; the owner renews it while it works (default 60 s). */
  leaseMs?: number;
  /** Backstop TTL of per-edition hashes and detailed indexes (real time; default 40 days). */
  entryTtlSeconds?: number;
  /** Sent papers are excluded for this many days: the longest selection window plus HF's re-listing margin. */
  sentPapersRetentionDays?: number;
  /** Settled editions kept in the record (the archive's reach); default 30 days. */
  recordDays?: number;
  /** Days a period keeps its detailed index before it is aggregated into counters (default 2: today and yesterday stay detailed). */
  detailDays?: number;
  /** Days the aggregated counters are kept (default 40). */
  countsDays?: number;
  /**
   * Renders the web view of a delivered edition from its stored selection. Rendering again costs milliseconds;
   * storing the HTML of every digest for a month would cost ~10 KB per subscriber per day.
   */
  renderArchive?: ArchiveRenderer;
}

/** Claimed, with what the send job needs next: the attempt, and the subscriber's record as read by the claim. */
export interface Claimed {
  outcome: 'claimed';
  attempt: number;
  record: EditionRecord;
}

export class DeliveryLedger implements LedgerReads {
  private readonly r: LedgerRedis;
  private readonly leaseMs: number;
  private readonly ttl: number;
  private readonly sentDays: number;
  private readonly recordDays: number;
  private readonly detailDays: number;
  private readonly countsDays: number;
  private readonly renderArchive: ArchiveRenderer | null;
  private readonly reasonIds = new Map<string, number>();
  private readonly reasonJson = new Map<number, string>();
  private readonly index: PeriodIndex;
  private readonly housekeeping: LedgerHousekeeping;

  constructor(
    private readonly redis: Redis,
    private readonly keys: Keys,
    private readonly clock: () => Date,
    opts: LedgerOptions = {},
  ) {
    this.r = withLedgerScripts(redis);
    this.leaseMs = opts.leaseMs ?? 60_000;
    this.ttl = opts.entryTtlSeconds ?? 40 * 24 * 3600;
    // The longest edition window (a late weekly one) plus HF's re-listing margin (a paper comes back up to ~6 days later).
    this.sentDays = opts.sentPapersRetentionDays ?? MAX_WINDOW_DAYS + RELISTING_MARGIN_DAYS;
    this.recordDays = opts.recordDays ?? 30;
    this.detailDays = opts.detailDays ?? 2;
    this.countsDays = opts.countsDays ?? 40;
    this.renderArchive = opts.renderArchive ?? null;
    this.index = new PeriodIndex(redis, keys);
    this.housekeeping = new LedgerHousekeeping(redis, keys, clock, { ttl: this.ttl, detailDays: this.detailDays, countsDays: this.countsDays }, this.index, this);
  }

  get lease(): number {
    return this.leaseMs;
  }

  private async keysFor(subscriberId: string, period: string): Promise<string[]> {
    const k = this.keys;
    return [k.edition(subscriberId, period), k.editionsByPeriod(period), k.editionRecord(subscriberId), k.editionCounts(period), k.editionFailed(period), await this.index.bucketKey(subscriberId, period)];
  }

  async claim(subscriberId: string, period: string, owner: string): Promise<ClaimResult> {
    const r = await this.claimWithRecord(subscriberId, period, owner);
    return r.outcome === 'claimed' ? { outcome: 'claimed', attempt: r.attempt } : r;
  }

  /** claim(), and on success the subscriber's record read in the same script (sent papers, the next write's seq). */
  async claimWithRecord(subscriberId: string, period: string, owner: string): Promise<Claimed | Exclude<ClaimResult, { outcome: 'claimed' }>> {
    const now = this.clock();
    const { code, weekly } = periodCode(period);
    const res = await this.r.pdEdClaimBuffer(
      ...(await this.keysFor(subscriberId, period)), this.keys.editionTombs, this.keys.editionPeriods,
      owner, now.getTime(), this.leaseMs, subscriberId, this.ttl, now.toISOString(), code, weekly ? 1 : 0, period,
    );
    const kind = res[0]!.toString();
    switch (kind) {
      case 'claimed':
        return { outcome: 'claimed', attempt: Number(res[1]!.toString()), record: decodeRecord(res[2]) };
      case 'busy':
        return { outcome: 'busy', until: Number(res[1]!.toString()) };
      case 'done':
        return { outcome: 'done', state: res[1]!.toString() as EditionState };
      default:
        return { outcome: 'unknown' };
    }
  }

  /** The marker set right before the message data goes to the transport. False = we lost the claim: do not send. */
  async markSending(subscriberId: string, period: string, owner: string): Promise<boolean> {
    const now = this.clock();
    const ok = await this.r.pdEdMarkSending(...(await this.keysFor(subscriberId, period)), owner, now.getTime(), this.leaseMs, subscriberId, now.toISOString(), this.ttl);
    return ok === 1;
  }

  /** The owner extends its lease while it works. False = the claim is not ours any more. */
  async renew(subscriberId: string, period: string, owner: string): Promise<boolean> {
    return (await this.r.pdEdRenew(this.keys.edition(subscriberId, period), owner, this.clock().getTime(), this.leaseMs)) === 1;
  }

  /**
   * Delivered: the record gets the edition (its papers count as sent from now on) and the per-edition hash goes.
   * Not owner-checked on purpose: a 250 reply is the best knowledge there is, even if the lease ran out meanwhile.
   */
  async markSent(
    subscriberId: string,
    period: string,
    result: { response: string; messageId: string; paperIds: string[]; selection?: EditionSelection[]; attempts?: number },
    known?: EditionRecord,
  ): Promise<void> {
    const { selection, shown } = emailFirst(result.selection ?? [], result.paperIds);
    const entry: RecordEntry = { period, state: 'sent', attempts: result.attempts ?? 1, detail: null, shown, selection: await this.toRecordPapers(selection) };
    const ok = await this.finish(subscriberId, period, '', entry, known);
    if (!ok) throw new Error('ledger markSent: not recorded');
  }

  /** Settle as failed / unknown / suppressed / skipped, or release for a retry ('retrying'). Owner-checked. */
  async settle(
    subscriberId: string,
    period: string,
    owner: string,
    state: Exclude<EditionState, 'claimed' | 'sending' | 'sent'>,
    detail: { error?: string; code?: number | null; reason?: string; attempts?: number } = {},
    known?: EditionRecord,
  ): Promise<boolean> {
    if (state === 'retrying') {
      const fields: string[] = [];
      if (detail.error !== undefined) fields.push('error', detail.error.slice(0, 500));
      if (detail.code !== undefined && detail.code !== null) fields.push('code', String(detail.code));
      if (detail.reason !== undefined) fields.push('reason', detail.reason);
      const ok = await this.r.pdEdRelease(...(await this.keysFor(subscriberId, period)), owner, subscriberId, this.clock().toISOString(), this.ttl, ...fields);
      return ok === 1;
    }
    const text = detail.reason ?? (detail.error !== undefined ? `${detail.code ?? ''} ${detail.error}`.trim().slice(0, 120) : null);
    const entry: RecordEntry = { period, state, attempts: detail.attempts ?? 1, detail: text, shown: 0, selection: [] };
    return this.finish(subscriberId, period, owner, entry, known);
  }

  /** Write `entry` into the record (compare-and-set on its seq, re-read and retried on a race). */
  private async finish(subscriberId: string, period: string, owner: string, entry: RecordEntry, known?: EditionRecord): Promise<boolean> {
    let rec = known ?? (await this.readRecord(subscriberId));
    const { code, weekly } = periodCode(period);
    const keys = await this.keysFor(subscriberId, period);
    for (let attempt = 0; attempt < 20; attempt++) {
      const next = withEntry(rec, entry, this.clock(), this.recordDays);
      const res = await this.r.pdEdFinish(
        ...keys,
        owner, subscriberId, entry.state, rec.seq, encodeRecord(next), (this.recordDays + 1) * 86_400, this.ttl, code, weekly ? 1 : 0,
      );
      if (res !== -1) return res === 1;
      rec = await this.readRecord(subscriberId);
    }
    throw new Error('ledger: the edition record kept changing; not recorded');
  }

  /** Reasons → ids in the deployment-wide dictionary (cached; new ones added by one script call). */
  private async toRecordPapers(selection: EditionSelection[]): Promise<RecordPaper[]> {
    // Reasons are interned per deployment: only their bounded, archival form is kept (papers/reason.ts).
    const jsons = selection.map((p) => p.reasons.map((r) => JSON.stringify(archivalReason(r))));
    const missing = [...new Set(jsons.flat().filter((j) => !this.reasonIds.has(j)))];
    if (missing.length) {
      const ids = await this.r.pdEdReasonIds(this.keys.editionReasons, this.keys.editionReasonsById, ...missing);
      if (this.reasonIds.size > 50_000) this.reasonIds.clear();
      missing.forEach((j, i) => this.reasonIds.set(j, Number(ids[i])));
    }
    return selection.map((p, i) => ({ id: p.id, reasonIds: jsons[i]!.map((j) => this.reasonIds.get(j)!) }));
  }

  /** Ids → reasons (cached; unknown ones read in one HMGET). */
  private async fromRecordPapers(papers: RecordPaper[]): Promise<EditionSelection[]> {
    const missing = [...new Set(papers.flatMap((p) => p.reasonIds).filter((id) => !this.reasonJson.has(id)))];
    if (missing.length) {
      const found = await this.redis.hmget(this.keys.editionReasonsById, ...missing.map(String));
      if (this.reasonJson.size > 50_000) this.reasonJson.clear();
      missing.forEach((id, i) => this.reasonJson.set(id, found[i] ?? 'null'));
    }
    // parsed per call: callers may change what they get
    return papers.map((p) => ({ id: p.id, reasons: p.reasonIds.map((id) => JSON.parse(this.reasonJson.get(id) ?? 'null') as Reason).filter((r) => r !== null) }));
  }

  async readRecord(subscriberId: string): Promise<EditionRecord> {
    return decodeRecord(await this.redis.getBuffer(this.keys.editionRecord(subscriberId)));
  }

  async get(subscriberId: string, period: string): Promise<EditionEntry | null> {
    const [h, raw] = await Promise.all([this.redis.hgetall(this.keys.edition(subscriberId, period)), this.redis.getBuffer(this.keys.editionRecord(subscriberId))]);
    if (h.state) return legacyEntry(h);
    const e = decodeRecord(raw).entries.find((x) => x.period === period);
    if (!e) return null;
    const selection = await this.fromRecordPapers(e.selection);
    return {
      state: e.state, owner: null, leaseUntil: null, attempts: e.attempts, sendingAt: null, sentAt: null, response: null, messageId: null,
      paperIds: selection.slice(0, e.shown).map((s) => s.id), selection,
      error: e.state === 'failed' || e.state === 'unknown' ? e.detail : null,
      code: e.state === 'failed' ? (Number(/^\d{3}\b/.exec(e.detail ?? '')?.[0]) || null) : null,
      reason: e.state === 'skipped' || e.state === 'suppressed' ? e.detail : null,
      updatedAt: null,
    };
  }

  /**
   * The subscriber's settled editions (the compact record, read once), oldest period first: state, and the papers
   * with their reasons; the first `shown` of them were delivered (counted as sent). What the personal feed reads.
   */
  async editions(subscriberId: string): Promise<SettledEdition[]> {
    const rec = await this.readRecord(subscriberId);
    return Promise.all(rec.entries.map(async (e) => ({ period: e.period, state: e.state, shown: e.shown, selection: await this.fromRecordPapers(e.selection) })));
  }

  /** Counts by state for one period (for `editions status` and the dashboard); states never seen count 0. */
  async countsByState(period: string): Promise<Record<EditionState, number>> {
    return (await this.periodSummary(period)).counts;
  }

  /** The period's counts, from its detailed index while there is one, else from its aggregated counters. */
  async periodSummary(period: string): Promise<{ detailed: boolean; counts: Record<EditionState, number> }> {
    const counts = Object.fromEntries(EDITION_STATES.map((s) => [s, 0])) as Record<EditionState, number>;
    const [hasWholeIndex, agg] = await Promise.all([this.redis.exists(this.keys.editionsByPeriod(period)), this.redis.hgetall(this.keys.editionCounts(period))]);
    if (hasWholeIndex || Object.keys(agg).length === 0) {
      await this.index.scan(period, (_id, state) => {
        if (state in counts) counts[state] += 1;
      });
      return { detailed: true, counts };
    }
    for (const [k, v] of Object.entries(agg)) if (k in counts) counts[k as EditionState] = Math.max(0, Number(v));
    return { detailed: false, counts };
  }

  /** Every subscriber with an entry in one period, and its state (empty once the period is aggregated). */
  async states(period: string): Promise<Map<string, EditionState>> {
    const out = new Map<string, EditionState>();
    await this.index.scan(period, (id, state) => out.set(id, state));
    return out;
  }

  /** Subscriber ids of one period in any of `states` (e.g. every `failed` one, for retry-failed). */
  async subscribersIn(period: string, states: readonly EditionState[]): Promise<string[]> {
    const out: string[] = [];
    if (await this.index.isDetailed(period)) {
      await this.index.scan(period, (id, state) => {
        if (states.includes(state)) out.push(id);
      });
    } else if (states.includes('failed')) {
      out.push(...(await this.redis.smembers(this.keys.editionFailed(period))));
    }
    return out;
  }

  /**
   * An operator's retry (`retry-failed`): a `failed` edition goes back to `retrying`, claimable by its send job again.
   * Compare-and-set: an edition that changed meanwhile is left alone, and `unknown` (maybe delivered) is never
   * reopened. True when reopened.
   */
  async reopenFailed(subscriberId: string, period: string): Promise<boolean> {
    const { code, weekly } = periodCode(period);
    return (await this.r.pdEdReopen(...(await this.keysFor(subscriberId, period)), subscriberId, this.clock().toISOString(), code, weekly ? 1 : 0, this.ttl)) === 1;
  }

  /** A quiet-day skip opened again (papers arrived later in its window). True when reopened. */
  async reopenQuiet(subscriberId: string, period: string): Promise<boolean> {
    const { code, weekly } = periodCode(period);
    return (await this.r.pdEdReopenQuiet(...(await this.keysFor(subscriberId, period)), subscriberId, this.clock().toISOString(), code, weekly ? 1 : 0, this.ttl)) === 1;
  }

  /** Paper ids sent to this subscriber within the dedupe window (the record; the legacy ZSET until it expires). */
  async sentPaperIds(subscriberId: string, known?: EditionRecord): Promise<Set<string>> {
    const now = this.clock();
    const since = now.getTime() - this.sentDays * 86_400_000;
    const [raw, legacy] = await Promise.all([
      known ? Promise.resolve(null) : this.redis.getBuffer(this.keys.editionRecord(subscriberId)),
      this.redis.zrangebyscore(this.keys.sentPapers(subscriberId), since, '+inf'),
    ]);
    return new Set([...legacy, ...sentIdsOf(known ?? decodeRecord(raw), now, this.sentDays)]);
  }

  /**
   * The web view of a delivered digest (the archive link), rendered again from the edition's selection; null for
   * an edition never delivered or past the record's reach.
   */
  async archive(subscriberId: string, period: string): Promise<string | null> {
    if (!this.renderArchive) return null;
    const entry = await this.get(subscriberId, period);
    if (!entry || entry.state !== 'sent' || entry.selection.length === 0) return null;
    return this.renderArchive({ subscriberId, period, selection: entry.selection });
  }

  /** Fold one final per-edition hash (legacy layout, or an `unknown` left by a claim) into the record. */
  async foldHash(subscriberId: string, period: string): Promise<boolean> {
    const h = await this.redis.hgetall(this.keys.edition(subscriberId, period));
    if (!h.state || !(FINAL_STATES as string[]).includes(h.state)) return false;
    const selection = h.selection ? decodeLegacySelection(h.selection) : [];
    const paperIds = (h.paperIds ? JSON.parse(h.paperIds) : []) as string[];
    const detail = h.reason ?? (h.error ? `${h.code ?? ''} ${h.error}`.trim().slice(0, 120) : null);
    const first = emailFirst(selection, paperIds);
    const entry: RecordEntry = { period, state: h.state as FinalState, attempts: Number(h.attempts ?? 1), detail, shown: first.shown, selection: await this.toRecordPapers(first.selection) };
    return this.finish(subscriberId, period, '', entry);
  }

  // ---- Housekeeping (ledger-housekeeping.ts): legacy fold, retention, quiet-day skips, readers' data rights.

  /** Remember a quiet-day skip: papers that arrive before `untilMs` re-open it (quiet-recheck.ts). */
  noteQuiet(subscriberId: string, period: string, untilMs: number): Promise<void> {
    return this.housekeeping.noteQuiet(subscriberId, period, untilMs);
  }

  /** Quiet-day skips still within their re-check window (those past it are forgotten here). */
  quietSkips(): Promise<{ subscriberId: string; period: string }[]> {
    return this.housekeeping.quietSkips();
  }

  /** Forget a quiet-day skip (re-opened, or no longer skipped). */
  forgetQuiet(subscriberId: string, period: string): Promise<void> {
    return this.housekeeping.forgetQuiet(subscriberId, period);
  }

  /** Fold the previous layout's per-edition hashes into records (sent ids of its ZSETs are read until they expire). */
  migrateLegacy(opts: { onProgress?: (folded: number) => void } = {}): Promise<{ folded: number; periods: number }> {
    return this.housekeeping.migrateLegacy(opts);
  }

  /** Whether migrateLegacy() has run on this Redis. */
  migrated(): Promise<boolean> {
    return this.housekeeping.migrated();
  }

  /** Retention against the ledger's clock (ledger-housekeeping.ts applyRetention). */
  applyRetention(): Promise<{ aggregated: number; dropped: number; folded: number }> {
    return this.housekeeping.applyRetention();
  }

  /** Periods this subscriber has an edition for (settled or in flight), oldest first. */
  periodsOf(subscriberId: string): Promise<string[]> {
    return this.housekeeping.periodsOf(subscriberId);
  }

  /** For "Download my data": each edition (period, state, when, which papers) and the papers counted as sent. */
  exportFor(subscriberId: string): Promise<{ editions: Record<string, unknown>[]; sentPaperIds: string[] }> {
    return this.housekeeping.exportFor(subscriberId);
  }

  /** The reader asked to be forgotten: their record, in-flight entries, index fields, quiet/failed marks, tombstones. */
  deleteFor(subscriberId: string): Promise<void> {
    return this.housekeeping.deleteFor(subscriberId);
  }
}

/** The selection with the email's papers first (in their order), then the web-only ones; `shown` = how many sent. */
function emailFirst(selection: { id: string; reasons: unknown[] }[], paperIds: string[]): { selection: EditionSelection[]; shown: number } {
  const byId = new Map(selection.map((s) => [s.id, s]));
  const sent = new Set(paperIds);
  const head = paperIds.map((id) => byId.get(id) ?? { id, reasons: [] });
  const tail = selection.filter((s) => !sent.has(s.id));
  return { selection: [...head, ...tail] as EditionSelection[], shown: head.length };
}

