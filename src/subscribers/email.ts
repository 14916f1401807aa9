// Email addresses: one normalized form, used as the unique key. The whole address is lowercased (local part too):
// providers treat local parts case-insensitively in practice, and two subscriptions for Ann@x and ann@x would be
// one person getting two digests. Only a single bare address is accepted — no display name, no comments, no list,
// no line breaks — because the address ends up in SMTP envelopes and headers, where those are injection vectors.
import { domainToASCII } from 'node:url';

export const MAX_EMAIL_LENGTH = 254;

// RFC 5322 dot-atom characters for the local part (ASCII only; SMTPUTF8 local parts are not supported).
const LOCAL_RE = /^[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*$/;
const LABEL_RE = /^(?!-)[a-z0-9-]{1,63}(?<!-)$/;

export type EmailResult = { ok: true; email: string } | { ok: false; message: string };

export function normalizeEmail(raw: unknown): EmailResult {
  if (typeof raw !== 'string') return { ok: false, message: 'must be a text address' };
  const s = raw.trim();
  if (!s) return { ok: false, message: 'is required' };
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f\u2028\u2029]/.test(s)) return { ok: false, message: 'must not contain line breaks or control characters' };
  if (s.length > MAX_EMAIL_LENGTH) return { ok: false, message: `must be at most ${MAX_EMAIL_LENGTH} characters` };
  if (/[,;]/.test(s)) return { ok: false, message: 'must be a single address (no commas or semicolons)' };
  if (/[<>"()]/.test(s) || /\s/.test(s)) return { ok: false, message: 'must be a bare address like name@example.org, without a display name' };
  const at = s.lastIndexOf('@');
  if (at <= 0 || s.indexOf('@') !== at) return { ok: false, message: 'must look like name@example.org' };
  const local = s.slice(0, at);
  const domainRaw = s.slice(at + 1);
  if (local.length > 64 || !LOCAL_RE.test(local)) return { ok: false, message: 'has an invalid part before the @' };
  const domain = domainToASCII(domainRaw.toLowerCase().replace(/\.$/, ''));
  const labels = domain.split('.');
  if (!domain || labels.length < 2 || !labels.every((l) => LABEL_RE.test(l)) || !/^([a-z]{2,63}|xn--[a-z0-9-]+)$/.test(labels.at(-1)!)) {
    return { ok: false, message: 'has an invalid domain after the @' };
  }
  return { ok: true, email: `${local.toLowerCase()}@${domain}` };
}
