// The delivery ledger's vocabulary, apart from ledger.ts so that its helper files (legacy layout, period index,
// housekeeping) use it without importing the ledger back.
import type { Reason } from '../papers/reason.js';
import type { EditionRecord, FinalState } from './edition-record.js';

export type EditionState = 'claimed' | 'sending' | 'retrying' | FinalState;
export const FINAL_STATES: readonly EditionState[] = ['sent', 'failed', 'unknown', 'suppressed', 'skipped'];
export const EDITION_STATES: readonly EditionState[] = ['claimed', 'sending', 'retrying', ...FINAL_STATES];

export interface EditionSelection {
  id: string;
  reasons: Reason[];
}

export interface EditionEntry {
  state: EditionState;
  owner: string | null;
  leaseUntil: number | null;
  attempts: number;
  sendingAt: string | null;
  /** Kept while in flight only (settled editions keep state, ids, reasons and a short detail). */
  sentAt: string | null;
  response: string | null;
  messageId: string | null;
  paperIds: string[];
  /** Every paper of the edition (email and web-only) with its reasons. */
  selection: EditionSelection[];
  error: string | null;
  code: number | null;
  reason: string | null;
  updatedAt: string | null;
}

/** What housekeeping reads and folds through the ledger (DeliveryLedger implements it). */
export interface LedgerReads {
  readRecord(subscriberId: string): Promise<EditionRecord>;
  get(subscriberId: string, period: string): Promise<EditionEntry | null>;
  sentPaperIds(subscriberId: string, known?: EditionRecord): Promise<Set<string>>;
  foldHash(subscriberId: string, period: string): Promise<boolean>;
}
