// Two digests minutes apart (issue 11): a reader who moves west right after a digest must not get another one 12
// minutes later for the previous local date. Real redis-server, real BullMQ send queue, the real tick, fixed instants.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import { runTick } from '../../src/digest/tick.js';
import { silentLogger } from '../../src/log.js';
import { QUEUES } from '../../src/queue/catalog.js';
import { createRedis, waitReady } from '../../src/redis/connect.js';
import { makeKeys } from '../../src/redis/keys.js';
import { SubscriberStore } from '../../src/subscribers/store.js';
import { testClock } from '../helpers/clock.js';
import { startRedis, type TestRedis } from '../helpers/redis-server.js';

describe('schedule change keeps a gap between digests (real redis-server, BullMQ, tick)', () => {
  let server: TestRedis;
  let redis: Redis;
  let bull: Redis;
  let sendQueue: Queue;

  before(async () => {
    server = await startRedis();
    redis = createRedis(server.url);
    bull = createRedis(server.url, { forBullmq: true });
    await waitReady(redis);
  });
  after(async () => {
    await sendQueue?.close();
    redis.disconnect();
    bull.disconnect();
    await server.stop();
  });

  it('Tokyo 08:00 → Honolulu 13:17 five minutes after a send: the next digest is ≥ 20 h later, for a new date', async () => {
    const keys = makeKeys(`t-gap-${randomBytes(4).toString('hex')}`);
    const clock = testClock('2026-12-01T00:00:00Z');
    const store = new SubscriberStore(redis, keys, clock);
    sendQueue = new Queue(QUEUES.send, { connection: bull, prefix: keys.prefix });
    const tick = () => runTick({ subscribers: store, sendQueue, clock, log: silentLogger(), settings: { sendingPaused: false } });
    const id = (await store.create({ email: 'mover@example.org', status: 'active', timezone: 'Asia/Tokyo', sendTime: '08:00' })).subscriber.id;

    clock.set('2026-12-06T23:00:30Z'); // 08:00:30 on the 7th in Tokyo
    await redis.zadd(keys.dueIndex, Date.parse('2026-12-06T23:00:00Z'), id); // as the ticks before would have left it
    assert.equal((await tick()).enqueued, 1);

    clock.set('2026-12-06T23:05:00Z'); // 13:05 on the 6th in Honolulu
    await store.update(id, { timezone: 'Pacific/Honolulu', sendTime: '13:17' });
    assert.equal(new Date(Number(await redis.zscore(keys.dueIndex, id))).toISOString(), '2026-12-08T23:17:00.000Z');
    // an unrelated change meanwhile keeps the held-back send
    clock.set('2026-12-07T02:00:00Z');
    await store.update(id, { topics: ['llm'] });
    assert.equal(new Date(Number(await redis.zscore(keys.dueIndex, id))).toISOString(), '2026-12-08T23:17:00.000Z');

    for (let t = Date.parse('2026-12-06T23:10:00Z'); t <= Date.parse('2026-12-09T00:00:00Z'); t += 10 * 60_000) {
      clock.set(new Date(t));
      await tick();
    }
    const jobs = (await sendQueue.getJobs(['waiting', 'delayed', 'completed', 'failed', 'active'])).map((j) => j.data as { period: string; dueAt: string });
    jobs.sort((a, b) => a.dueAt.localeCompare(b.dueAt));
    assert.deepEqual(jobs.map((j) => j.period), ['2026-12-07', '2026-12-08']);
    const gapHours = (Date.parse(jobs[1]!.dueAt) - Date.parse(jobs[0]!.dueAt)) / 3_600_000;
    assert.ok(gapHours >= 20, `${gapHours} h between digests`);
  });
});
