// Composition of the operator web surface from Services: the admin area (/admin/**) and the probes/metrics
// (/readyz, /metrics). Opens one Redis connection for the BullMQ queue handles both use, closed with the app.
import type { FastifyInstance } from 'fastify';
import { openQueues } from '../../ops/queues.js';
import type { Services } from '../../services.js';
import { observabilityRoutes } from './observability.js';
import { outboxDir } from '../../mail/create-mailer.js';
import { fileOutboxReader, type OutboxReader } from './outbox.js';
import { adminRoutes } from './routes.js';

export function adminPlugins(services: Services, opts: { outbox?: OutboxReader | null } = {}): ((app: FastifyInstance) => Promise<void>)[] {
  const { ctx, metrics } = services;
  const queues = openQueues(ctx.newRedis('admin-queues'), ctx.config.redisPrefix);
  const settings = () => ctx.settings.get();
  const adminToken = () => ctx.secrets.adminToken;
  return [
    async (app) => {
      app.addHook('onClose', async () => {
        await queues.close();
      });
    },
    observabilityRoutes({ redis: ctx.redis, keys: ctx.keys, queues, metrics, settings, adminToken, clock: ctx.clock }),
    adminRoutes({
      redis: ctx.redis,
      keys: ctx.keys,
      settings: ctx.settings,
      adminToken,
      publicUrl: ctx.config.publicUrl,
      clock: ctx.clock,
      log: ctx.log.child({ mod: 'admin' }),
      queues,
      // The outbox browser exists when the outbox transport is on (SMTP_URL unset).
      recentScrapes: services.papers ? (n) => services.papers.recentScrapes(n) : undefined,
      outbox: opts.outbox !== undefined ? opts.outbox : ctx.config.smtpUrl ? null : fileOutboxReader(outboxDir(ctx.config)),
    }),
  ];
}
