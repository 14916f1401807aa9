// Graceful shutdown of the send worker: stop() stops taking jobs and waits for the sends in flight (their SMTP
// reply and ledger mark), but no longer than the bound; past it, what is still in flight stays in the ledger as
// 'sending' (never resent: the next claim records it unknown) and BullMQ's stalled-job recovery takes it over.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startRedis, type TestRedis } from '../helpers/redis-server.js';
import { waitFor } from '../helpers/wait.js';
import { papersFor, sendHarness, subscriberFixture, type SendHarness } from './send-harness.js';

const PERIOD = new Date().toISOString().slice(0, 10);

async function world(redisUrl: string, prefix: string, replyDelayMs: number): Promise<SendHarness> {
  const h = await sendHarness(redisUrl, prefix, { sink: { replyDelayMs } });
  await h.papers.replaceDay(PERIOD, papersFor(PERIOD), { source: 'test', url: 'test' });
  return h;
}

describe('send worker shutdown', () => {
  let redis: TestRedis;
  const worlds: SendHarness[] = [];
  before(async () => {
    redis = await startRedis();
  });
  after(async () => {
    for (const w of worlds) await w.close();
    await redis.stop();
  });

  it('waits for the sends in flight: each one ends marked sent, none left in doubt', async () => {
    const h = await world(redis.url, 'shutdown-wait', 300);
    worlds.push(h);
    const subs = ['subStopA0001', 'subStopB0001', 'subStopC0001'].map((id) => subscriberFixture(id));
    for (const s of subs) await h.subscribers.put(s);
    const worker = await h.startWorker();
    for (const s of subs) await h.enqueue(s.id, PERIOD, new Date().toISOString());
    // the sink holds the data and has not answered yet
    await waitFor(() => h.sink.events.some((e) => e.stage === 'accept'), { message: 'a message in flight' });
    await worker.stop();
    const states = await Promise.all(subs.map((s) => h.ledger.get(s.id, PERIOD).then((e) => e?.state ?? 'none')));
    assert.ok(states.includes('sent'), `the one in flight finished: ${states.join(',')}`);
    assert.ok(states.every((s) => s === 'sent' || s === 'none'), `nothing left claimed or in doubt: ${states.join(',')}`);
    assert.equal(h.sink.messages.length, states.filter((s) => s === 'sent').length);
  });

  it('gives up after the bound, leaving the one in flight marked as sending (never resent)', async () => {
    const h = await world(redis.url, 'shutdown-bound', 1_500);
    worlds.push(h);
    const sub = subscriberFixture('subStopSlow01');
    await h.subscribers.put(sub);
    const worker = await h.startWorker({ shutdownTimeoutMs: 100 });
    await h.enqueue(sub.id, PERIOD, new Date().toISOString());
    await waitFor(() => h.sink.events.some((e) => e.stage === 'accept'), { message: 'a message in flight' });
    await worker.stop();
    assert.equal((await h.ledger.get(sub.id, PERIOD))?.state, 'sending');
  });
});
