// "What your digest has learned", pure: the reader's 👍 / 👎 / saved papers and the top learned terms as the
// preferences page lists them (each removable), and the seeds still waiting to be seen in a listing.
import { DateTime } from 'luxon';
import type { ExcludeSuggestion, KeywordSuggestion } from '../relevance/suggest.js';
import type { PreviewDay, ReaderPaper, ReaderProfile } from './page-kit.js';
import type { FollowCheck } from '../papers/follow-check.js';
import { normalizeName } from '../papers/topics.js';

/** Terms shown (the store may keep more). */
export const TERMS_SHOWN = 12;

function paperRow(r: ReaderPaper, zone: string) {
  return {
    id: r.id,
    title: r.title ?? `arXiv ${r.id}`,
    url: `https://huggingface.co/papers/${encodeURIComponent(r.id)}`,
    seed: r.source === 'seed',
    when: DateTime.fromISO(r.at, { zone }).setLocale('en-US').toFormat('d LLL yyyy'),
  };
}

export function learnedView(profile: Omit<ReaderProfile, 'dismissed'>, seeds: readonly string[], zone: string) {
  // Seeds not seen in a listing yet come back as liked papers without a mark time: listed apart, by id.
  const waiting = (r: ReaderPaper) => r.source === 'seed' && !r.at;
  const liked = profile.liked.filter((r) => !waiting(r)).map((r) => paperRow(r, zone));
  const known = new Set(profile.liked.filter((r) => !waiting(r)).map((r) => r.id));
  const terms = profile.terms
    .filter((t) => t.weight > 0)
    .slice(0, TERMS_SHOWN)
    .map((t) => ({ term: t.term, weight: t.weight.toFixed(2) }));
  return {
    liked,
    disliked: profile.disliked.map((r) => paperRow(r, zone)),
    saved: profile.saved.map((r) => paperRow(r, zone)),
    terms,
    /** Seeds not yet among the liked papers: kept by id until a listing shows them. */
    pendingSeeds: [...new Set([...profile.liked.filter(waiting).map((r) => r.id), ...seeds.filter((id) => !known.has(id))])],
    empty: liked.length === 0 && profile.disliked.length === 0 && profile.saved.length === 0 && terms.length === 0,
  };
}

/**
 * Preview days, newest first, with a count and whether any day brought nothing. With `keyword` (a suggested
 * keyword's preview), the papers absent from its `before` preview are marked as brought by it.
 */
export function previewView(days: readonly PreviewDay[], keyword?: { keyword: string; before: readonly PreviewDay[] }) {
  const total = days.reduce((n, d) => n + d.papers.length, 0);
  const had = new Set(keyword?.before.flatMap((d) => d.papers.map((p) => p.id)) ?? []);
  const brought = (id: string) => keyword !== undefined && !had.has(id);
  return {
    total,
    keyword: keyword?.keyword ?? null,
    broughtTotal: keyword ? days.reduce((n, d) => n + d.papers.filter((p) => brought(p.id)).length, 0) : 0,
    days: [...days]
      .sort((a, b) => (a.day < b.day ? 1 : -1))
      .map((d) => ({
        ...d,
        papers: d.papers.map((p) => ({ ...p, brought: brought(p.id) })),
        label: DateTime.fromISO(d.day).setLocale('en-US').toFormat('cccc d LLLL'),
        count: d.papers.length,
      })),
  };
}

const plural = (n: number, one: string, many: string) => `${n} ${n === 1 ? one : many}`;

/**
 * Keyword suggestions with their evidence in words: the liked and disliked titles with the word, and the week's
 * papers outside the reader's filters that mention it.
 */
export function suggestionsView(suggestions: readonly KeywordSuggestion[]) {
  return suggestions.map((s) => ({
    keyword: s.keyword,
    evidence:
      `In the titles of ${plural(s.liked, 'paper', 'papers')} you liked` +
      (s.disliked ? ` and ${s.disliked} you disliked` : ', none you disliked') +
      `. In the last 7 listed days, ${plural(s.added, 'paper mentions', 'papers mention')} it and ${s.added === 1 ? 'matches' : 'match'} none of your topics or keywords.`,
    examples: s.examples,
  }));
}

/**
 * Exclude suggestions with their evidence in words: the disliked titles with the word, that no liked paper mentions
 * it, and the papers of the week it would have left out.
 */
export function excludeSuggestionsView(suggestions: readonly ExcludeSuggestion[]) {
  return suggestions.map((s) => ({
    keyword: s.keyword,
    evidence:
      `In the titles of ${plural(s.disliked, 'paper', 'papers')} you disliked, and in none of the papers you liked. ` +
      `In the last 7 listed days, it would have left out ${plural(s.hides, 'paper', 'papers')} that your settings bring:`,
    hidden: s.hidden,
    more: s.hides > s.hidden.length ? s.hides - s.hidden.length : 0,
  }));
}

/**
 * Follows no recent paper answers to, in words, with the names Hugging Face uses, each a one-click replacement
 * (`form` ids for the small forms outside the preferences form that carry it; `list` says which list it edits).
 */
export function followCheckView(check: FollowCheck) {
  return {
    orgs: check.orgs.map((u, i) => ({
      followed: u.followed,
      text:
        `No recent paper came from “${u.followed}” under that name.` +
        (u.nearby.length ? ' Close names on Hugging Face:' : ' Check the name a paper of theirs shows on Hugging Face.'),
      nearby: u.nearby.map((o, j) => ({
        form: `follow-fix-org-${i}-${j}`,
        list: 'orgs',
        name: o.name,
        label: `${o.fullname}${normalizeName(o.fullname) === normalizeName(o.name) ? '' : ` (${o.name})`}, ${plural(o.papers, 'paper', 'papers')}`,
        shown: o.fullname,
      })),
    })),
    authors: check.authors.map((u, i) => ({
      followed: u.followed,
      text: `No recent paper lists “${u.followed}” among its authors. Close names on Hugging Face:`,
      nearby: u.nearby.map((a, j) => ({ form: `follow-fix-author-${i}-${j}`, list: 'authors', name: a.name, label: `${a.name}, ${plural(a.papers, 'paper', 'papers')}`, shown: a.name })),
    })),
  };
}
