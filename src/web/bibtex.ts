// BibTeX for a reading list (pure): one @misc entry per paper with the fields arXiv's own export uses —
// title, author, year, eprint, archivePrefix = arXiv, primaryClass when known, url. Scraped text is escaped so a
// title can never close an entry or inject a field: braces are balanced or escaped, TeX specials escaped.
import type { Paper } from '../papers/paper.js';

export interface BibPaper {
  id: string;
  /** null when the paper is known by id only (a seed not yet seen in a listing). */
  paper: Pick<Paper, 'title' | 'authors' | 'publishedAt' | 'listedOn'> | null;
  /** A title known without the paper (the reader store keeps one). */
  title?: string | null;
  primaryClass?: string | null;
}

const SPECIALS: Record<string, string> = {
  '\\': '\\textbackslash{}',
  '{': '\\{',
  '}': '\\}',
  '&': '\\&',
  '%': '\\%',
  $: '\\$',
  '#': '\\#',
  _: '\\_',
  '~': '\\textasciitilde{}',
  '^': '\\textasciicircum{}',
};

/** Text as a BibTeX field value: one line, TeX specials escaped (so braces always balance). */
export function bibText(s: string): string {
  // eslint-disable-next-line no-control-regex
  return s.replace(/[\u0000-\u001f\u007f]+/g, ' ').replace(/\s+/g, ' ').trim().replace(/[\\{}&%$#_~^]/g, (c) => SPECIALS[c]!);
}

/** The year of an arXiv id (2509.01234 → 2025), for papers known by id only. */
function yearOfId(id: string): string | null {
  const m = /^(\d{2})(\d{2})\.\d{4,5}$/.exec(id);
  return m ? `20${m[1]}` : null;
}

/** A citation key: the arXiv id, or the id with anything outside [A-Za-z0-9.:_-] dropped. */
function keyOf(id: string): string {
  return id.replace(/[^A-Za-z0-9.:_-]/g, '') || 'paper';
}

export function bibEntry(b: BibPaper): string {
  const title = b.paper?.title ?? b.title ?? null;
  const year = (b.paper?.publishedAt ?? '').slice(0, 4).match(/^\d{4}$/)?.[0] ?? yearOfId(b.id) ?? b.paper?.listedOn.slice(0, 4) ?? null;
  const fields: [string, string][] = [];
  // Double braces keep the title's capitalization (acronyms, model names) in every bibliography style.
  if (title) fields.push(['title', `{${bibText(title)}}`]);
  if (b.paper && b.paper.authors.length) fields.push(['author', b.paper.authors.map(bibText).filter(Boolean).join(' and ')]);
  if (year) fields.push(['year', year]);
  fields.push(['eprint', bibText(b.id)], ['archivePrefix', 'arXiv']);
  if (b.primaryClass) fields.push(['primaryClass', bibText(b.primaryClass)]);
  fields.push(['url', `https://arxiv.org/abs/${encodeURIComponent(b.id)}`]);
  return `@misc{${keyOf(b.id)},\n${fields.map(([k, v]) => `  ${k} = {${v}}`).join(',\n')}\n}\n`;
}

export function bibFile(papers: readonly BibPaper[]): string {
  return papers.map(bibEntry).join('\n');
}
