// The whole pipeline, end to end: 500 subscribers across 20 zones with mixed preferences (daily and weekly, topics,
// keywords, excludes, minimum upvotes, caps), a scrape every 3 hours, and the clock advanced minute by minute
// through 48 hours of ticks (each tick run twice at once, as a duplicated scheduler would). After every tick the
// send queue is drained through the real worker, templates and SMTP adapter into the in-process sink. Then:
// every subscriber got exactly the editions its schedule says, at the tick of its send instant, each once, with
// exactly the papers selection picks given what was sent before, never the same paper twice; quiet days skipped.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import { DeliveryLedger } from '../../src/digest/ledger.js';
import { latestOccurrence, occurrencesBetween } from '../../src/schedule/schedule.js';
import { selectPapers } from '../../src/digest/select.js';
import { editionWindow } from '../../src/digest/window.js';
import { startSendWorker, type SendWorker } from '../../src/digest/send-worker.js';
import { runTick } from '../../src/digest/tick.js';
import { silentLogger } from '../../src/log.js';
import { compileTemplates } from '../../src/mail/render.js';
import { SmtpMailer } from '../../src/mail/smtp-mailer.js';
import { createMetrics } from '../../src/metrics/metrics.js';
import { DEFAULT_SETTINGS } from '../../src/settings/schema.js';
import type { Paper } from '../../src/papers/paper.js';
import { PaperStore } from '../../src/papers/store.js';
import { QUEUES } from '../../src/queue/catalog.js';
import { createRedis, waitReady } from '../../src/redis/connect.js';
import { makeKeys } from '../../src/redis/keys.js';
import { SubscriberStore } from '../../src/subscribers/store.js';
import { SuppressionList } from '../../src/subscribers/suppression.js';
import type { Subscriber } from '../../src/subscribers/subscriber.js';
import { testClock } from '../helpers/clock.js';
import { REPO_ROOT } from '../helpers/fixtures.js';
import { startRedis, type TestRedis } from '../helpers/redis-server.js';
import { startSmtpSink, type CapturedMessage, type SmtpSink } from '../helpers/smtp-sink.js';
import { waitFor } from '../helpers/wait.js';
import { LINK_SECRETS, papersFor, PUBLIC_URL } from './send-harness.js';

const SUBSCRIBERS = 500;
const START = '2026-11-26T12:00:00Z';
const HOURS = 48;
const ZONES = [
  'UTC', 'Europe/London', 'Europe/Berlin', 'Europe/Moscow', 'Africa/Lagos', 'Asia/Kolkata', 'Asia/Kathmandu',
  'Asia/Shanghai', 'Asia/Tokyo', 'Australia/Lord_Howe', 'Australia/Adelaide', 'Pacific/Chatham', 'Pacific/Kiritimati',
  'Pacific/Honolulu', 'America/Anchorage', 'America/Los_Angeles', 'America/New_York', 'America/Santiago',
  'America/St_Johns', 'America/Sao_Paulo',
];
const WEEKDAYS = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'];
const PREFS: Record<string, unknown>[] = [
  {},
  { topics: ['llm'] },
  { topics: ['vision', 'multimodal'], excludeKeywords: ['video'] },
  { includeKeywords: ['reasoning'], minUpvotes: 5 },
  { topics: ['robotics'] },
  { includeKeywords: ['protein folding'], minUpvotes: 500 }, // (almost) never anything: quiet days
];

/** The listing of day `k` (0 = the first day): 24 new papers plus 6 relisted from the day before. */
function listingOf(k: number, day: string): Paper[] {
  const base = papersFor(day);
  const fresh = base.slice(0, 24).map((p, i) => ({ ...p, id: `${p.id}${String(k).padStart(2, '0')}`, title: `${p.title} (day ${k})`, upvotes: p.upvotes + i }));
  const relisted = k === 0 ? [] : base.slice(24).map((p) => ({ ...p, id: `${p.id}${String(k - 1).padStart(2, '0')}r`, title: `${p.title} (relisted)`, upvotes: p.upvotes + k }));
  return [...fresh, ...relisted].map((p) => ({ ...p, url: `https://huggingface.co/papers/${p.id}` }));
}

function paperIdsIn(m: CapturedMessage): string[] {
  const ids: string[] = [];
  for (const match of (m.parsed.html || '').matchAll(/https:\/\/huggingface\.co\/papers\/([\w.-]+)/g)) if (!ids.includes(match[1]!)) ids.push(match[1]!);
  return ids;
}

describe('delivery end to end: 500 subscribers, 20 zones, 48 hours of ticks', () => {
  let server: TestRedis;
  let redis: Redis;
  let bull: Redis;
  let sink: SmtpSink;
  let mailer: SmtpMailer;
  let worker: SendWorker;
  let sendQueue: Queue;

  before(async () => {
    server = await startRedis();
    redis = createRedis(server.url);
    bull = createRedis(server.url, { forBullmq: true });
    await waitReady(redis);
    sink = await startSmtpSink();
  });
  after(async () => {
    await worker?.stop();
    await sendQueue?.close();
    await mailer?.close();
    await sink.close();
    redis.disconnect();
    bull.disconnect();
    await server.stop();
  });

  it('sends every expected edition once, on time, with the expected papers', async (t) => {
    const clock = testClock(START);
    const keys = makeKeys('e2e');
    const log = silentLogger();
    const store = new SubscriberStore(redis, keys, clock);
    const papers = new PaperStore(redis, keys, clock);
    const ledger = new DeliveryLedger(redis, keys, clock);
    const finished = { completed: 0, failed: 0 };
    mailer = new SmtpMailer({ url: sink.url, clock, log, maxConnections: 8 });
    const settings = { ...DEFAULT_SETTINGS, sendRatePerSecond: 10_000, sendConcurrency: 8 };
    worker = await startSendWorker(
      { suppression: new SuppressionList(redis, keys), clock, log, linkSecrets: LINK_SECRETS, subscribers: store, papers, templates: await compileTemplates(join(REPO_ROOT, 'templates')), mailer, ledger, metrics: createMetrics(),
        config: { publicUrl: PUBLIC_URL, mailFrom: 'Papers Digest <digest@example.org>', mailReplyTo: null, listUnsubscribeMailto: null } },
      // Completed send jobs are removed at once (DEFAULT_JOB_OPTIONS.send): each job's end is counted here instead.
      { connect: () => bull, prefix: keys.prefix, settings, onOutcome: (_id, o) => {
        if (o.kind === 'sent' || o.kind === 'settled') finished[o.kind === 'settled' && o.state === 'failed' ? 'failed' : 'completed']++;
      } },
    );
    sendQueue = new Queue(QUEUES.send, { connection: bull, prefix: keys.prefix });

    const dayIndex = (day: string) => Math.round((Date.parse(`${day}T00:00:00Z`) - Date.parse('2026-11-20T00:00:00Z')) / 86_400_000);
    const scrape = async () => {
      const day = clock().toISOString().slice(0, 10);
      // today's listing, and yesterday's once more (HF keeps listing papers under the previous day for a while)
      for (const d of [new Date(clock.now() - 86_400_000).toISOString().slice(0, 10), day]) await papers.replaceDay(d, listingOf(dayIndex(d), d), { source: 'test', url: 'test' });
    };
    for (let back = 4; back >= 1; back--) {
      const d = new Date(clock.now() - back * 86_400_000).toISOString().slice(0, 10);
      await papers.replaceDay(d, listingOf(dayIndex(d), d), { source: 'test', url: 'test' });
    }
    await scrape();

    const subs: Subscriber[] = [];
    for (let i = 0; i < SUBSCRIBERS; i++) {
      const { subscriber } = await store.create({
        email: `reader${i}@example.net`,
        status: 'active',
        timezone: ZONES[i % ZONES.length],
        sendTime: `${String((i * 7) % 24).padStart(2, '0')}:${['00', '15', '30', '45'][i % 4]}`,
        frequency: i % 6 === 0 ? `weekly:${WEEKDAYS[i % 7]}` : 'daily',
        maxPapers: 3 + (i % 6),
        ...PREFS[i % PREFS.length],
      });
      subs.push(subscriber);
    }
    const byEmail = new Map(subs.map((s) => [s.email, s]));
    const end = new Date(Date.parse(START) + HOURS * 3600_000);

    // Expected: each occurrence of each schedule in (START, end].
    const expected = new Map<string, { at: number; sub: Subscriber }>(); // key `${sub}|${period}`
    for (const s of subs) for (const occ of occurrencesBetween(s, new Date(START), end)) expected.set(`${s.id}|${occ.period}`, { at: occ.at.getTime(), sub: s });

    const deliveredAt = new Map<string, number>(); // Message-ID -> tick instant
    const sentBefore = new Map<string, Set<string>>(); // subscriber -> paper ids (our own model of the ledger)
    const mismatches: string[] = [];
    let seen = 0;
    let enqueued = 0;
    let quiet = 0;
    for (let minute = 1; minute <= HOURS * 60; minute++) {
      clock.advance(60_000);
      if (minute % 180 === 0) await scrape();
      const tick = () => runTick({ subscribers: store, sendQueue, clock, log, settings: { sendingPaused: false } });
      const [a, b] = await Promise.all([tick(), tick()]);
      if (a.enqueued + b.enqueued === 0) continue;
      enqueued += a.enqueued + b.enqueued;
      await waitFor(async () => {
        const c = await sendQueue.getJobCounts('waiting', 'active', 'delayed', 'prioritized');
        return Object.values(c).every((n) => n === 0);
      }, { timeoutMs: 30_000, intervalMs: 5, message: `send queue drained at ${clock().toISOString()}` });
      // What selection should have picked for each message of this tick, given what we saw sent before.
      for (const m of sink.messages.slice(seen)) {
        const sub = byEmail.get(m.envelope.rcptTo[0]!)!;
        deliveredAt.set(m.parsed.messageId!, clock.now());
        const sent = sentBefore.get(sub.id) ?? new Set<string>();
        // the window of the edition this tick sent (weekly editions cover their week: digest/window.ts)
        const { firstDay, days } = editionWindow(sub, latestOccurrence(sub, clock()).period, clock(), settings.lookbackDays);
        const want = selectPapers({ subscriber: sub, papers: await papers.listedSince(firstDay), sentIds: sent, now: clock(), lookbackDays: days, cap: settings.maxPapersCap }).map((s) => s.paper.id);
        const got = paperIdsIn(m);
        if (JSON.stringify(got) !== JSON.stringify(want)) mismatches.push(`${sub.id}: got ${got.join(',')} want ${want.join(',')}`);
        for (const id of got) {
          if (sent.has(id)) mismatches.push(`${sub.id}: paper ${id} sent twice`);
          sent.add(id);
        }
        sentBefore.set(sub.id, sent);
      }
      seen = sink.messages.length;
    }

    assert.deepEqual(mismatches, []);
    const jobs = { ...finished, failed: finished.failed + (await sendQueue.getJobCounts('failed')).failed! };
    assert.deepEqual(jobs, { completed: expected.size, failed: 0 }, 'one send job per expected edition, the doubled ticks absorbed');
    assert.ok(enqueued >= expected.size);
    const ids = sink.messages.map((m) => m.parsed.messageId!);
    assert.equal(new Set(ids).size, ids.length, 'no message twice');
    for (const [key, { at, sub }] of expected) {
      const period = key.split('|')[1]!;
      const entry = await ledger.get(sub.id, period);
      assert.ok(entry, `ledger entry for ${key}`);
      if (entry.state === 'skipped') {
        assert.equal(entry.reason, 'quiet-day', key);
        quiet++;
        continue;
      }
      assert.equal(entry.state, 'sent', key);
      assert.equal(deliveredAt.get(`<digest-${period}-${sub.id}@example.org>`), at, `${key} delivered at its send instant`);
    }
    assert.equal(sink.messages.length + quiet, expected.size, 'nothing unexpected was sent');
    assert.ok(sink.messages.length > SUBSCRIBERS, `most editions had papers (${sink.messages.length})`);
    assert.ok(quiet > 0, 'some quiet days were skipped');
    // headers and both parts, on every message
    for (const m of sink.messages) {
      const lines = m.parsed.headerLines.map((h) => h.line.replace(/\r?\n[ \t]+/g, ' '));
      assert.ok(lines.some((l) => /^List-Unsubscribe: <https:\/\/digest\.example\.org\/unsubscribe\/[^>]+>$/.test(l)), 'List-Unsubscribe');
      assert.ok(lines.includes('List-Unsubscribe-Post: List-Unsubscribe=One-Click'));
      assert.ok((m.parsed.text ?? '').length > 100 && (m.parsed.html || '').length > 1000, 'both parts');
    }
    t.diagnostic(`${expected.size} editions expected, ${sink.messages.length} sent, ${quiet} quiet days skipped`);
  });
});
