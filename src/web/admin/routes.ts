// The admin area under /admin: dashboard, settings form with audit history, Bull Board (/admin/queues) and the
// outbox browser. Everything here sits behind the admin token (see auth.ts); POSTs also pass the CSRF checks.
// Admin responses are never cached and send `Referrer-Policy: same-origin` (needed for the Origin check).
import formbody from '@fastify/formbody';
import type { FastifyInstance } from 'fastify';
import type { Logger } from '../../log.js';
import { loadDashboard, type DashboardDeps } from '../../ops/dashboard.js';
import type { OpsQueues } from '../../queue/handles.js';
import { DEFAULT_SETTINGS, SettingsError, type Settings } from '../../settings/schema.js';
import type { SettingsStore } from '../../settings/store.js';
import { requireAdmin, type SignInThrottle } from './auth.js';
import { mountBullBoard } from './bull-board.js';
import { csrfProblem, csrfToken } from './csrf.js';
import { dashboardView } from './dashboard-view.js';
import { registerOutboxRoutes, type OutboxReader } from './outbox.js';
import { registerSuppressionRoutes } from './suppressions.js';
import type { SuppressionOpsDeps } from '../../ops/suppressions.js';
import { allFieldGroups, parseSettingsForm } from './settings-form.js';
import { compileAdminViews } from './views.js';

export interface AdminDeps {
  /** The stores the dashboard reads (its queues are `queues` below). */
  stores: Omit<DashboardDeps, 'queues' | 'settings'>;
  settings: SettingsStore;
  adminToken: () => string;
  /** Wrong-token throttle per IP, shared by every admin route (one is made when absent). */
  signIn?: SignInThrottle;
  publicUrl: string;
  clock: () => Date;
  log: Logger;
  queues: OpsQueues | null;
  /** Present when the outbox transport is on (SMTP_URL unset). */
  outbox: OutboxReader | null;
  /** The suppression list page (/admin/suppressions); off when absent. */
  suppressions?: SuppressionOpsDeps;
}

const show = (v: unknown) => (typeof v === 'string' ? JSON.stringify(v) : String(v));

function settingsView(
  current: Settings,
  opts: { posted?: Record<string, unknown>; errors?: Record<string, string>; general?: string[]; saved?: string; csrf: string; history: unknown[] },
) {
  return {
    csrf: opts.csrf,
    saved: opts.saved ?? '',
    failed: Boolean(opts.errors && (Object.keys(opts.errors).length || opts.general?.length)),
    general: opts.general ?? [],
    history: opts.history,
    groups: allFieldGroups().map((g) => ({
      title: g.title,
      fields: g.fields.map((f) => {
        const posted = opts.posted?.[f.key];
        const value = typeof posted === 'string' ? posted : String(current[f.key]);
        return {
          ...f,
          value,
          error: opts.errors?.[f.key] ?? '',
          isSelect: f.kind === 'select',
          isNumber: f.kind === 'number',
          options: (f.options ?? []).map((o) => ({ ...o, selected: o.value === value })),
          isDefault: JSON.stringify(current[f.key]) === JSON.stringify(DEFAULT_SETTINGS[f.key]),
          defaultValue: f.options?.find((o) => o.value === String(DEFAULT_SETTINGS[f.key]))?.label ?? String(DEFAULT_SETTINGS[f.key]),
        };
      }),
    })),
  };
}

export function adminRoutes(deps: AdminDeps) {
  const views = compileAdminViews();
  return async (app: FastifyInstance) => {
    await app.register(
      async (admin) => {
        if (!admin.hasContentTypeParser('application/x-www-form-urlencoded')) await admin.register(formbody);
        admin.addHook('onRequest', requireAdmin(deps.adminToken, deps.signIn));
        admin.addHook('onRequest', async (_req, reply) => {
          reply.header('cache-control', 'no-store');
          reply.header('referrer-policy', 'same-origin');
        });
        const layout = (title: string) => ({ title, now: `${deps.clock().toISOString().slice(0, 16).replace('T', ' ')} UTC`, outboxOn: deps.outbox !== null });
        const history = async () =>
          (await deps.settings.history(30)).map((e) => ({ ...e, at: `${e.at.replace('T', ' ').slice(0, 19)} UTC`, changes: e.changes.map((c) => ({ key: c.key, from: show(c.from), to: show(c.to) })) }));

        admin.get('/static/admin.css', async (_req, reply) => reply.type('text/css; charset=utf-8').send(views.css));

        admin.get('/', async (_req, reply) => {
          const data = await loadDashboard(
            { ...deps.stores, queues: deps.queues, settings: () => deps.settings.get() },
            deps.clock(),
          );
          return reply.type('text/html; charset=utf-8').send(views.render('dashboard', dashboardView(data), layout('Dashboard')));
        });

        admin.get('/api/settings', async () => ({ settings: await deps.settings.get(), history: await deps.settings.history(30) }));

        admin.get('/settings', async (req, reply) => {
          const saved = (req.query as Record<string, string>).saved;
          const view = settingsView(await deps.settings.get(), {
            csrf: csrfToken(deps.adminToken()),
            history: await history(),
            saved: saved === undefined ? '' : saved === '0' ? 'No change: the values were already set.' : `Saved ${saved} change${saved === '1' ? '' : 's'}. Running workers apply them within seconds.`,
          });
          return reply.type('text/html; charset=utf-8').send(views.render('settings', view, layout('Settings')));
        });

        admin.post('/settings', async (req, reply) => {
          const body = (req.body ?? {}) as Record<string, unknown>;
          const problem = csrfProblem(req, deps.adminToken(), deps.publicUrl, body._csrf);
          if (problem) {
            req.log.warn({ mod: 'admin', reason: problem }, 'admin POST refused');
            return reply.status(403).type('text/plain; charset=utf-8').send(`Refused: ${problem}`);
          }
          const current = await deps.settings.get();
          const parsed = parseSettingsForm(body, current);
          const rerender = async (errors: Record<string, string>, general: string[]) => {
            const view = settingsView(current, { posted: body, errors, general, csrf: csrfToken(deps.adminToken()), history: await history() });
            return reply.status(422).type('text/html; charset=utf-8').send(views.render('settings', view, layout('Settings')));
          };
          if (!parsed.ok) return rerender(parsed.errors, parsed.general);
          try {
            const { changes } = await deps.settings.set(parsed.patch, 'admin-web');
            deps.log.info({ mod: 'admin', keys: changes.map((c) => c.key) }, 'settings changed from the admin web');
            return reply.redirect(`/admin/settings?saved=${changes.length}`, 303);
          } catch (err) {
            if (err instanceof SettingsError) return rerender({}, err.problems);
            throw err;
          }
        });

        if (deps.queues) await mountBullBoard(admin, deps.queues, '/admin/queues', deps.publicUrl);
        if (deps.outbox) registerOutboxRoutes(admin, deps.outbox, views, layout);
        if (deps.suppressions) registerSuppressionRoutes(admin, { ...deps.suppressions, adminToken: deps.adminToken, publicUrl: deps.publicUrl, log: deps.log }, views, layout);
      },
      { prefix: '/admin' },
    );
  };
}
