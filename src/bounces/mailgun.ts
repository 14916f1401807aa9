// Mailgun webhooks: the signature travels in the JSON body, `signature: {timestamp, token, signature}` with
// signature = hex HMAC-SHA256(signing key, timestamp + token). The token is the delivery's id for the replay guard.
// Events: `failed` with severity permanent (hard) or temporary (soft), `complained` (spam complaint).
import { createHmac } from 'node:crypto';
import type { DeliveryEvent } from './event.js';
import { smtpCode } from './event.js';
import { freshTimestamp, isObject, isoOr, parseJson, refuse, safeEqual, str, type WebhookProvider } from './provider.js';

export function signMailgun(key: string, timestamp: string, token: string): string {
  return createHmac('sha256', key).update(timestamp + token).digest('hex');
}

/** Mailgun retries a failed delivery with the same signature for a while: allow 15 minutes. */
const TOLERANCE_MS = 15 * 60_000;

export function mailgunProvider(signingKey: string, toleranceMs = TOLERANCE_MS): WebhookProvider {
  return {
    name: 'mailgun',
    async verify(input) {
      const body = parseJson(input.body);
      if (!isObject(body) || !isObject(body.signature)) return refuse(401, 'missing signature');
      const { timestamp, token, signature } = body.signature;
      if (typeof timestamp !== 'string' || typeof token !== 'string' || typeof signature !== 'string') return refuse(401, 'missing signature');
      if (!safeEqual(signMailgun(signingKey, timestamp, token), signature)) return refuse(401, 'bad signature');
      if (!freshTimestamp(timestamp, input.now, toleranceMs)) return refuse(401, 'timestamp outside tolerance');
      const data = body['event-data'];
      if (!isObject(data)) return refuse(400, 'missing event-data');
      const events: DeliveryEvent[] = [];
      const status = isObject(data['delivery-status']) ? data['delivery-status'] : {};
      const headers = isObject(data.message) && isObject(data.message.headers) ? data.message.headers : {};
      const base = {
        provider: 'mailgun',
        eventId: str(data.id) ?? token,
        recipient: str(data.recipient),
        messageId: str(headers['message-id']),
        at: isoOr(data.timestamp, input.now),
        code: smtpCode(status.code),
      };
      const detail = [str(data.reason), str(status.message), str(status.description)].filter(Boolean).join(' ');
      if (data.event === 'failed') events.push({ ...base, type: data.severity === 'permanent' ? 'hard-bounce' : 'soft-bounce', detail: `${String(data.severity ?? '')} ${detail}`.trim() });
      else if (data.event === 'complained') events.push({ ...base, type: 'complaint', detail: 'spam complaint' });
      return { ok: true, deliveryId: token.slice(0, 200), events };
    },
  };
}
