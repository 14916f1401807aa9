// CSRF protection for every state-changing form (RFC 8058 one-click excepted): a signed double submit.
// A per-browser random value lives in an HttpOnly, SameSite=Lax cookie; each form carries HMAC(key, value) where
// the key is derived from the newest link secret. A cross-site attacker can neither read the cookie nor compute
// the MAC, and cannot plant a cookie of their own choosing that matches a MAC they know. Every configured link
// secret verifies, so rotating LINK_SECRETS does not break forms that are open in a browser.
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { LinkSecret } from '../config.js';

export const CSRF_COOKIE = 'pd_csrf';
export const CSRF_FIELD = '_csrf';
const VALUE_RE = /^[A-Za-z0-9_-]{22,64}$/;

export interface Csrf {
  /** The form token for this browser; sets the cookie first when the browser has none (or a malformed one). */
  issue(req: FastifyRequest, reply: FastifyReply): string;
  /** True when the posted token matches the cookie. */
  verify(req: FastifyRequest, posted: unknown): boolean;
}

function derive(secret: string): Buffer {
  return createHmac('sha256', secret).update('papers-digest/csrf/v1').digest();
}

export function createCsrf(opts: { secrets: readonly LinkSecret[]; secure: boolean }): Csrf {
  if (opts.secrets.length === 0) throw new Error('CSRF needs at least one link secret');
  const keys = opts.secrets.map((s) => derive(s.secret));
  const sign = (key: Buffer, value: string) => createHmac('sha256', key).update(value).digest('base64url');
  const cookieOf = (req: FastifyRequest): string | null => {
    const v = (req.cookies as Record<string, string | undefined> | undefined)?.[CSRF_COOKIE];
    return v && VALUE_RE.test(v) ? v : null;
  };
  return {
    issue(req, reply) {
      let value = cookieOf(req);
      if (!value) {
        value = randomBytes(18).toString('base64url');
        reply.setCookie(CSRF_COOKIE, value, { path: '/', httpOnly: true, sameSite: 'lax', secure: opts.secure });
        // The request may render several forms: remember the value for the rest of it.
        (req.cookies as Record<string, string>)[CSRF_COOKIE] = value;
      }
      return sign(keys[0]!, value);
    },
    verify(req, posted) {
      const value = cookieOf(req);
      if (!value || typeof posted !== 'string' || posted.length > 100) return false;
      const given = Buffer.from(posted);
      return keys.some((k) => {
        const expected = Buffer.from(sign(k, value));
        return expected.length === given.length && timingSafeEqual(expected, given);
      });
    },
  };
}
