// Every SMTP failure is classified here and only here; the send job acts on the class:
//   transient  — 4xx replies and connection trouble before the message data was sent: retry with backoff + jitter.
//   throttled  — 421 / 451 / 4.7.x or "rate/too many" texts: the server wants us slower; slow the whole queue
//                (BullMQ rate limit) instead of burning this job's attempts. Also failures about us (AUTH, our
//                MAIL FROM refused): every send would fail alike, so the queue waits for the operator's fix.
//   permanent  — 5xx for this message: never retried. `bounce` says whether it speaks about the mailbox (RCPT,
//                or DATA other than a content/policy refusal), which counts toward suppression.
//   unknown    — the connection died after the whole message was handed to the server but before its reply. The
//                server may have accepted it; resending could deliver twice, so it is recorded and never resent.
// Server replies often quote the recipient address; `message` has addresses masked so it can be logged and stored.

export type SmtpErrorKind = 'transient' | 'throttled' | 'permanent' | 'unknown';

export interface SmtpErrorClass {
  kind: SmtpErrorKind;
  /** The SMTP reply code (e.g. 451, 550) or null when the server never replied. */
  code: number | null;
  /** Enhanced status code (RFC 3463) such as "5.1.1", when the reply had one. */
  enhanced: string | null;
  /** The failure with email addresses masked (safe for logs and the ledger). */
  message: string;
  /** Permanent and about the recipient: counts as a bounce. */
  bounce: boolean;
}

interface ErrLike {
  message?: unknown;
  code?: unknown;
  command?: unknown;
  response?: unknown;
  responseCode?: unknown;
  dataSent?: unknown;
}

const CONNECTION_CODES = new Set([
  'ECONNECTION', 'ETIMEDOUT', 'ESOCKET', 'ECONNRESET', 'ECONNREFUSED', 'EPIPE', 'EHOSTUNREACH', 'ENETUNREACH',
  'ENOTFOUND', 'EAI_AGAIN', 'EDNS', 'ETLS', 'EPROTOCOL', 'EMAXLIMIT',
]);
const THROTTLE_TEXT = /\b(rate|throttl\w*|too many|slow down|try again later|temporarily deferred|deferred)\b/i;
const AUTH_CODES = new Set([530, 534, 535, 538]);
// Our server refusing to relay means our credentials/config are wrong: every external recipient would "bounce".
const RELAY_DENIED = /relay(ing)? (access )?(denied|not permitted)|not permitted to relay|unable to relay/i;

export function maskAddresses(text: string): string {
  return text.replace(/[^\s<>()"',;:]+@[^\s<>()"',;:]+/g, '[address]');
}

function replyCode(e: ErrLike): number | null {
  if (typeof e.responseCode === 'number' && e.responseCode >= 200 && e.responseCode < 600) return e.responseCode;
  const m = typeof e.response === 'string' ? /^([2-5]\d\d)\b/.exec(e.response) : null;
  return m ? Number(m[1]) : null;
}

function enhancedCode(e: ErrLike): string | null {
  const m = typeof e.response === 'string' ? /^[2-5]\d\d[ -]([245]\.\d{1,3}\.\d{1,3})\b/.exec(e.response) : null;
  return m ? m[1]! : null;
}

export function classifySmtpError(err: unknown): SmtpErrorClass {
  const e: ErrLike = typeof err === 'object' && err !== null ? (err as ErrLike) : { message: String(err) };
  const code = replyCode(e);
  const enhanced = enhancedCode(e);
  const text = typeof e.response === 'string' ? e.response : typeof e.message === 'string' ? e.message : String(err);
  const message = maskAddresses(text).slice(0, 500);
  const command = typeof e.command === 'string' ? e.command.toUpperCase() : '';
  const base = { code, enhanced, message, bounce: false };

  // Failures about US, not this message or recipient — bad credentials, our sender address or IP refused — would
  // fail every send alike: hold the whole queue (throttled) until the operator fixes it, spending no attempts and
  // counting no bounces.
  const aboutUs =
    e.code === 'EAUTH' || command === 'AUTH' || command.startsWith('AUTH ') || command === 'MAIL FROM' ||
    (code !== null && AUTH_CODES.has(code)) || RELAY_DENIED.test(text);
  if (code !== null) {
    if (code >= 500) {
      if (aboutUs) return { ...base, kind: 'throttled' };
      // A bounce speaks about the mailbox (5.1.x address, 5.2.x mailbox, or no detail). A 5.6.x (media) or 5.7.x
      // (security/policy) refusal judged our message or us; the address may be fine, so it is no bounce.
      const policyRefusal = /^5\.[67]\./.test(enhanced ?? '');
      return { ...base, kind: 'permanent', bounce: !policyRefusal };
    }
    if (code >= 400) {
      const throttled = aboutUs || code === 421 || code === 451 || (enhanced?.startsWith('4.7.') ?? false) || THROTTLE_TEXT.test(text);
      return { ...base, kind: throttled ? 'throttled' : 'transient' };
    }
  }
  if (aboutUs) return { ...base, kind: 'throttled' };
  // No reply. Was the message data already with the server? Our SMTP adapter says so explicitly (dataSent);
  // an error raised by the DATA stage itself without a reply means the same.
  if (e.dataSent === true || (command === 'DATA' && code === null && e.code !== 'EENVELOPE')) {
    return { ...base, kind: 'unknown' };
  }
  if (typeof e.code === 'string' && CONNECTION_CODES.has(e.code)) return { ...base, kind: 'transient' };
  if (e.code === 'EENVELOPE' || e.code === 'EMESSAGE') return { ...base, kind: 'permanent' }; // our message is at fault
  // Anything else (a programming error, a closed mailer) happened before the data left: safe to retry.
  return { ...base, kind: 'transient' };
}
