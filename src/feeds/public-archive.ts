// The public archive's read model (pure core + a thin port): a topic's top papers of one Daily Papers day, by the
// digest's own ranking with no personal signal (selectPapers for an anonymous reader of that one topic: no
// follows, no keywords, no minimum, nothing sent before). Nothing here knows any subscriber.
import { selectPapers } from '../digest/select.js';
import type { Paper } from '../papers/paper.js';
import type { SelectedPaper } from '../papers/reason.js';
import { topicById } from '../papers/topics.js';
import { addDays } from '../schedule/schedule.js';
import { paperItem, tagUri, type FeedDoc } from './feed-doc.js';
import { whyLinesOf } from './ledger-source.js';

/** What the public pages read: days with papers, and one day's papers. */
export interface PublicPapersPort {
  /** Days (YYYY-MM-DD, ascending) holding papers on or after `firstDay`. */
  daysSince(firstDay: string): Promise<string[]>;
  getDay(day: string): Promise<Paper[]>;
}

export const PUBLIC_TOP = 10;
export const SAMPLE_TOP = 5;
export const DAY_RE = /^\d{4}-\d{2}-\d{2}$/;
const NO_SENT: ReadonlySet<string> = new Set();

/** The top `n` papers of `day` in `topicId` (null = every topic: the day's trending papers). */
export function topOfDay(papers: readonly Paper[], day: string, topicId: string | null, n = PUBLIC_TOP): SelectedPaper[] {
  return selectPapers({
    subscriber: { timezone: 'UTC', topics: topicId ? [topicId] : [], includeKeywords: [], excludeKeywords: [], followAuthors: [], followOrgs: [], minUpvotes: 0, maxPapers: n },
    papers: papers.filter((p) => p.listedOn === day),
    sentIds: NO_SENT,
    now: new Date(`${day}T12:00:00Z`),
    lookbackDays: 1,
    cap: n,
  });
}

/** The newest day with papers, no later than `today` (UTC) + 1 (HF lists tomorrow's day early east of UTC). */
export async function latestDay(port: PublicPapersPort, now: Date, searchDays = 30): Promise<string | null> {
  const today = now.toISOString().slice(0, 10);
  const days = (await port.daysSince(addDays(today, -searchDays))).filter((d) => d <= addDays(today, 1));
  return days.at(-1) ?? null;
}

/** The days of the last `searchDays` with papers, newest first (the archive's day list). */
export async function recentDays(port: PublicPapersPort, now: Date, searchDays = 30): Promise<string[]> {
  const today = now.toISOString().slice(0, 10);
  return (await port.daysSince(addDays(today, -searchDays))).filter((d) => d <= addDays(today, 1)).reverse();
}

/** The topic feed: the top five of each of the newest `days` days with papers, each paper once (newest listing). */
export function topicFeedDoc(input: { publicUrl: string; topicId: string | null; days: { day: string; papers: readonly Paper[] }[]; fallbackUpdated: Date }): FeedDoc {
  const base = input.publicUrl.replace(/\/+$/, '');
  const slug = input.topicId ?? 'all';
  const label = input.topicId ? (topicById(input.topicId)?.label ?? input.topicId) : 'All topics';
  const seen = new Set<string>();
  const items = [...input.days]
    .sort((a, b) => (a.day < b.day ? 1 : -1))
    .flatMap(({ day, papers }) =>
      topOfDay(papers, day, input.topicId, SAMPLE_TOP).flatMap((sel) => {
        if (seen.has(sel.paper.id)) return [];
        seen.add(sel.paper.id);
        // A listing day has no instant: the item is dated at the day's start (UTC), stable across requests.
        return [paperItem({ id: tagUri(base, `topic/${slug}/${sel.paper.id}`), paper: sel.paper, whyLines: whyLinesOf(sel.reasons), updated: `${day}T00:00:00.000Z` })];
      }),
    );
  const pagePath = input.topicId ? `/topics/${input.topicId}` : '/latest';
  return {
    id: tagUri(base, `topic/${slug}`),
    title: `Papers Digest — ${label}`,
    subtitle: `The top papers of each Hugging Face Daily Papers day${input.topicId ? ` in ${label}` : ''}.`,
    homeUrl: `${base}${pagePath}`,
    atomUrl: `${base}/topics/${slug}/feed.atom`,
    jsonUrl: `${base}/topics/${slug}/feed.json`,
    updated: items[0]?.updated ?? input.fallbackUpdated.toISOString(),
    authorName: 'Papers Digest',
    items,
  };
}

/** The front page's sample: the newest day's public top five (every topic), or null before the first scrape. */
export async function latestSample(port: PublicPapersPort, now: Date): Promise<{ day: string; papers: SelectedPaper[] } | null> {
  const day = await latestDay(port, now);
  if (!day) return null;
  const papers = topOfDay(await port.getDay(day), day, null, SAMPLE_TOP);
  return papers.length ? { day, papers } : null;
}
