// The operator's view of and action on the suppression list, shared by the CLI (`suppressions …`) and the admin
// page (/admin/suppressions): an entry with the subscriber it belongs to, and the removal — which reactivates a
// subscriber stopped for bouncing (bounce count back to 0). A complaint's subscriber stays unsubscribed: lifting
// the suppression lets them come back, it does not subscribe them again.
import { normalizeEmail } from '../subscribers/email.js';
import type { Subscriber } from '../subscribers/subscriber.js';
import type { Suppression, SuppressionList } from '../subscribers/suppression.js';

export interface SuppressionOpsDeps {
  suppression: Pick<SuppressionList, 'get' | 'remove' | 'list'>;
  subscribers: { getByEmail(email: string): Promise<Subscriber | null>; resume(id: string): Promise<unknown> };
}

export interface SuppressionDetail {
  entry: Suppression;
  subscriber: { id: string; status: string; bounceCount: number } | null;
}

export function normalizedOrNull(email: string): string | null {
  const n = normalizeEmail(email);
  return n.ok ? n.email : null;
}

export async function showSuppression(deps: SuppressionOpsDeps, email: string): Promise<SuppressionDetail | null> {
  const address = normalizedOrNull(email);
  const entry = address ? await deps.suppression.get(address) : null;
  if (!entry) return null;
  const sub = await deps.subscribers.getByEmail(entry.email);
  return { entry, subscriber: sub ? { id: sub.id, status: sub.status, bounceCount: sub.bounceCount } : null };
}

/** What a removal will do, in words (shown before the confirmation). */
export function removalPlan(d: SuppressionDetail): string {
  const who = d.subscriber;
  const then =
    who?.status === 'bouncing' ? `subscriber ${who.id} is reactivated (status active, bounce count 0)`
    : who ? `subscriber ${who.id} stays ${who.status}`
    : 'no subscriber has this address';
  return `the suppression of ${d.entry.email} (${d.entry.kind}, ${d.entry.provider}) is removed, mail to it is allowed again, and ${then}`;
}

export async function removeSuppression(deps: SuppressionOpsDeps, email: string): Promise<{ removed: boolean; reactivated: string | null }> {
  const d = await showSuppression(deps, email);
  if (!d) return { removed: false, reactivated: null };
  const removed = await deps.suppression.remove(d.entry.email);
  let reactivated: string | null = null;
  if (d.subscriber?.status === 'bouncing') {
    await deps.subscribers.resume(d.subscriber.id);
    reactivated = d.subscriber.id;
  }
  return { removed, reactivated };
}
