// Amazon SES bounces and complaints arrive through SNS. Every SNS message is verified before anything in it is
// trusted: the TopicArn must be one we configured, the signing certificate must come over https from an
// `sns.<region>.amazonaws.com` host (fetched through an injected source that enforces that and caches), and the
// signature (SignatureVersion 1 = RSA-SHA1, 2 = RSA-SHA256) must hold over SNS's canonical string. A verified
// SubscriptionConfirmation is confirmed by fetching its SubscribeURL — only when that URL is on the same kind of
// host; the URL holds a token and is never logged. The Message of a Notification is SES's JSON: notificationType
// (or eventType) Bounce (bounceType Permanent = hard, Transient/Undetermined = soft) or Complaint.
import { verify, X509Certificate } from 'node:crypto';
import type { DeliveryEvent } from './event.js';
import { smtpCode } from './event.js';
import { isObject, isoOr, parseJson, refuse, str, type WebhookProvider } from './provider.js';

/** How certificates and the subscription confirmation are fetched. Production: snsHttpsSource(). */
export interface SnsSource {
  /** Whether a SigningCertURL / SubscribeURL may be fetched at all. */
  allowed(url: string): boolean;
  /** The PEM at an allowed URL (cached by the source). */
  certificate(url: string): Promise<string>;
  /** GET an allowed SubscribeURL. */
  confirm(url: string): Promise<void>;
}

const SNS_HOST = /^sns\.[a-z0-9-]+\.amazonaws\.com(\.cn)?$/;

/** The documented host pattern, https only, no credentials or port tricks. */
export function isSnsUrl(raw: string): boolean {
  let u: URL;
  try {
    u = new URL(raw);
  } catch {
    return false;
  }
  return u.protocol === 'https:' && SNS_HOST.test(u.hostname) && u.port === '' && u.username === '' && u.password === '';
}

/**
 * The production source: https from SNS hosts only, 5 s timeout, 64 KB at most, certificates cached for a day
 * (SNS signs with a handful of certificates, so the cache is small).
 */
export function snsHttpsSource(opts: { allowed?: (url: string) => boolean; fetch?: typeof fetch; clock?: () => Date } = {}): SnsSource {
  const allowed = opts.allowed ?? isSnsUrl;
  const doFetch = opts.fetch ?? fetch;
  const clock = opts.clock ?? (() => new Date());
  const cache = new Map<string, { pem: string; until: number }>();
  const get = async (url: string) => {
    if (!allowed(url)) throw new Error('url not allowed');
    const res = await doFetch(url, { redirect: 'error', signal: AbortSignal.timeout(5_000) });
    if (!res.ok) throw new Error(`fetch answered ${res.status}`);
    const text = await res.text();
    if (text.length > 64 * 1024) throw new Error('response too large');
    return text;
  };
  return {
    allowed,
    async certificate(url) {
      const hit = cache.get(url);
      if (hit && hit.until > clock().getTime()) return hit.pem;
      const pem = await get(url);
      if (cache.size >= 50) cache.clear();
      cache.set(url, { pem, until: clock().getTime() + 24 * 3600_000 });
      return pem;
    },
    async confirm(url) {
      await get(url);
    },
  };
}

const NOTIFICATION_FIELDS = ['Message', 'MessageId', 'Subject', 'Timestamp', 'TopicArn', 'Type'];
const CONFIRMATION_FIELDS = ['Message', 'MessageId', 'SubscribeURL', 'Timestamp', 'Token', 'TopicArn', 'Type'];

/** SNS's canonical string to sign: "<Name>\n<value>\n" for each field in order (Subject only when present). */
export function snsStringToSign(m: Record<string, unknown>): string {
  const fields = m.Type === 'Notification' ? NOTIFICATION_FIELDS : CONFIRMATION_FIELDS;
  return fields
    .filter((f) => typeof m[f] === 'string')
    .map((f) => `${f}\n${m[f] as string}\n`)
    .join('');
}

/** SNS redelivers within its retry policy (up to an hour with a custom policy); older messages are refused. */
const TOLERANCE_MS = 3600_000;

export function sesProvider(opts: { topicArns: readonly string[]; source: SnsSource; toleranceMs?: number }): WebhookProvider {
  const tolerance = opts.toleranceMs ?? TOLERANCE_MS;
  return {
    name: 'ses',
    async verify(input) {
      const m = parseJson(input.body);
      if (!isObject(m) || !str(m.Type) || !str(m.MessageId) || !str(m.Signature) || !str(m.SigningCertURL) || !str(m.Timestamp)) {
        return refuse(401, 'not a signed SNS message');
      }
      if (!['Notification', 'SubscriptionConfirmation', 'UnsubscribeConfirmation'].includes(m.Type as string)) return refuse(400, 'unknown SNS message type');
      if (!opts.topicArns.includes(String(m.TopicArn))) return refuse(401, 'topic not configured');
      const algorithm = m.SignatureVersion === '1' ? 'RSA-SHA1' : m.SignatureVersion === '2' ? 'RSA-SHA256' : null;
      if (!algorithm) return refuse(401, 'unsupported SignatureVersion');
      const certUrl = m.SigningCertURL as string;
      if (!opts.source.allowed(certUrl)) return refuse(401, 'certificate URL not on an SNS host');
      let good: boolean;
      try {
        const cert = new X509Certificate(await opts.source.certificate(certUrl));
        const now = input.now.getTime();
        const inDate = Date.parse(cert.validFrom) <= now && now <= Date.parse(cert.validTo);
        good = inDate && verify(algorithm, Buffer.from(snsStringToSign(m), 'utf8'), cert.publicKey, Buffer.from(m.Signature as string, 'base64'));
      } catch {
        good = false;
      }
      if (!good) return refuse(401, 'bad signature');
      if (Math.abs(input.now.getTime() - Date.parse(m.Timestamp as string)) > tolerance || !Number.isFinite(Date.parse(m.Timestamp as string))) {
        return refuse(401, 'timestamp outside tolerance');
      }
      const deliveryId = (m.MessageId as string).slice(0, 200);
      if (m.Type === 'SubscriptionConfirmation') {
        const url = str(m.SubscribeURL);
        if (!url || !opts.source.allowed(url)) return refuse(400, 'SubscribeURL not on an SNS host');
        return { ok: true, deliveryId, events: [], action: { run: () => opts.source.confirm(url), note: 'subscription confirmed' } };
      }
      if (m.Type === 'UnsubscribeConfirmation') return { ok: true, deliveryId, events: [] };
      const ses = typeof m.Message === 'string' ? parseJson(Buffer.from(m.Message)) : undefined;
      if (!isObject(ses)) return refuse(400, 'Message is not SES JSON');
      return { ok: true, deliveryId, events: sesEvents(ses, input.now) };
    },
  };
}

function sesMessageId(mail: Record<string, unknown>): string | null {
  const common = isObject(mail.commonHeaders) ? str(mail.commonHeaders.messageId) : null;
  if (common) return common;
  const headers = Array.isArray(mail.headers) ? mail.headers.filter(isObject) : [];
  const h = headers.find((x) => typeof x.name === 'string' && x.name.toLowerCase() === 'message-id');
  return h ? str(h.value) : null;
}

/** SES's notification (or event publishing) JSON into events, one per recipient. */
export function sesEvents(ses: Record<string, unknown>, now: Date): DeliveryEvent[] {
  const kind = ses.notificationType ?? ses.eventType;
  const mail = isObject(ses.mail) ? ses.mail : {};
  const messageId = sesMessageId(mail);
  const out: DeliveryEvent[] = [];
  if (kind === 'Bounce' && isObject(ses.bounce)) {
    const b = ses.bounce;
    const type = b.bounceType === 'Permanent' ? 'hard-bounce' : 'soft-bounce';
    for (const r of Array.isArray(b.bouncedRecipients) ? b.bouncedRecipients.filter(isObject) : []) {
      out.push({
        provider: 'ses',
        type,
        eventId: str(b.feedbackId) ?? '',
        recipient: str(r.emailAddress),
        messageId,
        at: isoOr(b.timestamp, now),
        detail: [str(b.bounceType), str(b.bounceSubType), str(r.status), str(r.diagnosticCode)].filter(Boolean).join(' '),
        code: smtpCode(r.diagnosticCode) ?? smtpCode(r.status),
      });
    }
  } else if (kind === 'Complaint' && isObject(ses.complaint)) {
    const c = ses.complaint;
    for (const r of Array.isArray(c.complainedRecipients) ? c.complainedRecipients.filter(isObject) : []) {
      out.push({
        provider: 'ses',
        type: 'complaint',
        eventId: str(c.feedbackId) ?? '',
        recipient: str(r.emailAddress),
        messageId,
        at: isoOr(c.timestamp, now),
        detail: ['complaint', str(c.complaintFeedbackType)].filter(Boolean).join(' '),
        code: null,
      });
    }
  }
  return out;
}
