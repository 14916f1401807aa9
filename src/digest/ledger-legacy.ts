// The previous ledger layout, read only: a per-edition HASH holding every state, final ones included, with the
// selection stored as short tuples ([[paperId, [reasonTuple, …]], …], topic labels left to the catalog). A deployment
// upgraded in place still has these for up to 40 days; the ledger reads them as they are and folds them into the
// compact record (migrateLegacy). The tuple kinds below are that old format's, frozen: new reasons never use it.
import type { Reason } from '../papers/reason.js';
import type { EditionEntry, EditionSelection, EditionState } from './ledger-types.js';

type LegacyTuple = [string, ...string[]];

function reasonOf(t: LegacyTuple): Reason {
  switch (t[0]) {
    case 't':
      return { kind: 'topic', topicId: t[1]!, topicLabel: t[1]!, phrase: t[2]! };
    case 'k':
      return { kind: 'keyword', phrase: t[1]! };
    case 'a':
      return { kind: 'author', name: t[1]! };
    case 'o':
      return { kind: 'organization', name: t[1]! };
    default:
      return { kind: 'trending' };
  }
}

/** Topic reasons come back with topicLabel = topicId; the archive renderer maps ids to labels. */
export function decodeLegacySelection(raw: string): EditionSelection[] {
  return (JSON.parse(raw) as [string, LegacyTuple[]][]).map(([id, reasons]) => ({ id, reasons: reasons.map(reasonOf) }));
}

function num(v: string | undefined): number | null {
  return v === undefined || v === '' ? null : Number(v);
}

/** A per-edition hash (in flight, or a final entry of the legacy layout) as an entry. */
export function legacyEntry(h: Record<string, string>): EditionEntry {
  return {
    state: h.state as EditionState,
    owner: h.owner ?? null,
    leaseUntil: num(h.leaseUntil),
    attempts: Number(h.attempts ?? 0),
    sendingAt: h.sendingAt ?? null,
    sentAt: h.sentAt ?? null,
    response: h.response ?? null,
    messageId: h.messageId ?? null,
    paperIds: h.paperIds ? (JSON.parse(h.paperIds) as string[]) : [],
    selection: h.selection ? decodeLegacySelection(h.selection) : [],
    error: h.error ?? null,
    code: num(h.code),
    reason: h.reason ?? null,
    updatedAt: h.updatedAt ?? null,
  };
}
