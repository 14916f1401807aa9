// smtp.throttled is raised once per episode (issue 11): six 451 refusals in a row are one alert, not six; a
// delivery ends the episode, so the next storm raises again.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { testClock } from '../helpers/clock.js';
import { startRedis, type TestRedis } from '../helpers/redis-server.js';
import { waitFor } from '../helpers/wait.js';
import { papersFor, sendHarness, subscriberFixture, type SendHarness } from './send-harness.js';

const PERIOD = '2026-11-28';
const DUE = '2026-11-28T08:00:00.000Z';

describe('smtp.throttled alerts', () => {
  let redis: TestRedis;
  let h: SendHarness;
  const clock = testClock('2026-11-28T08:00:30Z');
  const alerts = async () => (await h.metrics.alerts.get()).values.find((v) => v.labels.event === 'smtp.throttled')?.value ?? 0;
  const allSent = (ids: string[]) =>
    waitFor(async () => {
      for (const id of ids) if ((await h.ledger.get(id, PERIOD))?.state !== 'sent') return null;
      return true;
    }, { timeoutMs: 30_000, message: 'every edition sent' });

  before(async () => {
    redis = await startRedis();
    // One job at a time: every refusal belongs to the storm, none interleaves with a delivery.
    h = await sendHarness(redis.url, 'throttle-episode', { clock, settings: { sendConcurrency: 1 } });
    await h.papers.replaceDay(PERIOD, papersFor(PERIOD), { source: 'test', url: 'test' });
    await h.startWorker({ throttleMs: 100 });
  });
  after(async () => {
    await h.close();
    await redis.stop();
  });

  it('one alert for a storm of six refusals; the next storm after a delivery raises one more', async () => {
    const first = Array.from({ length: 3 }, (_, i) => subscriberFixture(`subStormA${i}0000`));
    for (const s of first) await h.subscribers.put(s);
    h.sink.failNext({ stage: 'data', code: 451, message: '4.7.1 Too many messages, slow down', times: 6 });
    for (const s of first) await h.enqueue(s.id, PERIOD, DUE);
    await allSent(first.map((s) => s.id));
    assert.equal(h.sink.events.filter((e) => e.code === 451).length, 6, 'six refusals happened');
    assert.equal(await alerts(), 1);

    const second = Array.from({ length: 2 }, (_, i) => subscriberFixture(`subStormB${i}0000`));
    for (const s of second) await h.subscribers.put(s);
    h.sink.failNext({ stage: 'data', code: 421, message: '4.7.0 Try again later', times: 4 });
    for (const s of second) await h.enqueue(s.id, PERIOD, DUE);
    await allSent(second.map((s) => s.id));
    assert.equal(h.sink.events.filter((e) => e.code === 421).length, 4);
    assert.equal(await alerts(), 2);
  });
});
