// CSV import/export against a real redis-server: bad rows by line number, idempotent re-import, --update,
// consent rules for existing addresses, confirmation callbacks, and an export → import round trip.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { Redis } from 'ioredis';
import { makeKeys } from '../../src/redis/keys.js';
import { CsvHeaderError, exportSubscribers, importSubscribers } from '../../src/subscribers/csv-import.js';
import { SubscriberStore } from '../../src/subscribers/store.js';
import type { Subscriber } from '../../src/subscribers/subscriber.js';
import { testClock } from '../helpers/clock.js';
import { startRedis, type TestRedis } from '../helpers/redis-server.js';

const HEADER = 'email,timezone,send_time,frequency,topics,include_keywords,exclude_keywords\n';
const CSV =
  HEADER +
  'ann@example.org,US/Eastern,07:30,daily,llm;agents,"diffusion;world model",survey\n' + // line 2
  'bob@example.org,Europe/Kiev,18:00,weekly:fri,,,\n' + // 3
  'not-an-address,UTC,07:00,daily,,,\n' + // 4: bad email
  'cy@example.org,Mars/Base,25:00,hourly,astrology,,\n' + // 5: four bad fields
  '"dee@example.org","Asia/Calcutta","06:15","daily","rl","say ""hi"", world","survey"\n' + // 6: quotes and commas
  'ANN@example.org,UTC,09:00,daily,,,\n' + // 7: duplicate of line 2
  'eve@example.org,UTC\n' + // 8: too few fields
  '"fay@example.org\r\nBcc: x@example.org",UTC,07:00,daily,,,\n' + // 9-10: header injection
  'gus@example.org,UTC,07:00,daily,3d,,\n'; // 11

async function* chunks(text: string, size = 64) {
  for (let i = 0; i < text.length; i += size) yield text.slice(i, i + size);
}

describe('subscriber CSV import/export (real redis-server)', () => {
  let server: TestRedis;
  let redis: Redis;
  const keys = makeKeys(`t-csv-${randomBytes(4).toString('hex')}`);
  const clock = testClock('2026-09-28T15:00:00Z');
  let store: SubscriberStore;
  const confirmations: Subscriber[] = [];
  const sendConfirmation = async (s: Subscriber) => {
    confirmations.push(s);
  };

  before(async () => {
    server = await startRedis();
    redis = new Redis(server.url, { maxRetriesPerRequest: 1 });
    store = new SubscriberStore(redis, keys, clock);
  });
  after(async () => {
    await redis.quit();
    await server.stop();
  });

  it('imports the good rows, reports each bad row by line number, and emails the new pending ones', async () => {
    const r = await importSubscribers(store, chunks(CSV), { confirmed: false, update: false, sendConfirmation, batchSize: 2 });
    assert.equal(r.rows, 9);
    assert.equal(r.created, 4);
    assert.deepEqual(r.invalid.map((p) => p.line), [4, 5, 8, 9]);
    const byLine = Object.fromEntries(r.invalid.map((p) => [p.line, p.message]));
    assert.match(byLine[4]!, /^email: /);
    for (const col of ['timezone', 'send_time', 'frequency', 'topics']) assert.match(byLine[5]!, new RegExp(`${col}: `));
    assert.match(byLine[8]!, /has 2 fields/);
    assert.match(byLine[9]!, /email: must not contain line breaks/);
    assert.deepEqual(r.duplicates, [{ line: 7, firstLine: 2 }]);
    assert.equal(r.confirmationsSent, 4);
    assert.deepEqual(confirmations.map((s) => s.email).sort(), ['ann@example.org', 'bob@example.org', 'dee@example.org', 'gus@example.org']);
    const dee = await store.getByEmail('dee@example.org');
    assert.equal(dee?.timezone, 'Asia/Kolkata');
    assert.deepEqual(dee?.includeKeywords, ['say "hi", world']);
    assert.equal(dee?.status, 'pending');
    const bob = await store.getByEmail('bob@example.org');
    assert.equal(bob?.timezone, 'Europe/Kyiv');
    assert.deepEqual(bob?.frequency, { kind: 'weekly', weekday: 5 });
    assert.equal(await store.count(), 4);
  });

  it('re-importing is idempotent; --confirmed activates pending rows but never an unsubscribed address', async () => {
    const gus = (await store.getByEmail('gus@example.org'))!;
    await store.unsubscribe(gus.id);
    const hashesBefore = await redis.hgetall(keys.subscriber((await store.getByEmail('ann@example.org'))!.id));
    const again = await importSubscribers(store, chunks(CSV), { confirmed: false, update: false, sendConfirmation });
    assert.equal(again.created, 0);
    assert.equal(again.unchanged, 4);
    assert.equal(await store.count(), 4);
    assert.deepEqual(await redis.hgetall(keys.subscriber((await store.getByEmail('ann@example.org'))!.id)), hashesBefore);
    const confirmed = await importSubscribers(store, chunks(CSV), { confirmed: true, update: false });
    assert.equal(confirmed.confirmedExisting, 3);
    assert.equal((await store.getByEmail('ann@example.org'))?.status, 'active');
    assert.equal((await store.getByEmail('gus@example.org'))?.status, 'unsubscribed');
    assert.ok(await store.dueAt((await store.getByEmail('ann@example.org'))!.id));
  });

  it('--update gives existing subscribers the row’s preferences; empty cells keep theirs', async () => {
    const csv = HEADER + 'ann@example.org,,08:00,,rl,,\n';
    const r = await importSubscribers(store, chunks(csv), { confirmed: false, update: true, sendConfirmation });
    assert.equal(r.updated, 1);
    const ann = (await store.getByEmail('ann@example.org'))!;
    assert.deepEqual(ann.sendTime, { hour: 8, minute: 0 });
    assert.deepEqual(ann.topics, ['rl']);
    assert.equal(ann.timezone, 'America/New_York');
    assert.deepEqual(ann.excludeKeywords, ['survey']);
  });

  it('refuses a file whose header is wrong, importing nothing', async () => {
    const before = await store.count();
    await assert.rejects(importSubscribers(store, chunks('mail,zone\nx@y.org,UTC\n'), { confirmed: true, update: false }), CsvHeaderError);
    await assert.rejects(importSubscribers(store, chunks(''), { confirmed: true, update: false }), /empty/);
    assert.equal(await store.count(), before);
  });

  it('export → import into an empty store round-trips every field the format carries', async () => {
    let text = '';
    const { rows } = await exportSubscribers(store, (t) => void (text += t), { statuses: null });
    assert.equal(rows, 4);
    assert.ok(text.startsWith('email,timezone,send_time,frequency,topics,include_keywords,exclude_keywords,'), 'the original seven columns come first');
    assert.match(text, /"say ""hi"", world"/);
    const other = new SubscriberStore(redis, makeKeys(`t-csv2-${randomBytes(4).toString('hex')}`), clock);
    const r = await importSubscribers(other, chunks(text, 7), { confirmed: true, update: false });
    assert.equal(r.created, 4);
    assert.deepEqual(r.invalid, []);
    const pick = (s: Subscriber) => [s.email, s.timezone, s.sendTime, s.frequency, s.topics, s.includeKeywords, s.excludeKeywords];
    for (const email of ['ann@example.org', 'bob@example.org', 'dee@example.org', 'gus@example.org']) {
      assert.deepEqual(pick((await other.getByEmail(email))!), pick((await store.getByEmail(email))!), email);
    }
    let activeOnly = '';
    await exportSubscribers(store, (t) => void (activeOnly += t), { statuses: new Set(['active', 'paused']) });
    assert.ok(!activeOnly.includes('gus@example.org')); // unsubscribed are not exported by default
  });
});
