// The watchdog raises scrape.stale and edition.late (log event + alerts metric) once per episode across
// processes, stays quiet while sending is paused, and re-arms when the condition clears.
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import { Redis } from 'ioredis';
import { createLogger } from '../../src/log.js';
import { createMetrics } from '../../src/metrics/metrics.js';
import { PaperStore } from '../../src/papers/store.js';
import { openQueues, type OpsQueues } from '../../src/queue/handles.js';
import { SubscriberStore } from '../../src/subscribers/store.js';
import { SettingsStore } from '../../src/settings/store.js';
import { startWatchdog, watchdogPass, type WatchdogDeps } from '../../src/ops/watchdog.js';
import { makeKeys } from '../../src/redis/keys.js';
import { testClock } from '../helpers/clock.js';
import { startRedis, type TestRedis } from '../helpers/redis-server.js';
import { waitFor } from '../helpers/wait.js';

describe('ops watchdog', () => {
  let redis: TestRedis;
  let client: Redis;
  let queues: OpsQueues;
  const keys = makeKeys('wdtest');
  const clock = testClock('2026-11-28T12:00:00Z');
  const lines: Record<string, unknown>[] = [];

  const deps = (metrics = createMetrics()): WatchdogDeps => {
    const sink = new Writable({
      write(chunk, _e, cb) {
        for (const l of String(chunk).split('\n').filter(Boolean)) lines.push(JSON.parse(l) as Record<string, unknown>);
        cb();
      },
    });
    const settings = new SettingsStore(client, keys, clock);
    return {
      redis: client,
      keys,
      papers: new PaperStore(client, keys, clock),
      subscribers: new SubscriberStore(client, keys, clock),
      queues,
      settings: () => settings.get(),
      metrics,
      log: createLogger({ level: 'info', pretty: false }, sink),
      clock,
    };
  };
  const alertCount = async (m: ReturnType<typeof createMetrics>, event: string) =>
    (await m.alerts.get()).values.find((v) => v.labels.event === event)?.value ?? 0;

  before(async () => {
    redis = await startRedis();
    client = new Redis(redis.url);
    queues = openQueues(client, 'wdtest');
  });
  after(async () => {
    await queues.close();
    client.disconnect();
    await redis.stop();
  });

  it('raises scrape.stale and edition.late with their facts, once per episode across two processes', async () => {
    await client.set(keys.scrapeLastOk, '2026-11-28T03:00:00.000Z'); // 9 h old, bound 6 h
    await client.zadd(keys.dueIndex, Date.parse('2026-11-28T10:30:00Z'), 'sub-late', Date.parse('2026-11-28T11:58:00Z'), 'sub-recent');
    await queues.send.add('send', { subscriberId: 'sub-queued-1', period: '2026-11-28', dueAt: '2026-11-28T09:00:00.000Z' });
    await queues.send.add('send', { subscriberId: 'sub-queued-2', period: '2026-11-28', dueAt: '2026-11-28T11:30:00.000Z' });
    const m1 = createMetrics();
    const m2 = createMetrics();
    const f = await watchdogPass(deps(m1), 60_000);
    assert.deepEqual(f.scrapeStale, { lastOk: '2026-11-28T03:00:00.000Z', ageMinutes: 540, freshnessHours: 6 });
    assert.deepEqual(f.editionLate, { notFannedOut: 1, queued: 1, oldestLateMinutes: 180, deadlineMinutes: 60 });
    assert.equal(await alertCount(m1, 'scrape.stale'), 1);
    assert.equal(await alertCount(m1, 'edition.late'), 1);
    const stale = lines.find((l) => l.event === 'scrape.stale');
    assert.equal(stale?.level, 40);
    assert.match(String(stale?.msg), /last successful scrape 540 min ago/);
    assert.ok(lines.some((l) => l.event === 'edition.late' && l.notFannedOut === 1 && l.queued === 1));

    await watchdogPass(deps(m2), 60_000); // a second worker process, same minute
    assert.equal(await alertCount(m2, 'scrape.stale'), 0, 'the latch lets one process raise per episode');
    assert.equal(lines.filter((l) => l.event === 'scrape.stale').length, 1);
  });

  it('re-arms when the condition clears, and is quiet about late editions while sending is paused', async () => {
    await client.set(keys.scrapeLastOk, '2026-11-28T11:00:00.000Z');
    const m = createMetrics();
    const f = await watchdogPass(deps(m), 60_000);
    assert.equal(f.scrapeStale, null);
    assert.ok(lines.some((l) => l.event === 'scrape.recovered'));
    assert.equal(await client.exists(keys.alertLatch('scrape.stale')), 0);

    await new SettingsStore(client, keys, clock).set({ sendingPaused: true }, 'test');
    await client.del(keys.alertLatch('edition.late'));
    const paused = await watchdogPass(deps(m), 60_000);
    assert.equal(paused.editionLate, null);
    assert.equal(await alertCount(m, 'edition.late'), 0);

    await new SettingsStore(client, keys, clock).set({ sendingPaused: false }, 'test');
    clock.advance(2 * 3_600_000); // now the scrape is 3 h old — still fresh — and the late edition even later
    const again = await watchdogPass(deps(m), 60_000);
    assert.equal(again.scrapeStale, null);
    assert.equal(again.editionLate?.oldestLateMinutes, 300);
    assert.equal(await alertCount(m, 'edition.late'), 1);
  });

  it('the first pass can wait (a worker lets its start-up catch-up scrape land before judging freshness)', async () => {
    await client.del(keys.alertLatch('scrape.stale'), keys.scrapeLastOk); // never scraped: stale
    let looked = 0;
    const counting = (d: WatchdogDeps): WatchdogDeps => ({ ...d, settings: () => ((looked += 1), d.settings()) });
    const m = createMetrics();
    const stopLater = startWatchdog(counting(deps(m)), { firstPassMs: 3_600_000 });
    await stopLater();
    assert.equal(looked, 0, 'stopped before its first pass: never looked');
    assert.equal(await alertCount(m, 'scrape.stale'), 0);
    const stopNow = startWatchdog(counting(deps(m)), { firstPassMs: 0, intervalMs: 3_600_000 });
    await waitFor(async () => (await alertCount(m, 'scrape.stale')) === 1, { message: 'the immediate pass raised scrape.stale' });
    await stopNow();
    assert.equal(looked, 1);
  });
});
