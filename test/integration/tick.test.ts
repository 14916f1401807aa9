// The tick against a real redis-server and real BullMQ queues, driven by an injected clock: due subscribers are
// enqueued once with deterministic job ids and period keys, repeats are absorbed, missed ticks catch up once, the
// subscriber store keeps the due index in step, sendingPaused holds everything back, and the scheduler's interval
// follows the setting live.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import { createContext, type Context } from '../../src/context.js';
import { latestSendAt, occurrencesBetween } from '../../src/schedule/schedule.js';
import { runTick, type TickResult } from '../../src/digest/tick.js';
import { startTickScheduler, type TickScheduler } from '../../src/digest/tick-scheduler.js';
import { createLogger, silentLogger } from '../../src/log.js';
import { QUEUES, SEND_BATCH_JOB_NAME, SEND_BATCH_MAX, TICK_SCHEDULER_ID, sendBatchJobId, sendJobId, type SendBatchJob, type SendJob } from '../../src/queue/catalog.js';
import { createRedis, waitReady } from '../../src/redis/connect.js';
import { makeKeys, type Keys } from '../../src/redis/keys.js';
import { SubscriberStore } from '../../src/subscribers/store.js';
import { testClock, type TestClock } from '../helpers/clock.js';
import { startRedis, type TestRedis } from '../helpers/redis-server.js';
import { waitFor } from '../helpers/wait.js';

describe('tick (real redis-server, BullMQ)', () => {
  let server: TestRedis;
  let redis: Redis;
  let bull: Redis;
  const queues: Queue[] = [];

  before(async () => {
    server = await startRedis();
    redis = createRedis(server.url);
    bull = createRedis(server.url, { forBullmq: true });
    await waitReady(redis);
  });
  after(async () => {
    for (const q of queues) await q.close();
    redis.disconnect();
    bull.disconnect();
    await server.stop();
  });

  /** A fresh key prefix, store and send queue per test: counts never leak between tests. */
  function world(start: string) {
    const keys: Keys = makeKeys(`t-tick-${randomBytes(4).toString('hex')}`);
    const clock: TestClock = testClock(start);
    const store = new SubscriberStore(redis, keys, clock);
    const sendQueue = new Queue(QUEUES.send, { connection: bull, prefix: keys.prefix });
    queues.push(sendQueue);
    const tick = (opts: { sendingPaused?: boolean; chunkSize?: number } = {}): Promise<TickResult> =>
      runTick({ subscribers: store, sendQueue, clock, log: silentLogger(), settings: { sendingPaused: opts.sendingPaused ?? false }, chunkSize: opts.chunkSize });
    const due = async (id: string) => {
      const s = await redis.zscore(keys.dueIndex, id);
      return s === null ? null : new Date(Number(s)).toISOString();
    };
    const jobs = async () => {
      const all = await sendQueue.getJobs(['waiting', 'delayed', 'prioritized', 'active', 'completed', 'failed']);
      return all.map((j) => ({ id: j.id!, data: j.data as Record<string, unknown> })).sort((a, b) => a.id.localeCompare(b.id));
    };
    const add = async (email: string, prefs: Record<string, unknown>) => (await store.create({ email, status: 'active', ...prefs })).subscriber.id;
    return { keys, clock, store, sendQueue, tick, due, jobs, add };
  }

  it('enqueues each due subscriber once, with the deterministic job id, period key and due instant; no email in the payload', async () => {
    const w = world('2026-09-28T11:00:00Z'); // Monday
    const a = await w.add('a@example.org', { timezone: 'UTC', sendTime: '08:00' });
    const b = await w.add('b@example.org', { timezone: 'America/New_York', sendTime: '07:30' });
    const c = await w.add('c@example.org', { timezone: 'Asia/Kolkata', sendTime: '09:00', frequency: 'weekly:tue' });
    const later = await w.add('d@example.org', { timezone: 'Europe/London', sendTime: '08:00', frequency: 'weekly:fri' });
    assert.equal(await w.due(c), '2026-09-29T03:30:00.000Z');

    w.clock.set('2026-09-29T11:30:00Z');
    const r = await w.tick();
    assert.deepEqual({ due: r.due, enqueued: r.enqueued, duplicates: r.duplicates, advanced: r.advanced }, { due: 3, enqueued: 3, duplicates: 0, advanced: 3 });
    const jobs = await w.jobs();
    const expected = [
      { id: sendJobId(a, '2026-09-29'), data: { subscriberId: a, period: '2026-09-29', dueAt: '2026-09-29T08:00:00.000Z' } },
      { id: sendJobId(b, '2026-09-29'), data: { subscriberId: b, period: '2026-09-29', dueAt: '2026-09-29T11:30:00.000Z' } },
      { id: sendJobId(c, '2026-W40'), data: { subscriberId: c, period: '2026-W40', dueAt: '2026-09-29T03:30:00.000Z' } },
    ].sort((x, y) => x.id.localeCompare(y.id));
    assert.deepEqual(jobs, expected);
    assert.equal(jobs[0]!.id.startsWith('digest-'), true);
    assert.ok(!JSON.stringify(jobs).includes('@example.org'), 'no email address in job data');
    // advanced to the next send strictly after now; the one not due yet is untouched
    assert.equal(await w.due(a), '2026-09-30T08:00:00.000Z');
    assert.equal(await w.due(b), '2026-09-30T11:30:00.000Z');
    assert.equal(await w.due(c), '2026-10-06T03:30:00.000Z');
    assert.equal(await w.due(later), '2026-10-02T07:00:00.000Z');
  });

  it('a large due range goes out in batch jobs of up to 50 editions, each edition in exactly one; a replay re-adds the same ids', async () => {
    const w = world('2026-09-28T11:00:00Z');
    const ids: string[] = [];
    for (let i = 0; i < 130; i++) ids.push(await w.add(`many${i}@example.org`, { timezone: 'UTC', sendTime: '12:00' }));
    w.clock.set('2026-09-28T12:00:20Z');
    const r = await runTick({ subscribers: w.store, sendQueue: w.sendQueue, clock: w.clock, log: silentLogger(), settings: { sendingPaused: false, sendConcurrency: 2 }, chunkSize: 100 });
    assert.deepEqual({ due: r.due, enqueued: r.enqueued, advanced: r.advanced }, { due: 130, enqueued: 130, advanced: 130 });
    const all = await w.sendQueue.getJobs(['waiting', 'delayed', 'prioritized']);
    // 130 due, 2 send slots → batches of up to 50: the read of 100 → 2 jobs, the read of 30 → 1 job
    assert.equal(all.length, 3);
    const editions = all.flatMap((j) => (j.name === SEND_BATCH_JOB_NAME ? (j.data as SendBatchJob).editions : [j.data as SendJob]));
    assert.deepEqual(editions.map((e) => e.subscriberId).sort(), [...ids].sort(), 'every due subscriber once');
    for (const j of all) {
      assert.equal(j.name, SEND_BATCH_JOB_NAME);
      assert.ok((j.data as SendBatchJob).editions.length <= SEND_BATCH_MAX);
      assert.equal(j.id, sendBatchJobId((j.data as SendBatchJob).editions));
    }
    assert.ok(!JSON.stringify(all.map((j) => j.data)).includes('@example.org'), 'no email address in job data');
    // A tick that crashed after adding but before advancing: the same entries read again make the same batches,
    // whose ids absorb the second add.
    for (const id of ids) await redis.zadd(w.keys.dueIndex, Date.parse('2026-09-28T12:00:00Z'), id);
    const replay = await runTick({ subscribers: w.store, sendQueue: w.sendQueue, clock: w.clock, log: silentLogger(), settings: { sendingPaused: false, sendConcurrency: 2 }, chunkSize: 100 });
    assert.equal(replay.enqueued, 130);
    assert.equal((await w.sendQueue.getJobs(['waiting', 'delayed', 'prioritized'])).length, 3, 'no new job');
  });

  it('running twice for the same minute (in turn, or at once) enqueues nothing twice', async () => {
    const w = world('2026-09-28T11:00:00Z');
    const ids = await Promise.all(['e1', 'e2', 'e3', 'e4', 'e5'].map((n) => w.add(`${n}@example.org`, { timezone: 'UTC', sendTime: '12:00' })));
    w.clock.set('2026-09-28T12:00:20Z');
    const first = await w.tick();
    assert.equal(first.enqueued, 5);
    w.clock.set('2026-09-28T12:00:40Z');
    const second = await w.tick();
    assert.deepEqual({ due: second.due, enqueued: second.enqueued }, { due: 0, enqueued: 0 });

    // a tick that crashed after enqueueing but before advancing (it counted nothing): the next one adds the jobs
    // again — absorbed by their ids, one job per edition — and moves the entries on, counting each edition once
    for (const id of ids) await redis.zadd(w.keys.dueIndex, Date.parse('2026-09-28T12:00:00Z'), id);
    const replay = await w.tick();
    assert.deepEqual({ due: replay.due, enqueued: replay.enqueued, duplicates: replay.duplicates, advanced: replay.advanced }, { due: 5, enqueued: 5, duplicates: 0, advanced: 5 });
    assert.equal((await w.jobs()).length, 5, 'the jobs already there absorbed the second add');

    // two ticks racing over the same due entries
    for (const id of ids) await redis.zadd(w.keys.dueIndex, Date.parse('2026-09-29T12:00:00Z'), id);
    w.clock.set('2026-09-29T12:00:05Z');
    const [x, y] = await Promise.all([w.tick({ chunkSize: 2 }), w.tick({ chunkSize: 3 })]);
    assert.equal(x.advanced + y.advanced, 5, 'each entry advanced by exactly one tick');
    assert.equal(x.enqueued + y.enqueued, 5, 'each edition counted by exactly one tick');
    assert.equal(x.duplicates + y.duplicates, x.due + y.due - 5, 'the other sightings are duplicates');
    const jobs = await w.jobs();
    assert.equal(jobs.length, 10);
    assert.equal(new Set(jobs.map((j) => j.id)).size, 10);
    assert.deepEqual([...new Set(jobs.map((j) => j.data.period))].sort(), ['2026-09-28', '2026-09-29']);
    for (const id of ids) assert.equal(await w.due(id), '2026-09-30T12:00:00.000Z');
  });

  it('ticks every 5 minutes across DST changes: one job per edition, at the scheduled instant (fall back once, gap shifted)', async () => {
    const windows: { from: string; to: string; subs: [string, string][] }[] = [
      { from: '2026-10-23T12:00:00Z', to: '2026-10-27T00:00:00Z', subs: [['Europe/London', '01:30'], ['Europe/Berlin', '02:30']] },
      { from: '2026-10-30T12:00:00Z', to: '2026-11-03T00:00:00Z', subs: [['America/New_York', '01:30']] },
      { from: '2026-09-04T12:00:00Z', to: '2026-09-08T00:00:00Z', subs: [['America/Santiago', '00:00'], ['America/Santiago', '00:30']] },
      { from: '2026-10-02T00:00:00Z', to: '2026-10-06T00:00:00Z', subs: [['Australia/Lord_Howe', '02:15']] },
    ];
    for (const win of windows) {
      const w = world(win.from);
      const ids = await Promise.all(win.subs.map(([timezone, sendTime], i) => w.add(`dst${i}@example.org`, { timezone, sendTime })));
      for (let t = Date.parse(win.from); t <= Date.parse(win.to); t += 5 * 60_000) {
        w.clock.set(new Date(t));
        await w.tick();
      }
      const got = (await w.jobs()).map((j) => j.data);
      const expected = win.subs.flatMap(([timezone, hhmm], i) => {
        const [hour, minute] = hhmm.split(':').map(Number) as [number, number];
        // sends inside the window, found by a tick within 5 minutes of their instant
        return occurrencesBetween({ timezone, sendTime: { hour, minute }, frequency: { kind: 'daily' } }, new Date(win.from), new Date(win.to))
          .map((o) => ({ subscriberId: ids[i]!, period: o.period, dueAt: o.at.toISOString() }));
      });
      const key = (x: Record<string, unknown>) => `${String(x.subscriberId)} ${String(x.period)}`;
      assert.deepEqual(got.map(key).sort(), expected.map(key).sort(), `${win.from}: one job per edition`);
      assert.deepEqual(got.sort((a, b) => key(a).localeCompare(key(b))), expected.sort((a, b) => key(a).localeCompare(key(b))));
      assert.ok(expected.length >= 3 * win.subs.length);
    }
  });

  it('works through the index in chunks', async () => {
    const w = world('2026-09-28T00:00:00Z');
    for (let i = 0; i < 11; i++) await w.add(`chunk${i}@example.org`, { timezone: 'UTC', sendTime: '06:00' });
    w.clock.set('2026-09-28T06:00:00Z');
    const r = await w.tick({ chunkSize: 4 });
    assert.deepEqual({ due: r.due, enqueued: r.enqueued, advanced: r.advanced }, { due: 11, enqueued: 11, advanced: 11 });
    assert.equal(await redis.zcount(w.keys.dueIndex, '-inf', Date.parse('2026-09-28T06:00:00Z')), 0);
  });

  it('a missed hour catches up: sent late, once, with the instant it fell due', async () => {
    const w = world('2026-10-01T06:00:00Z');
    const id = await w.add('late@example.org', { timezone: 'Europe/Berlin', sendTime: '09:30' }); // 07:30Z
    w.clock.set('2026-10-01T08:31:00Z'); // worker was down from 07:29 to 08:31
    const r = await w.tick();
    assert.equal(r.enqueued, 1);
    assert.deepEqual((await w.jobs()).map((j) => j.data), [{ subscriberId: id, period: '2026-10-01', dueAt: '2026-10-01T07:30:00.000Z' }]);
    assert.equal(await w.due(id), '2026-10-02T07:30:00.000Z');
  });

  it('a subscriber due days ago gets one digest, for the current period', async () => {
    const w = world('2026-10-01T00:00:00Z');
    const daily = await w.add('days@example.org', { timezone: 'America/Santiago', sendTime: '08:00' });
    const weekly = await w.add('weeks@example.org', { timezone: 'UTC', sendTime: '08:00', frequency: 'weekly:mon' });
    assert.equal(await w.due(daily), '2026-10-01T11:00:00.000Z');
    assert.equal(await w.due(weekly), '2026-10-05T08:00:00.000Z');
    w.clock.set('2026-10-24T12:00:00Z'); // three weeks later, a Saturday
    const r = await w.tick();
    assert.equal(r.enqueued, 2);
    assert.deepEqual((await w.jobs()).map((j) => j.data).sort((p, q) => String(p.period).localeCompare(String(q.period))), [
      { subscriberId: daily, period: '2026-10-24', dueAt: '2026-10-24T11:00:00.000Z' },
      { subscriberId: weekly, period: '2026-W43', dueAt: '2026-10-19T08:00:00.000Z' },
    ]);
    assert.equal(await w.due(daily), '2026-10-25T11:00:00.000Z');
    assert.equal(await w.due(weekly), '2026-10-26T08:00:00.000Z');
    assert.equal((await w.tick()).enqueued, 0);
  });

  it('pausing, unsubscribing and changing the time (through the store) update the index at once', async () => {
    const w = world('2026-10-05T06:00:00Z'); // Monday
    const paused = await w.add('p@example.org', { timezone: 'UTC', sendTime: '08:00' });
    const gone = await w.add('u@example.org', { timezone: 'UTC', sendTime: '08:00' });
    const moved = await w.add('m@example.org', { timezone: 'UTC', sendTime: '08:00' });
    await w.store.pause(paused, '2026-10-08');
    await w.store.unsubscribe(gone);
    await w.store.update(moved, { sendTime: '10:15' });
    assert.equal(await w.due(paused), '2026-10-08T08:00:00.000Z');
    assert.equal(await w.due(gone), null);
    assert.equal(await w.due(moved), '2026-10-05T10:15:00.000Z');

    w.clock.set('2026-10-05T08:00:30Z');
    assert.equal((await w.tick()).enqueued, 0, 'nobody due at the old time');
    w.clock.set('2026-10-05T10:15:00Z');
    assert.deepEqual((await w.jobs()).length, 0);
    assert.equal((await w.tick()).enqueued, 1);
    assert.deepEqual((await w.jobs()).map((j) => j.id), [sendJobId(moved, '2026-10-05')]);

    // the pause ends: the tick sends the edition that fell due and resumes the subscriber
    w.clock.set('2026-10-08T08:00:10Z');
    const r = await w.tick();
    assert.equal(r.resumed, 1);
    assert.ok((await w.jobs()).some((j) => j.id === sendJobId(paused, '2026-10-08')));
    assert.equal((await w.store.get(paused))?.status, 'active');
    assert.equal(await w.due(paused), '2026-10-09T08:00:00.000Z');
  });

  it('removes entries that should not be there (unsubscribed, bouncing, pending, missing) without sending', async () => {
    const w = world('2026-10-05T06:00:00Z');
    const unsub = await w.add('x@example.org', { timezone: 'UTC', sendTime: '07:00' });
    const pending = (await w.store.create({ email: 'y@example.org', timezone: 'UTC', sendTime: '07:00' })).subscriber.id;
    await w.store.unsubscribe(unsub);
    const t = Date.parse('2026-10-05T07:00:00Z');
    await redis.zadd(w.keys.dueIndex, t, unsub, t, pending, t, 'no-such-subscriber-id');
    w.clock.set('2026-10-05T07:00:30Z');
    const r = await w.tick();
    assert.deepEqual({ due: r.due, enqueued: r.enqueued, removed: r.removed }, { due: 3, enqueued: 0, removed: 3 });
    assert.equal(await redis.zcard(w.keys.dueIndex), 0);
    assert.equal((await w.jobs()).length, 0);
  });

  it('sendingPaused: enqueues nothing and advances nothing, so the digests go out once it is lifted', async () => {
    const w = world('2026-10-05T06:00:00Z');
    const id = await w.add('hold@example.org', { timezone: 'UTC', sendTime: '07:00' });
    w.clock.set('2026-10-05T07:05:00Z');
    const held = await w.tick({ sendingPaused: true });
    assert.deepEqual({ paused: held.paused, due: held.due, enqueued: held.enqueued }, { paused: true, due: 1, enqueued: 0 });
    assert.equal(await w.due(id), '2026-10-05T07:00:00.000Z');
    assert.equal((await w.jobs()).length, 0);
    w.clock.set('2026-10-05T09:00:00Z');
    const lifted = await w.tick();
    assert.equal(lifted.enqueued, 1);
    assert.deepEqual((await w.jobs()).map((j) => j.data), [{ subscriberId: id, period: '2026-10-05', dueAt: '2026-10-05T07:00:00.000Z' }]);
  });
});

describe('tick scheduler (BullMQ job scheduler + worker, settings live)', () => {
  let server: TestRedis;
  let ctx: Context;
  let dataDir: string;
  let ticker: TickScheduler | null = null;

  before(async () => {
    server = await startRedis();
    dataDir = mkdtempSync(join(tmpdir(), 'pd-tick-'));
    ctx = await createContext({
      env: { REDIS_URL: server.url, REDIS_PREFIX: `t-ticks-${randomBytes(4).toString('hex')}`, DATA_DIR: dataDir, PUBLIC_URL: 'https://digest.example.org' },
      log: process.env.TICK_DEBUG ? createLogger({ level: 'debug', pretty: false }) : silentLogger(),
      manageRedis: false,
    });
  });
  after(async () => {
    await ticker?.stop();
    await ctx?.close();
    await server.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('upserts the scheduler at the setting\'s interval, follows changes live, and its ticks fan out due subscribers', async () => {
    const store = new SubscriberStore(ctx.redis, ctx.keys, ctx.clock);
    const id = (await store.create({ email: 'live@example.org', status: 'active', timezone: 'UTC', sendTime: '00:00' })).subscriber.id;
    // make it due now, as if its last send instant had passed unsent (the index holds real send instants only)
    const dueAt = latestSendAt({ timezone: 'UTC', sendTime: { hour: 0, minute: 0 }, frequency: { kind: 'daily' } }, new Date());
    await ctx.redis.zadd(ctx.keys.dueIndex, dueAt.getTime(), id);
    await ctx.settings.set({ tickEverySeconds: 10 }, 'test'); // the fastest allowed, so the test sees a tick fire
    const ticks: TickResult[] = [];
    ticker = await startTickScheduler({ ctx, subscribers: store, onTick: (r) => ticks.push(r) });
    const t = ticker;
    const scheduler = await t.tickQueue.getJobScheduler(TICK_SCHEDULER_ID);
    assert.equal(scheduler?.pattern, '*/10 * * * * *', 'aligned to the clock: every 10 s on the second');
    assert.equal(scheduler?.tz, 'UTC');

    await waitFor(() => ticks.some((r) => r.enqueued === 1), { timeoutMs: 40_000, message: 'a scheduled tick enqueued the due subscriber' });
    const job = await t.sendQueue.getJob(sendJobId(id, dueAt.toISOString().slice(0, 10)));
    assert.ok(job, 'send job present under its deterministic id');

    await ctx.settings.set({ tickEverySeconds: 300 }, 'test');
    // The queue's scheduler and the process's own record both follow (the record is set once the upsert returns).
    await waitFor(async () => (await t.tickQueue.getJobScheduler(TICK_SCHEDULER_ID))?.pattern === '0 */5 * * * *' && t.everySeconds() === 300, {
      message: 'interval re-applied',
    });
  });
});
