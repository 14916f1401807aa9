// FeedEditionSource over the delivery ledger's compact per-subscriber edition record (digest/edition-record.ts),
// read once per request through DeliveryLedger.editions(): the settled `sent` editions, each with the papers that
// were delivered (the email's papers, or every selected paper for a feed-only reader) and their reasons.
//
// The record keeps no send instant, so an edition's timestamp is its SCHEDULED instant: the reader's send time on
// the period's date (weekly: the week's send day) in their zone. It is stable (the same on every poll: ETag and
// Last-Modified do not move), and only changes if the reader changes their schedule (one extra 200, no harm).
import { DateTime } from 'luxon';
import type { SettledEdition } from '../digest/ledger.js';
import type { Paper } from '../papers/paper.js';
import { describeReason, type Reason } from '../papers/reason.js';
import { TOPICS } from '../papers/topics.js';
import { occurrenceOn } from '../schedule/schedule.js';
import type { ScheduleSpec } from '../schedule/spec.js';
import type { FeedbackLinks, FeedEdition, FeedEditionSource } from './edition.js';
import { newestFirst } from './edition.js';

export interface LedgerSourceDeps {
  ledger: { editions(subscriberId: string): Promise<SettledEdition[]> };
  papers: { getMany(ids: string[]): Promise<Paper[]> };
  subscribers: { get(id: string): Promise<(ScheduleSpec & { id: string }) | null> };
  clock: () => Date;
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

/**
 * The edition's stable timestamp: its scheduled send instant under `spec` (daily: on the period's date; weekly: the
 * week's send day). Never later than `now`: then (a schedule moved later today) the start of the period's first
 * day in the reader's zone, which is just as stable.
 */
export function editionInstant(spec: ScheduleSpec, period: string, now: Date): Date {
  const week = /^(\d{4})-W(\d{2})$/.exec(period);
  const start = week
    ? DateTime.fromObject({ weekYear: Number(week[1]), weekNumber: Number(week[2]), weekday: 1 }, { zone: spec.timezone })
    : DateTime.fromISO(period, { zone: spec.timezone });
  let at: Date | null = null;
  try {
    for (let i = 0; i < (week ? 7 : 1) && !at; i++) {
      const occ = occurrenceOn(spec, start.plus({ days: i }).toISODate()!);
      if (occ && occ.period === period) at = occ.at;
    }
  } catch {
    at = null; // an unknown zone: fall back to the day's start below
  }
  if (at && at.getTime() <= now.getTime()) return at;
  const midnight = start.startOf('day');
  return midnight.isValid ? midnight.toJSDate() : new Date(0);
}

export function ledgerEditionSource(deps: LedgerSourceDeps): FeedEditionSource {
  return {
    async editions(subscriberId, limit) {
      if (limit <= 0) return [];
      const [sub, settled] = await Promise.all([deps.subscribers.get(subscriberId), deps.ledger.editions(subscriberId)]);
      if (!sub) return [];
      const now = deps.clock();
      const sent = settled
        .filter((e) => e.state === 'sent' && e.shown > 0)
        .map((e) => ({ period: e.period, sentAt: editionInstant(sub, e.period, now).toISOString(), delivered: e.selection.slice(0, e.shown) }))
        .sort((a, b) => newestFirst({ ...a, papers: [] }, { ...b, papers: [] }))
        .slice(0, limit);
      const ids = [...new Set(sent.flatMap((e) => e.delivered.map((s) => s.id)))];
      const found = new Map((await deps.papers.getMany(ids)).map((p) => [p.id, p]));
      const out: FeedEdition[] = sent.map(({ period, sentAt, delivered }) => ({
        period,
        sentAt,
        papers: delivered.flatMap((s) => {
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
