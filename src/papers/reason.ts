// Why a paper is in someone's digest. Selection (digest/select.ts) attaches these; rendering shows them through
// describeReason, the one function that turns a Reason into words. Reasons are stored with each edition (the
// archive renders from them), so fields added later are optional: an old edition still reads.
import type { Paper } from './paper.js';

/** One paper chosen for a digest, with why it was chosen. */
export interface SelectedPaper {
  paper: Paper;
  reasons: Reason[];
}

/** Where a topic phrase or keyword occurred (title > HF AI summary > HF keywords > abstract). */
export type ReasonField = 'title' | 'summary' | 'keywords' | 'abstract';

export type Reason =
  | { kind: 'topic'; topicId: string; topicLabel: string; phrase: string; field?: ReasonField; strength?: number }
  | { kind: 'keyword'; phrase: string; field?: ReasonField; strength?: number }
  | { kind: 'author'; name: string }
  | { kind: 'organization'; name: string }
  /** The reader's personal model: like `count` papers they liked (or seeded), sharing `terms`. */
  | { kind: 'similar'; count: number; terms: string[] }
  /** Community signal: the paper's rank on its Hugging Face listing day. */
  | { kind: 'popular'; rank: number; upvotes: number }
  | { kind: 'trending' }; // no topics chosen: everything qualifies, ranked by upvotes

const FIELD_WORDS: Record<ReasonField, string> = { title: 'in the title', summary: 'in the AI summary', keywords: 'in its keywords', abstract: 'in the abstract' };

function where(field: ReasonField | undefined, strength: number | undefined): string {
  if (!field) return '';
  if (field === 'abstract' && strength !== undefined && strength < 0.3) return ' — mentioned once in the abstract';
  return ` — ${FIELD_WORDS[field]}`;
}

function plural(n: number, one: string, many: string): string {
  return `${n} ${n === 1 ? one : many}`;
}

export function describeReason(r: Reason): string {
  switch (r.kind) {
    case 'topic':
      return r.field ? `${r.topicLabel}${where(r.field, r.strength)}` : `${r.topicLabel} (“${r.phrase}”)`;
    case 'keyword':
      return `your keyword “${r.phrase}”${where(r.field, r.strength)}`;
    case 'author':
      return `By ${r.name}, whom you follow`;
    case 'organization':
      return `From ${r.name}, which you follow`;
    case 'similar': {
      const like = r.count > 0 ? `Like ${plural(r.count, 'paper', 'papers')} you liked` : 'Like papers you liked';
      return r.terms.length ? `${like}: ${r.terms.join(', ')}` : like;
    }
    case 'popular':
      return r.upvotes > 0 ? `#${r.rank} today on Hugging Face, ${plural(r.upvotes, 'upvote', 'upvotes')}` : `#${r.rank} today on Hugging Face`;
    case 'trending':
      return 'trending today';
  }
}

/**
 * The form of a reason kept with a delivered edition (digest/ledger.ts). The ledger stores each distinct reason
 * once per deployment, so a reason must come from a bounded set: the per-reader and per-paper details of the
 * personal model's and the community's reasons (which terms, how many likes, how many upvotes) would make nearly
 * every one distinct. The archive then says "Like papers you liked" and "#1 today on Hugging Face".
 */
export function archivalReason(r: Reason): Reason {
  switch (r.kind) {
    case 'similar':
      return { kind: 'similar', count: 0, terms: [] };
    case 'popular':
      return { kind: 'popular', rank: r.rank, upvotes: 0 };
    default:
      return r;
  }
}
