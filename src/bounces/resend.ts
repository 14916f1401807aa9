// Resend webhooks, signed by Svix: headers svix-id, svix-timestamp (unix seconds) and svix-signature (space-
// separated `v1,<base64>` entries, several during a secret rotation); each is base64 HMAC-SHA256 over
// "<id>.<timestamp>.<raw body>" keyed with the base64 part of the `whsec_…` secret. svix-id names the delivery.
// Events: email.bounced (data.bounce.type Permanent = hard, else soft), email.delivery_delayed (soft),
// email.complained (complaint); data.to holds the recipients.
import { createHmac } from 'node:crypto';
import type { DeliveryEvent, DeliveryEventType } from './event.js';
import { DEFAULT_TOLERANCE_MS, freshTimestamp, header, isObject, isoOr, parseJson, refuse, safeEqual, str, type WebhookProvider } from './provider.js';

export function signSvix(secret: string, id: string, timestamp: string, body: string | Buffer): string {
  const key = Buffer.from(secret.replace(/^whsec_/, ''), 'base64');
  return `v1,${createHmac('sha256', key).update(`${id}.${timestamp}.`).update(body).digest('base64')}`;
}

export function resendProvider(secret: string, toleranceMs = DEFAULT_TOLERANCE_MS): WebhookProvider {
  return {
    name: 'resend',
    async verify(input) {
      const id = header(input, 'svix-id');
      const ts = header(input, 'svix-timestamp');
      const sigs = header(input, 'svix-signature');
      if (!id || !ts || !sigs) return refuse(401, 'missing svix headers');
      const expected = signSvix(secret, id, ts, input.body);
      if (!sigs.split(' ').some((s) => safeEqual(s.trim(), expected))) return refuse(401, 'bad signature');
      if (!freshTimestamp(ts, input.now, toleranceMs)) return refuse(401, 'timestamp outside tolerance');
      const body = parseJson(input.body);
      if (!isObject(body) || !isObject(body.data)) return refuse(400, 'expected {type, data}');
      const data = body.data;
      let type: DeliveryEventType | null = null;
      let detail = '';
      if (body.type === 'email.bounced') {
        const b = isObject(data.bounce) ? data.bounce : {};
        type = b.type === 'Permanent' ? 'hard-bounce' : 'soft-bounce';
        detail = [str(b.type), str(b.subType), str(b.message)].filter(Boolean).join(' ');
      } else if (body.type === 'email.delivery_delayed') {
        type = 'soft-bounce';
        detail = 'delivery delayed';
      } else if (body.type === 'email.complained') {
        type = 'complaint';
        detail = 'spam complaint';
      }
      const events: DeliveryEvent[] = [];
      if (type) {
        const to = Array.isArray(data.to) ? data.to.filter((t): t is string => typeof t === 'string') : [];
        const hdrs = Array.isArray(data.headers) ? data.headers.filter(isObject) : [];
        const mid = hdrs.find((h) => typeof h.name === 'string' && h.name.toLowerCase() === 'message-id');
        for (const recipient of to.length ? to : [null]) {
          events.push({ provider: 'resend', type, eventId: str(data.email_id) ?? id, recipient, messageId: mid ? str(mid.value) : null, at: isoOr(body.created_at, input.now), detail, code: null });
        }
      }
      return { ok: true, deliveryId: id.slice(0, 200), events };
    },
  };
}
