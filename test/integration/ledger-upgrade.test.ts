// Upgrading in place: a Redis written by the previous ledger (per-edition hashes holding final states, the
// selection as tuples, `sent:*` ZSETs — written here by that code, kept verbatim in legacy-ledger-v1.ts) is read by
// the new ledger as it is, then folded into edition records. Nothing is resent, nothing is lost.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Redis } from 'ioredis';
import { DeliveryLedger, type EditionSelection } from '../../src/digest/ledger.js';
import { makeKeys } from '../../src/redis/keys.js';
import { testClock } from '../helpers/clock.js';
import { startRedis, type TestRedis } from '../helpers/redis-server.js';
import { DeliveryLedger as LegacyLedger } from './legacy-ledger-v1.js';

describe('ledger upgrade from the per-edition layout', () => {
  let server: TestRedis;
  let redis: Redis;
  const clock = testClock('2026-11-28T08:00:00Z');
  const keys = makeKeys('upgrade');
  const P = '2026-11-28';
  const selection: EditionSelection[] = [
    { id: '2611.00001', reasons: [{ kind: 'topic', topicId: 'llm', topicLabel: 'Language models', phrase: 'LLM' }] },
    { id: '2611.00002', reasons: [{ kind: 'trending' }] },
    { id: '2611.00003', reasons: [{ kind: 'author', name: 'A. Turing' }] },
  ];
  const rendered: string[] = [];
  const renderArchive = async (i: { selection: EditionSelection[] }) => {
    rendered.push(JSON.stringify(i.selection));
    return `<html>${i.selection.map((s) => s.id).join(',')}</html>`;
  };
  before(async () => {
    server = await startRedis();
    redis = new Redis(server.url);
    // Written by today's code: one edition of each kind, and two in flight.
    const old = new LegacyLedger(redis, keys, clock, { leaseMs: 60_000 });
    await old.claim('subSent01', P, 'w1');
    await old.markSending('subSent01', P, 'w1');
    await old.markSent('subSent01', P, { response: '250 ok', messageId: '<a@x>', paperIds: ['2611.00001', '2611.00002'], selection });
    await old.claim('subFail01', P, 'w1');
    await old.settle('subFail01', P, 'w1', 'failed', { error: '550 no such user', code: 550 });
    await old.claim('subSkip01', P, 'w1');
    await old.settle('subSkip01', P, 'w1', 'skipped', { reason: 'quiet-day' });
    await old.claim('subSendg1', P, 'w1');
    await old.markSending('subSendg1', P, 'w1'); // the worker died here: maybe delivered
    await old.claim('subClaim1', P, 'w1'); // died before sending anything
  });
  after(async () => {
    await redis.quit();
    await server.stop();
  });

  it('reads the old entries as they are: nothing resent, archive and sent papers intact, retry-failed works', async () => {
    const ledger = new DeliveryLedger(redis, keys, clock, { leaseMs: 60_000, renderArchive });
    assert.deepEqual(await ledger.claim('subSent01', P, 'n1'), { outcome: 'done', state: 'sent' });
    assert.deepEqual(await ledger.claim('subSkip01', P, 'n1'), { outcome: 'done', state: 'skipped' });
    assert.deepEqual([...(await ledger.sentPaperIds('subSent01'))].sort(), ['2611.00001', '2611.00002']);
    assert.equal(await ledger.archive('subSent01', P), '<html>2611.00001,2611.00002,2611.00003</html>');
    const counts = await ledger.countsByState(P);
    assert.deepEqual({ sent: counts.sent, failed: counts.failed, skipped: counts.skipped, sending: counts.sending, claimed: counts.claimed }, { sent: 1, failed: 1, skipped: 1, sending: 1, claimed: 1 });
    assert.deepEqual(await ledger.subscribersIn(P, ['failed']), ['subFail01']);
    // the crashed ones, once their lease is over: after the marker -> unknown (never resent); before -> claimable
    clock.advance(60_001);
    assert.deepEqual(await ledger.claim('subSendg1', P, 'n1'), { outcome: 'unknown' });
    assert.deepEqual(await ledger.claim('subClaim1', P, 'n1'), { outcome: 'claimed', attempt: 2 });
    // a period begun under the previous layout keeps its whole-period index until aggregated: nobody counted twice
    assert.deepEqual(await redis.hmget(keys.editionsByPeriod(P), 'subSendg1', 'subClaim1'), ['unknown', 'claimed']);
    assert.deepEqual(await redis.keys(`${keys.prefix}:ed:ix:${P}:*`), []);
    const after = await ledger.countsByState(P);
    assert.deepEqual({ sending: after.sending, unknown: after.unknown, claimed: after.claimed, sent: after.sent }, { sending: 0, unknown: 1, claimed: 1, sent: 1 });
  });

  it('folds the old entries into edition records; everything reads the same afterwards', async () => {
    const ledger = new DeliveryLedger(redis, keys, clock, { leaseMs: 60_000, renderArchive });
    assert.equal(await ledger.migrated(), false);
    const r = await ledger.migrateLegacy();
    assert.equal(r.folded, 4, 'sent, failed, skipped and the unknown one');
    assert.equal(await ledger.migrated(), true);
    for (const id of ['subSent01', 'subFail01', 'subSkip01', 'subSendg1']) assert.equal(await redis.exists(keys.edition(id, P)), 0, `${id}: hash folded`);
    assert.equal(await redis.exists(keys.edition('subClaim1', P)), 1, 'the one in flight stays in flight');
    assert.deepEqual(await ledger.claim('subSent01', P, 'n2'), { outcome: 'done', state: 'sent' });
    assert.deepEqual(await ledger.claim('subSendg1', P, 'n2'), { outcome: 'done', state: 'unknown' });
    assert.deepEqual(await ledger.claim('subFail01', P, 'n2'), { outcome: 'done', state: 'failed' });
    const sent = await ledger.get('subSent01', P);
    assert.deepEqual(sent?.paperIds, ['2611.00001', '2611.00002']);
    assert.equal(await ledger.archive('subSent01', P), '<html>2611.00001,2611.00002,2611.00003</html>');
    assert.equal((await ledger.get('subSkip01', P))?.reason, 'quiet-day');
    assert.deepEqual([...(await ledger.sentPaperIds('subSent01'))].sort(), ['2611.00001', '2611.00002']);
    const counts = await ledger.countsByState(P);
    assert.deepEqual({ sent: counts.sent, failed: counts.failed, skipped: counts.skipped, unknown: counts.unknown, claimed: counts.claimed }, { sent: 1, failed: 1, skipped: 1, unknown: 1, claimed: 1 });
    // retry-failed on a folded edition: reopened, claimable, and settled again in the record
    assert.equal(await ledger.reopenFailed('subFail01', P), true);
    assert.equal((await ledger.claim('subFail01', P, 'n3')).outcome, 'claimed');
    await ledger.markSent('subFail01', P, { response: '250', messageId: '<b@x>', paperIds: ['2611.00009'] });
    assert.deepEqual(await ledger.claim('subFail01', P, 'n4'), { outcome: 'done', state: 'sent' });
    assert.equal((await ledger.countsByState(P)).failed, 0);
  });

  it('retention: after the detailed days a period keeps exact counters and its failed ids', async () => {
    const ledger = new DeliveryLedger(redis, keys, clock, { leaseMs: 60_000, detailDays: 3 });
    const before = await ledger.countsByState(P);
    clock.advance(4 * 86_400_000);
    const r = await ledger.applyRetention();
    assert.ok(r.aggregated >= 1);
    assert.equal(await redis.exists(keys.editionsByPeriod(P)), 0, 'the detailed index is gone');
    const after = await ledger.periodSummary(P);
    assert.equal(after.detailed, false);
    assert.deepEqual(after.counts, before);
    // a late transition still counts exactly
    assert.equal((await ledger.claim('subClaim1', P, 'n5')).outcome, 'claimed');
    await ledger.markSent('subClaim1', P, { response: '250', messageId: '<c@x>', paperIds: ['2611.00010'] });
    const later = await ledger.countsByState(P);
    assert.deepEqual([later.claimed, later.sent], [before.claimed - 1, before.sent + 1]);
  });
});

describe('ledger upgrade from the first record layout (version 1 records, one index hash per period)', () => {
  let server: TestRedis;
  let redis: Redis;
  const clock = testClock('2026-11-30T08:00:00Z');
  const keys = makeKeys('upgrade-v1');
  // A record as the previous code wrote it (encodeRecord at 5f18346; the same bytes as in edition-record.test.ts):
  // sent 2026-11-26 (2611.01234 and 2610.9999 in the email, a third paper web-only), skipped 2026-W48,
  // failed 2026-11-28 (550), sent 2026-11-29 (2611.20001, 2611.19000; two attempts).
  const V1 = Buffer.from('AQEsBCZiACZfhCZkASZlAAMTbm90LWFyeGl2L8OcbsOvY29kZQlxdWlldC1kYXkQNTUwIG5vIHN1Y2ggdXNlcgQBAwIDyAECAQcBBQEAAgMAlKHregCaxiwBAQIBAgAAAAMDAAAAAgACAgSMtvR6xj4=', 'base64');
  before(async () => {
    server = await startRedis();
    redis = new Redis(server.url);
    await redis.set(keys.editionRecord('subOld001'), V1, 'EX', 31 * 86_400);
    // the period index as the previous code kept it: one hash for the whole period
    await redis.hset(keys.editionsByPeriod('2026-11-29'), 'subOld001', 'sent', 'subOld002', 'failed');
    await redis.hset(keys.editionsByPeriod('2026-11-30'), 'subOld002', 'sent');
    await redis.zadd(keys.editionPeriods, 9_829, '2026-11-29', 9_830, '2026-11-30');
  });
  after(async () => {
    await redis.quit();
    await server.stop();
  });

  it('reads version 1 records as they are: settled editions stay settled, sent papers excluded, nothing resent', async () => {
    const ledger = new DeliveryLedger(redis, keys, clock, { renderArchive: async (i) => i.selection.map((s) => s.id).join(',') });
    assert.deepEqual(await ledger.claim('subOld001', '2026-11-29', 'n1'), { outcome: 'done', state: 'sent' });
    assert.deepEqual(await ledger.claim('subOld001', '2026-11-28', 'n1'), { outcome: 'done', state: 'failed' });
    assert.deepEqual([...(await ledger.sentPaperIds('subOld001'))].sort(), ['2610.9999', '2611.01234', '2611.19000', '2611.20001']);
    assert.equal(await ledger.archive('subOld001', '2026-11-26'), '2611.01234,2610.9999,not-arxiv/Ünïcode');
    assert.equal((await ledger.get('subOld001', '2026-11-28'))?.code, 550);
  });

  it('the next edition rewrites the record as version 2 with every old edition in it; old index hashes keep counting', async () => {
    const ledger = new DeliveryLedger(redis, keys, clock);
    const before = await ledger.editions('subOld001');
    assert.equal((await ledger.claim('subOld001', '2026-11-30', 'n1')).outcome, 'claimed');
    await ledger.markSent('subOld001', '2026-11-30', { response: '250', messageId: '<v@x>', paperIds: ['2611.30001'] });
    const raw = await redis.getBuffer(keys.editionRecord('subOld001'));
    assert.equal(raw?.[0], 2, 'converted');
    const byPeriod = (a: { period: string }, b: { period: string }) => a.period.localeCompare(b.period);
    assert.deepEqual((await ledger.editions('subOld001')).filter((e) => e.period !== '2026-11-30').sort(byPeriod), before.sort(byPeriod));
    assert.deepEqual([...(await ledger.sentPaperIds('subOld001'))].sort(), ['2610.9999', '2611.01234', '2611.19000', '2611.20001', '2611.30001']);
    // 2026-11-30 began under the previous layout (its single hash exists): the new entry goes there, not to a bucket
    assert.equal(await redis.hget(keys.editionsByPeriod('2026-11-30'), 'subOld001'), 'sent');
    assert.deepEqual(await redis.keys(`${keys.prefix}:ed:ix:2026-11-30:*`), []);
    const counts = await ledger.countsByState('2026-11-30');
    assert.deepEqual([counts.sent, counts.claimed], [2, 0]);
    assert.deepEqual(await ledger.subscribersIn('2026-11-29', ['failed']), ['subOld002']);
  });
});
