// The generic JSON webhook (pure): a documented JSON body, signed with the channel's own secret so the receiver
// can tell it came from us and was not replayed.
//
//   POST <url>   Content-Type: application/json
//   X-Papers-Digest-Delivery:  <channel id>:<period>        (the same on every retry: an idempotency key)
//   X-Papers-Digest-Timestamp: <unix seconds>
//   X-Papers-Digest-Signature: v1=<hex HMAC-SHA256(secret, "<timestamp>.<raw body bytes>")>
//
// The receiver recomputes the HMAC over the timestamp, a dot and the raw body exactly as received, compares in
// constant time, and refuses timestamps more than 5 minutes from its clock (replay window).
import { createHmac, timingSafeEqual } from 'node:crypto';
import type { ChannelEdition } from './payload.js';

export const WEBHOOK_MAX_BYTES = 256 * 1024;
export const SIGNATURE_HEADER = 'x-papers-digest-signature';
export const TIMESTAMP_HEADER = 'x-papers-digest-timestamp';
export const DELIVERY_HEADER = 'x-papers-digest-delivery';

export interface WebhookBody {
  type: 'edition';
  version: 1;
  period: string;
  label: string;
  webUrl: string | null;
  papers: {
    rank: number;
    id: string;
    title: string;
    url: string;
    arxivUrl: string;
    codeUrl: string | null;
    projectUrl: string | null;
    authors: string;
    organization: string | null;
    summary: string;
    summaryIsAi: boolean;
    whyLines: string[];
  }[];
}

export function webhookBody(e: ChannelEdition): WebhookBody {
  return {
    type: 'edition',
    version: 1,
    period: e.period,
    label: e.label,
    webUrl: e.webUrl,
    papers: e.papers.map(({ card: c, whyLines }) => ({
      rank: c.rank,
      id: c.id,
      title: c.title,
      url: c.url,
      arxivUrl: c.arxivUrl,
      codeUrl: c.codeUrl,
      projectUrl: c.projectUrl,
      authors: c.authors,
      organization: c.organization,
      summary: c.summaryFull,
      summaryIsAi: c.summaryIsAi,
      whyLines,
    })),
  };
}

export function signWebhook(secret: string, timestamp: number, body: string): string {
  return `v1=${createHmac('sha256', secret).update(`${timestamp}.`).update(body, 'utf8').digest('hex')}`;
}

/** The receiver's check (exported for receivers written in TypeScript, and for tests). */
export function verifyWebhook(secret: string, headers: { timestamp: string | undefined; signature: string | undefined }, body: string, now: Date, toleranceS = 300): boolean {
  const ts = Number(headers.timestamp);
  if (!Number.isSafeInteger(ts) || Math.abs(now.getTime() / 1000 - ts) > toleranceS || !headers.signature) return false;
  const expected = Buffer.from(signWebhook(secret, ts, body));
  const given = Buffer.from(headers.signature);
  return expected.length === given.length && timingSafeEqual(expected, given);
}
