// Raw Hugging Face listing entry → normalized Paper (pure). Both sources (page data-props and the JSON API)
// carry the same entry shape: `{paper: {id, title, authors, upvotes, …}, numComments, thumbnail, …}`; a flat
// `{id, title, …}` paper object (other HF endpoints, card fallback) is accepted too. Only id and title are
// required: a record without them is rejected with a reason (counted by the caller), never fatal for the page.
import { paperSchema, type Paper } from './paper.js';
import { cleanOptional, cleanText, cleanUrl, parseCount } from './text.js';

/** Public links in a Paper always point at the real site, whatever base URL the scraper fetched from. */
export const HF_PUBLIC_URL = 'https://huggingface.co';

export interface NormalizeContext {
  /** The listing's own day (page dateString/date), if known. */
  pageDay?: string | null;
  /** The day that was asked for, if any. */
  requestedDay?: string | null;
  /** Last resort for listedOn (the caller's "today"). */
  fallbackDay: string;
}

export type NormalizeResult = { ok: true; paper: Paper } | { ok: false; reason: string; id?: string };

const DAY = /^\d{4}-\d{2}-\d{2}$/;
// Generous caps: real titles are < 300 characters and abstracts < 3,000; anything far beyond is junk or abuse
// and would bloat every digest it lands in.
// Authors are all kept (real papers have 500+, collaborations thousands), bounded by the bytes of their names.
const MAX = { title: 500, summary: 10_000, aiSummary: 2_000, authorBytes: 64 * 1024, name: 200, keywords: 50, keyword: 200 };
const cap = (s: string, n: number) => (s.length > n ? `${s.slice(0, n - 1).trimEnd()}…` : s);
// New-style arXiv ids (YYMM.NNNNN) with an optional version suffix; HF also shows a few non-arXiv ids
// made of word characters, dots and dashes (kept as they are, no version stripping).
const ARXIV = /^(\d{4}\.\d{4,5})(?:v\d+)?$/;
const OTHER_ID = /^[\w.-]{1,64}$/;

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Strip an `arXiv:` prefix and a version suffix: "2609.31620v2" → "2609.31620". Null when not an id at all. */
export function normalizeId(raw: unknown): string | null {
  const s = cleanText(raw).replace(/^arxiv:/i, '');
  const m = ARXIV.exec(s);
  if (m) return m[1]!;
  return OTHER_ID.test(s) && !/^v?\d+$/.test(s) ? s : null;
}

/** YYYY-MM-DD from an ISO date or instant (the UTC calendar day), else null. */
export function dayOf(raw: unknown): string | null {
  if (typeof raw !== 'string') return null;
  const s = raw.trim();
  if (DAY.test(s)) return s;
  if (/^\d{4}-\d{2}-\d{2}T/.test(s)) {
    const d = new Date(s);
    return Number.isNaN(d.getTime()) ? s.slice(0, 10) : d.toISOString().slice(0, 10);
  }
  return null;
}

function isoInstant(raw: unknown): string | null {
  if (typeof raw !== 'string' || raw.trim() === '') return null;
  const d = new Date(raw.trim());
  return Number.isNaN(d.getTime()) ? null : d.toISOString();
}

/**
 * Every author, in order. `hidden: true` is kept: on Hugging Face it hides the author's profile, not their name on
 * the paper (HF shows it), and a reader following them must match. The guard is on the total bytes of the names
 * (64 KiB: a 3,000-author collaboration fits), not on a count; a list past it is cut there.
 */
function authorNames(raw: unknown): string[] {
  if (!Array.isArray(raw)) return [];
  const out: string[] = [];
  let bytes = 0;
  for (const a of raw) {
    const name = cap(cleanText(isObj(a) ? (a.name ?? (isObj(a.user) ? a.user.fullname : undefined)) : a), MAX.name);
    if (!name) continue;
    bytes += Buffer.byteLength(name, 'utf8');
    if (bytes > MAX.authorBytes) break;
    out.push(name);
  }
  return out;
}

function organization(...candidates: unknown[]): Paper['organization'] {
  for (const o of candidates) {
    if (!isObj(o)) continue;
    const name = cleanText(o.name);
    if (!name) continue;
    return { name, fullname: cleanText(o.fullname) || name };
  }
  return null;
}

function keywords(raw: unknown): string[] {
  if (!Array.isArray(raw)) return [];
  const seen = new Set<string>();
  for (const k of raw) {
    const s = cleanText(k);
    if (s && s.length <= MAX.keyword) seen.add(s);
    if (seen.size >= MAX.keywords) break;
  }
  return [...seen];
}

export function normalizeEntry(entry: unknown, ctx: NormalizeContext): NormalizeResult {
  if (!isObj(entry)) return { ok: false, reason: 'entry is not an object' };
  const p: Obj = isObj(entry.paper) ? entry.paper : entry;
  const id = normalizeId(p.id ?? entry.id);
  if (!id) return { ok: false, reason: 'missing or malformed paper id' };
  const title = cap(cleanText(p.title ?? entry.title), MAX.title);
  if (!title) return { ok: false, reason: 'missing title', id };
  const listedOn =
    dayOf(p.submittedOnDailyAt) ?? dayOf(entry.submittedOnDailyAt) ?? (ctx.pageDay && DAY.test(ctx.pageDay) ? ctx.pageDay : null) ??
    (ctx.requestedDay && DAY.test(ctx.requestedDay) ? ctx.requestedDay : null) ?? ctx.fallbackDay;
  const stars = parseCount(p.githubStars);
  const candidate: Paper = {
    id,
    title,
    summary: cap(cleanText(p.summary ?? entry.summary), MAX.summary),
    authors: authorNames(p.authors ?? entry.authors),
    publishedAt: isoInstant(p.publishedAt),
    listedOn,
    upvotes: parseCount(p.upvotes ?? entry.upvotes) ?? 0,
    comments: parseCount(entry.numComments ?? p.numComments ?? entry.comments) ?? 0,
    url: `${HF_PUBLIC_URL}/papers/${id}`,
    arxivUrl: `https://arxiv.org/abs/${id}`,
    githubRepo: cleanUrl(p.githubRepo),
    githubStars: stars,
    projectPage: cleanUrl(p.projectPage),
    organization: organization(p.organization, entry.organization),
    thumbnail: cleanUrl(entry.thumbnail ?? p.thumbnail, HF_PUBLIC_URL),
    keywords: keywords(p.ai_keywords ?? entry.ai_keywords),
    aiSummary: ((v) => (v ? cap(v, MAX.aiSummary) : null))(cleanOptional(p.ai_summary ?? entry.ai_summary)),
  };
  const checked = paperSchema.safeParse(candidate);
  if (!checked.success) {
    return { ok: false, reason: `invalid paper: ${checked.error.issues.map((i) => `${i.path.join('.')} ${i.message}`).join('; ')}`, id };
  }
  return { ok: true, paper: checked.data };
}

export interface NormalizedList {
  papers: Paper[];
  rejected: { index: number; id?: string; reason: string }[];
}

/** Normalize a list in source order; duplicates (same id twice) keep the first occurrence. */
export function normalizeEntries(entries: unknown[], ctx: NormalizeContext): NormalizedList {
  const papers: Paper[] = [];
  const rejected: NormalizedList['rejected'] = [];
  const seen = new Set<string>();
  entries.forEach((e, index) => {
    const r = normalizeEntry(e, ctx);
    if (!r.ok) {
      rejected.push({ index, reason: r.reason, ...(r.id ? { id: r.id } : {}) });
      return;
    }
    if (seen.has(r.paper.id)) {
      rejected.push({ index, id: r.paper.id, reason: 'duplicate id' });
      return;
    }
    seen.add(r.paper.id);
    papers.push(r.paper);
  });
  return { papers, rejected };
}
