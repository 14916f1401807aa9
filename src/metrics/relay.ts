// Fleet-wide /metrics without a port per worker: every worker process publishes a snapshot of its registry to
// Redis every few seconds (expiring if it dies), and the web role's /metrics serves its own registry plus every
// live snapshot. Each series carries `pd_instance`, the process it came from, and nothing is summed here: summing
// counters across processes that come and go would look like counter resets to Prometheus. Aggregate in PromQL:
// `sum by (class, code) (rate(papers_digest_emails_failed_total[5m]))`.
import { AggregatorRegistry, type Registry } from 'prom-client';
import type { Redis } from 'ioredis';
import type { Logger } from '../log.js';
import type { Keys } from '../redis/keys.js';
import type { Metrics } from './metrics.js';

export const INSTANCE_LABEL = 'pd_instance';
/** The `pd_instance` of emails sent by one-shot CLI commands: one series that only grows, whatever process sent. */
export const CLI_INSTANCE = 'cli';

/**
 * Count an email a one-shot CLI command sent (send-test). A CLI process lives seconds: a snapshot of its own
 * registry would appear at 1 and vanish, which Prometheus' rate() never sees. Its sends go into one persistent
 * counter in Redis instead, served by the web role as `papers_digest_emails_sent_total{pd_instance="cli"}`.
 */
export async function countCliEmail(redis: Redis, keys: Keys, kind: string): Promise<void> {
  await redis.hincrby(keys.metricsCliEmails, kind, 1);
}

function cliEmailsPart(counts: Record<string, string>): MetricJson[] {
  const values = Object.entries(counts).map(([kind, n]) => ({ labels: { kind, [INSTANCE_LABEL]: CLI_INSTANCE }, value: Number(n) }));
  if (values.length === 0) return [];
  return [{ name: 'papers_digest_emails_sent_total', help: 'Emails accepted by the transport', type: 'counter', aggregator: 'sum', values }];
}

interface MetricJson {
  name: string;
  values: { labels: Record<string, string | number>; value: number; metricName?: string }[];
  [k: string]: unknown;
}

function labelled(metrics: MetricJson[], instance: string): MetricJson[] {
  return metrics.map((m) => ({ ...m, values: m.values.map((v) => ({ ...v, labels: { ...v.labels, [INSTANCE_LABEL]: instance } })) }));
}

async function snapshot(registry: Registry): Promise<MetricJson[]> {
  return (await registry.getMetricsAsJSON()) as unknown as MetricJson[];
}

/** Publish this process's registry now and every `intervalMs`; the snapshot lives 3 intervals. Returns stop. */
export function startMetricsPublisher(
  deps: { redis: Redis; keys: Keys; metrics: Pick<Metrics, 'registry' | 'instance'>; log: Logger; clock: () => Date },
  opts: { intervalMs?: number } = {},
): () => Promise<void> {
  const intervalMs = opts.intervalMs ?? 10_000;
  const key = deps.keys.metricsSnapshot(deps.metrics.instance);
  let inFlight: Promise<unknown> = Promise.resolve();
  const publish = () => {
    inFlight = (async () => {
      const json = JSON.stringify(await snapshot(deps.metrics.registry));
      await deps.redis
        .multi()
        .set(key, json, 'PX', intervalMs * 3)
        .zadd(deps.keys.metricsInstances, deps.clock().getTime(), deps.metrics.instance)
        .exec();
    })().catch((err: unknown) => deps.log.warn({ err }, 'metrics snapshot not published'));
  };
  publish();
  const timer = setInterval(publish, intervalMs);
  timer.unref();
  return async () => {
    clearInterval(timer);
    await inFlight;
    // One last snapshot, so the final counts stay visible until it expires.
    publish();
    await inFlight;
  };
}

/** This process's registry plus every live worker snapshot, each series labelled with its instance. */
export async function fleetMetrics(redis: Redis, keys: Keys, own: Pick<Metrics, 'registry' | 'instance'>, now: Date): Promise<Registry> {
  // Instances silent for an hour are forgotten (their snapshots expired long ago).
  await redis.zremrangebyscore(keys.metricsInstances, '-inf', now.getTime() - 3_600_000);
  const instances = (await redis.zrange(keys.metricsInstances, 0, -1)).filter((i) => i !== own.instance);
  const raw = instances.length ? await redis.mget(...instances.map((i) => keys.metricsSnapshot(i))) : [];
  const parts: MetricJson[][] = [labelled(await snapshot(own.registry), own.instance), cliEmailsPart(await redis.hgetall(keys.metricsCliEmails))];
  raw.forEach((text, i) => {
    if (!text) return;
    try {
      parts.push(labelled(JSON.parse(text) as MetricJson[], instances[i]!));
    } catch {
      // a corrupt snapshot is skipped; the next publish replaces it
    }
  });
  return AggregatorRegistry.aggregate(parts);
}
