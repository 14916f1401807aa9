// The delivery ledger: one entry per (subscriber, period), the record that makes "exactly one digest per period"
// hold across duplicate jobs, retries and crashed workers; a per-period index (subscriber → state) for operators;
// and the sent-papers ledger (a paper is never sent to the same subscriber twice). It owns those keys: operator
// views and actions read and change them through the methods here. The web view of a delivered digest is rendered
// again from the edition's selection (archive.ts), never stored.
//
// Entry states (HASH keys.edition):
//   claimed    a worker owns it (owner + leaseUntil) and has not yet handed the message to SMTP
//   sending    the 'sending' marker: set right before the message goes to the transport. If the owner vanishes
//              now, nobody knows whether the server got it -> becomes `unknown` and is never resent.
//   retrying   an attempt failed before any data reached the server (transient/throttled); claimable again
//   sent       {sentAt, response, messageId, paperIds}
//   failed     permanent SMTP refusal          unknown    maybe delivered (connection lost after the data)
//   suppressed address suppressed / bouncing   skipped    nothing to send (quiet day, inactive, stale papers)
// Transitions that race (claim, the sending marker, an operator's reopen) are Lua scripts; the final mark is one
// MULTI with the sent-papers ZSET, so a crash can never leave "sent" without its papers recorded or vice versa.
import type { Redis } from 'ioredis';
import type { Keys } from '../redis/keys.js';
import type { Reason } from '../papers/reason.js';

export type EditionState = 'claimed' | 'sending' | 'retrying' | 'sent' | 'failed' | 'unknown' | 'suppressed' | 'skipped';
export const FINAL_STATES: readonly EditionState[] = ['sent', 'failed', 'unknown', 'suppressed', 'skipped'];
export const EDITION_STATES: readonly EditionState[] = ['claimed', 'sending', 'retrying', ...FINAL_STATES];

export type ClaimResult =
  | { outcome: 'claimed'; attempt: number }
  /** Another worker holds an unexpired lease: come back at `until` (ms). */
  | { outcome: 'busy'; until: number }
  /** Already settled (sent, failed, unknown, …): nothing to do. */
  | { outcome: 'done'; state: EditionState }
  /** A previous owner crashed after the 'sending' marker: now recorded as unknown, never resent. */
  | { outcome: 'unknown' };

/** What a delivered edition held, compactly: enough to render its web view again (archive.ts). */
export interface EditionSelection {
  id: string;
  reasons: Reason[];
}

// Compact storage of a selection: [[paperId, [reason, …]], …] with each reason a short tuple. Topic labels are not
// stored (the catalog has them; readers fill them in): ~40 bytes per paper instead of ~150.
// Relevance (issue 9) added: the field of a topic/keyword match (optional 4th/3rd element: title, keywords,
// abstract, or `once` = one abstract mention), 's' (like papers you liked) and 'p' (rank on Hugging Face).
type FieldCode = 'title' | 'keywords' | 'abstract' | 'once';
type ReasonTuple =
  | ['t', string, string, FieldCode?]
  | ['k', string, FieldCode?]
  | ['a', string]
  | ['o', string]
  | ['s', number, string[]]
  | ['p', number, number]
  | ['r'];

function fieldCode(r: { field?: 'title' | 'keywords' | 'abstract'; strength?: number }): FieldCode | undefined {
  if (!r.field) return undefined;
  return r.field === 'abstract' && (r.strength ?? 1) < 0.3 ? 'once' : r.field;
}

function fieldOf(code: FieldCode | undefined): { field?: 'title' | 'keywords' | 'abstract'; strength?: number } {
  if (!code) return {};
  if (code === 'once') return { field: 'abstract', strength: 0.15 };
  return { field: code, strength: code === 'title' ? 1 : code === 'keywords' ? 0.75 : 0.5 };
}

function reasonTuple(r: Reason): ReasonTuple {
  switch (r.kind) {
    case 'topic':
    {
      const f = fieldCode(r);
      return f ? ['t', r.topicId, r.phrase, f] : ['t', r.topicId, r.phrase];
    }
    case 'keyword':
    {
      const f = fieldCode(r);
      return f ? ['k', r.phrase, f] : ['k', r.phrase];
    }
    case 'similar':
      return ['s', r.count, r.terms];
    case 'popular':
      return ['p', r.rank, r.upvotes];
    case 'author':
      return ['a', r.name];
    case 'organization':
      return ['o', r.name];
    case 'trending':
      return ['r'];
  }
}

function reasonOf(t: ReasonTuple): Reason {
  switch (t[0]) {
    case 't':
      return { kind: 'topic', topicId: t[1], topicLabel: t[1], phrase: t[2], ...fieldOf(t[3]) };
    case 'k':
      return { kind: 'keyword', phrase: t[1], ...fieldOf(t[2]) };
    case 's':
      return { kind: 'similar', count: t[1], terms: t[2] };
    case 'p':
      return { kind: 'popular', rank: t[1], upvotes: t[2] };
    case 'a':
      return { kind: 'author', name: t[1] };
    case 'o':
      return { kind: 'organization', name: t[1] };
    default:
      return { kind: 'trending' };
  }
}

export function encodeSelection(selection: EditionSelection[]): string {
  return JSON.stringify(selection.map((s) => [s.id, s.reasons.map(reasonTuple)]));
}

/** Topic reasons come back with topicLabel = topicId; the renderer maps ids to labels. */
export function decodeSelection(raw: string): EditionSelection[] {
  return (JSON.parse(raw) as [string, ReasonTuple[]][]).map(([id, reasons]) => ({ id, reasons: reasons.map(reasonOf) }));
}

export type ArchiveRenderer = (input: { subscriberId: string; period: string; selection: EditionSelection[] }) => Promise<string | null>;

export interface EditionEntry {
  state: EditionState;
  owner: string | null;
  leaseUntil: number | null;
  attempts: number;
  sendingAt: string | null;
  sentAt: string | null;
  response: string | null;
  messageId: string | null;
  paperIds: string[];
  /** Every paper of the edition (email and web-only) with its reasons. */
  selection: EditionSelection[];
  error: string | null;
  code: number | null;
  reason: string | null;
  updatedAt: string | null;
}

export interface LedgerOptions {
  /** How long a claim is good for without news from its owner. Must exceed one send's worst case. */
  leaseMs?: number;
  /** Ledger entries and per-period indexes live this long (they must outlive any re-run of the job). */
  entryTtlSeconds?: number;
  /** Sent-papers entries older than this are trimmed (must exceed the selection lookback). */
  sentPapersRetentionDays?: number;
  /**
   * Renders the web view of a delivered edition from its stored selection. Rendering again costs milliseconds;
   * storing the HTML of every digest for a month would cost ~10 KB per subscriber per day.
   */
  renderArchive?: ArchiveRenderer;
}

// KEYS: entry, index. ARGV: owner, nowMs, leaseMs, subscriberId, ttlSeconds, nowIso
const CLAIM = `
local st = redis.call('HGET', KEYS[1], 'state')
local now = tonumber(ARGV[2])
if st == 'sent' or st == 'failed' or st == 'unknown' or st == 'suppressed' or st == 'skipped' then
  return {'done', st}
end
if st == 'claimed' or st == 'sending' then
  local lease = tonumber(redis.call('HGET', KEYS[1], 'leaseUntil') or '0')
  local owner = redis.call('HGET', KEYS[1], 'owner')
  if lease > now and owner ~= ARGV[1] then
    return {'busy', tostring(lease)}
  end
  if st == 'sending' then
    redis.call('HSET', KEYS[1], 'state', 'unknown', 'error', 'owner lost after the sending marker; not resent', 'updatedAt', ARGV[6])
    redis.call('HDEL', KEYS[1], 'owner', 'leaseUntil')
    redis.call('HSET', KEYS[2], ARGV[4], 'unknown')
    return {'unknown'}
  end
end
local attempts = redis.call('HINCRBY', KEYS[1], 'attempts', 1)
redis.call('HSET', KEYS[1], 'state', 'claimed', 'owner', ARGV[1], 'leaseUntil', tostring(now + tonumber(ARGV[3])), 'updatedAt', ARGV[6])
redis.call('EXPIRE', KEYS[1], tonumber(ARGV[5]))
redis.call('HSET', KEYS[2], ARGV[4], 'claimed')
redis.call('EXPIRE', KEYS[2], tonumber(ARGV[5]))
return {'claimed', tostring(attempts)}
`;

// KEYS: entry, index. ARGV: owner, nowMs, leaseMs, subscriberId, nowIso. Only the current owner may mark.
const MARK_SENDING = `
if redis.call('HGET', KEYS[1], 'state') ~= 'claimed' or redis.call('HGET', KEYS[1], 'owner') ~= ARGV[1] then
  return 0
end
redis.call('HSET', KEYS[1], 'state', 'sending', 'sendingAt', ARGV[5], 'leaseUntil', tostring(tonumber(ARGV[2]) + tonumber(ARGV[3])), 'updatedAt', ARGV[5])
redis.call('HSET', KEYS[2], ARGV[4], 'sending')
return 1
`;

// KEYS: entry, index. ARGV: owner, subscriberId, state, nowIso, then field/value pairs. Only the current owner.
const SETTLE = `
local st = redis.call('HGET', KEYS[1], 'state')
if (st ~= 'claimed' and st ~= 'sending') or redis.call('HGET', KEYS[1], 'owner') ~= ARGV[1] then
  return 0
end
redis.call('HSET', KEYS[1], 'state', ARGV[3], 'updatedAt', ARGV[4])
for i = 5, #ARGV, 2 do redis.call('HSET', KEYS[1], ARGV[i], ARGV[i + 1]) end
if ARGV[3] ~= 'retrying' then redis.call('HDEL', KEYS[1], 'owner', 'leaseUntil') else redis.call('HDEL', KEYS[1], 'owner', 'leaseUntil', 'sendingAt') end
redis.call('HSET', KEYS[2], ARGV[2], ARGV[3])
return 1
`;

// KEYS: entry, index. ARGV: subscriberId, nowIso. 1 when reopened.
const REOPEN = `
if redis.call('HGET', KEYS[1], 'state') ~= 'failed' then return 0 end
redis.call('HSET', KEYS[1], 'state', 'retrying', 'updatedAt', ARGV[2], 'reopenedAt', ARGV[2])
redis.call('HDEL', KEYS[1], 'owner', 'leaseUntil')
redis.call('HSET', KEYS[2], ARGV[1], 'retrying')
return 1`;

function num(v: string | undefined): number | null {
  return v === undefined || v === '' ? null : Number(v);
}

export class DeliveryLedger {
  private readonly leaseMs: number;
  private readonly ttl: number;
  private readonly retentionMs: number;
  private readonly renderArchive: ArchiveRenderer | null;

  constructor(
    private readonly redis: Redis,
    private readonly keys: Keys,
    private readonly clock: () => Date,
    opts: LedgerOptions = {},
  ) {
    this.leaseMs = opts.leaseMs ?? 5 * 60_000;
    this.ttl = opts.entryTtlSeconds ?? 40 * 24 * 3600;
    this.retentionMs = (opts.sentPapersRetentionDays ?? 45) * 24 * 3600_000;
    this.renderArchive = opts.renderArchive ?? null;
  }

  get lease(): number {
    return this.leaseMs;
  }

  async claim(subscriberId: string, period: string, owner: string): Promise<ClaimResult> {
    const now = this.clock();
    const res = (await this.redis.eval(
      CLAIM, 2, this.keys.edition(subscriberId, period), this.keys.editionsByPeriod(period),
      owner, String(now.getTime()), String(this.leaseMs), subscriberId, String(this.ttl), now.toISOString(),
    )) as string[];
    switch (res[0]) {
      case 'claimed':
        return { outcome: 'claimed', attempt: Number(res[1]) };
      case 'busy':
        return { outcome: 'busy', until: Number(res[1]) };
      case 'done':
        return { outcome: 'done', state: res[1] as EditionState };
      default:
        return { outcome: 'unknown' };
    }
  }

  /** The marker set right before the message goes to the transport. False = we lost the claim: do not send. */
  async markSending(subscriberId: string, period: string, owner: string): Promise<boolean> {
    const now = this.clock();
    const ok = await this.redis.eval(
      MARK_SENDING, 2, this.keys.edition(subscriberId, period), this.keys.editionsByPeriod(period),
      owner, String(now.getTime()), String(this.leaseMs), subscriberId, now.toISOString(),
    );
    return ok === 1;
  }

  /**
   * Delivered: the entry and the sent-papers ledger (trimmed by age), in one MULTI.
   * Not owner-checked on purpose: a 250 reply is the best knowledge there is, even if the lease ran out meanwhile.
   */
  async markSent(
    subscriberId: string,
    period: string,
    result: { response: string; messageId: string; paperIds: string[]; selection?: EditionSelection[] },
  ): Promise<void> {
    const now = this.clock();
    const entry = this.keys.edition(subscriberId, period);
    const sent = this.keys.sentPapers(subscriberId);
    const tx = this.redis
      .multi()
      .hset(entry, {
        state: 'sent',
        sentAt: now.toISOString(),
        updatedAt: now.toISOString(),
        response: result.response.slice(0, 300),
        messageId: result.messageId,
        paperIds: JSON.stringify(result.paperIds),
        ...(result.selection?.length ? { selection: encodeSelection(result.selection) } : {}),
      })
      .hdel(entry, 'owner', 'leaseUntil', 'error', 'code')
      .expire(entry, this.ttl)
      .hset(this.keys.editionsByPeriod(period), subscriberId, 'sent')
      .expire(this.keys.editionsByPeriod(period), this.ttl);
    if (result.paperIds.length) {
      tx.zadd(sent, ...result.paperIds.flatMap((id) => [now.getTime(), id]));
      tx.zremrangebyscore(sent, '-inf', now.getTime() - this.retentionMs);
      tx.pexpire(sent, this.retentionMs);
    }
    const res = await tx.exec();
    const failed = res?.find(([err]) => err);
    if (!res || failed) throw new Error(`ledger markSent failed: ${failed?.[0]?.message ?? 'transaction aborted'}`);
  }

  /** Settle as failed / unknown / suppressed / skipped, or release for a retry ('retrying'). Owner-checked. */
  async settle(
    subscriberId: string,
    period: string,
    owner: string,
    state: Exclude<EditionState, 'claimed' | 'sending' | 'sent'>,
    detail: { error?: string; code?: number | null; reason?: string } = {},
  ): Promise<boolean> {
    const fields: string[] = [];
    if (detail.error !== undefined) fields.push('error', detail.error.slice(0, 500));
    if (detail.code !== undefined && detail.code !== null) fields.push('code', String(detail.code));
    if (detail.reason !== undefined) fields.push('reason', detail.reason);
    const ok = await this.redis.eval(
      SETTLE, 2, this.keys.edition(subscriberId, period), this.keys.editionsByPeriod(period),
      owner, subscriberId, state, this.clock().toISOString(), ...fields,
    );
    return ok === 1;
  }

  async get(subscriberId: string, period: string): Promise<EditionEntry | null> {
    const h = await this.redis.hgetall(this.keys.edition(subscriberId, period));
    if (!h.state) return null;
    return {
      state: h.state as EditionState,
      owner: h.owner ?? null,
      leaseUntil: num(h.leaseUntil),
      attempts: Number(h.attempts ?? 0),
      sendingAt: h.sendingAt ?? null,
      sentAt: h.sentAt ?? null,
      response: h.response ?? null,
      messageId: h.messageId ?? null,
      paperIds: h.paperIds ? (JSON.parse(h.paperIds) as string[]) : [],
      selection: h.selection ? decodeSelection(h.selection) : [],
      error: h.error ?? null,
      code: num(h.code),
      reason: h.reason ?? null,
      updatedAt: h.updatedAt ?? null,
    };
  }

  /** Counts by state for one period (for `editions status` and the dashboard); states never seen count 0. */
  async countsByState(period: string): Promise<Record<EditionState, number>> {
    const counts = Object.fromEntries(EDITION_STATES.map((s) => [s, 0])) as Record<EditionState, number>;
    await this.scanPeriod(period, (_id, state) => {
      if (state in counts) counts[state] += 1;
    });
    return counts;
  }

  /** Every subscriber with an entry in one period, and its state (`editions status` needs who, not only how many). */
  async states(period: string): Promise<Map<string, EditionState>> {
    const out = new Map<string, EditionState>();
    await this.scanPeriod(period, (id, state) => out.set(id, state));
    return out;
  }

  /** Subscriber ids of one period in any of `states` (e.g. every `failed` one, for retry-failed). */
  async subscribersIn(period: string, states: readonly EditionState[]): Promise<string[]> {
    const out: string[] = [];
    await this.scanPeriod(period, (id, state) => {
      if (states.includes(state)) out.push(id);
    });
    return out;
  }

  /** The period index, entry by entry: HSCAN in batches (a period can hold millions), nothing kept but what `fn` keeps. */
  private async scanPeriod(period: string, fn: (subscriberId: string, state: EditionState) => void): Promise<void> {
    let cursor = '0';
    do {
      const [next, flat] = await this.redis.hscan(this.keys.editionsByPeriod(period), cursor, 'COUNT', 1000);
      cursor = next;
      for (let i = 0; i + 1 < flat.length; i += 2) fn(flat[i]!, flat[i + 1] as EditionState);
    } while (cursor !== '0');
  }

  /**
   * An operator's retry (`retry-failed`): a `failed` edition goes back to `retrying`, claimable by its send job again.
   * Compare-and-set: an edition that changed meanwhile is left alone, and `unknown` (maybe delivered) is never
   * reopened. True when reopened.
   */
  async reopenFailed(subscriberId: string, period: string): Promise<boolean> {
    const ok = await this.redis.eval(REOPEN, 2, this.keys.edition(subscriberId, period), this.keys.editionsByPeriod(period), subscriberId, this.clock().toISOString());
    return ok === 1;
  }

  /** Paper ids ever sent to this subscriber (within the retention window). */
  async sentPaperIds(subscriberId: string): Promise<Set<string>> {
    return new Set(await this.redis.zrange(this.keys.sentPapers(subscriberId), 0, -1));
  }

  /**
   * The web view of a delivered digest (the archive link), rendered again from the edition's selection; null for
   * an edition never delivered or expired.
   */
  async archive(subscriberId: string, period: string): Promise<string | null> {
    if (!this.renderArchive) return null;
    const entry = await this.get(subscriberId, period);
    if (!entry || entry.state !== 'sent' || entry.selection.length === 0) return null;
    return this.renderArchive({ subscriberId, period, selection: entry.selection });
  }
}
