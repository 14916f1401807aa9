// SendGrid's signed event webhook: X-Twilio-Email-Event-Webhook-Signature is a base64 ECDSA (P-256, SHA-256, DER)
// signature over "<X-Twilio-Email-Event-Webhook-Timestamp><raw body>", checked with the verification key SendGrid
// shows (base64 DER SubjectPublicKeyInfo). The body is an array of events: `bounce` (type "bounce" = hard,
// "blocked" = soft), `deferred` (soft), `spamreport` (complaint); `smtp-id` holds our Message-ID.
import { createHash, createPublicKey, verify, type KeyObject } from 'node:crypto';
import type { DeliveryEvent } from './event.js';
import { smtpCode } from './event.js';
import { DEFAULT_TOLERANCE_MS, freshTimestamp, header, isObject, isoOr, parseJson, refuse, str, type WebhookProvider } from './provider.js';

export const SENDGRID_SIGNATURE_HEADER = 'x-twilio-email-event-webhook-signature';
export const SENDGRID_TIMESTAMP_HEADER = 'x-twilio-email-event-webhook-timestamp';

export function sendgridProvider(publicKeyBase64: string, toleranceMs = DEFAULT_TOLERANCE_MS): WebhookProvider {
  let key: KeyObject | null = null;
  const publicKey = () => (key ??= createPublicKey({ key: Buffer.from(publicKeyBase64, 'base64'), format: 'der', type: 'spki' }));
  return {
    name: 'sendgrid',
    async verify(input) {
      const sig = header(input, SENDGRID_SIGNATURE_HEADER);
      const ts = header(input, SENDGRID_TIMESTAMP_HEADER);
      if (!sig || !ts) return refuse(401, 'missing signature headers');
      let good: boolean;
      try {
        good = verify('sha256', Buffer.concat([Buffer.from(ts), input.body]), publicKey(), Buffer.from(sig, 'base64'));
      } catch {
        good = false; // a malformed signature or key: refused like a wrong one
      }
      if (!good) return refuse(401, 'bad signature');
      if (!freshTimestamp(ts, input.now, toleranceMs)) return refuse(401, 'timestamp outside tolerance');
      const body = parseJson(input.body);
      if (!Array.isArray(body)) return refuse(400, 'expected an array of events');
      const events: DeliveryEvent[] = [];
      for (const e of body) {
        if (!isObject(e)) continue;
        const type =
          e.event === 'bounce' ? (e.type === 'blocked' ? 'soft-bounce' : 'hard-bounce') : e.event === 'deferred' ? 'soft-bounce' : e.event === 'spamreport' ? 'complaint' : null;
        if (!type) continue;
        events.push({
          provider: 'sendgrid',
          type,
          eventId: str(e.sg_event_id) ?? '',
          recipient: str(e.email),
          messageId: str(e['smtp-id']),
          at: isoOr(e.timestamp, input.now),
          detail: [str(e.type), str(e.status), str(e.reason) ?? str(e.response)].filter(Boolean).join(' '),
          code: smtpCode(e.reason ?? e.response),
        });
      }
      // The signature is unique per delivery: its digest names the delivery for the replay guard.
      return { ok: true, deliveryId: createHash('sha256').update(sig).digest('hex'), events };
    },
  };
}
