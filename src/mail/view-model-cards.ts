// The paper cards of a digest, pure: cleaned text and safe links per paper (computed once per paper: see the memo
// below), plus the recipient's rank and reason line. view-model.ts re-exports what others use.
import { describeReason, type Reason } from '../papers/reason.js';
import type { SelectedPaper } from '../papers/reason.js';
import type { Paper } from '../papers/paper.js';
import { shortTitle } from './subject.js';
import { cleanText, hostIs, hostUnder, publicHostname, safeHttpsUrl, truncate } from './view-model-safety.js';

export interface DigestPaperView {
  rank: number; // 1-based position in the digest
  /** The rank right-aligned to two characters (" 1" … "25"; maxPapers ≤ 25), so the plain-text part's lines under
   *  every title line up whether the number has one digit or two. */
  numberPadded: string;
  id: string;
  title: string;
  url: string; // https://huggingface.co/papers/<id>
  authors: string; // "A, B, C et al."
  organization: string | null;
  /** "A, B, C et al. · Org": authors and organization as one line ('' when neither is known). */
  byline: string;
  stats: string; // "▲ 110 upvotes · 2 comments"
  summary: string; // trimmed for the email (budget); '' when the budget dropped it
  summaryFull: string; // untrimmed, for the web view
  summaryIsAi: boolean;
  arxivUrl: string;
  codeUrl: string | null;
  projectUrl: string | null;
  projectHost: string | null;
  reason: string; // "Robotics (“humanoid”); you follow Jane Doe"
  /** The card's anchor ("paper-3"), target of the "In this issue" index. */
  anchor: string;
  /** The title cut for the index at the top of the email. */
  shortTitle: string;
  /** 👍 / 👎 / save links for this reader and paper (signed, GET shows a confirming page); null when not offered. */
  feedback: FeedbackLinks | null;
}

export interface FeedbackLinks {
  like: string;
  dislike: string;
  save: string;
}

/** Summary length in the email before any budget trimming (characters). */
export const SUMMARY_CHARS = 420;
const TITLE_CHARS = 240;
const AUTHOR_CHARS = 60;
const REASON_CHARS = 300;
/** Index entries at the top of the email: about one line each on a desktop. */
export const INDEX_TITLE_CHARS = 72;

/** A title for the index: whole when short; else its name before a colon ("OmniScope"); else cut. */
function indexTitle(title: string): string {
  if (title.length <= INDEX_TITLE_CHARS) return title;
  const name = shortTitle(title);
  return name !== title ? name : truncate(title, INDEX_TITLE_CHARS);
}

const HF = hostIs('huggingface.co');
const ARXIV = hostUnder('arxiv.org');
const GITHUB = hostIs('github.com', 'www.github.com');

export function shortenAuthors(authors: string[]): string {
  const names = authors.map((a) => cleanText(a, AUTHOR_CHARS)).filter(Boolean);
  if (names.length <= 3) return names.join(', ');
  return `${names.slice(0, 3).join(', ')} et al.`;
}

export function plural(n: number, one: string, many: string): string {
  return `${n} ${n === 1 ? one : many}`;
}

type PaperBase = Omit<DigestPaperView, 'rank' | 'numberPadded' | 'summary' | 'reason' | 'anchor' | 'feedback'> & {
  /** The summary cut to SUMMARY_CHARS: what almost every card shows. */
  summaryDefault: string;
};

// The cleaning, URL checks and truncation below depend on the paper alone, and a worker renders the same few dozen
// papers for thousands of recipients: they run once per Paper object (a pure memo; entries vanish with the
// objects). Papers are values: normalized once, then shared read-only by a worker's jobs (the candidate cache).
const bases = new WeakMap<Paper, PaperBase>();

function baseOf(p: Paper): PaperBase {
  let base = bases.get(p);
  if (!base) {
    const ai = cleanText(p.aiSummary, 4000);
    const authors = shortenAuthors(p.authors);
    const summaryFull = ai || cleanText(p.summary, 4000);
    const organization = cleanText(p.organization?.fullname || p.organization?.name, 80) || null;
    const projectUrl = safeHttpsUrl(p.projectPage, publicHostname);
    base = {
      id: p.id,
      title: cleanText(p.title, TITLE_CHARS) || p.id,
      shortTitle: indexTitle(cleanText(p.title, TITLE_CHARS) || p.id),
      // The id is validated ([\w.-]+), so the canonical links built from it are always safe fallbacks.
      url: safeHttpsUrl(p.url, HF) ?? `https://huggingface.co/papers/${encodeURIComponent(p.id)}`,
      authors,
      organization,
      byline: [authors, organization].filter(Boolean).join(' · '),
      stats: `▲ ${plural(p.upvotes, 'upvote', 'upvotes')} · ${plural(p.comments, 'comment', 'comments')}`,
      summaryFull,
      summaryDefault: truncate(summaryFull, SUMMARY_CHARS),
      summaryIsAi: Boolean(ai),
      arxivUrl: safeHttpsUrl(p.arxivUrl, ARXIV) ?? `https://arxiv.org/abs/${encodeURIComponent(p.id)}`,
      codeUrl: safeHttpsUrl(p.githubRepo, GITHUB),
      projectUrl,
      projectHost: projectUrl ? new URL(projectUrl).hostname : null,
    };
    bases.set(p, base);
  }
  return base;
}

/**
 * The card for one selected paper at `rank`, its summary cut to `summaryChars`. `feedback`: this reader's signed
 * feedback link for the paper (one token; the three kinds differ only by `?do=`), already checked to be ours.
 */
export function paperView(sel: SelectedPaper, summaryChars = SUMMARY_CHARS, rank = 1, feedback: string | null = null): DigestPaperView {
  const base = baseOf(sel.paper);
  const links = feedback ? { like: `${feedback}?do=like`, dislike: `${feedback}?do=dislike`, save: `${feedback}?do=save` } : null;
  return card(base, rank, summaryChars === SUMMARY_CHARS ? base.summaryDefault : truncate(base.summaryFull, summaryChars), reasonLine(sel.reasons), links);
}

/** The same card with its summary cut to `summaryChars`. */
export function withSummary(p: DigestPaperView, summaryChars: number): DigestPaperView {
  return card(p, p.rank, truncate(p.summaryFull, summaryChars), p.reason, p.feedback);
}

// Every card built by one object literal (measured cheaper per card than spreading the base into a new object).
function card(b: Omit<PaperBase, 'summaryDefault'>, rank: number, summary: string, reason: string, feedback: FeedbackLinks | null): DigestPaperView {
  return {
    rank,
    anchor: `paper-${rank}`,
    shortTitle: b.shortTitle,
    feedback,
    numberPadded: String(rank).padStart(2, ' '),
    id: b.id,
    title: b.title,
    url: b.url,
    authors: b.authors,
    organization: b.organization,
    byline: b.byline,
    stats: b.stats,
    summary,
    summaryFull: b.summaryFull,
    summaryIsAi: b.summaryIsAi,
    arxivUrl: b.arxivUrl,
    codeUrl: b.codeUrl,
    projectUrl: b.projectUrl,
    projectHost: b.projectHost,
    reason,
  };
}

function reasonLine(reasons: readonly Reason[]): string {
  const lines: string[] = [];
  for (const r of reasons) {
    const line = describeReason(r);
    if (!lines.includes(line)) lines.push(line);
  }
  const joined = lines.join('; ');
  let clean = reasonLines.get(joined);
  if (clean === undefined) {
    clean = cleanText(joined, REASON_CHARS);
    if (reasonLines.size >= REASON_LINES_MAX) reasonLines.clear();
    reasonLines.set(joined, clean);
  }
  return clean;
}

// The same few reason lines repeat across thousands of recipients ("Agents (“tool use”)"): each is cleaned once.
// A pure memo of cleanText, bounded.
const reasonLines = new Map<string, string>();
const REASON_LINES_MAX = 10_000;
