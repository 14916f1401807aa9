// A reader's feedback (👍 / 👎 / 🔖 per paper, seed papers) and the personal model learned from it, in Redis.
// Two keys per reader (redis/keys.ts): `readerMarks` (HASH paperId → JSON marks: what the reader said, with the
// title for the preferences page and the reading list) and `readerModel` (STRING JSON: the capped centroids and
// signatures of model.ts, muted terms, declined keyword suggestions, seeds not yet seen). Retention: until the
// reader resets or is deleted.
// - A mark changes atomically (one Lua script returns the marks before and after), so two clicks racing each other
//   change the model once. The model is then updated by compare-and-set on its `rev` (retried), so two processes
//   recording feedback at once never lose an update.
// - The model is updated when feedback arrives, never per send: a send only reads it (loadForSend).
// - A paper counts for the model as liked when 👍, or saved and not 👎; as disliked when 👎.
import type { Redis } from 'ioredis';
import type { Logger } from '../log.js';
import type { Paper } from '../papers/paper.js';
import type { Keys } from '../redis/keys.js';
import { applyFeedback, emptyModel, isEmptyModel, signatureOf, topTerms, train, type ReaderModel, type ScoringModel } from './model.js';
import { decodeForScoring, decodeModel, encodeModel, type StoredForScoring, type StoredModel } from './model-codec.js';
import { buildIdf, paperVector, type Idf } from './terms.js';
import { topicKeysOf } from './topic-history.js';
import type { SuggestionHint } from './suggest.js';

export type RedisKeys = Keys;
export type FeedbackKind = 'like' | 'dislike' | 'save';
export interface PaperMarks { liked: boolean; disliked: boolean; saved: boolean } // liked and disliked are exclusive
export interface ReaderPaper { id: string; title: string | null; at: string /* ISO */; source: 'feedback' | 'seed' }
export interface ReaderProfile {
  liked: ReaderPaper[];
  disliked: ReaderPaper[];
  saved: ReaderPaper[];
  /** The strongest learned terms, positive and negative (topTerms). */
  terms: { term: string; weight: number }[];
  /** Keyword suggestions the reader declined (relevance/suggest.ts), lowercased. */
  dismissed: string[];
}

/** The papers the store needs: by id, and the listing days around one (for IDF). */
export interface ReaderPapers {
  get(id: string): Promise<Paper | null>;
  daysSince(firstDay: string): Promise<string[]>;
  getDay(day: string): Promise<Paper[]>;
}

interface StoredMarks { l?: number; d?: number; s?: number; at: string; t?: string | null; src?: 'feedback' | 'seed' }

const KIND_FIELD: Record<FeedbackKind, 'l' | 'd' | 's'> = { like: 'l', dislike: 'd', save: 's' };
const NO_MARKS: PaperMarks = { liked: false, disliked: false, saved: false };
const SEEDS_MAX = 50;
const MUTED_MAX = 200;
const DISMISSED_MAX = 100;
/** Learned terms a profile lists (the page shows fewer; suggestions look further: relevance/suggest.ts). */
const PROFILE_TERMS = 100;
const MARKS_MAX = 1_000;
const TITLE_MAX = 300;
/** Listing days whose papers make the IDF pool for a liked paper (its day and the ones before). */
const POOL_DAYS = 3;

// KEYS[1] marks hash; ARGV: paperId, field (l|d|s), on (1|0), at, title, source. Returns {before, after} JSON ('' = none).
const MARK_SCRIPT = `
local cur = redis.call('HGET', KEYS[1], ARGV[1])
local before = cur or ''
local m = {}
if cur then m = cjson.decode(cur) end
local f = ARGV[2]
if ARGV[3] == '1' then
  if m[f] == 1 then return {before, before} end
  m[f] = 1
  if f == 'l' then m['d'] = nil; m['src'] = ARGV[6] end
  if f == 'd' then m['l'] = nil; m['src'] = 'feedback' end
else
  if m[f] ~= 1 then return {before, before} end
  m[f] = nil
end
m['at'] = ARGV[4]
if ARGV[5] ~= '' then m['t'] = ARGV[5] end
if m['src'] == nil then m['src'] = 'feedback' end
if m['l'] == nil and m['d'] == nil and m['s'] == nil then
  redis.call('HDEL', KEYS[1], ARGV[1])
  return {before, ''}
end
local after = cjson.encode(m)
redis.call('HSET', KEYS[1], ARGV[1], after)
return {before, after}
`;

// KEYS[1] model key; ARGV: expected rev, new JSON. 1 = written, 0 = someone else wrote first.
const CAS_SCRIPT = `
local cur = redis.call('GET', KEYS[1])
local rev = 0
if cur then rev = cjson.decode(cur)['rev'] or 0 end
if tostring(rev) ~= ARGV[1] then return 0 end
redis.call('SET', KEYS[1], ARGV[2])
return 1
`;

function parseMarks(raw: string | null | undefined): StoredMarks | null {
  if (!raw) return null;
  try {
    return JSON.parse(raw) as StoredMarks;
  } catch {
    return null;
  }
}

function marksOf(m: StoredMarks | null): PaperMarks {
  return m ? { liked: m.l === 1, disliked: m.d === 1, saved: m.s === 1 } : { ...NO_MARKS };
}

/** What a paper's marks mean for the model: +1 liked (or saved and not disliked), -1 disliked, 0 neither. */
function polarity(m: PaperMarks): { pos: number; neg: number } {
  return { pos: m.liked || (m.saved && !m.disliked) ? 1 : 0, neg: m.disliked ? 1 : 0 };
}

export class ReaderStore {
  private readonly redis: Redis;
  private readonly keys: Keys;
  private readonly papers: ReaderPapers;
  private readonly clock: () => Date;
  private readonly log: Logger;
  private readonly idfByDay = new Map<string, Promise<Idf>>();

  constructor(deps: { redis: Redis; keys: RedisKeys; papers: ReaderPapers; clock: () => Date; log: Logger }) {
    this.redis = deps.redis;
    this.keys = deps.keys;
    this.papers = deps.papers;
    this.clock = deps.clock;
    this.log = deps.log;
  }

  /** Set (on=true) or clear (on=false) one mark; idempotent; updates the model. 'like' clears 'dislike' and vice versa. */
  async mark(subscriberId: string, paperId: string, kind: FeedbackKind, on: boolean): Promise<{ changed: boolean; marks: PaperMarks }> {
    return this.markAs(subscriberId, paperId, kind, on, 'feedback');
  }

  private async markAs(subscriberId: string, paperId: string, kind: FeedbackKind, on: boolean, source: 'feedback' | 'seed', known?: Paper | null): Promise<{ changed: boolean; marks: PaperMarks }> {
    const paper = known !== undefined ? known : on ? await this.papers.get(paperId) : null;
    const title = paper ? paper.title.slice(0, TITLE_MAX) : '';
    const [beforeRaw, afterRaw] = (await this.redis.eval(MARK_SCRIPT, 1, this.keys.readerMarks(subscriberId), paperId, KIND_FIELD[kind], on ? '1' : '0', this.clock().toISOString(), title, source)) as [string, string];
    const before = marksOf(parseMarks(beforeRaw));
    const after = marksOf(parseMarks(afterRaw));
    const changed = beforeRaw !== afterRaw;
    if (changed) {
      const [p0, p1] = [polarity(before), polarity(after)];
      if (p0.pos !== p1.pos || p0.neg !== p1.neg) await this.learn(subscriberId, paperId, paper, p1.pos - p0.pos, p1.neg - p0.neg);
      if (on) await this.pruneMarks(subscriberId);
      this.log.debug({ subscriberId, paperId, kind, on }, 'reader feedback recorded');
    }
    return { changed, marks: after };
  }

  async marks(subscriberId: string, paperIds: readonly string[]): Promise<Map<string, PaperMarks>> {
    const out = new Map<string, PaperMarks>();
    if (paperIds.length === 0) return out;
    const raws = await this.redis.hmget(this.keys.readerMarks(subscriberId), ...paperIds);
    paperIds.forEach((id, i) => out.set(id, marksOf(parseMarks(raws[i]))));
    return out;
  }

  async profile(subscriberId: string): Promise<ReaderProfile> {
    const [all, stored] = await Promise.all([this.redis.hgetall(this.keys.readerMarks(subscriberId)), this.readModel(subscriberId)]);
    const liked: ReaderPaper[] = [];
    const disliked: ReaderPaper[] = [];
    const saved: ReaderPaper[] = [];
    for (const [id, raw] of Object.entries(all)) {
      const m = parseMarks(raw);
      if (!m) continue;
      const rp: ReaderPaper = { id, title: m.t ?? null, at: m.at, source: m.src === 'seed' ? 'seed' : 'feedback' };
      if (m.l === 1) liked.push(rp);
      if (m.d === 1) disliked.push({ ...rp, source: 'feedback' });
      if (m.s === 1) saved.push({ ...rp, source: 'feedback' });
    }
    // Seeds not seen yet are liked too, by id.
    for (const id of stored.pending) liked.push({ id, title: null, at: '', source: 'seed' });
    const newest = (a: ReaderPaper, b: ReaderPaper) => (a.at < b.at ? 1 : a.at > b.at ? -1 : a.id < b.id ? -1 : 1);
    return {
      liked: liked.sort(newest),
      disliked: disliked.sort(newest),
      saved: saved.sort(newest),
      terms: topTerms(stored.model, PROFILE_TERMS),
      dismissed: stored.dismissed,
    };
  }

  /** Called after preferences with seedPapers are saved: seeds count as liked; unknown ids are kept until seen. */
  async setSeeds(subscriberId: string, paperIds: readonly string[]): Promise<{ known: string[]; pending: string[] }> {
    const wanted = [...new Set(paperIds)].slice(0, SEEDS_MAX);
    const all = await this.redis.hgetall(this.keys.readerMarks(subscriberId));
    // Seeds dropped from the preferences stop counting (feedback likes stay).
    for (const [id, raw] of Object.entries(all)) {
      const m = parseMarks(raw);
      if (m?.l === 1 && m.src === 'seed' && !wanted.includes(id)) await this.markAs(subscriberId, id, 'like', false, 'seed');
    }
    const known: string[] = [];
    const pending: string[] = [];
    for (const id of wanted) {
      const paper = await this.papers.get(id);
      if (!paper) {
        pending.push(id);
        continue;
      }
      known.push(id);
      const m = marksOf(parseMarks(all[id]));
      if (!m.liked && !m.disliked) await this.markAs(subscriberId, id, 'like', true, 'seed', paper);
    }
    await this.update(subscriberId, (s) => {
      s.pending = pending;
    });
    return { known, pending };
  }

  async removeTerm(subscriberId: string, term: string): Promise<void> {
    const t = term.trim().toLowerCase();
    if (!t) return;
    await this.update(subscriberId, (s) => {
      const muted = new Set(s.model.muted);
      muted.add(t);
      s.model.muted = new Set([...muted].slice(-MUTED_MAX));
      for (const c of [s.model.pos, s.model.neg]) for (const k of [...c.keys()]) if (k === t || k.split(' ').includes(t)) c.delete(k);
      train(s.model);
    });
  }

  /** The reader declined a suggested keyword ("Not for me"): it is not suggested again until a reset. */
  async dismissSuggestion(subscriberId: string, keyword: string): Promise<void> {
    const k = keyword.trim().toLowerCase();
    if (!k) return;
    await this.update(subscriberId, (s) => {
      s.dismissed = [...s.dismissed.filter((x) => x !== k), k].slice(-DISMISSED_MAX);
      if (s.hint?.keyword.toLowerCase() === k) s.hint = null;
    });
  }

  async forget(subscriberId: string, paperId: string): Promise<void> {
    const current = (await this.marks(subscriberId, [paperId])).get(paperId) ?? NO_MARKS;
    if (current.liked) await this.markAs(subscriberId, paperId, 'like', false, 'feedback');
    if (current.disliked) await this.markAs(subscriberId, paperId, 'dislike', false, 'feedback');
    if (current.saved) await this.markAs(subscriberId, paperId, 'save', false, 'feedback');
    await this.update(subscriberId, (s) => {
      s.pending = s.pending.filter((id) => id !== paperId);
    });
  }

  /** Forget what was learned (likes, dislikes, terms, seeds); keeps saved papers (without their effect on the model). */
  async reset(subscriberId: string): Promise<void> {
    const key = this.keys.readerMarks(subscriberId);
    const all = await this.redis.hgetall(key);
    const multi = this.redis.multi();
    for (const [id, raw] of Object.entries(all)) {
      const m = parseMarks(raw);
      if (m?.s === 1) multi.hset(key, id, JSON.stringify({ s: 1, at: m.at, t: m.t ?? null, src: 'feedback' }));
      else multi.hdel(key, id);
    }
    multi.del(this.keys.readerModel(subscriberId));
    await multi.exec();
    // Saved papers still count as liked; relearn them so the model matches the marks.
    for (const [id, raw] of Object.entries(all)) if (parseMarks(raw)?.s === 1) await this.learn(subscriberId, id, await this.papers.get(id), 1, 0);
  }

  async deleteAll(subscriberId: string): Promise<void> {
    await this.redis.del(this.keys.readerMarks(subscriberId), this.keys.readerModel(subscriberId));
  }

  async exportData(subscriberId: string): Promise<Record<string, unknown>> {
    const [profile, stored] = await Promise.all([this.profile(subscriberId), this.readModel(subscriberId)]);
    return {
      liked: profile.liked,
      disliked: profile.disliked,
      saved: profile.saved,
      pendingSeeds: stored.pending,
      learnedTerms: topTerms(stored.model, 100),
      removedTerms: [...stored.model.muted],
      declinedSuggestions: stored.dismissed,
      digestSuggestion: stored.hint,
      counts: { likes: stored.model.likes, dislikes: stored.model.dislikes },
    };
  }

  /**
   * The model a send ranks with (null = nothing learned). Seeds that were pending and are now stored papers are
   * learned here, once (the first send after their listing).
   */
  /**
   * What a send reads, in one read of the model key: the model (pending seeds that are now stored papers are
   * learned first, once) and the suggestion the digest mentions (null when none, or declined since).
   */
  async loadForSend(subscriberId: string): Promise<ForSend> {
    let stored = await this.readForScoring(subscriberId);
    if (stored.pending.length) {
      const found = (await Promise.all(stored.pending.map((id) => this.papers.get(id)))).filter((p): p is Paper => p !== null);
      if (found.length) {
        for (const p of found) await this.markAs(subscriberId, p.id, 'like', true, 'seed', p);
        const ids = new Set(found.map((p) => p.id));
        await this.update(subscriberId, (s) => {
          s.pending = s.pending.filter((id) => !ids.has(id));
        });
        stored = await this.readForScoring(subscriberId);
      }
    }
    return forSend(stored);
  }

  /** loadForSend without learning pending seeds (read-only: the operator's preview). */
  async peekForSend(subscriberId: string): Promise<ForSend> {
    return forSend(await this.readForScoring(subscriberId));
  }

  /** Keep the suggestion the reader's digests mention (suggest.ts hintOf); null clears it. Written only when it changes. */
  async setHint(subscriberId: string, hint: SuggestionHint | null): Promise<void> {
    if (JSON.stringify((await this.readModel(subscriberId)).hint) === JSON.stringify(hint)) return;
    await this.update(subscriberId, (s) => {
      s.hint = hint;
    });
  }

  /** The whole model as stored, without learning pending seeds (read-only: previews, GET pages). */
  async peekModel(subscriberId: string): Promise<ReaderModel | null> {
    const { model } = await this.readModel(subscriberId);
    return isEmptyModel(model) ? null : model;
  }

  private async readModel(subscriberId: string): Promise<StoredModel> {
    return decodeModel(await this.redis.get(this.keys.readerModel(subscriberId)));
  }

  /** What a send reads: all but the training set (model-codec.ts decodeForScoring). */
  private async readForScoring(subscriberId: string): Promise<StoredForScoring> {
    return decodeForScoring(await this.redis.get(this.keys.readerModel(subscriberId)));
  }

  /** Read-modify-write of the model by compare-and-set on its rev. */
  private async update(subscriberId: string, change: (s: StoredModel) => void): Promise<void> {
    const key = this.keys.readerModel(subscriberId);
    for (let attempt = 0; attempt < 10; attempt++) {
      const s = await this.readModel(subscriberId);
      const rev = s.rev;
      change(s);
      s.rev = rev + 1;
      if ((await this.redis.eval(CAS_SCRIPT, 1, key, String(rev), encodeModel(s))) === 1) return;
    }
    throw new Error('reader model: too many concurrent updates');
  }

  /** Apply one paper's change of polarity (dPos, dNeg ∈ {-1, 0, 1}) to the model. */
  private async learn(subscriberId: string, paperId: string, paper: Paper | null, dPos: number, dNeg: number): Promise<void> {
    const p = paper ?? (await this.papers.get(paperId));
    const idf = p ? await this.idfFor(p.listedOn) : null;
    const at = this.clock().toISOString();
    const v = p && idf ? paperVector(p, idf) : null;
    const sig = p && idf ? signatureOf(paperId, at, p, idf) : null;
    const topicKeys = p ? topicKeysOf(p) : [];
    await this.update(subscriberId, (s) => applyFeedback(s.model, paperId, v, sig, dPos, dNeg, topicKeys));
  }

  /** IDF over the papers of `day` and the listing days before it (memoized per day, bounded). */
  private idfFor(day: string): Promise<Idf> {
    let hit = this.idfByDay.get(day);
    if (!hit) {
      hit = (async () => {
        const since = new Date(Date.parse(`${day}T00:00:00Z`) - 10 * 86_400_000).toISOString().slice(0, 10);
        const days = (await this.papers.daysSince(since)).filter((d) => d <= day).slice(-POOL_DAYS);
        const pool = (await Promise.all(days.map((d) => this.papers.getDay(d)))).flat();
        return buildIdf(pool);
      })();
      hit.catch(() => this.idfByDay.delete(day));
      this.idfByDay.set(day, hit);
      if (this.idfByDay.size > 64) this.idfByDay.delete(this.idfByDay.keys().next().value!);
    }
    return hit;
  }

  /** Keep the marks hash bounded: past MARKS_MAX, drop the oldest entries that are not saved. */
  private async pruneMarks(subscriberId: string): Promise<void> {
    const key = this.keys.readerMarks(subscriberId);
    if ((await this.redis.hlen(key)) <= MARKS_MAX) return;
    const all = Object.entries(await this.redis.hgetall(key)).map(([id, raw]) => ({ id, m: parseMarks(raw) }));
    const drop = all.filter((e) => e.m?.s !== 1).sort((a, b) => ((a.m?.at ?? '') < (b.m?.at ?? '') ? -1 : 1)).slice(0, all.length - MARKS_MAX);
    if (drop.length) await this.redis.hdel(key, ...drop.map((e) => e.id));
  }
}

/** What a send reads: the model (null when nothing is learned) and the digest's suggestion unless declined. */
export interface ForSend { model: ScoringModel | null; hint: SuggestionHint | null }
function forSend(stored: StoredForScoring): ForSend {
  const hint = stored.hint && !stored.dismissed.includes(stored.hint.keyword.toLowerCase()) ? stored.hint : null;
  return { model: isEmptyModel(stored.model) ? null : stored.model, hint };
}

export { emptyModel };
