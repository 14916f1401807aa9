// Topic matching, pure: does a paper belong in a subscriber's digest, and why?
// Rules:
// - Interests are the chosen topics plus the include keywords. With no interests, every paper qualifies
//   (reason 'trending': the digest is the day's most upvoted papers). Otherwise a paper needs at least one hit.
// - Followed authors and organizations add papers on top of the interests (reasons 'author' / 'organization').
// - An exclude keyword anywhere in the paper wins over everything: the paper is out, `excludedBy` says which.
// - Matching is over title, summary, AI summary and keywords; catalog `titlePhrases` only over title + keywords.
// Speed: selection runs per subscriber × paper. Catalog regexes are compiled once per process (on first use);
// a paper's topic hits are memoized per paper object (WeakMap: papers are immutable values once normalized, and
// entries vanish with the objects); keyword regexes are cached by text (bounded).
import type { Reason } from './reason.js';
import type { Paper } from './paper.js';
import { compilePhrases, whichPhrase } from './phrase.js';
import { TOPIC_CATALOG, type Topic } from './topic-catalog.js';

export type { Topic };
export const TOPICS: readonly Topic[] = TOPIC_CATALOG;
export const TOPIC_IDS: ReadonlySet<string> = new Set(TOPIC_CATALOG.map((t) => t.id));

export function topicById(id: string): Topic | undefined {
  return TOPIC_CATALOG.find((t) => t.id === id);
}

export type MatchablePaper = Pick<Paper, 'title' | 'summary' | 'keywords' | 'aiSummary'> &
  Partial<Pick<Paper, 'authors' | 'organization'>>;

export interface MatchPrefs {
  topics: readonly string[];
  includeKeywords: readonly string[];
  excludeKeywords: readonly string[];
  followAuthors?: readonly string[];
  followOrgs?: readonly string[];
}

export interface MatchResult {
  included: boolean;
  /** The exclude keyword that removed the paper. */
  excludedBy?: string;
  reasons: Reason[];
}

interface CompiledTopic {
  topic: Topic;
  any: RegExp;
  title: RegExp | null;
}

let compiledCatalog: Map<string, CompiledTopic> | null = null;

function catalog(): Map<string, CompiledTopic> {
  if (!compiledCatalog) {
    compiledCatalog = new Map(
      TOPIC_CATALOG.map((topic) => [
        topic.id,
        { topic, any: compilePhrases(topic.phrases), title: topic.titlePhrases?.length ? compilePhrases(topic.titlePhrases) : null },
      ]),
    );
  }
  return compiledCatalog;
}

interface PaperText {
  all: string;
  titleAndKeywords: string;
  keywords: string;
  /** Hugging Face's one-sentence AI summary ('' when the paper has none). */
  aiSummary: string;
  abstract: string;
  topicHits: Map<string, string | null>; // topic id -> matched catalog phrase, null = no hit
  strengths: Map<string, FieldMatch | null>; // topic id or `kw:<phrase>` -> best field, null = no hit
}

export type MatchField = 'title' | 'summary' | 'keywords' | 'abstract';
export interface FieldMatch {
  field: MatchField;
  strength: number;
}

/**
 * Strength of a match by where it occurs. The AI summary is one sentence saying what the paper is about, so a phrase
 * there is nearly a title match; the abstract mentions much that a paper is not about, so it counts by how often.
 * (Summary 0.9 was chosen by eval:relevance over five date ranges and two reader sets: eval/README.md.)
 */
export const STRENGTH = { title: 1, summary: 0.9, keywords: 0.75, abstractMany: 0.5, abstractTwice: 0.35, abstractOnce: 0.15 } as const;

const paperTexts = new WeakMap<object, PaperText>();

function textOf(paper: MatchablePaper): PaperText {
  let t = paperTexts.get(paper);
  if (!t) {
    const keywords = (paper.keywords ?? []).join('\n');
    t = {
      all: [paper.title, paper.summary, paper.aiSummary ?? '', keywords].join('\n'),
      titleAndKeywords: `${paper.title}\n${keywords}`,
      keywords,
      aiSummary: paper.aiSummary ?? '',
      abstract: paper.summary,
      topicHits: new Map(),
      strengths: new Map(),
    };
    paperTexts.set(paper, t);
  }
  return t;
}

/** The catalog phrase by which `paper` falls in topic `id`, or null. Unknown ids never match. */
export function topicHit(paper: MatchablePaper, id: string): string | null {
  const text = textOf(paper);
  const memo = text.topicHits.get(id);
  if (memo !== undefined) return memo;
  const c = catalog().get(id);
  let phrase: string | null = null;
  if (c) {
    const m = c.any.exec(text.all);
    if (m) phrase = c.topic.phrases[whichPhrase(m)] ?? null;
    else if (c.title) {
      const mt = c.title.exec(text.titleAndKeywords);
      if (mt) phrase = c.topic.titlePhrases![whichPhrase(mt)] ?? null;
    }
  }
  text.topicHits.set(id, phrase);
  return phrase;
}

const globalRegexes = new WeakMap<RegExp, RegExp>();

function countIn(re: RegExp, text: string): number {
  let g = globalRegexes.get(re);
  if (!g) globalRegexes.set(re, (g = new RegExp(re.source, 'giu')));
  g.lastIndex = 0;
  let n = 0;
  while (g.exec(text) !== null && n < 3) n++;
  return n;
}

/** Where `re` matches the paper best: title, then AI summary, then keywords, then abstract (by how often). */
function fieldOf(text: PaperText, title: string, re: RegExp, titleOnly: RegExp | null): FieldMatch | null {
  if (re.test(title) || titleOnly?.test(title)) return { field: 'title', strength: STRENGTH.title };
  if (text.aiSummary && re.test(text.aiSummary)) return { field: 'summary', strength: STRENGTH.summary };
  if (text.keywords && (re.test(text.keywords) || titleOnly?.test(text.keywords))) return { field: 'keywords', strength: STRENGTH.keywords };
  const n = countIn(re, text.abstract);
  if (n === 0) return null;
  return { field: 'abstract', strength: n >= 3 ? STRENGTH.abstractMany : n === 2 ? STRENGTH.abstractTwice : STRENGTH.abstractOnce };
}

/** Where topic `id` (a catalog id) or keyword (`{keyword}`) occurs in the paper, and how strongly; null = nowhere. */
export function matchStrength(paper: MatchablePaper, what: string | { keyword: string }): FieldMatch | null {
  const text = textOf(paper);
  const key = typeof what === 'string' ? what : `kw:${what.keyword.toLowerCase()}`;
  const memo = text.strengths.get(key);
  if (memo !== undefined) return memo;
  let result: FieldMatch | null = null;
  if (typeof what === 'string') {
    const c = catalog().get(what);
    if (c) result = fieldOf(text, paper.title, c.any, c.title);
  } else {
    const re = keywordRegex(what.keyword);
    if (re) result = fieldOf(text, paper.title, re, null);
  }
  text.strengths.set(key, result);
  return result;
}

const KEYWORD_CACHE_MAX = 5_000;
const keywordRegexes = new Map<string, RegExp | null>();

function keywordRegex(keyword: string): RegExp | null {
  let re = keywordRegexes.get(keyword);
  if (re === undefined) {
    try {
      re = compilePhrases([keyword]);
    } catch {
      re = null; // a keyword with no words (validation refuses these; stored data may predate it)
    }
    if (keywordRegexes.size >= KEYWORD_CACHE_MAX) keywordRegexes.clear();
    keywordRegexes.set(keyword, re);
  }
  return re;
}

/** Whether a free-text phrase (subscriber keyword) occurs in the paper, by the same rules as catalog phrases. */
export function mentions(paper: MatchablePaper, phrase: string): boolean {
  const re = keywordRegex(phrase);
  return re !== null && re.test(textOf(paper).all);
}

/** Names compared without case, accents or extra spaces ("José  García" = "jose garcia"). */
export function normalizeName(name: string): string {
  return name.normalize('NFKD').replace(/\p{M}/gu, '').toLowerCase().replace(/\s+/g, ' ').trim();
}

/**
 * An author's name as follows compare it: normalizeName, with dots as spaces and without hyphens, so that
 * "Yuki M. Asano" is "Yuki M Asano" and "Fu-Yun Wang" is "Fuyun Wang" (both spellings occur on Hugging Face).
 */
export function authorKey(name: string): string {
  return normalizeName(name.replace(/\./g, ' ').replace(/[-\u2010\u2011]/g, ''));
}

/**
 * Whether following `followed` brings papers of `org`: its Hugging Face name or full name, or whole words of either
 * ("Meta" follows "AI at Meta" and "Meta Research", "Tencent" follows "Tencent Hunyuan", "ByteDance" follows
 * "ByteDance-Seed"). Names shorter than 3 letters must be the whole name ("AI" is a word of too many).
 */
export function followsOrg(followed: string, org: { name: string; fullname: string }): boolean {
  const f = normalizeName(followed);
  const o = orgText(org);
  if (f === o.name || f === o.fullname) return true;
  if (f.replace(/[^\p{L}\p{N}]/gu, '').length < 3) return false;
  const re = keywordRegex(f);
  return re !== null && re.test(o.words);
}

// Author keys memoized per list object: a paper's authors (papers are immutable values) and a subscriber's follows
// (the same array for every candidate of one selection). Unicode normalization of every author of every candidate
// for every subscriber was most of the time a selection spent on a reader with follows.
const authorKeyLists = new WeakMap<readonly string[], string[]>();
const followedKeySets = new WeakMap<readonly string[], ReadonlySet<string>>();

function authorKeysOf(authors: readonly string[]): string[] {
  let keys = authorKeyLists.get(authors);
  if (!keys) authorKeyLists.set(authors, (keys = authors.map(authorKey)));
  return keys;
}

function followedAuthorKeys(follows: readonly string[]): ReadonlySet<string> {
  let keys = followedKeySets.get(follows);
  if (!keys) followedKeySets.set(follows, (keys = new Set(follows.map(authorKey))));
  return keys;
}

const orgTexts = new WeakMap<object, { name: string; fullname: string; words: string }>();

/** An organization's names as follows compare them, memoized per organization object (papers are immutable). */
function orgText(org: { name: string; fullname: string }): { name: string; fullname: string; words: string } {
  let t = orgTexts.get(org);
  if (!t) {
    const fullname = normalizeName(org.fullname);
    t = { name: normalizeName(org.name), fullname, words: `${fullname}\n${normalizeName(org.name.replace(/[-_]+/g, ' '))}` };
    orgTexts.set(org, t);
  }
  return t;
}

export function matchPaper(paper: MatchablePaper, prefs: MatchPrefs): MatchResult {
  for (const k of prefs.excludeKeywords) {
    if (mentions(paper, k)) return { included: false, excludedBy: k, reasons: [] };
  }
  const reasons: Reason[] = [];
  const catalogMap = catalog();
  let interests = 0;
  for (const id of prefs.topics) {
    const c = catalogMap.get(id);
    if (!c) continue;
    interests++;
    const phrase = topicHit(paper, id);
    if (phrase === null) continue;
    const where = matchStrength(paper, id) ?? { field: 'abstract' as const, strength: STRENGTH.abstractOnce };
    reasons.push({ kind: 'topic', topicId: id, topicLabel: c.topic.label, phrase, field: where.field, strength: where.strength });
  }
  for (const k of prefs.includeKeywords) {
    interests++;
    if (!mentions(paper, k)) continue;
    const where = matchStrength(paper, { keyword: k }) ?? { field: 'abstract' as const, strength: STRENGTH.abstractOnce };
    reasons.push({ kind: 'keyword', phrase: k, field: where.field, strength: where.strength });
  }
  if (prefs.followAuthors?.length && paper.authors?.length) {
    const wanted = followedAuthorKeys(prefs.followAuthors);
    const keys = authorKeysOf(paper.authors);
    for (let i = 0; i < keys.length; i++) if (wanted.has(keys[i]!)) reasons.push({ kind: 'author', name: paper.authors[i]! });
  }
  if (prefs.followOrgs?.length && paper.organization) {
    const org = paper.organization;
    if (prefs.followOrgs.some((f) => followsOrg(f, org))) reasons.push({ kind: 'organization', name: org.fullname || org.name });
  }
  if (interests === 0 && reasons.length === 0) return { included: true, reasons: [{ kind: 'trending' }] };
  return { included: reasons.length > 0, reasons };
}
