// Readers' data rights and the suppression notice, beside the preferences page (its own routes and partials):
//   GET  /my-data/:token                  the JSON export (a `data-export` link, valid EXPORT_TTL_MS; GET reads only)
//   GET  /preferences/:token/delete       "Delete my data?" confirmation page (no change)
//   POST /preferences/:token/delete       with confirm=yes: delete through every data owner; else the page again
//   POST /preferences/:token/reenable     first the confirmation page; with confirm=yes lift the suppression of the
//                                         reader's address — once per address — and resume their digests
// Every POST passes the CSRF check; every link is the reader's signed preferences link (or the export link).
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { signToken } from '../../links/signed-links.js';
import type { Subscriber } from '../../subscribers/subscriber.js';
import { field, type FormBody } from '../forms.js';
import { FORM_BODY_LIMIT, type Kit } from '../page-kit.js';
import { formExpired } from './confirm.js';

/** Download links are short-lived: they hand out everything we hold about a person. */
export const EXPORT_TTL_MS = 15 * 60_000;


interface TokenParams {
  token: string;
}

/** What the preferences page adds for the notice and the "Your data" card (spread last into its view). */
export async function dataRightsView(kit: Kit, s: Subscriber, token: string): Promise<Record<string, unknown>> {
  const port = kit.deps.dataRights;
  if (!port) return {};
  const now = kit.deps.clock();
  const exportToken = signToken({ purpose: 'data-export', subscriberId: s.id, tokenVersion: s.tokenVersion, expiresAt: new Date(now.getTime() + EXPORT_TTL_MS) }, kit.deps.secrets);
  const view: Record<string, unknown> = {
    dataRights: { exportHref: `/my-data/${exportToken}`, exportMinutes: EXPORT_TTL_MS / 60_000, deleteHref: `/preferences/${token}/delete` },
  };
  const { entry, mayRelease } = await port.suppression(s.email);
  if (entry) {
    // Whatever the record's status says, nothing is delivered to a suppressed address: never show "Active".
    view.suppressed = { complaint: entry.kind === 'complaint', at: entry.at ? entry.at.slice(0, 10) : '', mayRelease, reenableAction: `/preferences/${token}/reenable` };
    view.statusLabel = entry.kind === 'complaint' ? 'Stopped: marked as spam' : 'Stopped: your mailbox refused our email';
    view.status = 'bouncing';
    view.bouncing = false; // the suppressed notice replaces the plain "resume" one
  }
  return view;
}

/**
 * A resume or resubscribe from the preferences form, while the address is suppressed, would make the record
 * "active" with nothing ever delivered: refused, pointing at the confirmed re-enable instead. Null = go ahead.
 */
export async function suppressedRefusal(kit: Kit, s: Subscriber): Promise<{ status: number; errors: { form: string } } | null> {
  const port = kit.deps.dataRights;
  if (!port || !(await port.suppression(s.email)).entry) return null;
  return { status: 409, errors: { form: 'Your address is on our suppression list, so digests cannot start again from here. Use “Re-enable email” instead.' } };
}

export function dataRightsRoutes(app: FastifyInstance, kit: Kit): void {
  const port = kit.deps.dataRights;
  if (!port) return;
  const prefsPath = (token: string) => `/preferences/${token}`;

  const confirmPage = (req: FastifyRequest<{ Params: TokenParams }>, reply: FastifyReply, v: { status?: number; title: string; heading: string; paragraphs: string[]; action: string; button: string; danger?: boolean; error?: string }) =>
    kit.send(reply, v.status ?? 200, 'confirm-action', v.title, { ...v, csrf: kit.csrf.issue(req, reply), cancelHref: prefsPath(req.params.token) });

  const deletePage = (req: FastifyRequest<{ Params: TokenParams }>, reply: FastifyReply, s: Subscriber, status = 200, error?: string) =>
    confirmPage(req, reply, {
      status,
      title: 'Delete my data',
      heading: 'Delete your data?',
      paragraphs: [
        `We will forget ${s.email}, your choices, the digests we sent you and what mail providers reported about them. No more digests will come.`,
        'This cannot be undone. Links in old emails will stop working.',
      ],
      action: `${prefsPath(req.params.token)}/delete`,
      button: 'Yes, delete everything',
      danger: true,
      ...(error ? { error } : {}),
    });

  app.get<{ Params: TokenParams }>('/my-data/:token', async (req, reply) => {
    const found = await kit.resolve(req.params.token, 'data-export');
    if (found && 'expired' in found) {
      return kit.message(reply, 410, { title: 'Link expired', heading: 'This download link has expired', paragraphs: ['Download links work for 15 minutes. Open your preferences page again (from any digest) for a new one.'] });
    }
    if (!found) return kit.notFound(reply);
    const data = await port.exportData(found.subscriber);
    req.log.info({ subscriberId: found.subscriber.id }, 'data export downloaded');
    return reply
      .header('cache-control', 'no-store')
      .header('content-disposition', 'attachment; filename="papers-digest-my-data.json"')
      .type('application/json; charset=utf-8')
      .send(JSON.stringify(data, null, 2));
  });

  app.get<{ Params: TokenParams }>('/preferences/:token/delete', async (req, reply) => {
    const found = await kit.resolve(req.params.token, 'preferences');
    if (!found || 'expired' in found) return kit.notFound(reply);
    return deletePage(req, reply, found.subscriber);
  });

  app.post<{ Params: TokenParams }>('/preferences/:token/delete', { bodyLimit: FORM_BODY_LIMIT }, async (req, reply) => {
    const found = await kit.resolve(req.params.token, 'preferences');
    if (!found || 'expired' in found) return kit.notFound(reply);
    if (!kit.csrfOk(req)) return formExpired(kit, reply, `${prefsPath(req.params.token)}/delete`);
    if (field((req.body ?? {}) as FormBody, 'confirm') !== 'yes') return deletePage(req, reply, found.subscriber, 400, 'Confirm with the button below to delete your data.');
    await port.deleteData(found.subscriber);
    req.log.info({ subscriberId: found.subscriber.id }, 'subscriber deleted at their request');
    return kit.message(reply, 200, {
      title: 'Deleted',
      heading: 'Your data is deleted',
      paragraphs: ['We removed your address, your choices and your history. Links in old emails no longer work.'],
      live: true,
      link: { href: '/', text: 'Papers Digest home' },
    });
  });

  app.post<{ Params: TokenParams }>('/preferences/:token/reenable', { bodyLimit: FORM_BODY_LIMIT }, async (req, reply) => {
    const found = await kit.resolve(req.params.token, 'preferences');
    if (!found || 'expired' in found) return kit.notFound(reply);
    if (!kit.csrfOk(req)) return formExpired(kit, reply, prefsPath(req.params.token));
    const s = found.subscriber;
    const { entry, mayRelease } = await port.suppression(s.email);
    if (!entry) return reply.redirect(prefsPath(req.params.token), 303);
    if (!mayRelease) {
      return kit.message(reply, 409, { title: 'Already re-enabled once', heading: 'Please contact us', paragraphs: ['You already re-enabled email for this address once. The operator of this service can lift it again.'], link: { href: prefsPath(req.params.token), text: 'Back to your preferences' } });
    }
    if (field((req.body ?? {}) as FormBody, 'confirm') !== 'yes') {
      return confirmPage(req, reply, {
        title: 'Re-enable email',
        heading: 'Turn email back on?',
        paragraphs: [
          entry.kind === 'complaint'
            ? `Your provider reported one of our emails to ${s.email} as spam. Turn digests back on only if you want them.`
            : `Our emails to ${s.email} bounced. Turn them back on only if your mailbox works again.`,
          'You can do this once. If it is stopped again, the operator of this service has to lift it.',
        ],
        action: `${prefsPath(req.params.token)}/reenable`,
        button: 'Yes, send my digests again',
      });
    }
    const released = await port.releaseByReader(s.email, kit.deps.clock());
    if (released === 'released') await kit.deps.store.resume(s.id);
    req.log.info({ subscriberId: s.id, outcome: released }, 'suppression lifted by the reader');
    return reply.redirect(prefsPath(req.params.token), 303);
  });
}
