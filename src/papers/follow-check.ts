// Follows that bring nothing, pure. An organization follow is matched by the name Hugging Face shows
// (topics.ts followsOrg), which is not always the name a person knows: "Google DeepMind" is `deepmind` (Deepmind),
// "Meta AI" is `facebook` (AI at Meta). A follow that matched no paper of the papers held says nothing; this says
// which follows did, and which organizations of those papers go by a name close to it.
// Authors are matched by their whole name. A followed author with no recent paper is usually just quiet, so an
// author follow is named only when a recent author goes by the same name written another way ("Lin Junyang",
// "Jun Yang Lin", "J. Lin"). Names one letter apart are not offered: among the archive's authors that is far more
// often another person ("Pan Zhang", "Fan Zhang") than a slip.
import type { Paper } from './paper.js';
import { authorKey, followsOrg, normalizeName } from './topics.js';

export interface OrgSeen {
  /** The Hugging Face name (`deepmind`). */
  name: string;
  /** The name it shows (`Deepmind`). */
  fullname: string;
  /** Papers of the given ones from it. */
  papers: number;
}

/** What the preferences page says of a reader's follows. */
export interface FollowCheck {
  orgs: UnmatchedFollow[];
  authors: UnmatchedAuthorFollow[];
}

export interface UnmatchedFollow {
  followed: string;
  /** Organizations whose names share a word with the follow, most papers first (at most 3). */
  nearby: OrgSeen[];
}

/** The organizations of some papers, with how many each has, most first. */
export function orgsOf(papers: readonly Pick<Paper, 'organization'>[]): OrgSeen[] {
  const seen = new Map<string, OrgSeen>();
  for (const p of papers) {
    const o = p.organization;
    if (!o) continue;
    const key = normalizeName(o.name);
    const hit = seen.get(key);
    if (hit) hit.papers++;
    else seen.set(key, { name: o.name, fullname: o.fullname, papers: 1 });
  }
  return [...seen.values()].sort((a, b) => b.papers - a.papers || a.name.localeCompare(b.name));
}

// Words too common in organization names to say two names are close.
const GENERIC = new Set(['the', 'and', 'for', 'lab', 'labs', 'team', 'group', 'research', 'university', 'institute', 'inc', 'ltd', 'college', 'school', 'academy', 'center', 'centre', 'technology', 'sciences', 'science', 'national', 'artificial', 'intelligence', 'ai']);

function wordsOf(name: string): string[] {
  return normalizeName(name.replace(/[-_]+/g, ' ')).split(/[^\p{L}\p{N}]+/u).filter((w) => w.length >= 3 && !GENERIC.has(w));
}

/**
 * The followed organizations that no given organization answers to, each with the organizations whose name or
 * shown name shares a distinctive word with it, or is a whole word of it ("Deepmind" for "Google DeepMind").
 */
export function unmatchedOrgFollows(followOrgs: readonly string[], orgs: readonly OrgSeen[]): UnmatchedFollow[] {
  const out: UnmatchedFollow[] = [];
  for (const followed of followOrgs) {
    if (orgs.some((o) => followsOrg(followed, o))) continue;
    const words = new Set(wordsOf(followed));
    const nearby = orgs.filter((o) => [...wordsOf(o.name), ...wordsOf(o.fullname)].some((w) => words.has(w))).slice(0, 3);
    out.push({ followed, nearby });
  }
  return out;
}

export interface AuthorSeen {
  /** The name as papers write it. */
  name: string;
  /** Papers of the given ones that list it. */
  papers: number;
}

export interface UnmatchedAuthorFollow {
  followed: string;
  /** Recent authors whose name is close to the follow, most papers first (at most 3, never empty). */
  nearby: AuthorSeen[];
}

/** The authors of some papers, with how many papers list each, most first. */
export function authorsOf(papers: readonly Pick<Paper, 'authors'>[]): AuthorSeen[] {
  const seen = new Map<string, AuthorSeen>();
  for (const p of papers) {
    for (const name of new Set(p.authors ?? [])) {
      const key = authorKey(name);
      if (!key) continue;
      const hit = seen.get(key);
      if (hit) hit.papers++;
      else seen.set(key, { name, papers: 1 });
    }
  }
  return [...seen.values()].sort((a, b) => b.papers - a.papers || a.name.localeCompare(b.name));
}

/** A name's words, letters only ("Jun-Yang  Lin" → ["jun", "yang", "lin"]; "J. Lin" → ["j", "lin"]). */
const nameWords = (name: string) => normalizeName(name).split(/[^\p{L}\p{N}]+/u).filter(Boolean);

/** Recent authors, indexed by the other ways their names are written; built once per set of papers. */
export interface AuthorDirectory {
  /** Names as matching compares them (topics.ts authorKey). */
  known: ReadonlySet<string>;
  /** Letters only ("junyanglin"): the same name with other hyphens or spaces. */
  byLetters: ReadonlyMap<string, number[]>;
  /** Words in order of the alphabet ("junyang lin"): the same name in another order. */
  byWords: ReadonlyMap<string, number[]>;
  /** First or last word → the author and the word at the other end: an initial and a family name. */
  byEnd: ReadonlyMap<string, { i: number; other: string }[]>;
  authors: readonly AuthorSeen[];
}

function push<V>(m: Map<string, V[]>, k: string, v: V) {
  const list = m.get(k);
  if (list) list.push(v);
  else m.set(k, [v]);
}

export function authorDirectory(authors: readonly AuthorSeen[]): AuthorDirectory {
  const known = new Set<string>();
  const byLetters = new Map<string, number[]>();
  const byWords = new Map<string, number[]>();
  const byEnd = new Map<string, { i: number; other: string }[]>();
  authors.forEach((a, i) => {
    known.add(authorKey(a.name));
    const words = nameWords(a.name);
    if (!words.length) return;
    push(byLetters, words.join(''), i);
    push(byWords, [...words].sort().join(' '), i);
    if (words.length >= 2) {
      push(byEnd, words.at(-1)!, { i, other: words[0]! });
      push(byEnd, words[0]!, { i, other: words.at(-1)! });
    }
  });
  return { known, byLetters, byWords, byEnd, authors };
}

/** Recent authors who could be who the reader meant by `followed`, most papers first. */
function closeNames(followed: string, d: AuthorDirectory): AuthorSeen[] {
  const words = nameWords(followed);
  const found = new Set<number>();
  const add = (list: readonly number[] | undefined) => list?.forEach((i) => found.add(i));
  add(d.byLetters.get(words.join(''))); // "Jun Yang Lin" for "Junyang Lin"
  if (words.length > 1) add(d.byWords.get([...words].sort().join(' '))); // "Lin Junyang"
  // "J. Lin", "Lin, J.": an initial and a family name that an author has at one end of their name.
  if (words.length === 2) {
    const [x, y] = words as [string, string];
    const [initial, family] = x.length === 1 ? [x, y] : y.length === 1 ? [y, x] : [null, null];
    if (initial && family.length > 1) for (const e of d.byEnd.get(family) ?? []) if (e.other.length > 1 && e.other.startsWith(initial)) found.add(e.i);
  }
  return [...found].sort((a, b) => a - b).map((i) => d.authors[i]!);
}

/**
 * The followed authors no given paper lists, that some recent author's name is close to, each with those
 * authors (a followed author with no close name is left out: most likely they published nothing lately).
 */
export function unmatchedAuthorFollows(followAuthors: readonly string[], d: AuthorDirectory): UnmatchedAuthorFollow[] {
  const out: UnmatchedAuthorFollow[] = [];
  for (const followed of followAuthors) {
    if (d.known.has(authorKey(followed))) continue;
    const nearby = closeNames(followed, d).slice(0, 3);
    if (nearby.length) out.push({ followed, nearby });
  }
  return out;
}
