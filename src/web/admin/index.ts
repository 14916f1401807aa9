// Composition of the operator web surface from Services: the admin area (/admin/**) and the probes/metrics
// (/readyz, /metrics), both on the services' queue handles.
import type { FastifyInstance } from 'fastify';
import type { Services } from '../../services.js';
import { observabilityRoutes } from './observability.js';
import { outboxDir } from '../../mail/create-mailer.js';
import { fileOutboxReader, type OutboxReader } from './outbox.js';
import { adminRoutes } from './routes.js';
import { SignInThrottle } from './auth.js';

export function adminPlugins(services: Services, opts: { outbox?: OutboxReader | null } = {}): ((app: FastifyInstance) => Promise<void>)[] {
  const { ctx, metrics, queues, papers, subscribers, ledger, suppression } = services;
  const settings = () => ctx.settings.get();
  const adminToken = () => ctx.secrets.adminToken;
  const signIn = new SignInThrottle();
  return [
    observabilityRoutes({ redis: ctx.redis, keys: ctx.keys, papers, subscribers, queues, metrics, settings, adminToken, signIn, clock: ctx.clock }),
    adminRoutes({
      stores: { papers, subscribers, ledger, suppression },
      settings: ctx.settings,
      adminToken,
      signIn,
      publicUrl: ctx.config.publicUrl,
      clock: ctx.clock,
      log: ctx.log.child({ mod: 'admin' }),
      queues,
      // The outbox browser exists when the outbox transport is on (SMTP_URL unset).
      suppressions: { suppression, subscribers },
      outbox: opts.outbox !== undefined ? opts.outbox : ctx.config.smtpUrl ? null : fileOutboxReader(outboxDir(ctx.config)),
    }),
  ];
}
