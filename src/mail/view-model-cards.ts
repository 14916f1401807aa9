// The paper cards of a digest, pure: cleaned text and safe links per paper, computed once per paper and shared
// (frozen) between recipients — see the memo below. view-model.ts re-exports what others use.
import { describeReason } from '../digest/reason.js';
import type { SelectedPaper } from '../digest/select.js';
import type { Paper } from '../papers/paper.js';
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

/** Summary length in the email before any budget trimming (characters). */
export const SUMMARY_CHARS = 420;
const TITLE_CHARS = 240;
const AUTHOR_CHARS = 60;
const REASON_CHARS = 300;

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
  base: Omit<DigestPaperView, 'rank' | 'numberPadded' | 'summary' | 'reason'>;
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
      numberPadded: String(rank).padStart(2, ' '),
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
  const reasons = [...new Set(sel.reasons.map(describeReason))].join('; ');
  let reason = reasonMemo.get(reasons);
  if (reason === undefined) {
    reason = cleanText(reasons, REASON_CHARS);
    if (reasonMemo.size >= REASON_MEMO_MAX) reasonMemo.clear();
    reasonMemo.set(reasons, reason);
  }
  return variant(memoOf(sel.paper), rank, summaryChars, reason);
}
// Reason lines repeat across recipients (same topics, same phrases): cleaned once per distinct text. Bounded.
const reasonMemo = new Map<string, string>();
const REASON_MEMO_MAX = 10_000;

/** The same card with its summary cut to `summaryChars` (the shared frozen variant when `p` came from paperView). */
export function withSummary(p: DigestPaperView, summaryChars: number): DigestPaperView {
  const memo = viewMemo.get(p);
  if (memo) return variant(memo, p.rank, summaryChars, p.reason);
  return { ...p, summary: truncate(p.summaryFull, summaryChars) };
}
