// Export → import loses nothing: every preference (follows, minimum upvotes, max papers, seed papers), the status
// and the pause date, under the consent rules for the status column (csv-import.ts). Real redis-server.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { Redis } from 'ioredis';
import { makeKeys } from '../../src/redis/keys.js';
import { exportSubscribers, importSubscribers } from '../../src/subscribers/csv-import.js';
import { SubscriberStore } from '../../src/subscribers/store.js';
import type { Subscriber } from '../../src/subscribers/subscriber.js';
import { testClock } from '../helpers/clock.js';
import { startRedis, type TestRedis } from '../helpers/redis-server.js';

async function* chunks(text: string, size = 50) {
  for (let i = 0; i < text.length; i += size) yield text.slice(i, i + size);
}

const PREFS = ['email', 'timezone', 'sendTime', 'frequency', 'topics', 'includeKeywords', 'excludeKeywords', 'followAuthors', 'followOrgs', 'minUpvotes', 'maxPapers', 'seedPapers', 'status', 'pausedUntil'] as const;
const pick = (s: Subscriber) => Object.fromEntries(PREFS.map((k) => [k, s[k] ?? null]));

describe('subscriber CSV: export → import round-trips every field', () => {
  let server: TestRedis;
  let redis: Redis;
  const clock = testClock('2026-09-28T15:00:00Z');
  const fresh = () => new SubscriberStore(redis, makeKeys(`t-csvrt-${randomBytes(4).toString('hex')}`), clock);
  let source: SubscriberStore;

  before(async () => {
    server = await startRedis();
    redis = new Redis(server.url);
    source = fresh();
    const full = await source.create({
      email: 'full@example.org', status: 'active', timezone: 'Europe/Paris', sendTime: '06:45', frequency: 'weekly:tue',
      topics: ['llm', 'agents'], includeKeywords: ['world model'], excludeKeywords: ['survey'], followAuthors: ['Yann LeCun', 'Fei-Fei Li'],
      followOrgs: ['Google', 'Meta AI'], minUpvotes: '25', maxPapers: '7', seedPapers: ['2607.26769', '2607.28582'],
    });
    assert.ok(full.created);
    const paused = await source.create({ email: 'paused@example.org', status: 'active', minUpvotes: '3' });
    await source.pause(paused.subscriber.id, '2026-10-15');
    const gone = await source.create({ email: 'gone@example.org', status: 'active', followOrgs: ['=HYPERLINK'] });
    await source.unsubscribe(gone.subscriber.id);
    await source.create({ email: 'waiting@example.org', status: 'pending', maxPapers: '3' });
  });
  after(async () => {
    redis.disconnect();
    await server.stop();
  });

  it('writes the new columns after the original seven, with status and pause date (--status all)', async () => {
    let text = '';
    const { rows } = await exportSubscribers(source, (t) => void (text += t), { statuses: null });
    assert.equal(rows, 4);
    const [header, ...lines] = text.trimEnd().split('\r\n');
    assert.equal(header, 'email,timezone,send_time,frequency,topics,include_keywords,exclude_keywords,follow_authors,follow_orgs,min_upvotes,max_papers,seed_papers,status,paused_until');
    const full = lines.find((l) => l.startsWith('full@'))!;
    assert.equal(full, 'full@example.org,Europe/Paris,06:45,weekly:tue,llm;agents,world model,survey,Yann LeCun;Fei-Fei Li,Google;Meta AI,25,7,2607.26769;2607.28582,active,');
    assert.match(lines.find((l) => l.startsWith('paused@'))!, /,paused,2026-10-15$/);
    assert.match(lines.find((l) => l.startsWith('gone@'))!, /,'=HYPERLINK,.*,unsubscribed,$/, 'formula cells are still neutralized');
  });

  it('restores every field of every subscriber with --confirmed, and never reactivates the unsubscribed', async () => {
    let text = '';
    await exportSubscribers(source, (t) => void (text += t), { statuses: null });
    const target = fresh();
    const report = await importSubscribers(target, chunks(text), { confirmed: true, update: false });
    assert.deepEqual(report.invalid, []);
    assert.equal(report.created, 4);
    assert.equal(report.pendingUnsent, 1, 'the pending row stays pending: nobody confirmed it');
    for (const email of ['full@example.org', 'paused@example.org', 'gone@example.org', 'waiting@example.org']) {
      assert.deepEqual(pick((await target.getByEmail(email))!), pick((await source.getByEmail(email))!), email);
    }
    // The unsubscribed one is not due; the paused one is due only after its pause.
    const gone = (await target.getByEmail('gone@example.org'))!;
    assert.equal(await target.dueAt(gone.id), null);
    const paused = (await target.getByEmail('paused@example.org'))!;
    assert.ok((await target.dueAt(paused.id))!.getTime() >= Date.parse('2026-10-14T00:00:00Z'));
  });

  it('without --confirmed, nobody becomes active: active/paused rows are pending and asked to confirm', async () => {
    let text = '';
    await exportSubscribers(source, (t) => void (text += t), { statuses: null });
    const target = fresh();
    const asked: string[] = [];
    const report = await importSubscribers(target, chunks(text), { confirmed: false, update: false, sendConfirmation: async (s) => void asked.push(s.email) });
    assert.deepEqual(report.invalid, []);
    const status = async (e: string) => (await target.getByEmail(e))!.status;
    assert.equal(await status('full@example.org'), 'pending');
    assert.equal(await status('paused@example.org'), 'pending');
    assert.equal(await status('waiting@example.org'), 'pending');
    assert.equal(await status('gone@example.org'), 'unsubscribed');
    assert.deepEqual(asked.sort(), ['full@example.org', 'paused@example.org', 'waiting@example.org'], 'no confirmation to the unsubscribed');
  });

  it('refuses a bad status or pause date by line, and still imports files with only the original seven columns', async () => {
    const target = fresh();
    const text =
      'email,status,paused_until\n' + 'a@example.org,sleeping,\n' + 'b@example.org,paused,\n' + 'c@example.org,paused,2026-02-30\n' + 'd@example.org,active,\n';
    const report = await importSubscribers(target, chunks(text), { confirmed: true, update: false });
    assert.deepEqual(report.invalid.map((p) => p.line), [2, 3, 4]);
    assert.match(report.invalid[0]!.message, /status: "sleeping" is not one of/);
    assert.match(report.invalid[1]!.message, /paused_until is empty/);
    assert.match(report.invalid[2]!.message, /not a real day/);
    assert.equal((await target.getByEmail('d@example.org'))!.status, 'active');
    const old = await importSubscribers(target, chunks('email,timezone,send_time,frequency,topics,include_keywords,exclude_keywords\ne@example.org,UTC,07:00,daily,llm,,\n'), { confirmed: true, update: false });
    assert.equal(old.created, 1);
  });

  it('exports a JSON array of the stored records with --json', async () => {
    let text = '';
    const { rows } = await exportSubscribers(source, (t) => void (text += t), { statuses: new Set(['active', 'paused']), json: true });
    const parsed = JSON.parse(text) as Subscriber[];
    assert.equal(rows, 2);
    assert.deepEqual(parsed.map((s) => s.email).sort(), ['full@example.org', 'paused@example.org']);
    assert.deepEqual(parsed.find((s) => s.email === 'full@example.org')!.followOrgs, ['Google', 'Meta AI']);
    let empty = '';
    await exportSubscribers(source, (t) => void (empty += t), { statuses: new Set(['bouncing']), json: true });
    assert.deepEqual(JSON.parse(empty), []);
  });
});
