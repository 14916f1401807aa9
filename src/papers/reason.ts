// Why a paper is in someone's digest. Selection (digest/select.ts) attaches these; rendering shows them.
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
