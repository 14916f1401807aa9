// What the last few listed days would have brought a reader with some (possibly edited, unsaved) preferences:
// the preferences page shows it before saving. Replays selectPapers day by day over stored papers, with the
// reader's current model (read-only) and the live ranking weights; papers picked on an earlier preview day are
// not picked again (as the sent-papers ledger would do). Writes nothing.
import type { Paper } from '../papers/paper.js';
import type { ReaderModel } from '../relevance/model.js';
import { rankWeightsOf } from '../relevance/rank.js';
import type { Settings } from '../settings/schema.js';
import { addDays } from '../schedule/schedule.js';
import { selectPapers, type SelectedPaper, type SelectSubscriber } from './select.js';

export interface PreviewDeps {
  papers: { daysSince(firstDay: string): Promise<string[]>; getDay(day: string): Promise<Paper[]> };
  /** ReaderStore (peekModel never writes). */
  readers: { peekModel(subscriberId: string): Promise<ReaderModel | null> };
  settings(): Settings;
}

export interface PreviewInput {
  /** The edited preferences (validated) plus timezone; maxPapers caps each day. */
  subscriber: SelectSubscriber;
  /** Whose learned model to rank with; null = a new reader (no model). */
  subscriberId: string | null;
  now: Date;
  /** Listed days to replay, newest last (default 7). */
  days?: number;
}

export interface PreviewDay {
  day: string; // YYYY-MM-DD, a listed day
  selected: SelectedPaper[];
}

/** Newest day first. */
export async function previewSelection(deps: PreviewDeps, input: PreviewInput): Promise<PreviewDay[]> {
  const settings = deps.settings();
  const n = Math.max(1, Math.min(30, input.days ?? 7));
  const today = input.now.toISOString().slice(0, 10);
  const listed = (await deps.papers.daysSince(addDays(today, -(n * 2 + 14)))).filter((d) => d <= today).slice(-n);
  if (listed.length === 0) return [];
  const lookback = settings.lookbackDays;
  const allDays = (await deps.papers.daysSince(addDays(listed[0]!, -(lookback - 1)))).filter((d) => d <= listed[listed.length - 1]!);
  const byDay = new Map(await Promise.all(allDays.map(async (d) => [d, await deps.papers.getDay(d)] as const)));
  const model = input.subscriberId ? await deps.readers.peekModel(input.subscriberId) : null;
  const weights = rankWeightsOf(settings);
  const sent = new Set<string>();
  const out: PreviewDay[] = [];
  for (const day of listed) {
    const papers = allDays.filter((d) => d <= day && d >= addDays(day, -(lookback - 1))).flatMap((d) => byDay.get(d) ?? []);
    // Noon UTC of the listed day, in UTC: the preview shows each day's listing, whatever the reader's zone.
    const selected = selectPapers({
      subscriber: { ...input.subscriber, timezone: 'UTC' },
      papers,
      sentIds: sent,
      now: new Date(`${day}T12:00:00Z`),
      lookbackDays: lookback,
      cap: settings.maxPapersCap,
      model,
      weights,
      ranking: settings.relevanceRanking,
    });
    for (const s of selected) sent.add(s.paper.id);
    out.push({ day, selected });
  }
  return out.reverse();
}
