// Shared set-up for the send-job tests (not a test file itself): a real redis-server, the in-process SMTP sink,
// the real SMTP adapter, compiled templates, the paper store filled from the captured HF fixture, the ledger and
// a Redis-backed subscriber stand-in (JSON per id, so a worker in a child process sees the same subscribers).
import { join } from 'node:path';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import type { LinkSecret } from '../../src/config.js';
import { createArchiveRenderer } from '../../src/digest/archive.js';
import { DeliveryLedger } from '../../src/digest/ledger.js';
import { SuppressionList } from '../../src/subscribers/suppression.js';
import type { SendDeps } from '../../src/digest/send.js';
import { startSendWorker, type SendWorker, type SendWorkerOptions } from '../../src/digest/send-worker.js';
import { silentLogger } from '../../src/log.js';
import { compileTemplates, type Templates } from '../../src/mail/render.js';
import { SmtpMailer } from '../../src/mail/smtp-mailer.js';
import { createMetrics } from '../../src/metrics/metrics.js';
import { DEFAULT_SETTINGS, type Settings } from '../../src/settings/schema.js';
import { normalizeEntries } from '../../src/papers/normalize.js';
import type { Paper } from '../../src/papers/paper.js';
import { PaperStore } from '../../src/papers/store.js';
import { DEFAULT_JOB_OPTIONS, QUEUES, sendJobId } from '../../src/queue/catalog.js';
import { makeKeys, type Keys } from '../../src/redis/keys.js';
import type { Subscriber } from '../../src/subscribers/subscriber.js';
import { FIXTURES, readFixture, REPO_ROOT } from '../helpers/fixtures.js';
import { startSmtpSink, type SinkOptions, type SmtpSink } from '../helpers/smtp-sink.js';

export const LINK_SECRETS: LinkSecret[] = [{ kid: 'k1', secret: 'aZ3kP9qL2mN8xV4bC7dF1gH6jK0sT5wY' }];
export const PUBLIC_URL = 'https://digest.example.org';

let fixturePapers: Paper[] | null = null;
/** The 30 real papers of the captured API response, relisted on `day`. */
export function papersFor(day: string, count = 30): Paper[] {
  fixturePapers ??= normalizeEntries(JSON.parse(readFixture(FIXTURES.api)) as unknown[], { fallbackDay: '2026-07-31' }).papers;
  return fixturePapers.slice(0, count).map((p) => ({ ...p, listedOn: day }));
}

export function subscriberFixture(id: string, over: Partial<Subscriber> = {}): Subscriber {
  return {
    id,
    email: `${id.toLowerCase()}@example.net`,
    status: 'active',
    pausedUntil: null,
    timezone: 'UTC',
    sendTime: { hour: 8, minute: 0 },
    frequency: { kind: 'daily' },
    topics: [],
    includeKeywords: [],
    excludeKeywords: [],
    followAuthors: [],
    followOrgs: [],
    minUpvotes: 0,
    maxPapers: 5,
    createdAt: '2026-11-01T00:00:00.000Z',
    confirmedAt: '2026-11-01T00:00:00.000Z',
    unsubscribedAt: null,
    tokenVersion: 1,
    bounceCount: 0,
    ...over,
  };
}

/** Stand-in for SubscriberStore's get/recordBounce: one JSON string per subscriber. */
export class TestSubscribers {
  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
  ) {}
  private key(id: string) {
    return `${this.prefix}:test-sub:${id}`;
  }
  async put(sub: Subscriber): Promise<void> {
    await this.redis.set(this.key(sub.id), JSON.stringify(sub));
  }
  async get(id: string): Promise<Subscriber | null> {
    const raw = await this.redis.get(this.key(id));
    return raw ? (JSON.parse(raw) as Subscriber) : null;
  }
  async clearBounces(id: string): Promise<void> {
    const sub = await this.get(id);
    if (sub && sub.bounceCount > 0) await this.put({ ...sub, bounceCount: 0 });
  }
  async recordBounce(id: string, threshold: number): Promise<void> {
    const sub = await this.get(id);
    if (!sub) return;
    sub.bounceCount += 1;
    if (sub.bounceCount >= threshold) sub.status = 'bouncing';
    await this.put(sub);
  }
}

export interface SendHarness {
  redis: Redis;
  bullConnection: Redis;
  prefix: string;
  keys: Keys;
  sink: SmtpSink;
  mailer: SmtpMailer;
  ledger: DeliveryLedger;
  papers: PaperStore;
  subscribers: TestSubscribers;
  templates: Templates;
  metrics: ReturnType<typeof createMetrics>;
  queue: Queue;
  deps: Omit<SendDeps, 'settings'>;
  settings: Settings;
  startWorker(opts?: Partial<SendWorkerOptions>): Promise<SendWorker>;
  enqueue(subscriberId: string, period: string, dueAt: string, jobId?: string): Promise<void>;
  close(): Promise<void>;
}

export interface SendParts {
  redis: Redis;
  bullConnection: Redis;
  keys: Keys;
  mailer: SmtpMailer;
  ledger: DeliveryLedger;
  papers: PaperStore;
  subscribers: TestSubscribers;
  templates: Templates;
  metrics: ReturnType<typeof createMetrics>;
  deps: Omit<SendDeps, 'settings'>;
}

/** The send job's dependencies against a given Redis and SMTP server (also used by the crash test's child). */
export async function buildSendParts(redisUrl: string, prefix: string, smtpUrl: string, opts: { clock?: () => Date; leaseMs?: number } = {}): Promise<SendParts> {
  const clock = opts.clock ?? (() => new Date());
  const redis = new Redis(redisUrl);
  const bullConnection = new Redis(redisUrl, { maxRetriesPerRequest: null });
  const keys = makeKeys(prefix);
  const log = silentLogger();
  const mailer = new SmtpMailer({ url: smtpUrl, clock, log, maxConnections: 4, maxMessages: 50 });
  const papers = new PaperStore(redis, keys, clock);
  const subscribers = new TestSubscribers(redis, prefix);
  const templates = await compileTemplates(join(REPO_ROOT, 'templates'));
  const renderArchive = createArchiveRenderer({ subscribers, papers, templates: async () => templates, config: { publicUrl: PUBLIC_URL }, linkSecrets: LINK_SECRETS, clock });
  const ledger = new DeliveryLedger(redis, keys, clock, { leaseMs: opts.leaseMs ?? 60_000, renderArchive });
  const metrics = createMetrics();
  const deps: Omit<SendDeps, 'settings'> = {
    suppression: new SuppressionList(redis, keys), clock, log, linkSecrets: LINK_SECRETS, subscribers, papers, templates, mailer, ledger, metrics,
    config: { publicUrl: PUBLIC_URL, mailFrom: 'Papers Digest <digest@example.org>', mailReplyTo: null, listUnsubscribeMailto: 'unsubscribe@example.org' },
  };
  return { redis, bullConnection, keys, mailer, ledger, papers, subscribers, templates, metrics, deps };
}

export const TEST_SEND_SETTINGS: Settings = { ...DEFAULT_SETTINGS, sendRatePerSecond: 1000, sendConcurrency: 4 };

export async function sendHarness(
  redisUrl: string,
  prefix: string,
  opts: { clock?: () => Date; settings?: Partial<Settings>; leaseMs?: number; sink?: SinkOptions } = {},
): Promise<SendHarness> {
  const sink = await startSmtpSink(opts.sink);
  const parts = await buildSendParts(redisUrl, prefix, sink.url, opts);
  const { redis, bullConnection, mailer, deps } = parts;
  const queue = new Queue(QUEUES.send, { connection: bullConnection, prefix });
  const settings: Settings = { ...TEST_SEND_SETTINGS, ...opts.settings };
  const workers: SendWorker[] = [];
  return {
    ...parts, prefix, sink, queue, settings,
    async startWorker(o = {}) {
      const w = await startSendWorker(deps, {
        connect: () => bullConnection, prefix, settings, backoffBaseMs: 50, throttleMs: 300, shutdownTimeoutMs: 5_000, ...o,
      });
      workers.push(w);
      return w;
    },
    async enqueue(subscriberId, period, dueAt, jobId) {
      // Finished jobs are kept here so tests can read their state and attempts (production removes completed ones).
      await queue.add('send', { subscriberId, period, dueAt }, { ...DEFAULT_JOB_OPTIONS.send, removeOnComplete: false, jobId: jobId ?? sendJobId(subscriberId, period) });
    },
    async close() {
      for (const w of workers) await w.stop();
      await queue.close();
      await mailer.close();
      await sink.close();
      await bullConnection.quit();
      await redis.quit();
    },
  };
}
