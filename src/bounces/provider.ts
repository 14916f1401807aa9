// The port every provider's webhook verifier implements, and the small checks they share. A verifier is pure
// apart from what it is given (SNS alone fetches a certificate, through an injected source): it checks the
// signature over the raw body BEFORE trusting any field, then translates the payload into DeliveryEvents.
import { createHash, timingSafeEqual } from 'node:crypto';
import type { DeliveryEvent } from './event.js';

export interface WebhookInput {
  headers: Record<string, string | string[] | undefined>;
  /** The body exactly as received: signatures are over these bytes. */
  body: Buffer;
  now: Date;
}

export type VerifyResult =
  | {
      ok: true;
      /** One id per delivery (request), the replay guard's key: a second request with it is refused. */
      deliveryId: string;
      events: DeliveryEvent[];
      /** SNS only: what to do once the delivery is claimed (confirm a subscription), and a note for the reply. */
      action?: { run(): Promise<void>; note: string };
    }
  | { ok: false; status: 400 | 401; reason: string };

export interface WebhookProvider {
  /** Path segment and the name in records: /webhooks/<name>. */
  name: string;
  verify(input: WebhookInput): Promise<VerifyResult>;
}

export const refuse = (status: 400 | 401, reason: string): VerifyResult => ({ ok: false, status, reason });

export function header(input: WebhookInput, name: string): string | null {
  const v = input.headers[name.toLowerCase()];
  const s = Array.isArray(v) ? v[0] : v;
  return typeof s === 'string' && s.length > 0 ? s : null;
}

/** Constant-time equality of two strings (hashed first, so lengths do not leak either). */
export function safeEqual(a: string, b: string): boolean {
  const ha = createHash('sha256').update(a).digest();
  const hb = createHash('sha256').update(b).digest();
  return timingSafeEqual(ha, hb) && a.length === b.length;
}

/** Unix seconds (as the header or field gives them) within `toleranceMs` of now, either side. */
export function freshTimestamp(raw: string | null, now: Date, toleranceMs: number): boolean {
  if (!raw || !/^\d{1,12}$/.test(raw)) return false;
  return Math.abs(now.getTime() - Number(raw) * 1000) <= toleranceMs;
}

export function parseJson(body: Buffer): unknown {
  try {
    return JSON.parse(body.toString('utf8')) as unknown;
  } catch {
    return undefined;
  }
}

export const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
export const str = (v: unknown): string | null => (typeof v === 'string' && v.length > 0 ? v : null);

export function isoOr(v: unknown, now: Date): string {
  if (typeof v === 'number' && Number.isFinite(v)) return new Date(v * 1000).toISOString();
  if (typeof v === 'string') {
    const t = Date.parse(v);
    if (Number.isFinite(t)) return new Date(t).toISOString();
  }
  return now.toISOString();
}

/** Default tolerance for signed timestamps (Svix's and the common choice). */
export const DEFAULT_TOLERANCE_MS = 5 * 60_000;
