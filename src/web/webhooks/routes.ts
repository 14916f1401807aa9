// POST /webhooks/<provider>: bounces and complaints reported by mail providers after they accepted a message.
// Each request is verified on its raw bytes (signature, credentials, timestamp tolerance) before anything in it
// is read; then its delivery id is claimed in the replay guard (a second delivery with it is refused, 409); then
// each event is applied. A refusal changes nothing. Only providers with a configured secret are mounted — the
// others answer 404. Bodies are parsed here, in this plugin's own scope, as raw buffers.
import type { FastifyInstance } from 'fastify';
import type { Logger } from '../../log.js';
import { applyDeliveryEvent, type ApplyDeps, type ApplyOutcome } from '../../bounces/apply.js';
import type { WebhookProvider } from '../../bounces/provider.js';
import type { ReplayGuard } from '../../bounces/replay.js';

export interface WebhookDeps {
  providers: WebhookProvider[];
  guard: Pick<ReplayGuard, 'claim' | 'release'>;
  apply: ApplyDeps;
  clock: () => Date;
  log: Logger;
}

/** Big enough for a SendGrid batch; anything larger is refused with 413 before it is read. */
export const WEBHOOK_BODY_LIMIT = 2 * 1024 * 1024;

export function webhookPlugin(deps: WebhookDeps) {
  return async function webhookRoutes(app: FastifyInstance): Promise<void> {
    await app.register(async (scope) => {
      scope.removeAllContentTypeParsers();
      scope.addContentTypeParser('*', { parseAs: 'buffer', bodyLimit: WEBHOOK_BODY_LIMIT }, (_req, body, done) => done(null, body));
      for (const provider of deps.providers) {
        scope.post(`/webhooks/${provider.name}`, { bodyLimit: WEBHOOK_BODY_LIMIT }, async (req, reply) => {
          const body = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
          const verified = await provider.verify({ headers: req.headers, body, now: deps.clock() });
          if (!verified.ok) {
            req.log.info({ provider: provider.name, reason: verified.reason }, 'webhook refused');
            return reply.status(verified.status).send({ error: verified.status === 401 ? 'unauthorized' : 'bad-request', message: verified.reason });
          }
          if (!(await deps.guard.claim(provider.name, verified.deliveryId))) {
            req.log.info({ provider: provider.name }, 'webhook replay refused');
            return reply.status(409).send({ error: 'replayed', message: 'this delivery was already processed' });
          }
          const outcomes: ApplyOutcome[] = [];
          try {
            await verified.action?.run();
            for (const e of verified.events) outcomes.push(await applyDeliveryEvent(deps.apply, e));
          } catch (err) {
            // Let the provider's retry through: our failure, not theirs.
            await deps.guard.release(provider.name, verified.deliveryId);
            throw err;
          }
          req.log.info({ provider: provider.name, events: outcomes.length }, 'webhook processed');
          return reply.send({ ok: true, events: outcomes.length, outcomes, ...(verified.action ? { note: verified.action.note } : {}) });
        });
      }
    });
  };
}
