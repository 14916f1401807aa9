// Admin authentication: `Authorization: Bearer <ADMIN_TOKEN>` (scripts, Prometheus) or HTTP Basic with any user
// name and the token as password (a browser prompts for it thanks to the WWW-Authenticate challenge).
// Comparison is constant time: both sides are hashed to 32 bytes first, so neither the content nor the length
// of the token leaks through timing. The token is never logged: the logger redacts `authorization` headers and
// this module logs only the outcome.
import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';

export const ADMIN_REALM = 'papers-digest admin';

export type AuthMethod = 'bearer' | 'basic';

function digest(s: string): Buffer {
  return createHash('sha256').update(s, 'utf8').digest();
}

export function tokenMatches(given: string, expected: string): boolean {
  return timingSafeEqual(digest(given), digest(expected));
}

/** The method that authenticated the request, or null. Pure: header in, verdict out. */
export function checkAuthorization(header: string | undefined, token: string): AuthMethod | null {
  if (!header) return null;
  const space = header.indexOf(' ');
  if (space <= 0) return null;
  const scheme = header.slice(0, space).toLowerCase();
  const value = header.slice(space + 1).trim();
  if (scheme === 'bearer') return tokenMatches(value, token) ? 'bearer' : null;
  if (scheme === 'basic') {
    let decoded: string;
    try {
      decoded = Buffer.from(value, 'base64').toString('utf8');
    } catch {
      return null;
    }
    const colon = decoded.indexOf(':');
    if (colon < 0) return null;
    return tokenMatches(decoded.slice(colon + 1), token) ? 'basic' : null;
  }
  return null;
}

declare module 'fastify' {
  interface FastifyRequest {
    adminAuth?: AuthMethod;
  }
}

/** A preHandler hook that refuses unauthenticated requests with 401 and a Basic challenge. */
export function requireAdmin(token: () => string) {
  return async (req: FastifyRequest, reply: FastifyReply) => {
    const method = checkAuthorization(req.headers.authorization, token());
    if (method) {
      req.adminAuth = method;
      return;
    }
    req.log.info({ mod: 'admin', hadCredentials: Boolean(req.headers.authorization) }, 'admin authentication refused');
    reply.header('www-authenticate', `Basic realm="${ADMIN_REALM}", charset="UTF-8"`);
    const wantsJson = (req.headers.accept ?? '').includes('application/json');
    if (wantsJson) return reply.status(401).send({ error: 'UNAUTHORIZED', message: 'admin token required' });
    return reply
      .status(401)
      .type('text/html; charset=utf-8')
      .send('<!doctype html><meta charset="utf-8"><title>401 · Papers Digest admin</title><h1>Admin sign-in required</h1>' +
        '<p>Use the admin token as the password (any user name), or send <code>Authorization: Bearer &lt;token&gt;</code>.</p>');
  };
}
