// Readers' data rights and the suppressed notice, through the real pages: "Suppression is forever" (the page
// claimed "Active" while every edition was recorded `suppressed`), the once-only confirmed re-enable, "Download my
// data" (a short-lived signed link to JSON), and "Delete my data" — after which a SCAN of every Redis key, value,
// member, field and stream entry finds neither the reader's id nor their address.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { SEND_BATCH_JOB_NAME, sendBatchJobId, sendJobId } from '../../src/queue/catalog.js';
import type { Subscriber } from '../../src/subscribers/subscriber.js';
import { testClock } from '../helpers/clock.js';
import { Client, csrfOf, startWebHarness, textOf, type WebHarness } from './web-harness.js';

describe('readers data rights', () => {
  const clock = testClock('2026-12-01T09:00:00Z');
  let h: WebHarness;
  before(async () => {
    h = await startWebHarness({ prefix: 'dr', clock });
  });
  after(async () => {
    await h?.close();
  });

  const setup = async (email: string) => {
    const { subscriber } = await h.services.subscribers.create({ email, status: 'active', timezone: 'Europe/Paris', sendTime: '08:00' });
    const links = (await import('../../src/links/signed-links.js')).subscriberLinks('http://digest.test', subscriber, h.ctx.secrets.linkSecrets, clock());
    return { subscriber, prefs: new URL(links.preferences).pathname, c: new Client(h.app) };
  };

  /** What the send path does after repeated hard bounces (digest/send.ts afterFailure). */
  const bounceOut = async (s: Subscriber) => {
    await h.services.subscribers.recordBounce(s.id, 2);
    await h.services.subscribers.recordBounce(s.id, 2);
    await h.services.suppression.add(s.email, { at: clock().toISOString(), code: 550, reason: '550 5.1.1 user unknown', subscriberId: s.id });
  };

  it('Suppression is forever (fixed): a suppressed reader is never shown "Active", and re-enables once by a confirmed POST', async () => {
    const { subscriber, prefs, c } = await setup('sue@example.org');
    await bounceOut(subscriber);
    let page = await c.get(prefs);
    assert.match(textOf(page.body), /We can't email you at the moment/);
    // The old way back: "resume" made the record active while the address stayed suppressed, and the page said
    // "Active" although every edition would be recorded `suppressed`.
    const resumed = await c.post(prefs, { _csrf: csrfOf(page.body), action: 'resume' });
    assert.equal(resumed.statusCode, 409);
    assert.equal((await h.services.subscribers.get(subscriber.id))?.status, 'bouncing');
    assert.doesNotMatch(textOf(resumed.body), /→ Active|class="badge active"/, 'never claims a delivery that will not happen');
    assert.match(textOf(resumed.body), /We can't email you at the moment/);
    assert.equal(await h.services.suppression.has(subscriber.email), true);

    // Step one only asks.
    page = await c.get(prefs);
    const ask = await c.post(`${prefs}/reenable`, { _csrf: csrfOf(page.body) });
    assert.equal(ask.statusCode, 200);
    assert.match(textOf(ask.body), /Turn email back on\?/);
    assert.equal(await h.services.suppression.has(subscriber.email), true, 'asking changes nothing');
    // Confirmed: lifted and resumed.
    const done = await c.post(`${prefs}/reenable`, { _csrf: csrfOf(ask.body), confirm: 'yes' });
    assert.equal(done.statusCode, 303);
    assert.equal(await h.services.suppression.has(subscriber.email), false);
    const s = await h.services.subscribers.get(subscriber.id);
    assert.equal(s?.status, 'active');
    page = await c.get(prefs);
    assert.doesNotMatch(textOf(page.body), /We can't email you/);
    assert.match(page.body, /class="badge active"/);

    // Suppressed again: the reader may not lift it a second time.
    await bounceOut(subscriber);
    page = await c.get(prefs);
    assert.match(textOf(page.body), /contact the operator/);
    assert.doesNotMatch(page.body, /Re-enable email/);
    const again = await c.post(`${prefs}/reenable`, { _csrf: csrfOf(page.body), confirm: 'yes' });
    assert.equal(again.statusCode, 409);
    assert.equal(await h.services.suppression.has(subscriber.email), true);
  });

  it('a complaint shows as such, and GET never lifts anything', async () => {
    const { subscriber, prefs, c } = await setup('spam@example.org');
    await h.services.suppression.add(subscriber.email, { at: clock().toISOString(), code: null, reason: 'spam complaint', subscriberId: subscriber.id, kind: 'complaint', provider: 'ses' });
    await h.services.subscribers.unsubscribe(subscriber.id);
    const page = await c.get(prefs);
    assert.match(textOf(page.body), /marked one of our emails as spam/);
    assert.equal((await c.get(`${prefs}/reenable`)).statusCode, 404);
    assert.equal(await h.services.suppression.has(subscriber.email), true);
  });

  it('confirming a subscription for a suppressed address promises no digest: it leads to the suppressed notice', async () => {
    const { subscriber, c } = await setup('again@example.org');
    await h.services.suppression.add(subscriber.email, { at: clock().toISOString(), code: null, reason: 'spam complaint', subscriberId: subscriber.id, kind: 'complaint', provider: 'resend' });
    await h.services.subscribers.unsubscribe(subscriber.id);
    const links = (await import('../../src/links/signed-links.js')).subscriberLinks('http://digest.test', subscriber, h.ctx.secrets.linkSecrets, clock());
    const confirmPath = new URL(links.confirm).pathname;
    const page = await c.get(confirmPath);
    const res = await c.post(confirmPath, { _csrf: csrfOf(page.body) });
    assert.equal(res.statusCode, 303);
    assert.doesNotMatch(res.body, /first digest arrives/);
    const prefs = await c.get(String(res.headers.location).replace(/#.*$/, ''));
    assert.match(textOf(prefs.body), /We can't email you at the moment/);
  });

  it('"Download my data" is a signed JSON download that expires after 15 minutes', async () => {
    const { subscriber, prefs, c } = await setup('dora@example.org');
    await h.services.ledger.claim(subscriber.id, '2026-11-30', 'w1');
    await h.services.ledger.markSent(subscriber.id, '2026-11-30', { response: '250 ok', messageId: '<m>', paperIds: ['2511.00001'] });
    await h.services.deliveryEvents.record(subscriber.id, { at: clock().toISOString(), receivedAt: clock().toISOString(), provider: 'ses', type: 'soft-bounce', eventId: 'e1', detail: 'mailbox full', code: 452, outcome: 'recorded' });
    const page = await c.get(prefs);
    const href = /href="(\/my-data\/[A-Za-z0-9_-]+)"/.exec(page.body)?.[1];
    assert.ok(href, 'the page links the download');
    const res = await c.get(href);
    assert.equal(res.statusCode, 200);
    assert.match(String(res.headers['content-disposition']), /attachment/);
    const data = JSON.parse(res.body) as {
      format: string;
      subscriber: { email: string; preferences: { timezone: string } };
      editions: { editions: { period: string; state: string }[]; sentPaperIds: string[] };
      deliveryEvents: { type: string }[];
    };
    assert.equal(data.format, 'papers-digest/data-export/v1');
    assert.equal(data.subscriber.email, 'dora@example.org');
    assert.equal(data.subscriber.preferences.timezone, 'Europe/Paris');
    assert.deepEqual(data.editions.editions.map((e) => [e.period, e.state]), [['2026-11-30', 'sent']]);
    assert.deepEqual(data.editions.sentPaperIds, ['2511.00001']);
    assert.equal(data.deliveryEvents[0]?.type, 'soft-bounce');
    assert.equal((await c.get(prefs.replace('/preferences/', '/my-data/'))).statusCode, 404, 'a preferences token is not an export token');
    clock.advance(15 * 60_000 + 1000);
    assert.equal((await c.get(href)).statusCode, 410);
  });

  it('"Delete my data" works while subscribed, after a confirmation, and leaves nothing in Redis', async () => {
    const { subscriber: s, prefs, c } = await setup('gone.reader@example.org');
    const { subscriber: other } = await setup('stays@example.org');
    for (const who of [s, other]) {
      await h.services.ledger.claim(who.id, '2026-11-29', 'w1');
      await h.services.ledger.markSent(who.id, '2026-11-29', { response: '250 ok', messageId: `<digest-2026-11-29-${who.id}@digest.test>`, paperIds: ['2511.00002'] });
      await h.services.ledger.claim(who.id, '2026-11-30', 'w1');
      await h.services.ledger.settle(who.id, '2026-11-30', 'w1', 'failed', { error: 'x', code: 550 });
      await h.services.deliveryEvents.record(who.id, { at: clock().toISOString(), receivedAt: clock().toISOString(), provider: 'generic', type: 'hard-bounce', eventId: 'e', detail: '550', code: 550, outcome: 'bounce-counted' });
      await h.services.queues.send.add('digest', { subscriberId: who.id, period: '2026-12-01', dueAt: clock().toISOString() }, { jobId: sendJobId(who.id, '2026-12-01') });
    }
    // Batch jobs of the tick's fan-out (delayed an hour: not run during the test): one naming both readers, one only the reader who leaves.
    const both = [s, other].map((who) => ({ subscriberId: who.id, period: '2026-12-02', dueAt: clock().toISOString() }));
    await h.services.queues.send.add(SEND_BATCH_JOB_NAME, { editions: both }, { jobId: sendBatchJobId(both), delay: 3_600_000 });
    await h.services.queues.send.add(SEND_BATCH_JOB_NAME, { editions: both.slice(0, 1) }, { jobId: sendBatchJobId(both.slice(0, 1)), delay: 3_600_000 });
    await h.services.suppression.add(s.email, { at: clock().toISOString(), code: 550, reason: '550', subscriberId: s.id });
    await h.services.suppression.releaseByReader(s.email, clock());
    await h.services.suppression.add(s.email, { at: clock().toISOString(), code: 550, reason: '550', subscriberId: s.id });

    const page = await c.get(prefs);
    const confirmUrl = /href="(\/preferences\/[A-Za-z0-9_-]+\/delete)"/.exec(page.body)?.[1];
    assert.ok(confirmUrl);
    const ask = await c.get(confirmUrl);
    assert.match(textOf(ask.body), /Delete your data\?/);
    const unconfirmed = await c.post(confirmUrl, { _csrf: csrfOf(ask.body) });
    assert.equal(unconfirmed.statusCode, 400);
    assert.ok(await h.services.subscribers.get(s.id), 'nothing deleted without the confirmation');
    const done = await c.post(confirmUrl, { _csrf: csrfOf(ask.body), confirm: 'yes' });
    assert.equal(done.statusCode, 200);
    assert.match(textOf(done.body), /Your data is deleted/);

    const found = await scanRedis(h, [s.id, s.email, other.id, other.email]);
    assert.deepEqual(found.get(s.id), [], `the id is gone everywhere`);
    assert.deepEqual(found.get(s.email), [], `the address is gone everywhere`);
    assert.ok(found.get(other.id)!.length >= 6, `the scan does find another reader's id (${found.get(other.id)!.length} places)`);
    assert.ok(found.get(other.email)!.length >= 1);
    assert.equal((await c.get(prefs)).statusCode, 404);
    const batch = await h.services.queues.send.getJob(sendBatchJobId(both));
    assert.deepEqual((batch?.data as { editions: { subscriberId: string }[] }).editions.map((e) => e.subscriberId), [other.id], 'the other reader keeps their edition');
    assert.equal(await h.services.queues.send.getJob(sendBatchJobId(both.slice(0, 1))), undefined, 'a batch of theirs alone is removed');
  });
});

/** For each needle, every place in Redis (key name, value, member, field, stream entry) that holds it. */
async function scanRedis(h: WebHarness, needles: string[]): Promise<Map<string, string[]>> {
  const r = h.ctx.redis;
  const out = new Map(needles.map((n) => [n, [] as string[]]));
  const note = (key: string, where: string, text: string) => {
    for (const n of needles) if (text.includes(n)) out.get(n)!.push(`${key} ${where}`);
  };
  let cursor = '0';
  do {
    const [next, keys] = await r.scan(cursor, 'COUNT', 500);
    cursor = next;
    for (const key of keys) {
      note(key, 'name', key);
      const type = await r.type(key);
      const parts: string[] =
        type === 'string' ? [(await r.get(key)) ?? '']
        : type === 'hash' ? Object.entries(await r.hgetall(key)).flat()
        : type === 'list' ? await r.lrange(key, 0, -1)
        : type === 'set' ? await r.smembers(key)
        : type === 'zset' ? await r.zrange(key, 0, -1)
        : type === 'stream' ? ((await r.xrange(key, '-', '+')) as [string, string[]][]).flatMap(([, f]) => f)
        : [`<${type}>`];
      for (const p of parts) note(key, type, p);
    }
  } while (cursor !== '0');
  return out;
}
