// The delivery ledger's housekeeping (ledger.ts delegates to it; the worker role runs it every minute, the CLI and
// the data-rights endpoints on demand): folding the previous layout into records, retention (detailed index →
// exact counters, dropping old periods), the quiet-day skip bookkeeping (quiet-recheck.ts), and a reader's data
// rights (export, deletion). None of it is on the send path.
import type { Redis } from 'ioredis';
import type { Keys } from '../redis/keys.js';
import { periodCode } from './edition-record.js';
import { indexBucketOf, type PeriodIndex } from './ledger-period-index.js';
import type { LedgerReads } from './ledger-types.js';

export interface HousekeepingOptions {
  /** Backstop TTL of per-period keys (seconds). */
  ttl: number;
  /** Days a period keeps its detailed index before it is aggregated into counters. */
  detailDays: number;
  /** Days the aggregated counters are kept. */
  countsDays: number;
}

export class LedgerHousekeeping {
  constructor(
    private readonly redis: Redis,
    private readonly keys: Keys,
    private readonly clock: () => Date,
    private readonly opts: HousekeepingOptions,
    private readonly index: PeriodIndex,
    private readonly ledger: LedgerReads,
  ) {}

  /** Remember a quiet-day skip: papers that arrive before `untilMs` re-open it (quiet-recheck.ts). */
  async noteQuiet(subscriberId: string, period: string, untilMs: number): Promise<void> {
    const key = this.keys.editionQuiet(period);
    await this.redis.multi().zadd(key, untilMs, subscriberId).expire(key, this.opts.ttl).exec();
  }

  /** Quiet-day skips still within their re-check window (those past it are forgotten here). */
  async quietSkips(): Promise<{ subscriberId: string; period: string }[]> {
    const now = this.clock().getTime();
    const today = periodCode(this.clock().toISOString().slice(0, 10)).code;
    const out: { subscriberId: string; period: string }[] = [];
    for (const period of await this.redis.zrangebyscore(this.keys.editionPeriods, today - 8, '+inf')) {
      const key = this.keys.editionQuiet(period);
      const [, ids] = (await this.redis.multi().zremrangebyscore(key, '-inf', now).zrange(key, 0, -1).exec()) as [unknown, [unknown, string[]]];
      for (const id of ids[1]) out.push({ subscriberId: id, period });
    }
    return out;
  }

  /** Forget a quiet-day skip (re-opened, or no longer skipped). */
  async forgetQuiet(subscriberId: string, period: string): Promise<void> {
    await this.redis.zrem(this.keys.editionQuiet(period), subscriberId);
  }

  /** Sent ids of the legacy ZSET are read until it expires; the hashes are folded here. */
  async migrateLegacy(opts: { onProgress?: (folded: number) => void } = {}): Promise<{ folded: number; periods: number }> {
    const pattern = `${this.keys.prefix}:ed:*`;
    const entryRe = new RegExp(`^${escape(this.keys.prefix)}:ed:(\\d{4}-\\d{2}-\\d{2}|\\d{4}-W\\d{2}):(.+)$`);
    const indexRe = new RegExp(`^${escape(this.keys.prefix)}:ed:index:(\\d{4}-\\d{2}-\\d{2}|\\d{4}-W\\d{2})$`);
    let cursor = '0';
    let folded = 0;
    let periods = 0;
    do {
      const [next, found] = await this.redis.scan(cursor, 'MATCH', pattern, 'COUNT', 1000);
      cursor = next;
      for (const key of found) {
        const ix = indexRe.exec(key);
        if (ix) {
          periods += await this.redis.zadd(this.keys.editionPeriods, 'NX', periodCode(ix[1]!).code, ix[1]!);
          continue;
        }
        const m = entryRe.exec(key);
        if (m && (await this.ledger.foldHash(m[2]!, m[1]!))) {
          folded++;
          opts.onProgress?.(folded);
        }
      }
    } while (cursor !== '0');
    await this.redis.set(this.keys.editionLayout, '2');
    return { folded, periods };
  }

  /** Whether migrateLegacy() has run on this Redis. */
  async migrated(): Promise<boolean> {
    return (await this.redis.get(this.keys.editionLayout)) === '2';
  }

  /**
   * Retention against the ledger's clock: unknown tombstones folded; periods older than `detailDays` aggregated
   * into exact counters (+ failed ids) and their detailed index dropped; quiet-day skips past their re-check window
   * forgotten; counters older than `countsDays` dropped.
   */
  async applyRetention(): Promise<{ aggregated: number; dropped: number; folded: number }> {
    const now = this.clock();
    let folded = 0;
    for (const t of await this.redis.smembers(this.keys.editionTombs)) {
      const [period, sub] = [t.slice(0, t.indexOf('|')), t.slice(t.indexOf('|') + 1)];
      if (await this.ledger.foldHash(sub, period)) folded++;
      await this.redis.srem(this.keys.editionTombs, t);
    }
    const today = periodCode(now.toISOString().slice(0, 10)).code;
    let aggregated = 0;
    // a week counts from its Sunday: its index stays detailed until detailDays after the week
    for (const period of await this.redis.zrangebyscore(this.keys.editionPeriods, '-inf', `(${today - this.opts.detailDays}`)) {
      if (period.includes('W') && periodCode(period).code + 6 >= today - this.opts.detailDays) continue;
      if (!(await this.index.isDetailed(period))) continue;
      await this.aggregate(period);
      aggregated++;
    }
    // Quiet-day skips past their re-check window: quiet-recheck forgets them as it reads them, but it runs only after
    // a scrape; without this a period's skips stayed until its 40-day expiry (≈ 90 B per subscriber at 20,000).
    const known = await this.redis.zrange(this.keys.editionPeriods, 0, -1);
    if (known.length) {
      const p = this.redis.pipeline();
      for (const period of known) p.zremrangebyscore(this.keys.editionQuiet(period), '-inf', now.getTime());
      await p.exec();
    }
    const old = await this.redis.zrangebyscore(this.keys.editionPeriods, '-inf', today - this.opts.countsDays);
    for (const period of old) {
      const tx = this.redis.multi().del(this.keys.editionCounts(period), this.keys.editionFailed(period), this.keys.editionQuiet(period));
      const ix = await this.index.keysOf(period);
      for (let i = 0; i < ix.length; i += 1000) tx.del(...ix.slice(i, i + 1000));
      await tx.hdel(this.keys.editionIndexBuckets, period).zrem(this.keys.editionPeriods, period).exec();
      this.index.forget(period);
    }
    return { aggregated, dropped: old.length, folded };
  }

  private async aggregate(period: string): Promise<void> {
    const counts: Record<string, number> = {};
    const failed: string[] = [];
    await this.index.scan(period, (id, state) => {
      counts[state] = (counts[state] ?? 0) + 1;
      if (state === 'failed') failed.push(id);
    });
    const tx = this.redis.multi().del(this.keys.editionCounts(period), this.keys.editionFailed(period));
    if (Object.keys(counts).length) tx.hset(this.keys.editionCounts(period), counts).expire(this.keys.editionCounts(period), this.opts.ttl);
    else tx.hset(this.keys.editionCounts(period), 'sent', 0).expire(this.keys.editionCounts(period), this.opts.ttl);
    for (let i = 0; i < failed.length; i += 1000) tx.sadd(this.keys.editionFailed(period), ...failed.slice(i, i + 1000));
    if (failed.length) tx.expire(this.keys.editionFailed(period), this.opts.ttl);
    const ix = await this.index.keysOf(period);
    for (let i = 0; i < ix.length; i += 1000) tx.del(...ix.slice(i, i + 1000));
    await tx.exec();
  }

  // ---- Readers' data rights (src/data-owners.ts): one subscriber's editions. The settled ones are in the record;
  // the in-flight ones (and legacy hashes) are found through the periods the ledger knows (editionPeriods).

  /** Periods this subscriber has an edition for (settled or in flight), oldest first. */
  async periodsOf(subscriberId: string): Promise<string[]> {
    const [record, periods] = await Promise.all([this.ledger.readRecord(subscriberId), this.redis.zrange(this.keys.editionPeriods, 0, -1)]);
    const out = new Set(record.entries.map((e) => e.period));
    if (periods.length) {
      const m = this.redis.multi();
      for (const period of periods) m.exists(this.keys.edition(subscriberId, period));
      const replies = (await m.exec()) ?? [];
      periods.forEach((period, i) => {
        if (replies[i]?.[1] === 1) out.add(period);
      });
    }
    return [...out].sort();
  }

  /** For "Download my data": each edition (period, state, when, which papers) and the papers counted as sent. */
  async exportFor(subscriberId: string): Promise<{ editions: Record<string, unknown>[]; sentPaperIds: string[] }> {
    const editions: Record<string, unknown>[] = [];
    for (const period of await this.periodsOf(subscriberId)) {
      const e = await this.ledger.get(subscriberId, period);
      if (e) editions.push({ period, state: e.state, sentAt: e.sentAt, updatedAt: e.updatedAt, paperIds: e.selection.map((p) => p.id) });
    }
    return { editions, sentPaperIds: [...(await this.ledger.sentPaperIds(subscriberId))] };
  }

  /** The reader asked to be forgotten: their record, in-flight entries, index fields, quiet/failed marks, tombstones. */
  async deleteFor(subscriberId: string): Promise<void> {
    const periods = await this.redis.zrange(this.keys.editionPeriods, 0, -1);
    const buckets = await Promise.all(periods.map((period) => this.index.knownBuckets(period)));
    const m = this.redis.multi().del(this.keys.editionRecord(subscriberId), this.keys.sentPapers(subscriberId));
    for (const [i, period] of periods.entries()) {
      if (buckets[i]) m.hdel(this.keys.editionIndexBucket(period, indexBucketOf(subscriberId, buckets[i])), subscriberId);
      m.del(this.keys.edition(subscriberId, period))
        .hdel(this.keys.editionsByPeriod(period), subscriberId)
        .zrem(this.keys.editionQuiet(period), subscriberId)
        .srem(this.keys.editionFailed(period), subscriberId)
        .srem(this.keys.editionTombs, `${period}|${subscriberId}`);
    }
    await m.exec();
  }
}

function escape(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
