// "What the last 7 days would have brought" for the preferences page: the real selection run once per listed day,
// as of that day, with the edited (unsaved) preferences — papers already picked on an earlier day are not picked
// again, as the sent-papers ledger would ensure. Reads the paper store only; writes nothing.
import { selectPapers } from '../digest/select.js';
import type { Paper } from '../papers/paper.js';
import { describeReason } from '../papers/reason.js';
import { addDays, localDateIn } from '../schedule/schedule.js';
import type { Subscriber } from '../subscribers/subscriber.js';
import type { PreviewDay } from './page-kit.js';

export const PREVIEW_DAYS = 7;

export interface PreviewDeps {
  papers: { listedSince(firstDay: string): Promise<Paper[]> };
  clock: () => Date;
  /** Operator cap on papers per digest. */
  cap(): Promise<number>;
  /**
   * The ranking to preview with (the reader's learned model included), when the relevance engine provides one;
   * the plain selection otherwise. Same contract as selectPapers for one day.
   */
  select?: (input: { subscriber: Subscriber; papers: Paper[]; sentIds: ReadonlySet<string>; now: Date; cap: number }) => Promise<{ paper: Paper; why: string }[]>;
}

export async function previewLastDays(deps: PreviewDeps, sub: Subscriber, days = PREVIEW_DAYS): Promise<PreviewDay[]> {
  const today = localDateIn(sub.timezone, deps.clock());
  const firstDay = addDays(today, -(days - 1));
  const [papers, cap] = await Promise.all([deps.papers.listedSince(firstDay), deps.cap()]);
  const sent = new Set<string>();
  const out: PreviewDay[] = [];
  for (let day = firstDay; day <= today; day = addDays(day, 1)) {
    const listed = papers.filter((p) => p.listedOn === day);
    if (listed.length === 0) continue; // no listing that day (weekends): no digest to show
    // As of noon UTC that day, in UTC: the window is exactly that listing day.
    const now = new Date(`${day}T12:00:00Z`);
    const picks = deps.select
      ? await deps.select({ subscriber: { ...sub, timezone: 'UTC' }, papers: listed, sentIds: sent, now, cap })
      : selectPapers({ subscriber: { ...sub, timezone: 'UTC' }, papers: listed, sentIds: sent, now, lookbackDays: 1, cap }).map((s) => ({
          paper: s.paper,
          why: [...new Set(s.reasons.map(describeReason))].join('; '),
        }));
    for (const p of picks) sent.add(p.paper.id);
    out.push({
      day,
      papers: picks.map(({ paper, why }) => ({ id: paper.id, title: paper.title, url: `https://huggingface.co/papers/${encodeURIComponent(paper.id)}`, why })),
    });
  }
  return out;
}
