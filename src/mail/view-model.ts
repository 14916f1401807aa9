// View models for every email, pure: everything a template shows is computed here (cleaned text, safe links,
// dates in the subscriber's zone, subject), so templates hold layout only and tests can snapshot the data.
import { DateTime } from 'luxon';
import type { SelectedPaper } from '../papers/reason.js';
import { publicDayUrl } from '../links/public-day.js';
import { nextSendAt } from '../schedule/schedule.js';
import type { Frequency, ScheduleSpec } from '../schedule/spec.js';
import type { Subscriber } from '../subscribers/subscriber.js';
import { topicById } from '../papers/topics.js';
import { paperView, plural, SUMMARY_CHARS, withSummary, type DigestPaperView } from './view-model-cards.js';
import { digestSubject } from './subject.js';
import { cleanText, ownUrl } from './view-model-safety.js';

export type { SelectedPaper, DigestPaperView };
export type { FeedbackLinks } from './view-model-cards.js';
export { paperView, shortenAuthors, SUMMARY_CHARS, withSummary } from './view-model-cards.js';

/** Shown in every email: <title>, hidden preheader, the signature line's home link. */
export interface CommonView {
  subject: string;
  preheader: string;
  homeUrl: string;
  homeHost: string;
}

export interface DigestView extends CommonView {
  kind: 'digest';
  period: string;
  frequency: 'daily' | 'weekly';
  dateLabel: string; // "Monday, 28 September 2026" | "Week of 28 September 2026"
  intro: string; // "5 papers picked for you"
  papers: DigestPaperView[];
  /** Papers that did not fit in the email (size budget) and are only in the web version. */
  overflow: { count: number; label: string; url: string } | null;
  links: { preferences: string; unsubscribe: string; archive: string; readingList: string | null; feed: string | null };
  /** false in the web view itself (no "view in browser" link there). */
  showArchiveLink: boolean;
  /** The public page of this day (no capability): the web view's "Share" link; null for a weekly edition. */
  shareUrl: string | null;
  why: string; // footer: why they get this email
  /** The web version of this edition, where overflow papers are linked (usually links.archive). */
  overflowUrl: string;
  /** One suggestion learned from the reader's 👍 / 👎 (relevance/suggest.ts), linking to the preferences page. */
  suggestion: { text: string; url: string } | null;
}

export interface ConfirmView extends CommonView {
  kind: 'confirm';
  confirmUrl: string;
  expiresHours: number;
  topicsChosen: string[]; // labels
  schedule: string; // "every day at 07:30 (Europe/Berlin)" | "every Friday at 18:00 (America/New_York)"
  /** When the first digest arrives if they confirm now: "Tuesday, 1 December 2026 at 07:30 (Europe/Berlin)". */
  firstDigest: string | null;
}

export interface AlreadySubscribedView extends CommonView {
  kind: 'already-subscribed';
  preferencesUrl: string;
}

export interface NothingNewView extends CommonView {
  kind: 'nothing-new';
  dateLabel: string;
  /** Why nothing came, in the reader's words (the real cause, not always "your topics"), and what to change. */
  causeLine: string;
  links: { preferences: string; unsubscribe: string; readingList: string | null };
  showArchiveLink: false; // shares the digest footer, which has no archive for a quiet day
  why: string;
}

const SUBJECT_MAX = 77; // RFC 5322 recommends lines ≤ 78 characters

function common(publicUrl: string, subject: string, preheader: string): CommonView {
  const home = new URL(publicUrl);
  return { subject: headerSafe(subject), preheader: cleanText(preheader, 140), homeUrl: home.href, homeHost: home.host };
}

/** Subject lines are headers: one line, no control characters, ≤ SUBJECT_MAX. */
function headerSafe(s: string): string {
  return cleanText(s, SUBJECT_MAX);
}


/**
 * "Monday, 28 September 2026" (daily) or "Week of 28 September 2026" (weekly: the Monday of the ISO week, which
 * readers recognise where a week number means nothing), in the subscriber's zone. Only the label: the period key
 * stays YYYY-Www.
 */
export function editionLabel(period: string, frequency: 'daily' | 'weekly', now: Date, zone: string, sendWeekday?: number): { long: string; short: string } {
  // A pure memo (luxon formatting costs more than the rest of a view): a label that comes from the period alone
  // never changes for the same (period, frequency, zone); one that falls back to `now` is not memoized. Bounded.
  const key = `${period}\u0000${frequency}\u0000${zone}\u0000${sendWeekday ?? ''}`;
  const known = labelMemo.get(key);
  if (known) return { ...known };
  const week = /^(\d{4})-W(\d{2})$/.exec(period);
  let fromPeriod: boolean;
  let label: { long: string; short: string };
  if (frequency === 'weekly') {
    fromPeriod = Boolean(week);
    const monday = week ? DateTime.fromObject({ weekYear: Number(week[1]), weekNumber: Number(week[2]), weekday: 1 }, { zone }) : DateTime.fromJSDate(now, { zone }).startOf('week');
    const dt = (week && sendWeekday ? papersWeek(monday.plus({ days: sendWeekday - 1 })) : monday).setLocale('en-US');
    label = { long: `Week of ${dt.toFormat('d LLLL yyyy')}`, short: `week of ${dt.toFormat('d LLL')}` };
  } else {
    const day = DateTime.fromISO(period, { zone });
    fromPeriod = day.isValid;
    const dt = (day.isValid ? day : DateTime.fromJSDate(now, { zone })).setLocale('en-US');
    label = { long: dt.toFormat('cccc, d LLLL yyyy'), short: dt.toFormat('ccc d LLL') };
  }
  if (fromPeriod) {
    if (labelMemo.size >= LABEL_MEMO_MAX) labelMemo.clear();
    labelMemo.set(key, label);
  }
  return { ...label };
}
const labelMemo = new Map<string, { long: string; short: string }>();

/**
 * The Monday of the week a weekly edition's papers come from: the edition sent on `sendDay` draws on the week
 * before it (digest/window.ts), so a Monday send carries last week's papers and a Friday send this week's. HF lists
 * on weekdays: the week holding most of the weekdays of the seven days before the send (the later one on a tie).
 */
function papersWeek(sendDay: DateTime): DateTime {
  const counts = new Map<number, { monday: DateTime; n: number }>();
  for (let back = 7; back >= 1; back--) {
    const d = sendDay.minus({ days: back });
    if (d.weekday > 5) continue;
    const monday = d.startOf('week');
    const c = counts.get(monday.toMillis()) ?? { monday, n: 0 };
    c.n++;
    counts.set(monday.toMillis(), c);
  }
  let best: { monday: DateTime; n: number } | null = null;
  for (const c of counts.values()) if (!best || c.n >= best.n) best = c;
  return best?.monday ?? sendDay.startOf('week');
}
const LABEL_MEMO_MAX = 10_000;

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
  /** `feed`: the reader's personal feed page (feeds/feed-links.ts feedManageUrl), shown in the footer. */
  links: { preferences: string; unsubscribe: string; archive: string; readingList?: string; feed?: string };
  /**
   * This reader's signed feedback link for a paper (subscriberLinks(...).feedback(id), no kind): each card gets
   * 👍 / 👎 / save links from it. Omitted: no feedback row (e.g. a preview).
   */
  feedback?: (paperId: string) => string;
  now: Date;
  publicUrl: string;
  /** Where papers that do not fit go (the web version of this edition); defaults to links.archive. */
  overflowUrl?: string;
  /** Topic id → label overrides; the topic catalog (src/papers/topics.ts), then the raw id, are the fallbacks. */
  topicLabels?: Record<string, string>;
  /** A keyword to add or to exclude that the reader's 👍 / 👎 suggest (relevance/suggest.ts SuggestionHint). */
  hint?: { kind: 'include' | 'exclude'; keyword: string; titles: number } | null;
}

/** The digest's line about a suggestion: what it is, the evidence in one clause; the page has the rest. */
export function suggestionText(hint: NonNullable<DigestInput['hint']>): string {
  return hint.kind === 'include'
    ? `Suggested for you: add “${hint.keyword}” to your keywords. It is in the titles of ${plural(hint.titles, 'paper', 'papers')} you liked, and your topics do not reach it.`
    : `Suggested for you: leave out papers that mention “${hint.keyword}”. It is in the titles of ${plural(hint.titles, 'paper', 'papers')} you disliked, and in none you liked.`;
}

export function buildDigestView(input: DigestInput): DigestView {
  const { subscriber, selected, period, now, publicUrl } = input;
  const frequency = frequencyOf(input.frequency ?? subscriber.frequency);
  const labels: Record<string, string> = {};
  for (const s of selected) for (const r of s.reasons) if (r.kind === 'topic') labels[r.topicId] = r.topicLabel;
  Object.assign(labels, input.topicLabels ?? {});
  const feedback = input.feedback;
  const papers = selected.map((s, i) => paperView(s, SUMMARY_CHARS, i + 1, feedback ? ownUrl(feedback(s.paper.id), publicUrl, 'feedback') : null));
  const freq = input.frequency ?? subscriber.frequency;
  const edition = editionLabel(period, frequency, now, subscriber.timezone, freq.kind === 'weekly' ? freq.weekday : undefined);
  const top = papers[0]?.title ?? 'nothing new';
  const links = {
    preferences: ownUrl(input.links.preferences, publicUrl, 'preferences'),
    unsubscribe: ownUrl(input.links.unsubscribe, publicUrl, 'unsubscribe'),
    archive: ownUrl(input.links.archive, publicUrl, 'archive'),
    readingList: input.links.readingList ? ownUrl(input.links.readingList, publicUrl, 'reading list') : null,
    feed: input.links.feed ? ownUrl(input.links.feed, publicUrl, 'feed') : null,
  };
  const n = papers.length;
  return {
    kind: 'digest',
    ...common(publicUrl, digestSubject(edition.short, papers.map((p) => p.title), SUBJECT_MAX), `${plural(n, 'paper', 'papers')} picked for you, led by “${top}”`),
    period,
    frequency,
    dateLabel: edition.long,
    intro: `${plural(n, 'paper', 'papers')} picked for you`,
    papers,
    overflow: null,
    links,
    showArchiveLink: true,
    shareUrl: publicDayUrl(publicUrl, subscriber.topics, period),
    why: whyLine(subscriber, labels, frequency),
    overflowUrl: ownUrl(input.overflowUrl ?? input.links.archive, publicUrl, 'overflow'),
    suggestion: input.hint ? { text: suggestionText(input.hint), url: `${links.preferences}#learned` } : null,
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

const WEEKDAY_NAMES = ['Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday', 'Sunday'] as const;

/** "every day at 07:30 (Europe/Berlin)" or "every Friday at 18:00 (America/New_York)": the subscriber's own wall time. */
export function scheduleLabel(spec: ScheduleSpec): string {
  const at = `${String(spec.sendTime.hour).padStart(2, '0')}:${String(spec.sendTime.minute).padStart(2, '0')}`;
  const days = spec.frequency.kind === 'daily' ? 'every day' : `every ${WEEKDAY_NAMES[spec.frequency.weekday - 1] ?? '?'}`;
  return `${days} at ${at} (${cleanText(spec.timezone, 60)})`;
}

/**
 * The first send after `now` — what confirming now schedules (an active subscriber is due at nextSendAt(now),
 * subscribers/due.ts) — as "Tuesday, 1 December 2026 at 07:30 (Europe/Berlin)", in their zone. The actual local
 * time is shown (a send time inside a DST gap moves later). null when the zone is unknown: the email still goes.
 */
export function firstDigestLabel(spec: ScheduleSpec, now: Date): string | null {
  let at: Date;
  try {
    at = nextSendAt(spec, now);
  } catch {
    return null;
  }
  const dt = DateTime.fromJSDate(at, { zone: spec.timezone }).setLocale('en-US');
  return `${dt.toFormat("cccc, d LLLL yyyy 'at' HH:mm")} (${cleanText(spec.timezone, 60)})`;
}

export function buildConfirmView(input: {
  confirmUrl: string;
  expiresHours: number;
  topicsChosen: string[];
  /** The delivery they asked for (zone, time, frequency) and the instant the email is built (first-digest date). */
  schedule: ScheduleSpec;
  now: Date;
  publicUrl: string;
}): ConfirmView {
  return {
    kind: 'confirm',
    ...common(input.publicUrl, 'Confirm your Papers Digest subscription', 'One click and your digest of trending papers starts.'),
    confirmUrl: ownUrl(input.confirmUrl, input.publicUrl, 'confirm'),
    expiresHours: Math.max(1, Math.round(input.expiresHours)),
    topicsChosen: input.topicsChosen.map((t) => cleanText(t, 60)).filter(Boolean),
    schedule: scheduleLabel(input.schedule),
    firstDigest: firstDigestLabel(input.schedule, input.now),
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
/**
 * Why an edition has no paper: nothing listed in the window, everything already sent, every candidate under the
 * reader's minimum of upvotes, or (otherwise) their topics and keywords. Pure; the send job passes the window's
 * candidates, the sent ids and the reader's minimum.
 */
export type NothingNewCause = 'no-papers' | 'all-already-sent' | 'min-upvotes' | 'interests';

export function nothingNewCause(papers: readonly { id: string; upvotes: number }[], sentIds: ReadonlySet<string>, minUpvotes: number): NothingNewCause {
  if (papers.length === 0) return 'no-papers';
  const fresh = papers.filter((p) => !sentIds.has(p.id));
  if (fresh.length === 0) return 'all-already-sent';
  if (minUpvotes > 0 && fresh.every((p) => p.upvotes < minUpvotes)) return 'min-upvotes';
  return 'interests';
}

function causeLine(cause: NothingNewCause | undefined, sub: Pick<Subscriber, 'minUpvotes'>): string {
  const next = 'Your next digest comes as usual.';
  switch (cause) {
    case 'no-papers':
      return `No new papers were listed on Hugging Face Daily Papers this time. ${next}`;
    case 'all-already-sent':
      return `Every new paper was already in an earlier digest of yours. ${next}`;
    case 'min-upvotes':
      return `No new paper reached your minimum of ${sub.minUpvotes} upvotes. ${next} To get more, lower that minimum in your preferences.`;
    case 'interests':
      return `No new trending papers matched your topics and keywords this time. ${next} To widen what you get, add topics or keywords in your preferences.`;
    default:
      return sub.minUpvotes > 0
        ? `No new trending papers matched your topics and keywords with at least ${sub.minUpvotes} upvotes (your minimum) this time. ${next} To get more, lower that minimum or add topics or keywords in your preferences.`
        : `No new trending papers matched your topics and keywords this time. ${next} To widen what you get, add topics or keywords in your preferences.`;
  }
}

export function buildNothingNewView(input: {
  subscriber: Subscriber;
  period: string;
  now: Date;
  publicUrl: string;
  links: { preferences: string; unsubscribe: string; readingList?: string };
  topicLabels?: Record<string, string>;
  /** The real cause (nothingNewCause); without it the line names every filter in effect. */
  cause?: NothingNewCause;
}): NothingNewView {
  const frequency = frequencyOf(input.subscriber.frequency);
  const f = input.subscriber.frequency;
  const edition = editionLabel(input.period, frequency, input.now, input.subscriber.timezone, f.kind === 'weekly' ? f.weekday : undefined);
  const line = causeLine(input.cause, input.subscriber);
  const subject = input.cause === 'interests' || (!input.cause && input.subscriber.minUpvotes === 0) ? `Nothing new in your topics for ${edition.short}` : `Nothing new for you for ${edition.short}`;
  return {
    kind: 'nothing-new',
    ...common(input.publicUrl, subject, line),
    dateLabel: edition.long,
    causeLine: line,
    links: {
      preferences: ownUrl(input.links.preferences, input.publicUrl, 'preferences'),
      unsubscribe: ownUrl(input.links.unsubscribe, input.publicUrl, 'unsubscribe'),
      readingList: input.links.readingList ? ownUrl(input.links.readingList, input.publicUrl, 'reading list') : null,
    },
    showArchiveLink: false,
    why: whyLine(input.subscriber, input.topicLabels ?? {}, frequency),
  };
}
