// FeedEditionSource over today's delivery ledger (digest/ledger.ts), read-only and through its public `get`: the
// ledger keeps one entry per (subscriber, period) with the selection (paper ids + reasons) but no per-subscriber
// index of periods, so this adapter asks for every period the entry TTL can still hold (40 daily dates and 6 ISO
// weeks in the reader's zone: ~46 HGETALLs, one round trip each, in parallel). When the send path keeps a compact
// per-subscriber record of editions, re-point the port there (see README, "Feeds, channels and the public archive").
import { DateTime } from 'luxon';
import type { EditionEntry } from '../digest/ledger.js';
import type { Paper } from '../papers/paper.js';
import { describeReason, type Reason } from '../papers/reason.js';
import { TOPICS } from '../papers/topics.js';
import { addDays, localDateIn } from '../schedule/schedule.js';
import type { Subscriber } from '../subscribers/subscriber.js';
import type { FeedbackLinks, FeedEdition, FeedEditionSource } from './edition.js';
import { newestFirst } from './edition.js';

export interface LedgerSourceDeps {
  ledger: { get(subscriberId: string, period: string): Promise<EditionEntry | null> };
  papers: { getMany(ids: string[]): Promise<Paper[]> };
  subscribers: { get(id: string): Promise<Pick<Subscriber, 'id' | 'timezone'> | null> };
  clock: () => Date;
  /** Days of daily periods to look back (the ledger's entry TTL; default 40). */
  lookbackDays?: number;
  /** Per-paper feedback links (signed `feedback` tokens), when the feedback surface exists. */
  feedbackLinks?: (subscriberId: string, paperId: string) => FeedbackLinks | undefined;
}

const TOPIC_LABELS: Record<string, string> = Object.fromEntries(TOPICS.map((t) => [t.id, t.label]));

export function whyLinesOf(reasons: readonly Reason[]): string[] {
  const lines: string[] = [];
  for (const r of reasons) {
    const line = describeReason(r.kind === 'topic' ? { ...r, topicLabel: TOPIC_LABELS[r.topicId] ?? r.topicLabel } : r);
    if (!lines.includes(line)) lines.push(line);
  }
  return lines;
}

/** Every period key an edition delivered within `days` could have, newest first: daily dates and ISO weeks. */
export function candidatePeriods(timezone: string, now: Date, days: number): string[] {
  const today = localDateIn(timezone, now);
  const daily = Array.from({ length: days + 1 }, (_, i) => addDays(today, -i));
  const weeks = new Set(daily.map((d) => DateTime.fromISO(d, { zone: 'UTC' }).toFormat("kkkk-'W'WW")));
  return [...daily, ...weeks];
}

export function ledgerEditionSource(deps: LedgerSourceDeps): FeedEditionSource {
  const days = deps.lookbackDays ?? 40;
  return {
    async editions(subscriberId, limit) {
      const sub = await deps.subscribers.get(subscriberId);
      if (!sub || limit <= 0) return [];
      const periods = candidatePeriods(sub.timezone, deps.clock(), days);
      const entries = await Promise.all(periods.map(async (period) => ({ period, entry: await deps.ledger.get(subscriberId, period) })));
      const sent = entries
        .filter((e): e is { period: string; entry: EditionEntry } => e.entry?.state === 'sent' && e.entry.selection.length > 0 && e.entry.sentAt !== null)
        .sort((a, b) => (a.entry.sentAt! < b.entry.sentAt! ? 1 : a.entry.sentAt! > b.entry.sentAt! ? -1 : 0))
        .slice(0, limit);
      const ids = [...new Set(sent.flatMap((e) => e.entry.selection.map((s) => s.id)))];
      const found = new Map((await deps.papers.getMany(ids)).map((p) => [p.id, p]));
      const out: FeedEdition[] = sent.map(({ period, entry }) => ({
        period,
        sentAt: entry.sentAt!,
        papers: entry.selection.flatMap((s) => {
          const paper = found.get(s.id);
          if (!paper) return [];
          const links = deps.feedbackLinks?.(subscriberId, s.id);
          return [{ paper, whyLines: whyLinesOf(s.reasons), ...(links ? { feedbackLinks: links } : {}) }];
        }),
      }));
      return out.sort(newestFirst);
    },
  };
}
