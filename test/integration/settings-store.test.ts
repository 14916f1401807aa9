import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Redis } from 'ioredis';
import { silentLogger } from '../../src/log.js';
import { DEFAULT_SETTINGS, SettingsError, coerceSettingValue, type Settings } from '../../src/ops/settings.js';
import { SettingsStore } from '../../src/ops/settings-store.js';
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

  it('applies a valid change, audits old → new, and tells watchers', async () => {
    const seen: Settings[] = [];
    const stop = await store.watch(sub, (s) => {
      seen.push(s);
    }, silentLogger());
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
    } finally {
      await stop();
    }
  });

  it('coerces CLI strings by the field type', () => {
    assert.equal(coerceSettingValue('sendingPaused', 'on'), true);
    assert.equal(coerceSettingValue('lookbackDays', '5'), 5);
    assert.throws(() => coerceSettingValue('nope', '1'), /unknown setting/);
  });
});
