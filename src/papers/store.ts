// Papers in Redis. Each paper is a HASH (`json`: the normalized paper, `firstSeen`); each listing day is a ZSET
// id → upvotes (rebuilt whole on every scrape, so a paper HF drops from a day drops from our day too); a ZSET of
// days makes "listed since" a range query. Every write of one scrape goes in one MULTI: readers never see half
// a day, and a failed scrape (which never calls in here) leaves everything as it was.
import type { Redis } from 'ioredis';
import type { Keys } from '../redis/keys.js';
import { paperSchema, type Paper } from './paper.js';

export type ScrapeStatus = 'ok' | 'failed' | 'not-modified' | 'empty';

export interface ScrapeLogEntry {
  at: string; // ISO instant
  source: string; // page | api | file | …
  url: string;
  day: string | null; // the day asked for (null: latest)
  /** The listing days the papers came from (at most LISTED_DAYS_LOGGED, newest last): what a file or the latest listing held. */
  listed?: string[];
  papers: number;
  status: ScrapeStatus;
  error?: string;
}

export interface ScrapeMeta {
  source: string;
  url: string;
}

const LOG_MAX = 500;
/** A scrape log line names at most this many of the listing's days (a week page holds 5–7). */
export const LISTED_DAYS_LOGGED = 7;

/** Days of papers kept beyond the longest selection window: the archive shows 30 days of editions. */
export const ARCHIVE_RETENTION_DAYS = 30;

// Prune one old listing day, atomically. KEYS: 1 the day's ZSET, 2 the days ZSET, 3 the scrape-days HASH, then the
// ZSETs of every kept day (count in ARGV[3]), then one paper HASH per member of the old day. ARGV: 1 the day,
// 2 the first kept day (YYYY-MM-DD), 3 how many kept-day keys follow KEYS[3], then the paper ids (in KEYS order). A paper goes only when no kept day
// lists it and its own listing day is older than the first kept day (a scrape that re-listed it after the kept days
// were read still saved it). Returns the number of papers deleted.
const PRUNE_DAY_LUA = `
local kept = tonumber(ARGV[3])
local deleted = 0
for i = 4 + kept, #KEYS do
  local id = ARGV[i - kept]
  local listed = false
  for k = 4, 3 + kept do
    if redis.call('ZSCORE', KEYS[k], id) then listed = true break end
  end
  if not listed then
    local json = redis.call('HGET', KEYS[i], 'json')
    local on = json and string.match(json, '"listedOn":"(%d%d%d%d%-%d%d%-%d%d)"')
    if not on or on < ARGV[2] then
      deleted = deleted + redis.call('DEL', KEYS[i])
    end
  end
end
redis.call('DEL', KEYS[1])
redis.call('ZREM', KEYS[2], ARGV[1])
redis.call('HDEL', KEYS[3], ARGV[1])
return deleted`;
const DAY = /^\d{4}-\d{2}-\d{2}$/;

function dayNumber(day: string): number {
  if (!DAY.test(day)) throw new Error(`not a day (YYYY-MM-DD): ${day}`);
  return Math.floor(Date.parse(`${day}T00:00:00Z`) / 86_400_000);
}

type PaperRedis = Redis & { pdPapersPruneDay(...args: (string | number)[]): Promise<number> };

export class PaperStore {
  private readonly r: PaperRedis;
  /** lastSuccessfulScrape(): the read on its way (settles when answered), and the next one its waiters share. */
  private readonly lastOk: { inFlight: Promise<void> | null; next: Promise<Date | null> | null } = { inFlight: null, next: null };

  constructor(
    private readonly redis: Redis,
    private readonly keys: Keys,
    private readonly clock: () => Date,
  ) {
    this.r = redis as PaperRedis;
    // Loaded once per connection (EVALSHA, EVAL fallback); the key count is given per call.
    if (typeof this.r.pdPapersPruneDay !== 'function') redis.defineCommand('pdPapersPruneDay', { lua: PRUNE_DAY_LUA });
  }

  /** Upsert the papers and rebuild `day` from them, atomically. Never called with an empty list. */
  async replaceDay(day: string, papers: Paper[], meta: ScrapeMeta): Promise<{ stored: number; added: number }> {
    return this.replaceDays(new Map([[day, papers]]), meta, day, { rebuild: true });
  }

  /**
   * Several days from one listing (a page can list papers under more than one Daily Papers day), one MULTI:
   * upsert every paper (refreshing upvotes/comments), rebuild each day's ZSET, stamp each day and the global
   * last-success instant, and append one log entry. `rebuild: false` merges into the days instead (week and month
   * pages, partial listings: those show a selection of each day, which must not shrink it); a set of days rebuilds
   * only those and merges into the others.
   */
  async replaceDays(
    groups: Map<string, Paper[]>,
    meta: ScrapeMeta,
    requestedDay: string | null = null,
    opts: { rebuild?: boolean | ReadonlySet<string> } = {},
  ): Promise<{ stored: number; added: number }> {
    const total = [...groups.values()].reduce((n, ps) => n + ps.length, 0);
    if (total === 0) throw new Error('replaceDays called without papers; the scraper must raise instead');
    const listed = new Set(groups.keys());
    groups = await this.keepListedDays(groups);
    const now = this.clock().toISOString();
    const multi = this.redis.multi();
    const queued0 = multi.length; // ioredis counts the MULTI itself; exec() replies start after it
    const firstSeenAt: number[] = [];
    for (const [day, papers] of groups) {
      const dayKey = this.keys.papersByDay(day);
      // A day that only receives papers kept on it (keepListedDays) merges: the listing did not list that day.
      const rebuild = listed.has(day) && (typeof opts.rebuild === 'object' ? opts.rebuild.has(day) : opts.rebuild !== false);
      if (rebuild) multi.del(dayKey);
      const zargs: (string | number)[] = [];
      for (const p of papers) {
        const paper = paperSchema.parse(p); // never store something the contract does not allow
        multi.hset(this.keys.paper(paper.id), 'json', JSON.stringify(paper));
        firstSeenAt.push(multi.length - queued0); // index of the HSETNX reply: 1 = a paper we had never seen
        multi.hsetnx(this.keys.paper(paper.id), 'firstSeen', now);
        zargs.push(paper.upvotes, paper.id);
      }
      if (zargs.length) multi.zadd(dayKey, ...zargs);
      multi.zadd(this.keys.paperDays, dayNumber(day), day);
      multi.hset(this.keys.scrapeDays, day, now);
    }
    if (requestedDay && !groups.has(requestedDay)) multi.hset(this.keys.scrapeDays, requestedDay, now);
    multi.set(this.keys.scrapeLastOk, now);
    const listedDays = [...listed].sort().slice(-LISTED_DAYS_LOGGED);
    this.pushLog(multi, { at: now, ...meta, day: requestedDay, listed: listedDays, papers: total, status: 'ok' });
    const res = await multi.exec();
    if (!res) throw new Error('paper store transaction aborted');
    const failed = res.find(([err]) => err);
    if (failed) throw failed[0];
    const added = firstSeenAt.filter((i) => res[i]?.[1] === 1).length;
    return { stored: total, added };
  }

  /**
   * A refresh never moves a stored paper out of the day it was listed on: selection filters on the paper's
   * `listedOn` (papers listed since the window's first day), so a listing that repeats known ids under an EARLIER
   * day (a hostile or broken `submittedOnDailyAt`) would otherwise hide them from every digest. Such papers keep
   * their stored day (and merge into it); the other fields are refreshed as usual. A LATER day is a real re-listing
   * (HF lists some papers again days later): the paper moves forward, which hides it from no window, and its
   * earlier day still lists it.
   */
  private async keepListedDays(groups: Map<string, Paper[]>): Promise<Map<string, Paper[]>> {
    const all = [...groups.values()].flat();
    const pipe = this.redis.pipeline();
    for (const p of all) pipe.hget(this.keys.paper(p.id), 'json');
    const res = (await pipe.exec()) ?? [];
    const storedDay = new Map<string, string>();
    res.forEach(([, raw], i) => {
      if (typeof raw !== 'string') return;
      const day = (JSON.parse(raw) as Partial<Paper>).listedOn;
      const incoming = all[i]!.listedOn;
      if (day && incoming < day) storedDay.set(all[i]!.id, day);
    });
    if (storedDay.size === 0) return groups;
    const out = new Map<string, Paper[]>();
    for (const [day, papers] of groups) {
      for (const p of papers) {
        const keep = storedDay.get(p.id);
        const target = keep ?? day;
        const paper = keep ? { ...p, listedOn: keep } : p;
        const g = out.get(target);
        if (g) g.push(paper);
        else out.set(target, [paper]);
      }
    }
    return out;
  }

  /**
   * The source confirmed the day without new papers (304 Not Modified, or a legitimately empty day): nothing
   * about the papers changes, but the day counts as freshly scraped.
   */
  async confirmDay(day: string | null, meta: ScrapeMeta, status: 'not-modified' | 'empty', papers = 0): Promise<void> {
    const now = this.clock().toISOString();
    const multi = this.redis.multi();
    if (day) multi.hset(this.keys.scrapeDays, day, now);
    multi.set(this.keys.scrapeLastOk, now);
    this.pushLog(multi, { at: now, ...meta, day, papers, status });
    await multi.exec();
  }

  /** A failed scrape: logged for the dashboard, nothing else touched. */
  async recordFailure(day: string | null, meta: ScrapeMeta, error: string): Promise<void> {
    const multi = this.redis.multi();
    this.pushLog(multi, { at: this.clock().toISOString(), ...meta, day, papers: 0, status: 'failed', error: error.slice(0, 500) });
    await multi.exec();
  }

  private pushLog(multi: ReturnType<Redis['multi']>, entry: ScrapeLogEntry): void {
    multi.lpush(this.keys.scrapeLog, JSON.stringify(entry));
    multi.ltrim(this.keys.scrapeLog, 0, LOG_MAX - 1);
  }

  async get(id: string): Promise<Paper | null> {
    const raw = await this.redis.hget(this.keys.paper(id), 'json');
    return raw ? (JSON.parse(raw) as Paper) : null;
  }

  async getMany(ids: string[]): Promise<Paper[]> {
    if (ids.length === 0) return [];
    const pipe = this.redis.pipeline();
    for (const id of ids) pipe.hget(this.keys.paper(id), 'json');
    const res = (await pipe.exec()) ?? [];
    return res.flatMap(([, raw]) => (typeof raw === 'string' ? [JSON.parse(raw) as Paper] : []));
  }

  /** The day's papers, most upvoted first (ties: id descending). */
  async getDay(day: string): Promise<Paper[]> {
    return this.getMany(await this.redis.zrevrange(this.keys.papersByDay(day), 0, -1));
  }

  /** The newest day that holds papers, or null. */
  async newestDay(): Promise<string | null> {
    return (await this.redis.zrevrange(this.keys.paperDays, 0, 0))[0] ?? null;
  }

  /** How many papers the day holds. */
  async countDay(day: string): Promise<number> {
    return this.redis.zcard(this.keys.papersByDay(day));
  }

  /** Days (YYYY-MM-DD, ascending) that hold papers, on or after `firstDay`. */
  async daysSince(firstDay: string): Promise<string[]> {
    return this.redis.zrangebyscore(this.keys.paperDays, dayNumber(firstDay), '+inf');
  }

  /** Every paper listed on `firstDay` or later, each once (newest day first, then by upvotes). */
  async listedSince(firstDay: string): Promise<Paper[]> {
    const days = (await this.daysSince(firstDay)).reverse();
    const pipe = this.redis.pipeline();
    for (const d of days) pipe.zrevrange(this.keys.papersByDay(d), 0, -1);
    const res = (await pipe.exec()) ?? [];
    const ids = [...new Set(res.flatMap(([, v]) => (Array.isArray(v) ? (v as string[]) : [])))];
    return this.getMany(ids);
  }

  /**
   * Drop listing days older than `keepDays` before today (UTC, one more day for the zones ahead of and behind UTC),
   * with their day index entries and every paper no kept day lists. Idempotent, one script per old day: safe to run
   * on several workers at once and beside a scrape. Returns what went.
   */
  async prune(keepDays: number): Promise<{ days: number; papers: number; firstKeptDay: string }> {
    const today = Math.floor(this.clock().getTime() / 86_400_000);
    const firstKept = today - Math.max(1, Math.floor(keepDays)) - 1;
    const firstKeptDay = new Date(firstKept * 86_400_000).toISOString().slice(0, 10);
    const old = await this.redis.zrangebyscore(this.keys.paperDays, '-inf', `(${firstKept}`);
    if (old.length === 0) return { days: 0, papers: 0, firstKeptDay };
    const keptKeys = (await this.redis.zrangebyscore(this.keys.paperDays, firstKept, '+inf')).map((d) => this.keys.papersByDay(d));
    let papers = 0;
    for (const day of old) {
      const ids = await this.redis.zrange(this.keys.papersByDay(day), 0, -1);
      const keys = [this.keys.papersByDay(day), this.keys.paperDays, this.keys.scrapeDays, ...keptKeys, ...ids.map((id) => this.keys.paper(id))];
      papers += Number(await this.r.pdPapersPruneDay(keys.length, ...keys, day, firstKeptDay, keptKeys.length, ...ids));
    }
    return { days: old.length, papers, firstKeptDay };
  }

  /**
   * The instant of the last successful scrape. Every send job asks (freshness, and the key of the worker's
   * candidate cache), dozens at once: concurrent callers share reads. A caller never gets the answer of a read
   * sent before it called (that read may predate a scrape the caller already knows of): while one is on its way,
   * callers wait for the next one, which they all share.
   */
  lastSuccessfulScrape(): Promise<Date | null> {
    if (!this.lastOk.inFlight) {
      const read = this.redis.get(this.keys.scrapeLastOk).then((raw) => (raw ? new Date(raw) : null));
      this.lastOk.inFlight = read.then(
        () => this.endLastOkRead(),
        () => this.endLastOkRead(),
      );
      return read;
    }
    this.lastOk.next ??= this.lastOk.inFlight.then(() => {
      this.lastOk.next = null;
      return this.lastSuccessfulScrape();
    });
    return this.lastOk.next;
  }

  private endLastOkRead(): void {
    this.lastOk.inFlight = null;
  }

  async lastScrapeOfDay(day: string): Promise<Date | null> {
    const raw = await this.redis.hget(this.keys.scrapeDays, day);
    return raw ? new Date(raw) : null;
  }

  async recentScrapes(n = 20): Promise<ScrapeLogEntry[]> {
    const rows = await this.redis.lrange(this.keys.scrapeLog, 0, Math.max(0, n - 1));
    return rows.map((r) => JSON.parse(r) as ScrapeLogEntry);
  }
}
