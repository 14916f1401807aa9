// The subscriber pages as one fastify plugin: subscribe (/), confirm, preferences, unsubscribe (incl. RFC 8058
// one-click), archive, and the static CSS/JS. Body parsers, cookies and multipart are registered inside this
// plugin's own scope, so they neither leak into nor depend on other plugins (admin, metrics).
import cookie from '@fastify/cookie';
import formbody from '@fastify/formbody';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { subscriberLinks } from '../links/signed-links.js';
import { createCsrf, CSRF_FIELD } from './csrf.js';
import { addressKeyFn, DEFAULT_LIMITS, FORM_BODY_LIMIT, makeResolver, type Kit, type SubscriptionDeps } from './page-kit.js';
import { compilePages } from './pages.js';
import { RateLimiter } from './rate-limit.js';
import { archiveRoutes } from './routes/archive.js';
import { confirmRoutes } from './routes/confirm.js';
import { dataRightsRoutes } from './routes/data-rights.js';
import { feedbackRoutes } from './routes/feedback.js';
import { readingListRoutes } from './routes/reading-list.js';
import { preferencesRoutes } from './routes/preferences.js';
import { subscribeRoutes } from './routes/subscribe.js';
import { unsubscribeRoutes } from './routes/unsubscribe.js';
import { staticRoutes } from './static.js';
import { zoneList } from './views.js';


export function subscriptionPlugin(deps: SubscriptionDeps) {
  // Compiled once here, when the app is built: a broken template fails the start, not a request.
  const pages = compilePages(deps.pagesDir);
  const csrf = createCsrf({ secrets: deps.secrets, secure: deps.publicUrl.startsWith('https:') });
  const limiter = new RateLimiter(deps.redis, deps.keys, deps.clock);
  const limits = { ...DEFAULT_LIMITS, ...deps.limits };
  const zones = zoneList();
  const inflight = new Set<Promise<unknown>>();
  const resolve = makeResolver(deps);
  const addressKey = addressKeyFn(deps.secrets);

  const send: Kit['send'] = (reply, status, page, title, view) =>
    reply
      .status(status)
      .header('cache-control', 'no-store')
      .type('text/html; charset=utf-8')
      .send(pages.render(page, title, view));

  const kit: Kit = {
    deps,
    pages,
    csrf,
    limiter,
    limits,
    zones,
    track(p) {
      const tracked = p.catch((err: unknown) => deps.log.error({ err, mod: 'web' }, 'background task failed')).finally(() => inflight.delete(tracked));
      inflight.add(tracked);
    },
    send,
    message: (reply, status, m) => send(reply, status, 'message', m.title, m),
    resolve,
    notFound: (reply: FastifyReply) => {
      reply.callNotFound();
      return reply;
    },
    links: (s) => subscriberLinks(deps.publicUrl, s, deps.secrets, deps.clock()),
    path: (url) => new URL(url).pathname,
    addressKey,
    csrfOk: (req: FastifyRequest) => csrf.verify(req, (req.body as Record<string, unknown> | undefined)?.[CSRF_FIELD]),
  };

  return async function subscriptionRoutes(app: FastifyInstance): Promise<void> {
    await app.register(async (scope) => {
      await scope.register(cookie);
      await scope.register(formbody, { bodyLimit: FORM_BODY_LIMIT });
      scope.addHook('onClose', async () => {
        await Promise.allSettled([...inflight]);
      });
      staticRoutes(scope);
      subscribeRoutes(scope, kit);
      confirmRoutes(scope, kit);
      preferencesRoutes(scope, kit);
      dataRightsRoutes(scope, kit);
      await unsubscribeRoutes(scope, kit);
      archiveRoutes(scope, kit);
      feedbackRoutes(scope, kit);
      readingListRoutes(scope, kit);
    });
  };
}
