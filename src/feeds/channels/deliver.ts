// One HTTP delivery client for every channel kind. Outcomes the caller (the send path) acts on:
//   sent     2xx: record the edition as delivered
//   retry    429 / 5xx / network trouble still failing after this call's attempts: try again later (the job's
//            backoff), at `retryAfterMs` when the endpoint said so. `maybeDelivered` = the request may have
//            reached the endpoint (timeout or reset after sending): Slack and Discord have no idempotency key,
//            so a caller that must never duplicate records it as `unknown`, like an SMTP connection lost after DATA.
//   gone     404 / 410: the webhook was deleted; count it (GONE_THRESHOLD consecutive → suppress the channel)
//   failed   any other 4xx, a redirect, or a payload over the limit: permanent, do not retry
// Within one call, 429 and 5xx are retried with exponential backoff, honouring Retry-After (seconds or an
// HTTP-date) and Discord's JSON `retry_after`; a wait longer than `maxWaitMs` is handed back as `retry` instead.
// Nothing here logs or returns the URL: errors carry status codes and error codes only.
import { DELIVERY_HEADER, signWebhook, SIGNATURE_HEADER, TIMESTAMP_HEADER, WEBHOOK_MAX_BYTES, webhookBody } from './webhook.js';
import { formatDiscord } from './discord.js';
import { formatSlack } from './slack.js';
import type { Channel } from './channel.js';
import type { ChannelEdition } from './payload.js';

export type DeliveryOutcome = 'sent' | 'retry' | 'gone' | 'failed';

export interface DeliveryResult {
  outcome: DeliveryOutcome;
  status: number | null;
  attempts: number;
  retryAfterMs?: number;
  maybeDelivered?: boolean;
  error?: string;
}

export interface DeliverOptions {
  /** Attempts within this call (default 3). */
  attempts?: number;
  /** First backoff step (default 1000 ms; doubled each time, ±20 % jitter). */
  baseDelayMs?: number;
  /** Longest wait done inside the call (default 30 s); longer Retry-After values come back as `retry`. */
  maxWaitMs?: number;
  timeoutMs?: number;
  sleep?: (ms: number) => Promise<void>;
  now?: () => Date;
  random?: () => number;
  fetch?: typeof fetch;
}

/** Payload byte limits per kind (Slack: documented message limits keep a post far below this; Discord: 8 MB
 *  request cap, but JSON posts are bounded by the embed limits; generic: ours). */
export const MAX_BYTES: Record<Channel['kind'], number> = { slack: 64 * 1024, discord: 64 * 1024, webhook: WEBHOOK_MAX_BYTES };

export interface HttpRequest {
  body: string;
  headers: Record<string, string>;
}

/** The request for one edition on one channel (pure apart from the clock in the signature timestamp). */
export function buildRequest(channel: Pick<Channel, 'id' | 'kind' | 'secret'>, edition: ChannelEdition, now: Date): HttpRequest {
  const headers: Record<string, string> = { 'content-type': 'application/json', 'user-agent': 'papers-digest (channel delivery)' };
  if (channel.kind === 'slack') return { body: JSON.stringify(formatSlack(edition)), headers };
  if (channel.kind === 'discord') return { body: JSON.stringify(formatDiscord(edition)), headers };
  const body = JSON.stringify(webhookBody(edition));
  const ts = Math.floor(now.getTime() / 1000);
  if (!channel.secret) throw new Error('a generic webhook channel needs its secret');
  return {
    body,
    headers: { ...headers, [DELIVERY_HEADER]: `${channel.id}:${edition.period}`, [TIMESTAMP_HEADER]: String(ts), [SIGNATURE_HEADER]: signWebhook(channel.secret, ts, body) },
  };
}

/** Milliseconds from a Retry-After header (delta-seconds or HTTP-date) or a Discord body; null when absent. */
export function retryAfterMs(header: string | null, body: string, now: Date): number | null {
  if (header) {
    const secs = Number(header);
    if (Number.isFinite(secs) && secs >= 0) return Math.ceil(secs * 1000);
    const at = Date.parse(header);
    if (!Number.isNaN(at)) return Math.max(0, at - now.getTime());
  }
  try {
    const j = JSON.parse(body) as { retry_after?: unknown };
    if (typeof j.retry_after === 'number' && j.retry_after >= 0) return Math.ceil(j.retry_after * 1000);
  } catch {
    // not JSON: no hint
  }
  return null;
}

const realSleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

export async function deliverEdition(channel: Pick<Channel, 'id' | 'kind' | 'url' | 'secret'>, edition: ChannelEdition, opts: DeliverOptions = {}): Promise<DeliveryResult> {
  const now = opts.now ?? (() => new Date());
  const req = buildRequest(channel, edition, now());
  return postWithRetries(channel.url, req, MAX_BYTES[channel.kind], opts, () => buildRequest(channel, edition, now()));
}

export async function postWithRetries(url: string, first: HttpRequest, maxBytes: number, opts: DeliverOptions = {}, rebuild?: () => HttpRequest): Promise<DeliveryResult> {
  const attempts = Math.max(1, opts.attempts ?? 3);
  const base = opts.baseDelayMs ?? 1000;
  const maxWait = opts.maxWaitMs ?? 30_000;
  const sleep = opts.sleep ?? realSleep;
  const now = opts.now ?? (() => new Date());
  const random = opts.random ?? Math.random;
  const doFetch = opts.fetch ?? fetch;
  if (Buffer.byteLength(first.body) > maxBytes) {
    return { outcome: 'failed', status: null, attempts: 0, error: `payload of ${Buffer.byteLength(first.body)} bytes is over the ${maxBytes}-byte limit` };
  }
  let req = first;
  let last: DeliveryResult = { outcome: 'retry', status: null, attempts: 0 };
  for (let attempt = 1; attempt <= attempts; attempt++) {
    // A fresh signature timestamp per attempt: a receiver's replay window must not refuse our own retry.
    if (attempt > 1 && rebuild) req = rebuild();
    let status: number;
    let text: string;
    let retryAfter: string | null;
    try {
      const res = await doFetch(url, { method: 'POST', headers: req.headers, body: req.body, redirect: 'manual', signal: AbortSignal.timeout(opts.timeoutMs ?? 10_000) });
      status = res.status;
      retryAfter = res.headers.get('retry-after');
      text = (await res.text().catch(() => '')).slice(0, 2000);
    } catch (err) {
      const e = err as Error & { cause?: { code?: string } };
      const code = e.name === 'TimeoutError' ? 'timeout' : (e.cause?.code ?? e.name);
      // Refused / unresolvable: nothing was sent. A timeout or reset: it may have been.
      const maybe = !['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH'].includes(code);
      last = { outcome: 'retry', status: null, attempts: attempt, error: `network: ${code}`, ...(maybe ? { maybeDelivered: true } : {}) };
      if (attempt < attempts) await sleep(backoff(base, attempt, random));
      continue;
    }
    if (status >= 200 && status < 300) return { outcome: 'sent', status, attempts: attempt };
    if (status === 404 || status === 410) return { outcome: 'gone', status, attempts: attempt };
    if (status === 429 || status >= 500) {
      const hinted = retryAfterMs(retryAfter, text, now());
      const wait = hinted ?? backoff(base, attempt, random);
      last = { outcome: 'retry', status, attempts: attempt, retryAfterMs: wait, error: `HTTP ${status}` };
      if (attempt === attempts || wait > maxWait) return last;
      await sleep(wait);
      continue;
    }
    return { outcome: 'failed', status, attempts: attempt, error: `HTTP ${status}${text ? `: ${text.replace(/\s+/g, ' ').slice(0, 200)}` : ''}` };
  }
  return last;
}

function backoff(base: number, attempt: number, random: () => number): number {
  return Math.round(base * 2 ** (attempt - 1) * (0.8 + 0.4 * random()));
}
