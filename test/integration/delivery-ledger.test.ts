// The delivery ledger against a real redis-server: claims, leases, the sending marker, settling, sent papers.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Redis } from 'ioredis';
import { DeliveryLedger, type EditionSelection } from '../../src/digest/ledger.js';
import { makeKeys } from '../../src/redis/keys.js';
import { testClock } from '../helpers/clock.js';
import { startRedis, type TestRedis } from '../helpers/redis-server.js';

describe('delivery ledger', () => {
  let server: TestRedis;
  let redis: Redis;
  const clock = testClock('2026-11-28T08:00:00Z');
  const keys = makeKeys('ledgertest');
  let ledger: DeliveryLedger;
  before(async () => {
    server = await startRedis();
    redis = new Redis(server.url);
    ledger = new DeliveryLedger(redis, keys, clock, { leaseMs: 60_000, sentPapersRetentionDays: 10 });
  });
  after(async () => {
    await redis.quit();
    await server.stop();
  });

  it('claims once; a second owner is told busy until the lease runs out, then takes over', async () => {
    assert.deepEqual(await ledger.claim('subA0000', '2026-11-28', 'w1'), { outcome: 'claimed', attempt: 1 });
    assert.deepEqual(await ledger.claim('subA0000', '2026-11-28', 'w2'), { outcome: 'busy', until: clock.now() + 60_000 });
    clock.advance(60_001);
    assert.deepEqual(await ledger.claim('subA0000', '2026-11-28', 'w2'), { outcome: 'claimed', attempt: 2 });
    // the first owner lost it: it may not set the marker any more
    assert.equal(await ledger.markSending('subA0000', '2026-11-28', 'w1'), false);
    assert.equal(await ledger.markSending('subA0000', '2026-11-28', 'w2'), true);
  });

  it('an owner that vanished after the sending marker leaves the entry unknown, never re-claimable', async () => {
    await ledger.claim('subB0000', '2026-11-28', 'w1');
    assert.equal(await ledger.markSending('subB0000', '2026-11-28', 'w1'), true);
    assert.equal((await ledger.claim('subB0000', '2026-11-28', 'w2')).outcome, 'busy');
    clock.advance(60_001);
    assert.deepEqual(await ledger.claim('subB0000', '2026-11-28', 'w2'), { outcome: 'unknown' });
    assert.deepEqual(await ledger.claim('subB0000', '2026-11-28', 'w3'), { outcome: 'done', state: 'unknown' });
    assert.equal((await ledger.get('subB0000', '2026-11-28'))?.state, 'unknown');
  });

  it('marks sent with its papers in one go; later claims are done', async () => {
    await ledger.claim('subC0000', '2026-11-28', 'w1');
    await ledger.markSending('subC0000', '2026-11-28', 'w1');
    await ledger.markSent('subC0000', '2026-11-28', { response: '250 OK', messageId: '<m@x>', paperIds: ['2611.00001', '2611.00002'] });
    const e = await ledger.get('subC0000', '2026-11-28');
    assert.equal(e?.state, 'sent');
    assert.deepEqual(e?.paperIds, ['2611.00001', '2611.00002']);
    assert.equal(e?.owner, null);
    assert.deepEqual(await ledger.claim('subC0000', '2026-11-28', 'w9'), { outcome: 'done', state: 'sent' });
    assert.deepEqual([...(await ledger.sentPaperIds('subC0000'))].sort(), ['2611.00001', '2611.00002']);
    assert.deepEqual(await redis.keys(`${keys.prefix}:archive:*`), [], 'no HTML is stored per digest');
    // eleven days later the old papers are trimmed when the next edition is marked
    clock.advance(11 * 24 * 3600_000);
    await ledger.claim('subC0000', '2026-12-09', 'w1');
    await ledger.markSent('subC0000', '2026-12-09', { response: '250 OK', messageId: '<n@x>', paperIds: ['2612.00001'] });
    assert.deepEqual([...(await ledger.sentPaperIds('subC0000'))], ['2612.00001']);
  });

  it('renders the archive again from the stored selection', async () => {
    const seen: unknown[] = [];
    const rendering = new DeliveryLedger(redis, keys, clock, {
      renderArchive: async (input) => {
        seen.push(input);
        return `<html>${input.selection.map((s) => s.id).join(',')}</html>`;
      },
    });
    const selection: EditionSelection[] = [
      { id: '2611.00003', reasons: [{ kind: 'trending' }] },
      { id: '2611.00004', reasons: [{ kind: 'keyword', phrase: 'agents' }, { kind: 'topic', topicId: 'agents', topicLabel: 'Agents', phrase: 'tool use' }, { kind: 'author', name: 'A. Turing' }, { kind: 'organization', name: 'ACME' }] },
    ];
    // reasons are stored as given (opaque JSON, interned in the edition record): they come back whole
    const stored = selection;
    await rendering.claim('subH0000', '2026-11-28', 'w1');
    await rendering.markSent('subH0000', '2026-11-28', { response: '250 OK', messageId: '<h@x>', paperIds: ['2611.00003'], selection });
    assert.deepEqual((await rendering.get('subH0000', '2026-11-28'))?.selection, stored);
    assert.equal(await rendering.archive('subH0000', '2026-11-28'), '<html>2611.00003,2611.00004</html>');
    assert.deepEqual(seen, [{ subscriberId: 'subH0000', period: '2026-11-28', selection: stored }]);
    assert.equal(await rendering.archive('subH0000', '2026-11-27'), null, 'never delivered');
    assert.equal(await ledger.archive('subH0000', '2026-11-28'), null, 'no renderer, no web view');
  });

  it('releases for a retry, settles finally, and counts states per period', async () => {
    await ledger.claim('subD0000', '2026-11-29', 'w1');
    assert.equal(await ledger.settle('subD0000', '2026-11-29', 'w1', 'retrying', { error: '451 later', code: 451 }), true);
    assert.deepEqual(await ledger.claim('subD0000', '2026-11-29', 'w2'), { outcome: 'claimed', attempt: 2 });
    assert.equal(await ledger.settle('subD0000', '2026-11-29', 'w1', 'failed'), false, 'not the owner');
    assert.equal(await ledger.settle('subD0000', '2026-11-29', 'w2', 'failed', { error: '550 no', code: 550 }), true);
    await ledger.claim('subE0000', '2026-11-29', 'w1');
    await ledger.settle('subE0000', '2026-11-29', 'w1', 'skipped', { reason: 'quiet-day' });
    await ledger.claim('subF0000', '2026-11-29', 'w1');
    const counts = await ledger.countsByState('2026-11-29');
    assert.deepEqual({ failed: counts.failed, skipped: counts.skipped, claimed: counts.claimed, sent: counts.sent }, { failed: 1, skipped: 1, claimed: 1, sent: 0 });
    assert.deepEqual(await ledger.subscribersIn('2026-11-29', ['failed']), ['subD0000']);
    assert.deepEqual((await ledger.subscribersIn('2026-11-29', ['failed', 'skipped'])).sort(), ['subD0000', 'subE0000']);
    assert.deepEqual(Object.fromEntries(await ledger.states('2026-11-29')), { subD0000: 'failed', subE0000: 'skipped', subF0000: 'claimed' });
    assert.equal((await ledger.get('subE0000', '2026-11-29'))?.reason, 'quiet-day');
  });

  it('retention forgets quiet-day skips past their re-check window', async () => {
    const period = new Date(clock.now()).toISOString().slice(0, 10);
    const key = keys.editionQuiet(period);
    await ledger.claim('subQ0000', period, 'w1'); // the period is known to the ledger
    await ledger.noteQuiet('subQ0000', period, clock.now() + 3600_000);
    await ledger.applyRetention();
    assert.equal(await redis.zcard(key), 1);
    clock.advance(3600_001);
    await ledger.applyRetention();
    assert.equal(await redis.zcard(key), 0);
  });

  it('splits a period\'s detailed index into small listpack buckets; counts, states and aggregation stay exact', async () => {
    const period = '2026-11-27';
    const keys = makeKeys('ledgerbuckets');
    const bucketed = new DeliveryLedger(redis, keys, clock, { detailDays: 2 });
    const ids = Array.from({ length: 1000 }, (_, i) => `subK${String(i).padStart(5, '0')}`);
    // the day before held 800 editions (in the previous layout's single hash): sized for 1,000, the new period gets
    // 16 buckets (~64 each) at its first claim
    await redis.hset(keys.editionsByPeriod('2026-11-26'), Object.fromEntries(ids.slice(0, 800).map((id) => [id, 'sent'])));
    await redis.zadd(keys.editionPeriods, 9_826, '2026-11-26');
    const expected: Record<string, string> = {};
    await Promise.all(ids.map(async (id, i) => {
      await bucketed.claim(id, period, 'w1');
      if (i % 10 === 0) {
        await bucketed.settle(id, period, 'w1', 'failed', { error: '550 no', code: 550 });
        expected[id] = 'failed';
      } else if (i % 10 === 1) {
        expected[id] = 'claimed';
      } else {
        await bucketed.markSent(id, period, { response: '250', messageId: `<${id}@x>`, paperIds: ['2611.00001'] });
        expected[id] = 'sent';
      }
    }));
    assert.equal(await redis.hget(keys.editionIndexBuckets, period), '16');
    const bucketKeys = await redis.keys(`${keys.prefix}:ed:ix:${period}:*`);
    assert.equal(bucketKeys.length, 16);
    for (const k of bucketKeys) {
      assert.equal(await redis.call('OBJECT', 'ENCODING', k), 'listpack', k);
      assert.ok((await redis.hlen(k)) <= 128, k);
      // each state as one digit (its position in INDEX_STATE_CODES), not its name
      for (const v of await redis.hvals(k)) assert.ok(['0', '3', '4'].includes(v), v);
    }
    assert.equal(await redis.exists(keys.editionsByPeriod(period)), 0, 'no whole-period hash any more');
    assert.deepEqual(Object.fromEntries(await bucketed.states(period)), expected);
    const counts = await bucketed.countsByState(period);
    assert.deepEqual({ sent: counts.sent, failed: counts.failed, claimed: counts.claimed }, { sent: 800, failed: 100, claimed: 100 });
    assert.deepEqual((await bucketed.subscribersIn(period, ['failed'])).sort(), ids.filter((_id, i) => i % 10 === 0));
    // the reader asks to be forgotten: gone from its bucket
    await bucketed.deleteFor(ids[2]!);
    assert.equal((await bucketed.countsByState(period)).sent, 799);
    // aggregated after the detailed days: every bucket goes, the counters are exact
    const later = new DeliveryLedger(redis, keys, () => new Date(clock.now() + 4 * 86_400_000), { detailDays: 2 });
    await later.applyRetention();
    assert.deepEqual(await redis.keys(`${keys.prefix}:ed:ix:${period}:*`), []);
    const summary = await later.periodSummary(period);
    assert.equal(summary.detailed, false);
    assert.deepEqual({ sent: summary.counts.sent, failed: summary.counts.failed, claimed: summary.counts.claimed }, { sent: 799, failed: 100, claimed: 100 });
    assert.equal((await later.subscribersIn(period, ['failed'])).length, 100);
  });

  it('concurrent claims for one edition: exactly one wins', async () => {
    const results = await Promise.all(Array.from({ length: 20 }, (_, i) => ledger.claim('subG0000', '2026-11-30', `w${i}`)));
    assert.equal(results.filter((r) => r.outcome === 'claimed').length, 1);
    assert.equal(results.filter((r) => r.outcome === 'busy').length, 19);
  });
});
