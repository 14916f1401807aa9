// Subscribers in Redis: a HASH per subscriber, the email index (HASH email → id), the all-set (ZSET id → created
// ms) and the due index (ZSET id → next due ms) — always written together by one Lua script, so the index can
// never point at a state the record no longer has. Updates are read → compute (pure: preferences.ts, due.ts) →
// compare-and-set on the record's `rev`; a concurrent writer makes the loser re-read and recompute. (No
// WATCH/MULTI: WATCH is per connection and this connection is shared by every request.)
import { randomBytes } from 'node:crypto';
import type { ChainableCommander, Redis } from 'ioredis';
import type { Keys } from '../redis/keys.js';
import { decodeSubscriber, encodeSubscriber } from './codec.js';
import { withSubscriberScripts, type ScriptedRedis } from './store-scripts.js';
import { dueAfterWrite, nextDueAt } from './due.js';
import { normalizeEmail } from './email.js';
import { applyPreferencesPatch, PREFERENCE_FIELDS, PreferencesError, preferencesOf, validatePauseUntil, validatePreferences, type PreferenceChange } from './preferences.js';
import type { Subscriber, SubscriberStatus } from './subscriber.js';

/**
 * A random, unguessable id (128 bits, base64url) that does not start with '-': such an id reads as an option on a
 * command line (`subscribers show -Gs…`), and 1 in 64 would.
 */
export function newSubscriberId(): string {
  for (;;) {
    const id = randomBytes(16).toString('base64url');
    if (!id.startsWith('-')) return id;
  }
}

export class SubscriberNotFoundError extends Error {
  constructor(readonly subscriberId: string) {
    super('no such subscriber');
    this.name = 'SubscriberNotFoundError';
  }
}

/** What a new subscriber needs: an email; every preference is optional (defaults apply). */
export interface NewSubscriberInput {
  email: string;
  status?: 'pending' | 'active';
  [preference: string]: unknown;
}

export interface Mutation {
  before: Subscriber;
  after: Subscriber;
  changed: boolean;
}

export interface UpdateResult extends Mutation {
  changes: { field: string; from: unknown; to: unknown }[];
}

const MAX_ATTEMPTS = 20;
const isEqual = (a: Subscriber, b: Subscriber) => JSON.stringify(encodeSubscriber(a)) === JSON.stringify(encodeSubscriber(b));

export class SubscriberStore {
  private readonly r: ScriptedRedis;

  constructor(
    redis: Redis,
    private readonly keys: Keys,
    private readonly clock: () => Date,
  ) {
    this.r = withSubscriberScripts(redis);
  }

  /**
   * Validate and build a new subscriber (pure apart from the random id): throws PreferencesError listing every bad
   * field, email included. Used by create() and by the CSV import to check rows before writing them.
   */
  prepare(input: NewSubscriberInput, now: Date = this.clock()): Subscriber {
    const { email: rawEmail, status = 'pending', ...prefs } = input;
    const issues: { field: string; message: string }[] = [];
    const email = normalizeEmail(rawEmail);
    if (!email.ok) issues.push({ field: 'email', message: email.message });
    if (status !== 'pending' && status !== 'active') issues.push({ field: 'status', message: 'must be pending or active for a new subscriber' });
    let preferences;
    try {
      preferences = validatePreferences(prefs);
    } catch (err) {
      if (!(err instanceof PreferencesError)) throw err;
      issues.push(...err.issues);
    }
    if (issues.length || !preferences || !email.ok) throw new PreferencesError(issues);
    return {
      id: newSubscriberId(),
      email: email.email,
      status,
      pausedUntil: null,
      ...preferences,
      createdAt: now.toISOString(),
      confirmedAt: status === 'active' ? now.toISOString() : null,
      unsubscribedAt: null,
      tokenVersion: 0,
      bounceCount: 0,
    };
  }

  private createArgs(sub: Subscriber, now: Date): (string | number)[] {
    const due = nextDueAt(sub, now);
    const fields = Object.entries({ ...encodeSubscriber(sub), rev: '1' }).flat();
    return [this.keys.subscriberByEmail, this.keys.subscriber(sub.id), this.keys.subscribersAll, this.keys.dueIndex,
      sub.email, sub.id, Date.parse(sub.createdAt), due ? due.getTime() : '', ...fields];
  }

  /** Idempotent by normalized email: an existing address is returned unchanged with created = false. */
  async create(input: NewSubscriberInput): Promise<{ subscriber: Subscriber; created: boolean }> {
    const now = this.clock();
    const sub = this.prepare(input, now);
    const existing = await this.r.pdSubCreate(...this.createArgs(sub, now));
    if (!existing) return { subscriber: sub, created: true };
    const current = await this.get(existing);
    if (!current) throw new Error('email index points at a missing subscriber');
    return { subscriber: current, created: false };
  }

  /** Write many prepared subscribers in one pipeline (CSV import). Per row: created, or the existing id. */
  async createPrepared(subs: Subscriber[]): Promise<({ created: true } | { created: false; existingId: string })[]> {
    if (subs.length === 0) return [];
    const now = this.clock();
    const p = this.r.pipeline() as ChainableCommander & { pdSubCreate(...args: (string | number)[]): ChainableCommander };
    for (const s of subs) p.pdSubCreate(...this.createArgs(s, now));
    const res = (await p.exec()) ?? [];
    return res.map(([err, v]) => {
      if (err) throw err;
      return v ? { created: false as const, existingId: String(v) } : { created: true as const };
    });
  }

  /** The record and its rev (and, for a write, the due entry as stored: the write script checks it is unchanged). */
  private async load(id: string, withDue = false): Promise<{ sub: Subscriber; rev: string; due: string | null } | null> {
    if (!/^[A-Za-z0-9_-]{8,64}$/.test(id)) return null;
    let h: Record<string, string>;
    let due: string | null = null;
    if (withDue) {
      const res = (await this.r.pipeline().hgetall(this.keys.subscriber(id)).zscore(this.keys.dueIndex, id).exec()) ?? [];
      for (const [err] of res) if (err) throw err;
      h = res[0]?.[1] as Record<string, string>;
      due = (res[1]?.[1] as string | null) ?? null;
    } else {
      h = await this.r.hgetall(this.keys.subscriber(id));
    }
    const sub = decodeSubscriber(h, id);
    return sub && h.rev ? { sub, rev: h.rev, due } : null;
  }

  async get(id: string): Promise<Subscriber | null> {
    return (await this.load(id))?.sub ?? null;
  }

  async getMany(ids: string[]): Promise<(Subscriber | null)[]> {
    if (ids.length === 0) return [];
    const p = this.r.pipeline();
    for (const id of ids) p.hgetall(this.keys.subscriber(id));
    const res = (await p.exec()) ?? [];
    return res.map(([err, h], i) => (err ? null : decodeSubscriber(h as Record<string, string>, ids[i]!)));
  }

  async getByEmail(email: string): Promise<Subscriber | null> {
    const n = normalizeEmail(email);
    if (!n.ok) return null;
    const id = await this.r.hget(this.keys.subscriberByEmail, n.email);
    return id ? this.get(id) : null;
  }

  /** Page through subscribers in creation order. `cursor` is opaque (null/undefined = from the start). */
  async list(opts: { cursor?: string | null; limit?: number; status?: SubscriberStatus } = {}): Promise<{ items: Subscriber[]; nextCursor: string | null }> {
    const limit = Math.max(1, Math.min(opts.limit ?? 100, 5_000));
    let offset = Number(opts.cursor ?? 0) || 0;
    const items: Subscriber[] = [];
    const batch = opts.status ? Math.max(limit, 500) : limit;
    for (;;) {
      const ids = await this.r.zrange(this.keys.subscribersAll, offset, offset + batch - 1);
      const subs = await this.getMany(ids);
      for (let i = 0; i < subs.length; i++) {
        const s = subs[i];
        if (s && (!opts.status || s.status === opts.status)) items.push(s);
        if (items.length === limit) return { items, nextCursor: String(offset + i + 1) };
      }
      if (ids.length < batch) return { items, nextCursor: null };
      offset += ids.length;
    }
  }

  async count(): Promise<number> {
    return this.r.zcard(this.keys.subscribersAll);
  }

  async countByStatus(): Promise<Record<SubscriberStatus, number>> {
    const counts: Record<SubscriberStatus, number> = { pending: 0, active: 0, paused: 0, unsubscribed: 0, bouncing: 0 };
    for (let offset = 0; ; offset += 1_000) {
      const ids = await this.r.zrange(this.keys.subscribersAll, offset, offset + 999);
      const p = this.r.pipeline();
      for (const id of ids) p.hget(this.keys.subscriber(id), 'status');
      for (const [, st] of (await p.exec()) ?? []) if (typeof st === 'string' && st in counts) counts[st as SubscriberStatus]++;
      if (ids.length < 1_000) return counts;
    }
  }

  /**
   * Read → compute → compare-and-set, retried on a concurrent write. `fn` returns the next record (or throws
   * PreferencesError: nothing is written). The due index entry follows from the change (due.ts dueAfterWrite: kept
   * when no timing field changed, the gap rule after a schedule change, else nextDueAt); the write is refused and
   * retried if the record's rev or the due entry moved on meanwhile (the tick advancing it).
   */
  private async mutate(id: string, fn: (cur: Subscriber, now: Date) => Subscriber): Promise<Mutation> {
    for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
      const loaded = await this.load(id, true);
      if (!loaded) throw new SubscriberNotFoundError(id);
      const now = this.clock();
      const before = loaded.sub;
      const after = fn(before, now);
      if (isEqual(before, after)) return { before, after: before, changed: false };
      const due = dueAfterWrite(before, after, now, loaded.due === null ? null : Number(loaded.due));
      const fields = Object.entries({ ...encodeSubscriber(after), rev: String(Number(loaded.rev) + 1) }).flat();
      const res = await this.r.pdSubWrite(this.keys.subscriber(id), this.keys.subscriberByEmail, this.keys.dueIndex,
        id, loaded.rev, before.email, after.email, due ? due.getTime() : '', loaded.due ?? '', ...fields);
      if (res === 'ok') return { before, after, changed: true };
      if (res === 'missing') throw new SubscriberNotFoundError(id);
      if (res === 'email-taken') throw new PreferencesError([{ field: 'email', message: 'is already used by another subscriber' }]);
      // 'conflict': someone else wrote in between; re-read and recompute
    }
    throw new Error('subscriber changed concurrently too many times; try again');
  }

  /**
   * Change preferences (any of PREFERENCE_FIELDS) and/or the email. Validated whole: one refused field refuses
   * the change and nothing is written (PreferencesError with every issue). Status changes have their own methods.
   */
  async update(id: string, patch: Record<string, unknown>): Promise<UpdateResult> {
    let changes: { field: string; from: unknown; to: unknown }[] = [];
    const m = await this.mutate(id, (cur) => {
      const { email, ...prefPatch } = patch;
      const issues: { field: string; message: string }[] = [];
      let nextEmail = cur.email;
      if (email !== undefined) {
        const n = normalizeEmail(email);
        if (n.ok) nextEmail = n.email;
        else issues.push({ field: 'email', message: n.message });
      }
      let prefs: { preferences: ReturnType<typeof preferencesOf>; changes: PreferenceChange[] } | null = null;
      try {
        prefs = applyPreferencesPatch(preferencesOf(cur), prefPatch);
      } catch (err) {
        if (!(err instanceof PreferencesError)) throw err;
        issues.push(...err.issues);
      }
      if (issues.length || !prefs) throw new PreferencesError(issues);
      changes = [...(nextEmail !== cur.email ? [{ field: 'email', from: cur.email, to: nextEmail }] : []), ...prefs.changes];
      return { ...cur, ...prefs.preferences, email: nextEmail };
    });
    return { ...m, changes: m.changed ? changes : [] };
  }

  /**
   * Confirmed by the address owner (confirm link, or the operator). pending, unsubscribed (asked to come back) and
   * bouncing become active; active and paused are left as they are.
   */
  async confirm(id: string): Promise<Mutation> {
    return this.mutate(id, (cur, now) => {
      if (cur.status === 'active' || cur.status === 'paused') return cur;
      return { ...cur, status: 'active', confirmedAt: cur.confirmedAt ?? now.toISOString(), unsubscribedAt: null, pausedUntil: null, bounceCount: 0 };
    });
  }

  /** Idempotent. Leaves the token version alone, so the unsubscribe link in old emails keeps answering. */
  async unsubscribe(id: string): Promise<Mutation> {
    return this.mutate(id, (cur, now) =>
      cur.status === 'unsubscribed' ? cur : { ...cur, status: 'unsubscribed', pausedUntil: null, unsubscribedAt: now.toISOString() },
    );
  }

  /** Pause an active (or already paused) subscription until a date (YYYY-MM-DD, their zone; exclusive end). */
  async pause(id: string, untilIsoDate: string): Promise<Mutation> {
    return this.mutate(id, (cur, now) => {
      if (cur.status !== 'active' && cur.status !== 'paused') {
        throw new PreferencesError([{ field: 'status', message: `a ${cur.status} subscription cannot be paused` }]);
      }
      return { ...cur, status: 'paused', pausedUntil: validatePauseUntil(untilIsoDate, cur.timezone, now) };
    });
  }

  /**
   * Back to active: a pause that ended or was cut short (the tick calls this when it meets a paused subscriber
   * whose pause is over — see due.ts isPauseOver), or an unsubscribed/bouncing subscriber coming back through
   * their preferences link. pending stays pending (it needs the confirm link); active is left alone.
   */
  async resume(id: string): Promise<Mutation> {
    return this.mutate(id, (cur) => {
      if (cur.status === 'active' || cur.status === 'pending') return cur;
      return { ...cur, status: 'active', pausedUntil: null, unsubscribedAt: null, bounceCount: cur.status === 'bouncing' ? 0 : cur.bounceCount };
    });
  }

  /** Count a hard bounce; at `threshold` bounces an active/paused/pending subscriber becomes `bouncing`. */
  async recordBounce(id: string, threshold: number): Promise<Mutation> {
    return this.mutate(id, (cur) => {
      const bounceCount = cur.bounceCount + 1;
      const bouncing = bounceCount >= threshold && cur.status !== 'unsubscribed';
      return { ...cur, bounceCount, status: bouncing ? 'bouncing' : cur.status, pausedUntil: bouncing ? null : cur.pausedUntil };
    });
  }

  /** A successful delivery clears the bounce count (does not change the status). */
  async clearBounces(id: string): Promise<Mutation> {
    return this.mutate(id, (cur) => (cur.bounceCount === 0 ? cur : { ...cur, bounceCount: 0 }));
  }

  /** Revoke every signed link issued so far (links signed from now on carry the new version). */
  async bumpTokenVersion(id: string): Promise<Mutation> {
    return this.mutate(id, (cur) => ({ ...cur, tokenVersion: cur.tokenVersion + 1 }));
  }

  /** Delete the record and its index entries. False when there was nothing to delete. */
  async remove(id: string): Promise<boolean> {
    if (!/^[A-Za-z0-9_-]{8,64}$/.test(id)) return false;
    const n = await this.r.pdSubRemove(this.keys.subscriber(id), this.keys.subscriberByEmail, this.keys.subscribersAll, this.keys.dueIndex, id);
    return n === 1;
  }

  // ---- The due index (id → next send instant, ms): written by every method above and by advanceDue below only.

  /**
   * Put a non-subscriber entry (a channel subscriber, `ch_…`) in the due index at `atMs`, or take it out (null).
   * The tick reads its schedule through an adapter (feeds/channels/channel-schedule.ts); subscribers never go here.
   */
  async setExternalDue(id: string, atMs: number | null): Promise<void> {
    if (atMs === null) await this.r.zrem(this.keys.dueIndex, id);
    else await this.r.zadd(this.keys.dueIndex, atMs, id);
  }

  /** The instant the due index holds for `id`, or null. */
  async dueAt(id: string): Promise<Date | null> {
    const s = await this.r.zscore(this.keys.dueIndex, id);
    return s === null ? null : new Date(Number(s));
  }

  /** How many entries fall due before `before` (exclusive). */
  async countDue(before: Date): Promise<number> {
    return this.r.zcount(this.keys.dueIndex, '-inf', `(${before.getTime()}`);
  }

  /** The earliest entry due before `before` (exclusive), or null: how far behind fan-out is. */
  async earliestDue(before: Date): Promise<Date | null> {
    const row = await this.r.zrangebyscore(this.keys.dueIndex, '-inf', `(${before.getTime()}`, 'WITHSCORES', 'LIMIT', 0, 1);
    return row.length >= 2 ? new Date(Number(row[1])) : null;
  }

  /** Entries due at or before `upTo`, earliest first, a page at a time (the tick's read). */
  async dueEntries(upTo: Date, offset: number, limit: number): Promise<DueEntry[]> {
    const flat = await this.r.zrangebyscore(this.keys.dueIndex, '-inf', upTo.getTime(), 'WITHSCORES', 'LIMIT', offset, limit);
    const out: DueEntry[] = [];
    for (let i = 0; i + 1 < flat.length; i += 2) out.push({ id: flat[i]!, dueMs: Number(flat[i + 1]) });
    return out;
  }

  /**
   * For the tick: the fields it schedules by (status, pause, zone, send time, frequency — not the whole record), for
   * many subscribers in one script call; null where the record is gone. sendTime and frequency stay as stored
   * (`HH:MM`, `daily` / `weekly:mon`): subscribers sharing a schedule share its computation.
   */
  async dueRecords(ids: string[]): Promise<(DueRecord | null)[]> {
    if (ids.length === 0) return [];
    const raw = await this.r.pdSubDueFields(ids.length, ...ids.map((id) => this.keys.subscriber(id)));
    const rows = String(raw).split('\x1e');
    return ids.map((_id, i) => {
      const row = rows[i];
      if (!row) return null;
      const [status, pausedUntil, timezone, sendTime, frequency] = row.split('\x1f') as [string, string, string, string, string];
      return { status: status as SubscriberStatus, pausedUntil: pausedUntil || null, timezone, sendTime, frequency };
    });
  }

  /**
   * For the tick: move each entry from the instant it read (`expectedMs`) to `nextMs` (null = drop), only where the
   * entry still holds `expectedMs` — a change made meanwhile already put the right value there and wins. One
   * compare-and-set script for the whole batch; the result says, per move, whether it happened.
   */
  async advanceDue(moves: { id: string; expectedMs: number; nextMs: number | null }[]): Promise<boolean[]> {
    if (moves.length === 0) return [];
    const argv = moves.flatMap((m) => [m.id, String(m.expectedMs), m.nextMs === null ? '' : String(m.nextMs)]);
    const won = String(await this.r.pdSubAdvanceDue(this.keys.dueIndex, ...argv));
    return moves.map((_m, i) => won[i] === '1');
  }

  /**
   * Digests falling due in each UTC hour of the next `hours` (the first hour counts only what is after `now`), plus
   * those already overdue: one ZCOUNT per hour, pipelined.
   */
  async dueHistogram(now: Date, hours = 24): Promise<DueHistogram> {
    const from = now.getTime();
    const firstHour = Math.floor(from / HOUR_MS) * HOUR_MS;
    const pipe = this.r.pipeline();
    pipe.zcount(this.keys.dueIndex, '-inf', `(${from}`);
    for (let i = 0; i < hours; i++) pipe.zcount(this.keys.dueIndex, String(Math.max(firstHour + i * HOUR_MS, from)), `(${firstHour + (i + 1) * HOUR_MS}`);
    const counts = ((await pipe.exec()) ?? []).map(([err, v]) => {
      if (err) throw err;
      return Number(v);
    });
    return {
      overdue: counts[0] ?? 0,
      hours: Array.from({ length: hours }, (_, i) => ({ start: new Date(firstHour + i * HOUR_MS), count: counts[i + 1] ?? 0 })),
    };
  }
}

const HOUR_MS = 3_600_000;

/** What the tick reads of a subscriber (store.dueRecords): sendTime and frequency as stored. */
export interface DueRecord {
  status: SubscriberStatus;
  pausedUntil: string | null;
  timezone: string;
  sendTime: string;
  frequency: string;
}

/** One entry of the due index: who, and when they fall due (ms). */
export interface DueEntry {
  id: string;
  dueMs: number;
}

export interface DueHistogram {
  /** Entries whose instant has passed: the backlog the next tick fans out. */
  overdue: number;
  /** UTC hours, starting with the current one. */
  hours: { start: Date; count: number }[];
}

export { PREFERENCE_FIELDS };
