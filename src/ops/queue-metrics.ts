// Gauges read from Redis at scrape time (not kept by a timer): queue depth per queue and state, and the last
// successful scrape instant. Reading them when Prometheus asks makes every process — including a web role that
// never runs a job — report the fleet-wide truth, and costs nothing between scrapes.
import { Gauge, type Registry } from 'prom-client';
import type { Metrics } from '../metrics/metrics.js';
import type { PaperStore } from '../papers/store.js';
import type { SubscriberStore } from '../subscribers/store.js';
import { queueDepths } from './queues.js';
import { type OpsQueues } from '../queue/handles.js';

const QUEUE_GAUGE = 'papers_digest_queue_jobs';
const DUE_GAUGE = 'papers_digest_due_overdue';

function gauge(registry: Registry, name: string, help: string, labelNames: string[]): Gauge<string> {
  const existing = registry.getSingleMetric(name);
  if (existing) return existing as Gauge<string>;
  return new Gauge({ name, help, labelNames, registers: [registry] });
}

export function queueMetrics(
  metrics: Metrics,
  deps: { papers: Pick<PaperStore, 'lastSuccessfulScrape'>; subscribers: Pick<SubscriberStore, 'countDue'>; queues: OpsQueues; clock: () => Date },
) {
  const depth = gauge(metrics.registry, QUEUE_GAUGE, 'Jobs per queue and state, read at scrape time', ['queue', 'state']);
  const overdue = gauge(metrics.registry, DUE_GAUGE, 'Digests past their due instant and not yet fanned out, read at scrape time', []);
  return {
    /** Refresh the Redis-backed gauges; call right before serializing the registry. */
    async refresh(): Promise<void> {
      const [depths, last, late] = await Promise.all([
        queueDepths(deps.queues),
        deps.papers.lastSuccessfulScrape(),
        deps.subscribers.countDue(deps.clock()),
      ]);
      for (const d of depths) {
        for (const state of ['waiting', 'active', 'delayed', 'failed', 'prioritized'] as const) depth.set({ queue: d.queue, state }, d[state]);
      }
      if (last) metrics.lastScrapeSuccess.set(last.getTime() / 1000);
      overdue.set(late);
    },
  };
}
