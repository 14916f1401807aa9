// The generic JSON endpoint, for a relay or provider without an adapter here: POST /webhooks/generic with
//   X-Webhook-Timestamp: <unix seconds>
//   X-Webhook-Signature: v1=<hex HMAC-SHA256(WEBHOOK_GENERIC_SECRET, "<timestamp>.<raw body>")>
//   { "id": "<unique per delivery>", "events": [ { "type": "hard-bounce" | "soft-bounce" | "complaint",
//       "recipient": "a@example.org", "messageId": "<digest-…@…>" (optional), "at": ISO (optional),
//       "detail": "550 5.1.1 …" (optional), "code": 550 (optional) } ] }
// (documented in the README, "Bounces and complaints").
import { createHmac } from 'node:crypto';
import type { DeliveryEvent, DeliveryEventType } from './event.js';
import { smtpCode } from './event.js';
import { DEFAULT_TOLERANCE_MS, freshTimestamp, header, isObject, isoOr, parseJson, refuse, safeEqual, str, type WebhookProvider } from './provider.js';

const TYPES: readonly DeliveryEventType[] = ['hard-bounce', 'soft-bounce', 'complaint'];

export function signGeneric(secret: string, timestamp: string, body: string | Buffer): string {
  return `v1=${createHmac('sha256', secret).update(`${timestamp}.`).update(body).digest('hex')}`;
}

export function genericProvider(secret: string, toleranceMs = DEFAULT_TOLERANCE_MS): WebhookProvider {
  return {
    name: 'generic',
    async verify(input) {
      const ts = header(input, 'x-webhook-timestamp');
      const sig = header(input, 'x-webhook-signature');
      if (!ts || !sig) return refuse(401, 'missing signature headers');
      if (!safeEqual(signGeneric(secret, ts, input.body), sig.trim())) return refuse(401, 'bad signature');
      if (!freshTimestamp(ts, input.now, toleranceMs)) return refuse(401, 'timestamp outside tolerance');
      const body = parseJson(input.body);
      if (!isObject(body) || !str(body.id) || !Array.isArray(body.events)) return refuse(400, 'expected {id, events: [...]}');
      const events: DeliveryEvent[] = [];
      for (const [i, e] of body.events.entries()) {
        if (!isObject(e) || !TYPES.includes(e.type as DeliveryEventType)) return refuse(400, `events[${i}].type must be one of ${TYPES.join(', ')}`);
        events.push({
          provider: 'generic',
          type: e.type as DeliveryEventType,
          eventId: `${String(body.id)}#${i}`,
          recipient: str(e.recipient),
          messageId: str(e.messageId),
          at: isoOr(e.at, input.now),
          detail: str(e.detail) ?? '',
          code: smtpCode(e.code),
        });
      }
      return { ok: true, deliveryId: String(body.id).slice(0, 200), events };
    },
  };
}
