// /admin/suppressions: the suppression list (reason, provider, evidence, when) and its removal. A removal takes two
// POSTs: the first shows what will happen, the second (confirm=yes) does it. Addresses never appear in URLs (an
// entry is named by a digest of its address), so request logs hold none.
import { createHash } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import type { Logger } from '../../log.js';
import { removalPlan, removeSuppression, showSuppression, type SuppressionOpsDeps } from '../../ops/suppressions.js';
import { csrfProblem, csrfToken } from './csrf.js';
import type { AdminViews } from './views.js';

export interface AdminSuppressionDeps extends SuppressionOpsDeps {
  adminToken: () => string;
  publicUrl: string;
  log: Logger;
}

const LIMIT = 500;
export const suppressionRef = (email: string) => createHash('sha256').update(`pd-suppression:${email}`).digest('hex').slice(0, 24);

export function registerSuppressionRoutes(
  admin: FastifyInstance,
  deps: AdminSuppressionDeps,
  views: AdminViews,
  layout: (title: string) => { title: string; now: string; outboxOn: boolean },
): void {
  const find = async (ref: string) => {
    if (!/^[0-9a-f]{24}$/.test(ref)) return null;
    const e = (await deps.suppression.list(100_000)).find((x) => suppressionRef(x.email) === ref);
    return e ? showSuppression(deps, e.email) : null;
  };
  const page = (title: string, view: object) => views.render('suppressions', view, layout(title));

  admin.get('/suppressions', async (_req, reply) => {
    const entries = await deps.suppression.list(LIMIT);
    const view = {
      list: true,
      count: entries.length,
      entries: entries.map((e) => ({ ref: suppressionRef(e.email), email: e.email, kind: e.kind, provider: e.provider, at: e.at ? e.at.replace('T', ' ').slice(0, 16) : '', reason: e.reason })),
    };
    return reply.type('text/html; charset=utf-8').send(page('Suppressions', view));
  });

  admin.get<{ Params: { ref: string } }>('/suppressions/:ref', async (req, reply) => {
    const d = await find(req.params.ref);
    if (!d) return reply.callNotFound();
    const view = {
      detail: true,
      ref: req.params.ref,
      csrf: csrfToken(deps.adminToken()),
      e: d.entry,
      evidence: Object.entries(d.entry.evidence ?? {}).map(([k, v]) => ({ k, v })),
      subscriber: d.subscriber,
    };
    return reply.type('text/html; charset=utf-8').send(page('Suppression', view));
  });

  admin.post<{ Params: { ref: string } }>('/suppressions/:ref/remove', async (req, reply) => {
    const body = (req.body ?? {}) as Record<string, unknown>;
    const problem = csrfProblem(req, deps.adminToken(), deps.publicUrl, body._csrf);
    if (problem) return reply.status(403).type('text/plain; charset=utf-8').send(`Refused: ${problem}`);
    const d = await find(req.params.ref);
    if (!d) return reply.callNotFound();
    if (body.confirm !== 'yes') {
      const view = { confirm: true, ref: req.params.ref, csrf: csrfToken(deps.adminToken()), plan: removalPlan(d) };
      return reply.type('text/html; charset=utf-8').send(page('Remove suppression', view));
    }
    const res = await removeSuppression(deps, d.entry.email);
    deps.log.info({ mod: 'admin', subscriberId: res.reactivated ?? d.subscriber?.id ?? null }, 'suppression removed from the admin web');
    return reply.redirect('/admin/suppressions', 303);
  });
}
