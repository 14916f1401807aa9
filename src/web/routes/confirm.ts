// Confirm: GET shows what will happen and a button (link scanners fetch every URL in an email, so a GET must
// change nothing); POST confirms and shows the summary with the preferences link.
import type { FastifyInstance } from 'fastify';
import type { Kit } from '../page-kit.js';
import { describeInstant, summaryView } from '../views.js';

interface TokenParams {
  token: string;
}

export function confirmRoutes(app: FastifyInstance, kit: Kit): void {
  const { deps } = kit;
  const expired = (reply: Parameters<Kit['message']>[0]) =>
    kit.message(reply, 410, {
      title: 'Link expired',
      heading: 'This confirmation link has expired',
      paragraphs: ['Confirmation links work for 48 hours. Subscribe again and we will send you a fresh one.'],
      link: { href: '/', text: 'Subscribe again' },
    });

  app.get<{ Params: TokenParams }>('/confirm/:token', async (req, reply) => {
    const found = await kit.resolve(req.params.token, 'confirm');
    if (!found) return kit.notFound(reply);
    if ('expired' in found) return expired(reply);
    const s = found.subscriber;
    const alreadyConfirmed = s.status === 'active' || s.status === 'paused';
    return kit.send(reply, 200, 'confirm', alreadyConfirmed ? 'Already confirmed' : 'Confirm your subscription', {
      alreadyConfirmed,
      action: `/confirm/${req.params.token}`,
      csrf: kit.csrf.issue(req, reply),
      summary: summaryView(s, deps.topics),
      preferencesUrl: kit.path(kit.links(s).preferences),
    });
  });

  app.post<{ Params: TokenParams }>('/confirm/:token', async (req, reply) => {
    const found = await kit.resolve(req.params.token, 'confirm');
    if (!found) return kit.notFound(reply);
    if ('expired' in found) return expired(reply);
    if (!kit.csrfOk(req)) return formExpired(kit, reply, `/confirm/${req.params.token}`);
    const before = found.subscriber;
    if (before.status !== 'active' && before.status !== 'paused') await deps.store.confirm(before.id);
    const s = (await deps.store.get(before.id)) ?? before;
    req.log.info({ subscriberId: s.id }, 'subscription confirmed');
    // A suppressed address gets nothing, whatever the record says: never promise a first digest; the preferences
    // page explains and offers the confirmed re-enable (routes/data-rights.ts).
    if (deps.dataRights && (await deps.dataRights.suppression(s.email)).entry) return reply.redirect(`${kit.path(kit.links(s).preferences)}#suppressed`, 303);
    return kit.send(reply, 200, 'confirmed', 'You are subscribed', {
      summary: summaryView(s, deps.topics),
      nextSend: describeInstant(deps.nextDelivery?.(s) ?? null, s.timezone),
      preferencesUrl: kit.path(kit.links(s).preferences),
    });
  });
}

/** A state-changing post without a valid CSRF token: refuse, change nothing, offer the way back. */
export function formExpired(kit: Kit, reply: Parameters<Kit['message']>[0], backTo: string) {
  return kit.message(reply, 403, {
    title: 'Form expired',
    heading: 'Please try that again',
    paragraphs: ['This form had expired (or cookies are blocked for this site), so nothing was changed. Reload the page and press the button again.'],
    link: { href: backTo, text: 'Reload the page' },
  });
}
