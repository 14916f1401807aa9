// The fastify app, built by a function and never listening itself (main.ts listens; tests use app.inject()).
// One error handler maps error codes to HTTP; one hook sets the security headers on every response.
import Fastify, { type FastifyInstance, type FastifyServerOptions } from 'fastify';
import type { Logger } from '../log.js';
import { redactUrlTokens } from '../util/redact.js';

export interface WebDeps {
  log: Logger;
  /** Registers each domain's routes. Composition root passes them in so the app stays ignorant of stores. */
  plugins: ((app: FastifyInstance) => Promise<void> | void)[];
  trustProxy?: boolean | number | string[];
  /**
   * Whether the store (Redis) answers now. While it does not, every page but /healthz answers a fast 503 at once:
   * during an outage `GET /` used to hang 5 s on queued Redis commands, then answer 500.
   */
  storeUp?: () => boolean;
}

export const SECURITY_HEADERS: Record<string, string> = {
  'content-security-policy':
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data: https:; font-src 'self'; connect-src 'self'; " +
    "form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
  'referrer-policy': 'no-referrer', // tokens live in URLs: never leak them to other sites
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
  'cross-origin-opener-policy': 'same-origin',
  'permissions-policy': 'camera=(), microphone=(), geolocation=(), interest-cohort=()',
};

export async function buildApp(deps: WebDeps, options: FastifyServerOptions = {}): Promise<FastifyInstance> {
  const app = Fastify({
    // Request logs never hold a capability: every token-like path segment is redacted (redactUrlTokens).
    loggerInstance: deps.log.child({ mod: 'web' }, { serializers: { req: requestForLog } }),
    // A hop count becomes proxy-addr's (addr, hop) predicate: fastify's types do not take the number form.
    trustProxy: typeof deps.trustProxy === 'number' ? trustHops(deps.trustProxy) : (deps.trustProxy ?? false),
    bodyLimit: 256 * 1024,
    // Signed-link tokens travel as one path parameter and may be up to MAX_TOKEN_LENGTH (400) characters; fastify's
    // default of 100 would answer 414 to a valid archive link signed with a long key id.
    routerOptions: { maxParamLength: 512 },
    ...options,
  });

  app.addHook('onSend', async (_req, reply, payload) => {
    for (const [k, v] of Object.entries(SECURITY_HEADERS)) {
      if (!reply.hasHeader(k)) reply.header(k, v);
    }
    return payload;
  });

  app.setErrorHandler((err: Error & { statusCode?: number; code?: string; validation?: unknown }, req, reply) => {
    const status = err.statusCode && err.statusCode >= 400 && err.statusCode < 600 ? err.statusCode : 500;
    if (status >= 500) req.log.error({ err }, 'request failed');
    else req.log.info({ code: err.code, status }, err.message);
    const message = status >= 500 ? 'Something went wrong on our side. Please try again in a minute.' : err.message;
    const wantsJson = (req.headers.accept ?? '').includes('application/json') && !(req.headers.accept ?? '').includes('text/html');
    if (wantsJson) return reply.status(status).send({ error: err.code ?? 'ERROR', message });
    return reply.status(status).type('text/html; charset=utf-8').send(errorPage(status, message));
  });

  app.setNotFoundHandler((req, reply) => {
    // The same page whatever the cause: a token for a missing subscriber must not look different from a bad URL.
    reply.status(404).type('text/html; charset=utf-8').send(errorPage(404, 'This page does not exist, or the link is no longer valid.'));
  });

  const storeUp = deps.storeUp;
  if (storeUp) {
    app.addHook('onRequest', async (req, reply) => {
      if (storeUp() || req.url === '/healthz') return;
      reply.header('retry-after', '30');
      const wantsJson = (req.headers.accept ?? '').includes('application/json') && !(req.headers.accept ?? '').includes('text/html');
      if (wantsJson) return reply.status(503).send({ error: 'UNAVAILABLE', message: 'storage unavailable; try again shortly' });
      return reply.status(503).type('text/html; charset=utf-8').send(errorPage(503, 'Papers Digest is briefly unavailable. Please try again in a minute.'));
    });
  }

  app.get('/healthz', async () => ({ status: 'ok' }));

  for (const plugin of deps.plugins) await plugin(app);
  return app;
}

/** Fastify's request log fields, with the URL's tokens redacted. */
export function requestForLog(req: { method?: string; url?: string; host?: string; ip?: string; socket?: { remotePort?: number } }) {
  return {
    method: req.method,
    url: typeof req.url === 'string' ? redactUrlTokens(req.url) : req.url,
    host: req.host,
    remoteAddress: req.ip,
    remotePort: req.socket?.remotePort,
  };
}

function trustHops(hops: number): (addr: string, hop: number) => boolean {
  return (_addr, hop) => hop < hops;
}

function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

export function errorPage(status: number, message: string): string {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>${status} · Papers Digest</title><link rel="stylesheet" href="/static/app.css"></head>
<body><header class="site"><a class="brand" href="/"><span class="brand-mark" aria-hidden="true">¶</span>Papers Digest</a></header>
<main class="page"><section class="card narrow"><h1>${status === 404 ? 'Not found' : 'Sorry'}</h1><p>${escapeHtml(message)}</p><p><a href="/">Papers Digest home</a></p></section></main></body></html>`;
}
