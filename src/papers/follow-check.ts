// Followed organizations that bring nothing, pure. A follow is matched by the name Hugging Face shows
// (topics.ts followsOrg), which is not always the name a person knows: "Google DeepMind" is `deepmind` (Deepmind),
// "Meta AI" is `facebook` (AI at Meta). A follow that matched no paper of the papers held says nothing; this says
// which follows did, and which organizations of those papers go by a name close to it.
import type { Paper } from './paper.js';
import { followsOrg, normalizeName } from './topics.js';

export interface OrgSeen {
  /** The Hugging Face name (`deepmind`). */
  name: string;
  /** The name it shows (`Deepmind`). */
  fullname: string;
  /** Papers of the given ones from it. */
  papers: number;
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
