// Why a paper is in someone's digest. Selection (digest/select.ts) attaches these; rendering shows them.
import type { Paper } from './paper.js';

/** One paper chosen for a digest, with why it was chosen. */
export interface SelectedPaper {
  paper: Paper;
  reasons: Reason[];
}

export type Reason =
  | { kind: 'topic'; topicId: string; topicLabel: string; phrase: string }
  | { kind: 'keyword'; phrase: string }
  | { kind: 'author'; name: string }
  | { kind: 'organization'; name: string }
  | { kind: 'trending' }; // no topics chosen: everything qualifies, ranked by upvotes

export function describeReason(r: Reason): string {
  switch (r.kind) {
    case 'topic':
      return `${r.topicLabel} (“${r.phrase}”)`;
    case 'keyword':
      return `your keyword “${r.phrase}”`;
    case 'author':
      return `you follow ${r.name}`;
    case 'organization':
      return `you follow ${r.name}`;
    case 'trending':
      return 'trending today';
  }
}
