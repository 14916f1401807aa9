import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Redis } from 'ioredis';
import { silentLogger } from '../../src/log.js';
import { DEFAULT_SETTINGS, SettingsError, coerceSettingValue, type Settings } from '../../src/settings/schema.js';
import { LiveSettings } from '../../src/settings/live.js';
import { SettingsStore } from '../../src/settings/store.js';
import { createRedis, waitReady } from '../../src/redis/connect.js';
import { makeKeys } from '../../src/redis/keys.js';
import { startRedis, type TestRedis } from '../helpers/redis-server.js';
import { testClock } from '../helpers/clock.js';
import { waitFor } from '../helpers/wait.js';

describe('SettingsStore', () => {
  let server: TestRedis;
  let redis: Redis;
  let sub: Redis;
  const keys = makeKeys('t-settings');
  const clock = testClock('2026-11-28T10:00:00Z');
  let store: SettingsStore;

  before(async () => {
    server = await startRedis();
    redis = createRedis(server.url);
    sub = createRedis(server.url);
    await waitReady(redis);
    store = new SettingsStore(redis, keys, clock);
  });
  after(async () => {
    redis.disconnect();
    sub.disconnect();
    await server.stop();
  });

  it('returns defaults when nothing is stored', async () => {
    assert.deepEqual(await store.get(), DEFAULT_SETTINGS);
    assert.equal(DEFAULT_SETTINGS.scrapePattern, '*/30 * * * *');
    assert.equal(DEFAULT_SETTINGS.tickEverySeconds, 60);
  });

  it('refuses a bad change whole, with every reason, and changes nothing', async () => {
    await assert.rejects(store.set({ scrapePattern: 'every now and then', scrapeTimezone: 'Mars/Olympus', lookbackDays: 3, bogus: 1 }, 'test'), (err: Error) => {
      assert.ok(err instanceof SettingsError);
      const text = err.problems.join('\n');
      assert.match(text, /scrapePattern/);
      assert.match(text, /scrapeTimezone .*IANA/);
      assert.match(text, /unknown setting\(s\): bogus/);
      return true;
    });
    assert.deepEqual(await store.get(), DEFAULT_SETTINGS);
    assert.deepEqual(await store.history(), []);
  });

  it('applies a valid change, audits old → new, and tells live followers', async () => {
    const seen: Settings[] = [];
    const live = await LiveSettings.start(store, sub, silentLogger());
    await live.on(
      (s) => s,
      (s) => {
        seen.push(s);
      },
    );
    try {
      assert.equal(seen.length, 1, 'called at once with the current settings');
      const { changes } = await store.set({ scrapePattern: '*/10 * * * *', sendRatePerSecond: coerceSettingValue('sendRatePerSecond', '50') }, 'cli');
      assert.deepEqual(changes, [
        { key: 'scrapePattern', from: '*/30 * * * *', to: '*/10 * * * *' },
        { key: 'sendRatePerSecond', from: 20, to: 50 },
      ]);
      await waitFor(() => seen.length === 2, { message: 'watcher notified' });
      assert.equal(seen[1]!.scrapePattern, '*/10 * * * *');
      const [entry] = await store.history();
      assert.equal(entry!.by, 'cli');
      assert.equal(entry!.at, '2026-11-28T10:00:00.000Z');
      assert.equal(entry!.changes.length, 2);
      // A no-op change writes no audit entry.
      await store.set({ scrapePattern: '*/10 * * * *' }, 'cli');
      assert.equal((await store.history()).length, 1);
      assert.equal(live.current().scrapePattern, '*/10 * * * *');
    } finally {
      await live.stop();
    }
  });

  it('a follower is told only when its slice changes, and each change once, in order', async () => {
    const live = await LiveSettings.start(store, sub, silentLogger());
    const ticks: number[] = [];
    await live.on((s) => s.tickEverySeconds, (v) => {
      ticks.push(v);
    });
    try {
      await store.set({ lookbackDays: 5 }, 'test'); // another slice
      await store.set({ tickEverySeconds: 30 }, 'test');
      await store.set({ tickEverySeconds: 20 }, 'test');
      await waitFor(() => live.current().tickEverySeconds === 20 && ticks.at(-1) === 20, { message: 'follower told' });
      assert.deepEqual(ticks.filter((t, i) => t !== ticks[i - 1]), ticks, 'no repeats');
      assert.equal(ticks[0], 60);
      assert.ok(ticks.every((t, i) => i === 0 || t < ticks[i - 1]!), `in order: ${ticks.join(',')}`);
    } finally {
      await live.stop();
    }
  });

  it('two saves at once in one process (one shared connection) both land, each audited', async () => {
    await Promise.all([store.set({ maxPapersCap: 12 }, 'admin-web'), store.set({ defaultSendTime: '06:45' }, 'cli')]);
    const now = await store.get();
    assert.equal(now.maxPapersCap, 12);
    assert.equal(now.defaultSendTime, '06:45');
    const [a, b] = await store.history(2);
    assert.deepEqual([a!.changes[0]!.key, b!.changes[0]!.key].sort(), ['defaultSendTime', 'maxPapersCap']);
  });

  it('coerces CLI strings by the field type', () => {
    assert.equal(coerceSettingValue('sendingPaused', 'true'), true);
    assert.throws(() => coerceSettingValue('sendingPaused', 'on'), /sendingPaused must be true or false/);
    assert.equal(coerceSettingValue('lookbackDays', '5'), 5);
    assert.throws(() => coerceSettingValue('nope', '1'), /unknown setting/);
  });
});
