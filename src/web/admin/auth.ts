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

/**
 * Wrong admin tokens per client IP: after `max` failures within `windowMs`, every sign-in from that IP answers 429
 * until the window has passed (300 wrong tokens used to get 300 × 401). In memory, per process: it needs no Redis
 * (so it still holds during an outage), and the map is bounded.
 */
export class SignInThrottle {
  private readonly failures = new Map<string, number[]>();
  constructor(
    private readonly max = 10,
    private readonly windowMs = 10 * 60_000,
    private readonly now: () => number = Date.now,
    private readonly maxIps = 10_000,
  ) {}

  /** Milliseconds to wait, or 0 when a try is allowed. */
  blockedFor(ip: string): number {
    const recent = this.recent(ip);
    return recent.length >= this.max ? recent[0]! + this.windowMs - this.now() : 0;
  }

  fail(ip: string): void {
    const recent = this.recent(ip);
    recent.push(this.now());
    this.failures.delete(ip);
    if (this.failures.size >= this.maxIps) this.failures.delete(this.failures.keys().next().value!);
    this.failures.set(ip, recent);
  }

  private recent(ip: string): number[] {
    const cutoff = this.now() - this.windowMs;
    return (this.failures.get(ip) ?? []).filter((t) => t > cutoff);
  }
}

/** A preHandler hook that refuses unauthenticated requests with 401 and a Basic challenge. */
export function requireAdmin(token: () => string, throttle: SignInThrottle = new SignInThrottle()) {
  return async (req: FastifyRequest, reply: FastifyReply) => {
    const wait = throttle.blockedFor(req.ip);
    if (wait > 0) {
      req.log.warn({ mod: 'admin', ip: req.ip }, 'admin sign-in throttled after repeated wrong tokens');
      reply.header('retry-after', String(Math.ceil(wait / 1000)));
      return reply.status(429).type('text/plain; charset=utf-8').send('Too many wrong admin tokens from your address; try again later.\n');
    }
    const method = checkAuthorization(req.headers.authorization, token());
    if (method) {
      req.adminAuth = method;
      return;
    }
    if (req.headers.authorization) throttle.fail(req.ip);
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
