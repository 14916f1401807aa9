// Paper selection for one subscriber's digest, pure (stub: full implementation follows).
import type { Paper } from '../papers/paper.js';
import type { Subscriber } from '../subscribers/subscriber.js';
import type { Reason } from './reason.js';

/** One paper chosen for a digest, with why it was chosen (rendering shows the reasons). */
export interface SelectedPaper {
  paper: Paper;
  reasons: Reason[];
}

export interface SelectInput {
  subscriber: Subscriber;
  papers: Paper[];
  /** Paper ids already sent to this subscriber (the sent-papers ledger). */
  sentIds: Set<string>;
  now: Date;
  /** Papers listed on the subscriber's local date and the lookbackDays-1 days before it. */
  lookbackDays: number;
  /** Operator cap (settings.maxPapersCap); the subscriber's maxPapers applies too. */
  cap: number;
}

export function selectPapers(_input: SelectInput): SelectedPaper[] {
  return [];
}
