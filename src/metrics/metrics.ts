// Prometheus metrics (prom-client), one Registry per process built in the composition root — not the global
// default registry, so tests can build several apps side by side. Every domain records into these.
import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

export function createMetrics(opts: { defaultMetrics?: boolean } = {}) {
  const registry = new Registry();
  // prom-client's names already start with process_ / nodejs_: papers_digest_process_cpu_seconds_total, papers_digest_nodejs_…
  if (opts.defaultMetrics) collectDefaultMetrics({ register: registry, prefix: 'papers_digest_' });
  const m = {
    registry,
    /** This process's name among the fleet's metric snapshots (src/metrics/relay.ts). */
    instance: `${hostname()}-${process.pid}-${randomBytes(3).toString('hex')}`,
    emailsSent: new Counter({ name: 'papers_digest_emails_sent_total', help: 'Emails accepted by the transport', labelNames: ['kind'] as const, registers: [registry] }),
    emailsFailed: new Counter({
      name: 'papers_digest_emails_failed_total',
      help: 'Email send attempts that failed, by error class and SMTP reply code',
      labelNames: ['class', 'code'] as const,
      registers: [registry],
    }),
    editionsSkipped: new Counter({ name: 'papers_digest_editions_skipped_total', help: 'Editions not sent, by reason', labelNames: ['reason'] as const, registers: [registry] }),
    scrapeDuration: new Histogram({
      name: 'papers_digest_scrape_duration_seconds',
      help: 'Scrape duration (fetch + parse + store)',
      labelNames: ['source', 'status'] as const,
      buckets: [0.1, 0.25, 0.5, 1, 2, 5, 10, 30, 60],
      registers: [registry],
    }),
    scrapePapers: new Gauge({ name: 'papers_digest_scrape_papers', help: 'Papers in the last successful scrape of a day', labelNames: ['day'] as const, registers: [registry] }),
    scrapeFailures: new Counter({ name: 'papers_digest_scrape_failures_total', help: 'Failed scrapes by reason', labelNames: ['reason'] as const, registers: [registry] }),
    lastScrapeSuccess: new Gauge({ name: 'papers_digest_last_scrape_success_timestamp_seconds', help: 'Unix time of the last successful scrape', registers: [registry] }),
    renderDuration: new Histogram({
      name: 'papers_digest_render_duration_seconds',
      help: 'Time to render one message for one recipient: its view, the compiled templates filled, the HTML as UTF-8 bytes',
      buckets: [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1],
      registers: [registry],
    }),
    sendDuration: new Histogram({
      name: 'papers_digest_send_duration_seconds',
      help: 'Time for the transport to accept one message',
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers: [registry],
    }),
    editionLag: new Histogram({
      name: 'papers_digest_edition_lag_seconds',
      help: 'Delay from an edition falling due to its delivery',
      buckets: [1, 5, 15, 30, 60, 120, 300, 600, 1800, 3600, 7200],
      registers: [registry],
    }),
    tickEntries: new Counter({
      name: 'papers_digest_tick_entries_total',
      help: 'Due-index entries handled by the tick, by outcome (enqueued, duplicate, stale, removed, raced, error)',
      labelNames: ['outcome'] as const,
      registers: [registry],
    }),
    alerts: new Counter({ name: 'papers_digest_alerts_total', help: 'Alertable events raised, by name', labelNames: ['event'] as const, registers: [registry] }),
  };
  return m;
}

export type Metrics = ReturnType<typeof createMetrics>;
