// /readyz and /metrics (not under /admin: probes and Prometheus address them directly). /healthz lives in app.ts.
// /metrics is open by default — Prometheus usually scrapes it over a private network and it holds counts, never
// addresses — and the live setting `metricsAuth=token` makes it require the admin token (bearer, as Prometheus'
// `authorization` scrape option sends it, or basic). Readiness never needs a token: it reveals only reasons.
// /metrics serves the whole fleet: this process plus every worker's published snapshot (src/metrics/relay.ts),
// each series labelled pd_instance.
import type { FastifyInstance } from 'fastify';
import type { Redis } from 'ioredis';
import type { Metrics } from '../../metrics/metrics.js';
import { fleetMetrics } from '../../metrics/relay.js';
import { queueMetrics } from '../../ops/queue-metrics.js';
import type { OpsQueues } from '../../queue/handles.js';
import { checkReadiness } from '../../ops/readiness.js';
import type { Settings } from '../../settings/schema.js';
import type { PaperStore } from '../../papers/store.js';
import type { Keys } from '../../redis/keys.js';
import type { SubscriberStore } from '../../subscribers/store.js';
import { requireAdmin, type SignInThrottle } from './auth.js';

export interface ObservabilityDeps {
  /** Readiness pings it; the fleet's metric snapshots are read from it (metrics/relay.ts owns those keys). */
  redis: Redis;
  keys: Keys;
  papers: PaperStore;
  subscribers: SubscriberStore;
  queues: OpsQueues | null;
  metrics: Metrics;
  settings: () => Promise<Settings>;
  adminToken: () => string;
  /** Wrong-token throttle per IP, shared by every admin route (one is made when absent). */
  signIn?: SignInThrottle;
  clock: () => Date;
}

export function observabilityRoutes(deps: ObservabilityDeps) {
  const gauges = deps.queues ? queueMetrics(deps.metrics, { papers: deps.papers, subscribers: deps.subscribers, queues: deps.queues, clock: deps.clock }) : null;
  const guard = requireAdmin(deps.adminToken, deps.signIn);
  return async (app: FastifyInstance) => {
    app.get('/readyz', async (_req, reply) => {
      const r = await checkReadiness({ redis: deps.redis, papers: deps.papers, queues: deps.queues, settings: deps.settings, now: deps.clock() }).catch((err: Error) => ({
        ready: false,
        reasons: [`readiness check failed: ${err.message}`],
        checks: null,
      }));
      return reply.status(r.ready ? 200 : 503).header('cache-control', 'no-store').send({ status: r.ready ? 'ready' : 'not ready', ...r });
    });

    app.get('/metrics', async (req, reply) => {
      let settings: Settings | null = null;
      try {
        settings = await deps.settings();
      } catch {
        // Redis down: fail closed (require the token) rather than open
      }
      if (!settings || settings.metricsAuth === 'token') {
        await guard(req, reply);
        if (reply.sent) return reply;
      }
      try {
        await gauges?.refresh();
      } catch (err) {
        req.log.warn({ err }, 'queue gauges not refreshed; serving the process metrics only');
      }
      let registry = deps.metrics.registry;
      try {
        registry = await fleetMetrics(deps.redis, deps.keys, deps.metrics, deps.clock());
      } catch (err) {
        req.log.warn({ err }, 'worker snapshots not read; serving this process only');
      }
      return reply.header('cache-control', 'no-store').type(registry.contentType).send(await registry.metrics());
    });
  };
}
