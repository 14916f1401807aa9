// CSRF protection for admin POSTs. Basic-auth credentials are sent by the browser automatically, so a page on
// another site could otherwise post our forms. Two independent checks:
// 1. same origin: Origin (or, failing that, Referer) must be this site. Admin pages send
//    `Referrer-Policy: same-origin` — with the app-wide `no-referrer` a browser sends `Origin: null` on form posts.
// 2. a form token: HMAC(admin token, purpose) — another site cannot compute it without the admin token.
// Bearer-authenticated requests skip both: browsers never attach a bearer header on their own.
import { createHmac } from 'node:crypto';
import type { FastifyRequest } from 'fastify';
import { tokenMatches } from './auth.js';

export function csrfToken(adminToken: string): string {
  return createHmac('sha256', adminToken).update('papers-digest admin form v1').digest('base64url');
}

function originOf(u: string): string | null {
  try {
    return new URL(u).origin;
  } catch {
    return null;
  }
}

/** Origins a legitimate admin page can post from: PUBLIC_URL and the host the request was addressed to. */
export function allowedOrigins(req: FastifyRequest, publicUrl: string): Set<string> {
  const out = new Set<string>();
  const pub = originOf(publicUrl);
  if (pub) out.add(pub);
  if (req.host) out.add(`${req.protocol}://${req.host}`);
  return out;
}

/** Null when Origin (or, failing that, Referer) names this site; else why the request is refused. */
export function sameOriginProblem(req: FastifyRequest, publicUrl: string): string | null {
  const allowed = allowedOrigins(req, publicUrl);
  const origin = req.headers.origin;
  const referer = req.headers.referer;
  if (origin !== undefined) return allowed.has(origin) ? null : `cross-origin request refused (Origin ${origin})`;
  if (referer !== undefined) {
    const o = originOf(referer);
    return o && allowed.has(o) ? null : 'cross-origin request refused (Referer)';
  }
  return 'request without Origin or Referer refused';
}

/** Null when the request may proceed, else the reason it is refused. */
export function csrfProblem(req: FastifyRequest, adminToken: string, publicUrl: string, formToken: unknown): string | null {
  if (req.adminAuth === 'bearer') return null;
  const cross = sameOriginProblem(req, publicUrl);
  if (cross) return cross;
  if (typeof formToken !== 'string' || !tokenMatches(formToken, csrfToken(adminToken))) return 'form token missing or wrong; reload the page';
  return null;
}
