// View models for every email, pure: everything a template shows is computed here (cleaned text, safe links,
// dates in the subscriber's zone, subject), so templates hold layout only and tests can snapshot the data.
import { DateTime } from 'luxon';
import { describeReason } from '../digest/reason.js';
import type { SelectedPaper } from '../digest/select.js';
import type { Paper } from '../papers/paper.js';
import type { Frequency, Subscriber } from '../subscribers/subscriber.js';
import { topicById } from '../subscribers/topics.js';
import { cleanText, hostIs, hostUnder, ownUrl, publicHostname, safeHttpsUrl, truncate } from './view-model-safety.js';

export type { SelectedPaper };

/** Shown in every email: <title>, hidden preheader, the signature line's home link. */
export interface CommonView {
  subject: string;
  preheader: string;
  homeUrl: string;
  homeHost: string;
}

export interface DigestPaperView {
  rank: number; // 1-based position in the digest
  id: string;
  title: string;
  url: string; // https://huggingface.co/papers/<id>
  authors: string; // "A, B, C et al."
  organization: string | null;
  stats: string; // "▲ 110 upvotes · 2 comments"
  summary: string; // trimmed for the email (budget); '' when the budget dropped it
  summaryFull: string; // untrimmed, for the web view
  summaryIsAi: boolean;
  arxivUrl: string;
  codeUrl: string | null;
  projectUrl: string | null;
  projectHost: string | null;
  reason: string; // "Robotics (“humanoid”); you follow Jane Doe"
}

export interface DigestView extends CommonView {
  kind: 'digest';
  period: string;
  frequency: 'daily' | 'weekly';
  dateLabel: string; // "Monday, 28 September 2026" | "Week 40, 2026"
  intro: string; // "5 papers picked for you"
  papers: DigestPaperView[];
  /** Papers that did not fit in the email (size budget) and are only in the web version. */
  overflow: { count: number; label: string; url: string } | null;
  links: { preferences: string; unsubscribe: string; archive: string };
  /** false in the web view itself (no "view in browser" link there). */
  showArchiveLink: boolean;
  why: string; // footer: why they get this email
  /** The web version of this edition, where overflow papers are linked (usually links.archive). */
  overflowUrl: string;
}

export interface ConfirmView extends CommonView {
  kind: 'confirm';
  confirmUrl: string;
  expiresHours: number;
  topicsChosen: string[]; // labels
}

export interface AlreadySubscribedView extends CommonView {
  kind: 'already-subscribed';
  preferencesUrl: string;
}

export interface NothingNewView extends CommonView {
  kind: 'nothing-new';
  dateLabel: string;
  links: { preferences: string; unsubscribe: string };
  showArchiveLink: false; // shares the digest footer, which has no archive for a quiet day
  why: string;
}

/** Summary length in the email before any budget trimming (characters). */
export const SUMMARY_CHARS = 420;
const TITLE_CHARS = 240;
const AUTHOR_CHARS = 60;
const SUBJECT_MAX = 77; // RFC 5322 recommends lines ≤ 78 characters

const HF = hostIs('huggingface.co');
const ARXIV = hostUnder('arxiv.org');
const GITHUB = hostIs('github.com', 'www.github.com');

function common(publicUrl: string, subject: string, preheader: string): CommonView {
  const home = new URL(publicUrl);
  return { subject: headerSafe(subject), preheader: cleanText(preheader, 140), homeUrl: home.href, homeHost: home.host };
}

/** Subject lines are headers: one line, no control characters, ≤ SUBJECT_MAX. */
function headerSafe(s: string): string {
  return cleanText(s, SUBJECT_MAX);
}

export function shortenAuthors(authors: string[]): string {
  const names = authors.map((a) => cleanText(a, AUTHOR_CHARS)).filter(Boolean);
  if (names.length <= 3) return names.join(', ');
  return `${names.slice(0, 3).join(', ')} et al.`;
}

function plural(n: number, one: string, many: string): string {
  return `${n} ${n === 1 ? one : many}`;
}

// Per-paper memo. A fleet renders the same few dozen papers for thousands of recipients: the cleaning, URL checks
// and truncation below run once per paper (not once per recipient), and the same (paper, rank, summary length,
// reason) always yields the SAME frozen DigestPaperView, which lets the renderer reuse that card's filled HTML
// (compileFast in templates-compile.ts caches per frozen item object). Keyed by the Paper object, like topic
// matching's memo (src/subscribers/topics.ts): papers are immutable values once normalized, shared by a worker's
// jobs through the candidate cache, and entries vanish with them. The fields a memo was built from are checked by
// identity on every use, so a paper edited in place gets a fresh memo rather than stale text. A frozen view holds
// the paper's own data, its rank and the reason line — nothing else about a recipient (no links, no tokens), and
// only primitives (a nested object could change under a frozen parent: keep DigestPaperView flat).
interface PaperMemo {
  source: unknown[];
  base: Omit<DigestPaperView, 'rank' | 'summary' | 'reason'>;
  views: Map<string, DigestPaperView>;
}
const paperMemos = new WeakMap<Paper, PaperMemo>();
const viewMemo = new WeakMap<DigestPaperView, PaperMemo>();
/** Distinct (rank, summary length, reason) per paper kept; beyond it the paper's views start afresh (bounded). */
const VARIANTS_MAX = 512;

const sourceOf = (p: Paper): unknown[] => [
  p.id, p.title, p.summary, p.aiSummary, p.authors, p.authors.length, p.organization, p.organization?.name, p.organization?.fullname,
  p.upvotes, p.comments, p.url, p.arxivUrl, p.githubRepo, p.projectPage,
];

function memoOf(p: Paper): PaperMemo {
  const memo = paperMemos.get(p);
  if (memo) {
    const now = sourceOf(p);
    if (now.every((v, i) => v === memo.source[i])) return memo;
  }
  const id = p.id;
  const ai = cleanText(p.aiSummary, 4000);
  const full = ai || cleanText(p.summary, 4000);
  const projectUrl = safeHttpsUrl(p.projectPage, publicHostname);
  const fresh: PaperMemo = {
    source: sourceOf(p),
    base: {
      id,
      title: cleanText(p.title, TITLE_CHARS) || id,
      // The id is validated ([\w.-]+), so the canonical links built from it are always safe fallbacks.
      url: safeHttpsUrl(p.url, HF) ?? `https://huggingface.co/papers/${encodeURIComponent(id)}`,
      authors: shortenAuthors(p.authors),
      organization: cleanText(p.organization?.fullname || p.organization?.name, 80) || null,
      stats: `▲ ${plural(p.upvotes, 'upvote', 'upvotes')} · ${plural(p.comments, 'comment', 'comments')}`,
      summaryFull: full,
      summaryIsAi: Boolean(ai),
      arxivUrl: safeHttpsUrl(p.arxivUrl, ARXIV) ?? `https://arxiv.org/abs/${encodeURIComponent(id)}`,
      codeUrl: safeHttpsUrl(p.githubRepo, GITHUB),
      projectUrl,
      projectHost: projectUrl ? new URL(projectUrl).hostname : null,
    },
    views: new Map(),
  };
  paperMemos.set(p, fresh);
  return fresh;
}

function variant(memo: PaperMemo, rank: number, summaryChars: number, reason: string): DigestPaperView {
  const key = `${rank}\u0000${summaryChars}\u0000${reason}`;
  let v = memo.views.get(key);
  if (!v) {
    if (memo.views.size >= VARIANTS_MAX) memo.views.clear();
    const b = memo.base;
    v = Object.freeze({
      rank,
      id: b.id,
      title: b.title,
      url: b.url,
      authors: b.authors,
      organization: b.organization,
      stats: b.stats,
      summary: truncate(b.summaryFull, summaryChars),
      summaryFull: b.summaryFull,
      summaryIsAi: b.summaryIsAi,
      arxivUrl: b.arxivUrl,
      codeUrl: b.codeUrl,
      projectUrl: b.projectUrl,
      projectHost: b.projectHost,
      reason,
    });
    memo.views.set(key, v);
    viewMemo.set(v, memo);
  }
  return v;
}

/** The card for one selected paper (frozen, shared between recipients with the same rank and reason: see above). */
export function paperView(sel: SelectedPaper, summaryChars = SUMMARY_CHARS, rank = 1): DigestPaperView {
  const reasons = [...new Set(sel.reasons.map(describeReason))];
  return variant(memoOf(sel.paper), rank, summaryChars, cleanText(reasons.join('; '), 300));
}

/** The same card with its summary cut to `summaryChars` (the shared frozen variant when `p` came from paperView). */
export function withSummary(p: DigestPaperView, summaryChars: number): DigestPaperView {
  const memo = viewMemo.get(p);
  if (memo) return variant(memo, p.rank, summaryChars, p.reason);
  return { ...p, summary: truncate(p.summaryFull, summaryChars) };
}

/** "Monday, 28 September 2026" (daily) or "Week 40, 2026" (weekly), in the subscriber's zone. */
export function editionLabel(period: string, frequency: 'daily' | 'weekly', now: Date, zone: string): { long: string; short: string } {
  const week = /^(\d{4})-W(\d{2})$/.exec(period);
  if (frequency === 'weekly') {
    const dt = week ? DateTime.fromObject({ weekYear: Number(week[1]), weekNumber: Number(week[2]), weekday: 1 }, { zone }) : DateTime.fromJSDate(now, { zone });
    return { long: `Week ${dt.weekNumber}, ${dt.weekYear}`, short: `week ${dt.weekNumber}` };
  }
  const day = DateTime.fromISO(period, { zone });
  const dt = (day.isValid ? day : DateTime.fromJSDate(now, { zone })).setLocale('en-US');
  return { long: dt.toFormat('cccc, d LLLL yyyy'), short: dt.toFormat('ccc d LLL') };
}

/** Footer line: why this address gets this email. */
export function whyLine(sub: Pick<Subscriber, 'topics' | 'includeKeywords'>, topicLabels: Record<string, string>, frequency: 'daily' | 'weekly'): string {
  const topics = sub.topics.map((t) => cleanText(topicLabels[t] ?? topicById(t)?.label ?? t, 60));
  const keywords = sub.includeKeywords.map((k) => `“${cleanText(k, 60)}”`);
  const what = [...topics, ...keywords];
  const scope = what.length ? `papers on ${what.join(', ')}` : 'every trending paper (no topics chosen)';
  return `You get this ${frequency} email because you subscribed to Papers Digest for ${scope}.`;
}

function frequencyOf(f: Frequency): 'daily' | 'weekly' {
  return f.kind;
}

export interface DigestInput {
  subscriber: Subscriber;
  selected: SelectedPaper[];
  period: string;
  frequency?: Frequency; // defaults to the subscriber's
  links: { preferences: string; unsubscribe: string; archive: string };
  now: Date;
  publicUrl: string;
  /** Where papers that do not fit go (the web version of this edition); defaults to links.archive. */
  overflowUrl?: string;
  /** Topic id → label overrides; the topic catalog (src/subscribers/topics.ts), then the raw id, are the fallbacks. */
  topicLabels?: Record<string, string>;
}

export function buildDigestView(input: DigestInput): DigestView {
  const { subscriber, selected, period, now, publicUrl } = input;
  const frequency = frequencyOf(input.frequency ?? subscriber.frequency);
  const labels: Record<string, string> = {};
  for (const s of selected) for (const r of s.reasons) if (r.kind === 'topic') labels[r.topicId] = r.topicLabel;
  Object.assign(labels, input.topicLabels ?? {});
  const papers = selected.map((s, i) => paperView(s, SUMMARY_CHARS, i + 1));
  const edition = editionLabel(period, frequency, now, subscriber.timezone);
  const top = papers[0]?.title ?? 'nothing new';
  const prefix = `Your papers for ${edition.short}: `;
  const links = {
    preferences: ownUrl(input.links.preferences, publicUrl, 'preferences'),
    unsubscribe: ownUrl(input.links.unsubscribe, publicUrl, 'unsubscribe'),
    archive: ownUrl(input.links.archive, publicUrl, 'archive'),
  };
  const n = papers.length;
  return {
    kind: 'digest',
    ...common(publicUrl, prefix + truncate(top, SUBJECT_MAX - prefix.length), `${plural(n, 'paper', 'papers')} picked for you, led by “${top}”`),
    period,
    frequency,
    dateLabel: edition.long,
    intro: `${plural(n, 'paper', 'papers')} picked for you`,
    papers,
    overflow: null,
    links,
    showArchiveLink: true,
    why: whyLine(subscriber, labels, frequency),
    overflowUrl: ownUrl(input.overflowUrl ?? input.links.archive, publicUrl, 'overflow'),
  };
}

/**
 * Summary lengths tried, in order, when the email is over its size budget; then papers move to the web version,
 * keeping the last (short) summaries: a few lines about fewer papers read better than bare titles.
 */
export const SUMMARY_STEPS = [SUMMARY_CHARS, 280, 160] as const;

/**
 * The email version of a digest under a size budget (pure): summaries cut to `summaryChars`, only the first
 * `keep` papers, and an overflow link for the rest. The renderer searches for the largest version that fits.
 */
export function fitDigestView(view: DigestView, summaryChars: number, keep: number): DigestView {
  const kept = view.papers.slice(0, Math.max(0, keep));
  const rest = view.papers.length - kept.length;
  return {
    ...view,
    papers: kept.map((p) => withSummary(p, summaryChars)),
    overflow: rest > 0 ? { count: rest, label: `${plural(rest, 'more paper', 'more papers')} in the web version`, url: view.overflowUrl } : view.overflow,
  };
}

/** The web (archive) version: every paper, untrimmed summaries, no "view in browser" link. */
export function webDigestView(view: DigestView): DigestView {
  return { ...view, papers: view.papers.map((p) => withSummary(p, Infinity)), overflow: null, showArchiveLink: false };
}

export function buildConfirmView(input: { confirmUrl: string; expiresHours: number; topicsChosen: string[]; publicUrl: string }): ConfirmView {
  return {
    kind: 'confirm',
    ...common(input.publicUrl, 'Confirm your Papers Digest subscription', 'One click and your digest of trending papers starts.'),
    confirmUrl: ownUrl(input.confirmUrl, input.publicUrl, 'confirm'),
    expiresHours: Math.max(1, Math.round(input.expiresHours)),
    topicsChosen: input.topicsChosen.map((t) => cleanText(t, 60)).filter(Boolean),
  };
}

/** Someone asked to subscribe an address that is already active: send its owner the preferences link instead. */
export function buildAlreadySubscribedView(input: { preferencesUrl: string; publicUrl: string }): AlreadySubscribedView {
  return {
    kind: 'already-subscribed',
    ...common(input.publicUrl, 'You are already subscribed to Papers Digest', 'Your subscription is active; change it from your preferences.'),
    preferencesUrl: ownUrl(input.preferencesUrl, input.publicUrl, 'preferences'),
  };
}

/** Quiet day under the "send a note" policy: nothing qualified for this edition. */
export function buildNothingNewView(input: {
  subscriber: Subscriber;
  period: string;
  now: Date;
  publicUrl: string;
  links: { preferences: string; unsubscribe: string };
  topicLabels?: Record<string, string>;
}): NothingNewView {
  const frequency = frequencyOf(input.subscriber.frequency);
  const edition = editionLabel(input.period, frequency, input.now, input.subscriber.timezone);
  return {
    kind: 'nothing-new',
    ...common(input.publicUrl, `Nothing new in your topics for ${edition.short}`, 'No new trending papers matched your topics this time.'),
    dateLabel: edition.long,
    links: {
      preferences: ownUrl(input.links.preferences, input.publicUrl, 'preferences'),
      unsubscribe: ownUrl(input.links.unsubscribe, input.publicUrl, 'unsubscribe'),
    },
    showArchiveLink: false,
    why: whyLine(input.subscriber, input.topicLabels ?? {}, frequency),
  };
}
