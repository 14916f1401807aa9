// What a mail provider tells us after the fact, in one shape whatever the provider: a hard bounce, a soft bounce
// or a spam complaint for one recipient, with the provider's evidence. Pure: parsing our own Message-ID back into
// (kind, period, subscriber) and masking addresses in the provider's free text.

export type DeliveryEventType = 'hard-bounce' | 'soft-bounce' | 'complaint';

export interface DeliveryEvent {
  /** ses, postmark, sendgrid, mailgun, resend, generic. */
  provider: string;
  type: DeliveryEventType;
  /** The provider's own id of this event (for the record; the replay guard works per delivery). */
  eventId: string;
  /** The address the event is about (as the provider wrote it). */
  recipient: string | null;
  /** The Message-ID of the message it is about, when the provider reports it (with or without <>). */
  messageId: string | null;
  /** When it happened (ISO), as the provider says, else when we received it. */
  at: string;
  /** The provider's wording: bounce sub-type, SMTP status, diagnostic (masked before it is stored). */
  detail: string;
  /** The SMTP code when the provider gives one. */
  code: number | null;
}

/** A message we sent, as its Message-ID says. */
export interface OurMessage {
  kind: string;
  period: string;
  subscriberId: string;
}

const DIGEST_ID = /^<?(digest|nothing-new)-(\d{4}-\d{2}-\d{2}|\d{4}-W\d{2})-([A-Za-z0-9_-]{8,64})@([A-Za-z0-9.-]+)>?$/;
const NOTICE_ID = /^<?(confirm|already-subscribed)-([0-9a-z]{1,13})-([A-Za-z0-9_-]{8,64})@([A-Za-z0-9.-]+)>?$/;

/**
 * Our deterministic Message-ID (`<digest-<period>-<sub>@<domain>>`, see mail/headers.ts) back into its parts; null
 * for anything else, or for one minted for another domain (someone else's message is not ours to act on).
 */
export function parseOurMessageId(raw: string | null | undefined, domain: string): OurMessage | null {
  if (!raw) return null;
  const v = raw.trim();
  const m = DIGEST_ID.exec(v) ?? NOTICE_ID.exec(v);
  if (!m || m[4]!.toLowerCase() !== domain.toLowerCase()) return null;
  return { kind: m[1]!, period: m[2]!, subscriberId: m[3]! };
}

const ADDRESS = /[^\s<>"'(),;:]+@[^\s<>"'(),;:]+\.[A-Za-z]{2,}/g;

/** Provider text with every address masked (j***@example.org) and clipped: it goes to Redis and admin pages. */
export function maskedDetail(text: string, max = 300): string {
  const masked = text.replace(ADDRESS, (a) => {
    const at = a.lastIndexOf('@');
    return `${a[0]}***${a.slice(at)}`;
  });
  return masked.replace(/\s+/g, ' ').trim().slice(0, max);
}

/** A number from an SMTP status ("550", "5.1.1 …", 550) when it has the shape of a reply code. */
export function smtpCode(v: unknown): number | null {
  const n = typeof v === 'number' ? v : typeof v === 'string' ? Number(/^\s*(\d{3})\b/.exec(v)?.[1]) : NaN;
  return Number.isInteger(n) && n >= 200 && n < 600 ? n : null;
}
