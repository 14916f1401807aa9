// Readers' data rights: everything kept per subscriber is held by a list of data owners, each able to export and
// delete its part. The composition root (services.ts) builds the list; a feature that stores something per reader
// adds its owner there (the deletion test scans every Redis key, value, member and field for the id and the
// address, so a forgotten owner fails it). Export and delete are pure orchestration over the owners.

export interface SubscriberDataOwner {
  /** Key of this owner's part in the export ("subscriber", "editions", "feedback", …). */
  name: string;
  /** What this owner holds about the reader, as JSON-able data; undefined = nothing worth showing. */
  exportFor(subscriberId: string, email: string): Promise<unknown>;
  /** Remove every trace of the reader this owner holds (idempotent). */
  deleteFor(subscriberId: string, email: string): Promise<void>;
}

export const EXPORT_FORMAT = 'papers-digest/data-export/v1';

export async function exportSubscriberData(owners: readonly SubscriberDataOwner[], subscriber: { id: string; email: string }, now: Date): Promise<Record<string, unknown>> {
  const out: Record<string, unknown> = { format: EXPORT_FORMAT, exportedAt: now.toISOString() };
  for (const o of owners) {
    const part = await o.exportFor(subscriber.id, subscriber.email);
    if (part !== undefined) out[o.name] = part;
  }
  return out;
}

/**
 * Delete through every owner. The owner named "subscriber" (the record and its indexes) goes last: should a step
 * fail, the reader's links still work and they can try again.
 */
export async function deleteSubscriberData(owners: readonly SubscriberDataOwner[], subscriber: { id: string; email: string }): Promise<void> {
  const ordered = [...owners.filter((o) => o.name !== 'subscriber'), ...owners.filter((o) => o.name === 'subscriber')];
  for (const o of ordered) await o.deleteFor(subscriber.id, subscriber.email);
}
