// Postmark webhooks carry no signature: Postmark documents basic auth credentials put in the webhook URL
// (https://user:password@host/webhooks/postmark), sent as `Authorization: Basic …`. No timestamp is signed, so
// the replay guard works on the record's own id (RecordType + ID). Bounce records: Type HardBounce and
// BadEmailAddress are hard, every other bounce type soft; RecordType SpamComplaint is a complaint.
import type { DeliveryEvent, DeliveryEventType } from './event.js';
import { smtpCode } from './event.js';
import { header, isObject, isoOr, parseJson, refuse, safeEqual, str, type WebhookProvider } from './provider.js';

const HARD = new Set(['HardBounce', 'BadEmailAddress']);

export function postmarkProvider(auth: string): WebhookProvider {
  const expected = `Basic ${Buffer.from(auth).toString('base64')}`;
  return {
    name: 'postmark',
    async verify(input) {
      const given = header(input, 'authorization');
      if (!given || !safeEqual(given.trim(), expected)) return refuse(401, 'bad credentials');
      const body = parseJson(input.body);
      if (!isObject(body) || !str(body.RecordType)) return refuse(400, 'expected a Postmark webhook record');
      const id = body.ID ?? body.MessageID;
      if (typeof id !== 'number' && typeof id !== 'string') return refuse(400, 'record has no ID');
      let type: DeliveryEventType | null = null;
      if (body.RecordType === 'Bounce') type = HARD.has(String(body.Type)) ? 'hard-bounce' : 'soft-bounce';
      else if (body.RecordType === 'SpamComplaint') type = 'complaint';
      const events: DeliveryEvent[] = [];
      if (type) {
        events.push({
          provider: 'postmark',
          type,
          eventId: String(id),
          recipient: str(body.Email),
          messageId: null, // Postmark's MessageID is its own id, not our Message-ID: match by address
          at: isoOr(body.BouncedAt, input.now),
          detail: [str(body.Type), str(body.Description), str(body.Details)].filter(Boolean).join(' '),
          code: smtpCode(body.Details),
        });
      }
      return { ok: true, deliveryId: `${String(body.RecordType)}:${String(id)}`.slice(0, 200), events };
    },
  };
}
