import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { Redis } from 'ioredis';
import { makeKeys } from '../../src/redis/keys.js';
import { nextDueAt } from '../../src/subscribers/due.js';
import { PreferencesError } from '../../src/subscribers/preferences.js';
import { SubscriberNotFoundError, SubscriberStore } from '../../src/subscribers/store.js';
import { testClock } from '../helpers/clock.js';
import { startRedis, type TestRedis } from '../helpers/redis-server.js';

describe('SubscriberStore (real redis-server)', () => {
  let server: TestRedis;
  let redis: Redis;
  const keys = makeKeys(`t-subs-${randomBytes(4).toString('hex')}`);
  const clock = testClock('2026-09-28T15:00:00Z'); // Monday, 11:00 in New York
  let store: SubscriberStore;

  const dueOf = async (id: string) => {
    const s = await redis.zscore(keys.dueIndex, id);
    return s === null ? null : new Date(Number(s)).toISOString();
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

  it('creates idempotently by normalized email and indexes an active subscriber as due', async () => {
    const a = await store.create({ email: ' Ann@Example.org', status: 'active', timezone: 'US/Eastern', sendTime: '07:30', topics: ['llm'] });
    assert.equal(a.created, true);
    assert.match(a.subscriber.id, /^[A-Za-z0-9_-]{22}$/);
    assert.equal(a.subscriber.email, 'ann@example.org');
    assert.equal(a.subscriber.timezone, 'America/New_York');
    assert.equal(await dueOf(a.subscriber.id), '2026-09-29T11:30:00.000Z');
    const again = await store.create({ email: 'ANN@example.ORG', status: 'active', topics: ['agents'] });
    assert.equal(again.created, false);
    assert.equal(again.subscriber.id, a.subscriber.id);
    assert.deepEqual(again.subscriber.topics, ['llm']); // an existing subscriber's choices are left alone
    assert.equal((await store.getByEmail('ann@EXAMPLE.org'))?.id, a.subscriber.id);
    assert.equal(await store.count(), 1);
  });

  it('refuses an invalid new subscriber with every problem and writes nothing', async () => {
    const before = await store.count();
    await assert.rejects(
      store.create({ email: 'x@y.org\r\nBcc: z@y.org', timezone: 'Nowhere/Land', topics: ['nope'] }),
      (err: unknown) => err instanceof PreferencesError && ['email', 'timezone', 'topics'].every((f) => err.issues.some((i) => i.field === f)),
    );
    assert.equal(await store.count(), before);
  });

  it('pending is not due; confirm makes it due; unsubscribe removes it, idempotently; resume brings it back', async () => {
    const { subscriber: s } = await store.create({ email: 'bob@example.org', timezone: 'Europe/Berlin', sendTime: '08:00' });
    assert.equal(s.status, 'pending');
    assert.equal(await dueOf(s.id), null);
    const c = await store.confirm(s.id);
    assert.equal(c.after.status, 'active');
    assert.equal(c.after.confirmedAt, clock().toISOString());
    assert.equal(await dueOf(s.id), '2026-09-29T06:00:00.000Z');
    const u = await store.unsubscribe(s.id);
    assert.equal(u.after.status, 'unsubscribed');
    assert.equal(await dueOf(s.id), null);
    assert.equal((await store.unsubscribe(s.id)).changed, false);
    const r = await store.resume(s.id);
    assert.equal(r.after.status, 'active');
    assert.equal(r.after.unsubscribedAt, null);
    assert.equal(await dueOf(s.id), '2026-09-29T06:00:00.000Z');
  });

  it('update moves the due entry; an invalid update changes nothing at all', async () => {
    const { subscriber: s } = await store.create({ email: 'cy@example.org', status: 'active', timezone: 'UTC', sendTime: '09:00' });
    const u = await store.update(s.id, { sendTime: '18:45', frequency: 'weekly:wed', maxPapers: '5' });
    assert.deepEqual(u.changes.map((c) => c.field), ['sendTime', 'frequency', 'maxPapers']);
    assert.equal(await dueOf(s.id), '2026-09-30T18:45:00.000Z');
    const hashBefore = await redis.hgetall(keys.subscriber(s.id));
    await assert.rejects(store.update(s.id, { topics: ['agents'], maxPapers: 0 }), (err: unknown) => err instanceof PreferencesError && /maxPapers/.test(err.message));
    await assert.rejects(store.update(s.id, { status: 'active' }), PreferencesError);
    assert.deepEqual(await redis.hgetall(keys.subscriber(s.id)), hashBefore);
    assert.equal(await dueOf(s.id), '2026-09-30T18:45:00.000Z');
    assert.equal((await store.update(s.id, { sendTime: '18:45' })).changed, false);
  });

  it('email changes keep the index unique', async () => {
    const { subscriber: a } = await store.create({ email: 'dee@example.org' });
    await store.create({ email: 'eve@example.org' });
    await assert.rejects(store.update(a.id, { email: 'EVE@example.org' }), /email: is already used/);
    await store.update(a.id, { email: 'dee@new.example.org' });
    assert.equal(await store.getByEmail('dee@example.org'), null);
    assert.equal((await store.getByEmail('dee@new.example.org'))?.id, a.id);
  });

  it('pause puts the first send on/after the end date in the index; resume puts the next send', async () => {
    const { subscriber: s } = await store.create({ email: 'fay@example.org', status: 'active', timezone: 'America/New_York', sendTime: '07:30' });
    await store.pause(s.id, '2026-10-12');
    assert.equal((await store.get(s.id))?.status, 'paused');
    assert.equal(await dueOf(s.id), '2026-10-12T11:30:00.000Z');
    await assert.rejects(store.pause(s.id, '2026-09-01'), /after today/);
    await store.resume(s.id);
    assert.equal(await dueOf(s.id), '2026-09-29T11:30:00.000Z');
    const pending = await store.create({ email: 'gus@example.org' });
    await assert.rejects(store.pause(pending.subscriber.id, '2026-10-12'), /pending subscription cannot be paused/);
  });

  it('bounces: at the threshold the subscriber is bouncing and leaves the due index', async () => {
    const { subscriber: s } = await store.create({ email: 'hal@example.org', status: 'active' });
    assert.equal((await store.recordBounce(s.id, 2)).after.status, 'active');
    assert.ok(await dueOf(s.id));
    const b = await store.recordBounce(s.id, 2);
    assert.equal(b.after.status, 'bouncing');
    assert.equal(b.after.bounceCount, 2);
    assert.equal(await dueOf(s.id), null);
  });

  it('concurrent writers never lose an update (compare-and-set on rev)', async () => {
    const { subscriber: s } = await store.create({ email: 'ivy@example.org', status: 'active' });
    await Promise.all([
      ...Array.from({ length: 15 }, () => store.bumpTokenVersion(s.id)),
      ...Array.from({ length: 5 }, (_, i) => store.update(s.id, { minUpvotes: i + 1 })),
    ]);
    const final = await store.get(s.id);
    assert.equal(final?.tokenVersion, 15);
    assert.equal(await dueOf(s.id), nextDueAt(final!, clock())?.toISOString());
  });

  it('advanceDue only moves an entry that still holds what the tick read, per entry of a batch', async () => {
    const { subscriber: s } = await store.create({ email: 'jo@example.org', status: 'active', timezone: 'UTC', sendTime: '10:00' });
    const { subscriber: t } = await store.create({ email: 'jt@example.org', status: 'active', timezone: 'UTC', sendTime: '11:00' });
    const due = (await store.dueAt(s.id))!;
    const dueT = (await store.dueAt(t.id))!;
    const entries = await store.dueEntries(dueT, 0, 1000);
    assert.deepEqual(entries.filter((e) => e.id === s.id || e.id === t.id).map((e) => e.dueMs), [due.getTime(), dueT.getTime()], 'earliest first');
    assert.equal(await store.countDue(dueT), entries.filter((e) => e.dueMs < dueT.getTime()).length, 'countDue excludes its bound');
    assert.equal((await store.earliestDue(dueT))?.getTime(), Math.min(...entries.map((e) => e.dueMs)));
    const next = new Date(due.getTime() + 86_400_000);
    const won = await store.advanceDue([
      { id: s.id, expectedMs: due.getTime() - 1, nextMs: null }, // read a stale score: left alone
      { id: t.id, expectedMs: dueT.getTime(), nextMs: next.getTime() },
    ]);
    assert.deepEqual(won, [false, true]);
    assert.equal((await store.dueAt(s.id))?.toISOString(), due.toISOString());
    assert.equal((await store.dueAt(t.id))?.toISOString(), next.toISOString());
    assert.deepEqual(await store.advanceDue([{ id: s.id, expectedMs: due.getTime(), nextMs: null }]), [true]);
    assert.equal(await store.dueAt(s.id), null, 'a null next drops the entry');
  });

  it('dueHistogram counts what falls due in each UTC hour ahead, and the overdue backlog', async () => {
    const h = await store.dueHistogram(clock(), 48);
    assert.equal(h.hours.length, 48);
    const total = h.hours.reduce((n, x) => n + x.count, 0) + h.overdue;
    assert.equal(total, await store.countDue(new Date(h.hours.at(-1)!.start.getTime() + 3_600_000)));
    assert.equal(h.hours[0]!.start.getTime() % 3_600_000, 0);
  });

  it('lists with a cursor (creation order, ties by id) and a status filter', async () => {
    const all: string[] = [];
    let cursor: string | null = null;
    do {
      const page: Awaited<ReturnType<SubscriberStore['list']>> = await store.list({ cursor, limit: 3 });
      all.push(...page.items.map((s) => s.email));
      cursor = page.nextCursor;
    } while (cursor);
    assert.equal(all.length, await store.count());
    assert.equal(new Set(all).size, all.length); // no duplicates across pages
    assert.ok(all.includes('ann@example.org'));
    const pending = await store.list({ status: 'pending', limit: 100 });
    assert.ok(pending.items.length > 0 && pending.items.every((s) => s.status === 'pending'));
    const counts = await store.countByStatus();
    assert.equal(counts.pending, pending.items.length);
    assert.equal(counts.bouncing, 1);
  });

  it('upgrades in place: a record in the previous layout (every field, defaults stored) reads the same, is due, and one write stores it compactly', async () => {
    const { subscriber: s } = await store.create({ email: 'old-layout@example.org', status: 'active', timezone: 'Europe/Berlin', sendTime: '08:00', topics: ['llm'] });
    // The previous layout: all twenty fields (the id too), null as '', lists as JSON, zeros as '0', ISO instants.
    assert.equal((await redis.hget(keys.subscriber(s.id), 'createdAt'))?.length, 8);
    await redis.hset(keys.subscriber(s.id), { id: s.id, createdAt: s.createdAt, confirmedAt: s.confirmedAt!, pausedUntil: '', includeKeywords: '[]', excludeKeywords: '[]', followAuthors: '[]', followOrgs: '[]', seedPapers: '[]', minUpvotes: '0', unsubscribedAt: '', tokenVersion: '0', bounceCount: '0' });
    assert.equal(Object.keys(await redis.hgetall(keys.subscriber(s.id))).length, 21); // 20 fields + rev
    assert.deepEqual(await store.get(s.id), s);
    const [due] = await store.dueRecords([s.id]);
    assert.equal(due?.timezone, 'Europe/Berlin');
    assert.equal(due?.status, 'active');
    await store.pause(s.id, '2026-10-05');
    const paused = await store.get(s.id);
    assert.equal(paused?.pausedUntil, '2026-10-05');
    await store.resume(s.id);
    const after = await redis.hgetall(keys.subscriber(s.id));
    assert.deepEqual(Object.keys(after).sort(), ['confirmedAt', 'createdAt', 'email', 'frequency', 'maxPapers', 'rev', 'sendTime', 'status', 'timezone', 'topics']);
    assert.deepEqual(await store.get(s.id), { ...s, pausedUntil: null });
    assert.equal(await dueOf(s.id), '2026-09-29T06:00:00.000Z');
  });

  it('remove deletes the record and every index entry', async () => {
    const { subscriber: s } = await store.create({ email: 'kim@example.org', status: 'active' });
    assert.equal(await store.remove(s.id), true);
    assert.equal(await store.get(s.id), null);
    assert.equal(await store.getByEmail('kim@example.org'), null);
    assert.equal(await dueOf(s.id), null);
    assert.equal(await redis.zscore(keys.subscribersAll, s.id), null);
    assert.equal(await store.remove(s.id), false);
    await assert.rejects(store.confirm(s.id), SubscriberNotFoundError);
  });
});
