// Mail headers that make a digest a well-behaved list message: a deterministic Message-ID (so a resend after an
// "unknown" outcome is recognisable as the same message), RFC 2369 List-Unsubscribe (https and optional mailto in
// ONE header — two headers are ignored by Gmail), RFC 8058 one-click (List-Unsubscribe-Post) and RFC 2919 List-Id.
// Pure; values are checked so a CR/LF can never smuggle a header in.

export type MessageKind = 'digest' | 'nothing-new' | 'confirm' | 'already-subscribed';

const SAFE_PART = /^[A-Za-z0-9_.-]+$/;

function assertPart(name: string, v: string): void {
  if (!SAFE_PART.test(v)) throw new Error(`${name} must be letters, digits, _ . - (got ${JSON.stringify(v)})`);
}

function assertHeaderSafe(name: string, v: string): void {
  if (/[\r\n]/.test(v)) throw new Error(`${name} must not contain line breaks`);
}

/** `<digest-2026-11-28-<sub>@example.org>`: one id per (kind, period, subscriber), same on every attempt. */
export function messageIdFor(kind: MessageKind | string, period: string, subscriberId: string, domain: string): string {
  assertPart('kind', kind);
  assertPart('period', period);
  assertPart('subscriberId', subscriberId);
  if (!/^[A-Za-z0-9.-]+$/.test(domain)) throw new Error(`mail domain ${JSON.stringify(domain)} is not a host name`);
  return `<${kind}-${period}-${subscriberId}@${domain}>`;
}

export interface ListHeaderInput {
  /** The signed one-click URL (POST with List-Unsubscribe=One-Click unsubscribes; GET opens a page). */
  listUnsubscribeUrl: string;
  /** Optional address for mail-based unsubscribe (LIST_UNSUBSCRIBE_MAILTO). */
  mailto?: string | null;
  /** Subject of the mailto link; carries the subscriber id so an inbound handler can act on it. */
  mailtoSubject?: string;
  /** Full List-Id value, e.g. `Papers Digest <papers-digest.example.org>` (see listIdFor). */
  listId: string;
}

export function digestHeaders(input: ListHeaderInput): Record<string, string> {
  let url: URL;
  try {
    url = new URL(input.listUnsubscribeUrl);
  } catch {
    throw new Error('listUnsubscribeUrl is not a URL');
  }
  // RFC 8058 wants https; http is accepted only so a local PUBLIC_URL (http://localhost:3000) still works.
  if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new Error('listUnsubscribeUrl must be https');
  assertHeaderSafe('listUnsubscribeUrl', input.listUnsubscribeUrl);
  assertHeaderSafe('listId', input.listId);
  const targets = [`<${url.toString()}>`];
  if (input.mailto) {
    assertHeaderSafe('mailto', input.mailto);
    if (!/^[^\s@<>]+@[^\s@<>]+$/.test(input.mailto)) throw new Error('mailto must be a bare address');
    const subject = input.mailtoSubject ? `?subject=${encodeURIComponent(input.mailtoSubject)}` : '';
    targets.push(`<mailto:${input.mailto}${subject}>`);
  }
  return {
    'List-Unsubscribe': targets.join(', '),
    'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click',
    'List-Id': input.listId,
  };
}

/** RFC 2919 List-Id for this deployment: a label plus `papers-digest.<mail domain>`. */
export function listIdFor(domain: string, label = 'Papers Digest'): string {
  assertHeaderSafe('label', label);
  return `${label.replace(/[<>"]/g, '')} <papers-digest.${domain}>`;
}
