// Unsubscribe. GET shows one button plus gentler options (pause, weekly, fewer topics) and changes nothing.
// POST from that page (CSRF-checked) unsubscribes. POST with `List-Unsubscribe=One-Click` is RFC 8058's
// one-click from a mail client: no cookie, no CSRF token, urlencoded OR multipart/form-data, 200 without a
// redirect, and idempotent (a second click answers the same). Multipart is parsed only in this route's scope.
import multipart from '@fastify/multipart';
import type { FastifyInstance } from 'fastify';
import { field, type FormBody } from '../forms.js';
import { FORM_BODY_LIMIT, type Kit } from '../page-kit.js';
import { formExpired } from './confirm.js';

interface TokenParams {
  token: string;
}

export async function unsubscribeRoutes(app: FastifyInstance, kit: Kit): Promise<void> {
  const { deps } = kit;

  app.get<{ Params: TokenParams }>('/unsubscribe/:token', async (req, reply) => {
    const found = await kit.resolve(req.params.token, 'unsubscribe');
    if (!found || 'expired' in found) return kit.notFound(reply);
    const s = found.subscriber;
    const links = kit.links(s);
    return kit.send(reply, 200, 'unsubscribe', s.status === 'unsubscribed' ? 'Unsubscribed' : 'Unsubscribe', {
      action: `/unsubscribe/${req.params.token}`,
      csrf: kit.csrf.issue(req, reply),
      email: s.email,
      alreadyUnsubscribed: s.status === 'unsubscribed',
      weekly: s.frequency.kind === 'weekly',
      preferencesUrl: kit.path(links.preferences),
      preferencesAction: kit.path(links.preferences),
    });
  });

  await app.register(async (scope) => {
    await scope.register(multipart, {
      attachFieldsToBody: 'keyValues',
      limits: { fields: 8, fieldSize: 1024, files: 0, parts: 8, fieldNameSize: 64 },
    });
    scope.post<{ Params: TokenParams }>('/unsubscribe/:token', { bodyLimit: FORM_BODY_LIMIT }, async (req, reply) => {
      const found = await kit.resolve(req.params.token, 'unsubscribe');
      if (!found || 'expired' in found) return kit.notFound(reply);
      const body = (req.body ?? {}) as FormBody;
      const oneClick = field(body, 'List-Unsubscribe') === 'One-Click';
      if (!oneClick && !kit.csrfOk(req)) return formExpired(kit, reply, `/unsubscribe/${req.params.token}`);
      const s = found.subscriber;
      if (s.status !== 'unsubscribed') await deps.store.unsubscribe(s.id);
      req.log.info({ subscriberId: s.id, oneClick }, 'unsubscribed');
      return kit.send(reply, 200, 'unsubscribed', 'Unsubscribed', {
        email: s.email,
        preferencesUrl: kit.path(kit.links(s).preferences),
      });
    });
  });
}
