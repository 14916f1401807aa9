// Keywords to suggest to a reader, pure: words their 👍 keep sharing that their own topics and keywords do not
// cover ("GUI", "document", "OCR" for a reader who ticked Multimodal + Vision but reads document AI).
// - Why suggest rather than widen the digest by itself: papers outside a reader's filters are rarely wanted (under
//   1 % in the relevance evaluation, eval/README.md), and a word a reader's likes share is usually a word of their
//   topics, which papers elsewhere use for other things. The reader can tell which of these words names what they
//   want; the digest cannot. Accepted, a suggestion is an ordinary include keyword (shown, editable, removable).
// - Evidence, all of it visible on the preferences page: a term the personal model weighs positively (model.ts),
//   in the titles of at least MIN_LIKED papers the reader liked, and in the titles of few they disliked.
// - Shown in the words of those titles: "GUI" as written, "document" rather than the stem or the plural.
// - Never suggested: a term a chosen topic or an include keyword already matches, a term an exclude keyword
//   matches, a term the reader declined ("Not for me").
// The mirror, suggestExcludes: words their 👎 keep sharing, in no paper they liked, that still bring papers into
// the digest ("audio", "VLA" for the same reader). Accepted, one is an ordinary exclude keyword. Excludes beat
// everything, follows too, so the evidence is stricter: the word is in no liked paper at all (title, abstract,
// Hugging Face keywords and summary), and the reader has liked enough papers for that to mean something.
import { isSourceTerm, tokens, type Token } from './terms.js';
import { matchPaper, mentions, topicHit, type MatchablePaper } from '../papers/topics.js';

/** Liked titles a term must occur in. */
export const MIN_LIKED = 3;
/** Share of the marked titles with the term that must be liked. */
export const MIN_LIKED_SHARE = 0.7;
/** Suggestions shown at once. */
export const SUGGESTIONS_SHOWN = 5;
/**
 * Largest share of the last 7 listed days' papers that may mention a suggestion: a word in more than one paper in
 * twenty ("policy", "reward", "vision", "sampling") is too common to name what a reader wants; "GUI", "OCR",
 * "document", "entropy" are in 1–4 %.
 */
export const MAX_SHARE = 0.05;
/**
 * Learned terms (strongest first, either sign) a keyword suggestion may come from. Deeper in the list the liked
 * words grow vague ("survey", "interactive", "adaptation" in the evaluation); the disliked words sit deeper (a
 * model trained on many 👎 spreads their weight thinner), so exclusions look through the whole profile (100).
 */
export const KEYWORD_TERMS = 40;
/** Disliked titles a word must occur in to be suggested as an exclude keyword. */
export const MIN_DISLIKED = 3;
/** Liked papers a reader needs before an exclude is suggested ("in none you liked" means little with three). */
export const MIN_LIKES_FOR_EXCLUDES = 10;
/** Longest keyword suggested (characters). */
const KEYWORD_MAX = 40;

export interface SuggestInput {
  /** Learned terms, strongest first (model.ts topTerms): only positive ones are considered. */
  terms: readonly { term: string; weight: number }[];
  likedTitles: readonly string[];
  dislikedTitles: readonly string[];
  topics: readonly string[];
  includeKeywords: readonly string[];
  excludeKeywords: readonly string[];
  followAuthors?: readonly string[];
  followOrgs?: readonly string[];
  /** Keywords the reader declined, lowercased. */
  dismissed: ReadonlySet<string>;
  /** The papers of the last 7 listed days: which of them mention a suggestion outside the reader's filters. */
  recent: readonly MatchablePaper[];
}

export interface KeywordSuggestion {
  keyword: string;
  /** Titles of liked / disliked papers it occurs in. */
  liked: number;
  disliked: number;
  /** Up to two liked titles that contain it (the evidence, on the page). */
  examples: string[];
  /** Papers of the last 7 listed days that mention it and that the reader's filters do not reach. */
  added: number;
}

/** Where the stems of `term` occur in a title: the words as written at each occurrence. */
function occurrences(title: readonly (Token | null)[], stems: readonly string[]): Token[][] {
  const out: Token[][] = [];
  for (let i = 0; i + stems.length <= title.length; i++) {
    const run: Token[] = [];
    for (let k = 0; k < stems.length; k++) {
      const t = title[i + k];
      if (!t || t.stem !== stems[k]) break;
      run.push(t);
    }
    if (run.length === stems.length) out.push(run);
  }
  return out;
}

/** A word as a keyword: acronyms as written ("GUI", "OCR"; "GUIs" → "GUI"), other words in lower case. */
function keywordWord(raw: string): string {
  const acronym = /^(\p{Lu}[\p{Lu}\p{N}]+)s?$/u.exec(raw);
  return acronym ? acronym[1]! : raw.toLowerCase();
}

/**
 * The form to suggest: the singular where the titles use one (a keyword's last word matches its plural too,
 * papers/phrase.ts), else the most frequent form.
 */
function surfaceForm(runs: readonly Token[][]): string {
  const counts = new Map<string, number>();
  for (const run of runs) {
    const form = run.map((t) => keywordWord(t.raw)).join(' ');
    counts.set(form, (counts.get(form) ?? 0) + 1);
  }
  const ranked = [...counts].sort((a, b) => b[1] - a[1] || a[0].length - b[0].length);
  const singular = ranked.find(([form]) => {
    const last = form.split(' ').at(-1)!;
    return last.toLowerCase() === runs[0]!.at(-1)!.stem;
  });
  return (singular ?? ranked[0]!)[0];
}

export const asPaper = (text: string): MatchablePaper => ({ title: text, summary: '', keywords: [], aiSummary: null });

/** Whether the reader's filters already reach papers with this word in the title, or send them away. */
function covered(keyword: string, input: Pick<SuggestInput, 'topics' | 'includeKeywords' | 'excludeKeywords'>): boolean {
  const paper = asPaper(keyword);
  if (input.topics.some((id) => topicHit(paper, id) !== null)) return true;
  for (const k of input.includeKeywords) if (mentions(paper, k) || mentions(asPaper(k), keyword)) return true;
  return input.excludeKeywords.some((k) => mentions(paper, k) || mentions(asPaper(k), keyword));
}

/** The titles a learned term occurs in: how many, the words as written there, and the first two titles. */
function inTitles(titles: readonly { title: string; tokens: (Token | null)[] }[], stems: readonly string[]) {
  const runs: Token[][] = [];
  const examples: string[] = [];
  let count = 0;
  for (const t of titles) {
    const found = occurrences(t.tokens, stems);
    if (found.length === 0) continue;
    count++;
    runs.push(...found);
    if (examples.length < 2) examples.push(t.title);
  }
  return { count, runs, examples };
}

/** The reader's filters, as papers/topics.ts matchPaper takes them. */
function filtersOf(input: Pick<SuggestInput, 'topics' | 'includeKeywords' | 'excludeKeywords' | 'followAuthors' | 'followOrgs'>) {
  return {
    topics: input.topics,
    includeKeywords: input.includeKeywords,
    excludeKeywords: input.excludeKeywords,
    followAuthors: input.followAuthors ?? [],
    followOrgs: input.followOrgs ?? [],
  };
}

export function suggestKeywords(input: SuggestInput, n = SUGGESTIONS_SHOWN): KeywordSuggestion[] {
  const prefs = filtersOf(input);
  // Papers the reader's filters leave out today (and no exclude keyword sends away): what a keyword could add.
  const outside = input.recent.filter((p) => {
    const m = matchPaper(p, prefs);
    return !m.included && m.excludedBy === undefined;
  });
  const liked = input.likedTitles.map((t) => ({ title: t, tokens: tokens(t) }));
  const disliked = input.dislikedTitles.map((t) => tokens(t));
  const out: KeywordSuggestion[] = [];
  const usedStems = new Set<string>();
  for (const { term, weight } of input.terms.slice(0, KEYWORD_TERMS)) {
    if (out.length >= n) break;
    if (weight <= 0 || isSourceTerm(term)) continue;
    const stems = term.split(' ');
    if (stems.some((s) => usedStems.has(s))) continue;
    const { count: likedCount, runs, examples } = inTitles(liked, stems);
    if (likedCount < MIN_LIKED) continue;
    const dislikedCount = disliked.filter((d) => occurrences(d, stems).length > 0).length;
    if (likedCount / (likedCount + dislikedCount) < MIN_LIKED_SHARE) continue;
    const keyword = surfaceForm(runs);
    if (keyword.length > KEYWORD_MAX || input.dismissed.has(keyword.toLowerCase()) || covered(keyword, input)) continue;
    const added = outside.filter((p) => mentions(p, keyword)).length;
    if (added === 0 || input.recent.filter((p) => mentions(p, keyword)).length > MAX_SHARE * input.recent.length) continue;
    for (const s of stems) usedStems.add(s);
    out.push({ keyword, liked: likedCount, disliked: dislikedCount, examples, added });
  }
  return out;
}

export interface ExcludeInput extends Omit<SuggestInput, 'likedTitles' | 'dislikedTitles'> {
  /**
   * The papers the reader liked and disliked: whole papers where they are still stored, else the title alone
   * (asPaper; an exclude keyword is matched against title, abstract, keywords and summary, so that is what is checked).
   */
  liked: readonly MatchablePaper[];
  disliked: readonly MatchablePaper[];
}

export interface ExcludeSuggestion {
  keyword: string;
  /** Titles of disliked papers it occurs in (no liked paper mentions it anywhere). */
  disliked: number;
  /** Up to two of those titles. */
  examples: string[];
  /** Papers of the last 7 listed days that the reader's filters bring and this word would leave out. */
  hides: number;
  /** Up to three of their titles. */
  hidden: string[];
}

/** Exclude keywords to suggest: words the 👎 share in their titles and no 👍 mentions anywhere (see the top). */
export function suggestExcludes(input: ExcludeInput, n = SUGGESTIONS_SHOWN): ExcludeSuggestion[] {
  if (input.liked.length < MIN_LIKES_FOR_EXCLUDES) return [];
  const prefs = filtersOf(input);
  // What the reader's filters bring today: what an exclude keyword could take away.
  const brought = input.recent.filter((p) => matchPaper(p, prefs).included);
  const disliked = input.disliked.map((p) => ({ title: p.title, tokens: tokens(p.title) }));
  const out: ExcludeSuggestion[] = [];
  const usedStems = new Set<string>();
  for (const { term, weight } of input.terms) {
    if (out.length >= n) break;
    if (weight >= 0 || isSourceTerm(term)) continue;
    const stems = term.split(' ');
    if (stems.some((s) => usedStems.has(s))) continue;
    const { count, runs, examples } = inTitles(disliked, stems);
    if (count < MIN_DISLIKED) continue;
    const keyword = surfaceForm(runs);
    if (keyword.length > KEYWORD_MAX || input.dismissed.has(keyword.toLowerCase()) || covered(keyword, input)) continue;
    // Anywhere in a liked paper: an exclude would have kept it away.
    if (input.liked.some((p) => mentions(p, keyword))) continue;
    const hidden = brought.filter((p) => mentions(p, keyword));
    if (hidden.length === 0 || input.recent.filter((p) => mentions(p, keyword)).length > MAX_SHARE * input.recent.length) continue;
    for (const s of stems) usedStems.add(s);
    out.push({ keyword, disliked: count, examples, hides: hidden.length, hidden: hidden.slice(0, 3).map((p) => p.title) });
  }
  return out;
}

/**
 * The one suggestion a digest mentions (a line above its footer, linking to the preferences page): the first
 * keyword to add, else the first to exclude. Kept with the reader's model when their feedback changes
 * (reader-store.ts setHint), so a send reads it with the model it already reads, and computes nothing.
 */
export interface SuggestionHint {
  kind: 'include' | 'exclude';
  keyword: string;
  /** Liked (include) or disliked (exclude) titles with the word. */
  titles: number;
}

export function hintOf(s: { keywords: readonly KeywordSuggestion[]; excludes: readonly ExcludeSuggestion[] }): SuggestionHint | null {
  const k = s.keywords[0];
  if (k) return { kind: 'include', keyword: k.keyword, titles: k.liked };
  const x = s.excludes[0];
  return x ? { kind: 'exclude', keyword: x.keyword, titles: x.disliked } : null;
}

/**
 * Whether a kept hint still stands at send time: the reader may have added the word, excluded it or declined it
 * since (a hint is refreshed only when feedback arrives).
 */
export function hintStands(hint: SuggestionHint, prefs: { includeKeywords: readonly string[]; excludeKeywords: readonly string[] }, dismissed: readonly string[] = []): boolean {
  const k = hint.keyword.toLowerCase();
  const has = (list: readonly string[]) => list.some((x) => x.toLowerCase() === k);
  return !has(prefs.includeKeywords) && !has(prefs.excludeKeywords) && !dismissed.includes(k);
}
