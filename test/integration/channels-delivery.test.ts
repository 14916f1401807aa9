// Channel delivery against loopback servers that behave like Slack and Discord (and a generic receiver): success,
// 429 with Retry-After, 5xx, 404/410 ("gone", then suppression in the store), and payload limits — plus the channel
// store on a real redis-server, with the webhook URL kept secret everywhere it is shown.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Redis } from 'ioredis';
import { deliverEdition, postWithRetries } from '../../src/feeds/channels/deliver.js';
import { ChannelStore } from '../../src/feeds/channels/channel-store.js';
import { publicView, type Channel } from '../../src/feeds/channels/channel.js';
import { channelEdition } from '../../src/feeds/channels/payload.js';
import { DELIVERY_HEADER, SIGNATURE_HEADER, TIMESTAMP_HEADER, verifyWebhook } from '../../src/feeds/channels/webhook.js';
import { PreferencesError } from '../../src/subscribers/preferences.js';
import { makeKeys } from '../../src/redis/keys.js';
import { archiveDay } from '../helpers/archive-days.js';
import { startRedis, type TestRedis } from '../helpers/redis-server.js';
import { startDiscordServer, startGenericReceiver, startSlackServer, type WebhookServer } from '../helpers/webhook-servers.js';

const papers = archiveDay('2026-08-21');
const edition = channelEdition({ period: '2026-08-21', sentAt: '2026-08-21T07:00:00Z', papers: papers.slice(0, 25).map((paper) => ({ paper, whyLines: ['trending today'] })) }, 'Friday, 21 August 2026', 'https://digest.example.org/topics/all/2026-08-21');

/** Waits recorded instead of slept: what the client would have waited is the assertion. */
function recorder() {
  const waits: number[] = [];
  return { waits, sleep: async (ms: number) => void waits.push(ms) };
}

const chan = (kind: Channel['kind'], url: string, secret: string | null = null) => ({ id: 'ch_test', kind, url, secret });

describe('channel delivery (loopback Slack / Discord / webhook servers)', () => {
  let slack: WebhookServer;
  let discord: WebhookServer;
  let generic: WebhookServer;
  before(async () => {
    [slack, discord, generic] = await Promise.all([startSlackServer(), startDiscordServer(), startGenericReceiver()]);
  });
  after(async () => {
    await Promise.all([slack?.close(), discord?.close(), generic?.close()]);
  });

  it('delivers a full edition to Slack and Discord in one request each, within their limits', async () => {
    const s = await deliverEdition(chan('slack', slack.url('/services/T0001/B0002/secret')), edition);
    assert.deepEqual(s, { outcome: 'sent', status: 200, attempts: 1 });
    const d = await deliverEdition(chan('discord', discord.url('/api/webhooks/123/tok')), edition);
    assert.deepEqual(d, { outcome: 'sent', status: 204, attempts: 1 });
    assert.equal(slack.received.length, 1);
    assert.equal(discord.received.length, 1);
    assert.equal((JSON.parse(discord.received[0]!.body) as { embeds: unknown[] }).embeds.length, 10);
  });

  it('honours Retry-After on 429 (Slack: seconds in the header; Discord: JSON retry_after)', async () => {
    slack.script({ status: 429, headers: { 'retry-after': '2' }, body: 'rate_limited' });
    const r1 = recorder();
    const s = await deliverEdition(chan('slack', slack.url('/services/T/B/x')), edition, { sleep: r1.sleep });
    assert.equal(s.outcome, 'sent');
    assert.equal(s.attempts, 2);
    assert.deepEqual(r1.waits, [2000]);

    discord.script({ status: 429, headers: { 'content-type': 'application/json' }, body: '{"message":"You are being rate limited.","retry_after":1.25,"global":false}' });
    const r2 = recorder();
    const d = await deliverEdition(chan('discord', discord.url('/api/webhooks/1/t')), edition, { sleep: r2.sleep });
    assert.equal(d.outcome, 'sent');
    assert.deepEqual(r2.waits, [1250]);
  });

  it('hands a Retry-After longer than it will wait back to the caller, after one request', async () => {
    const before = slack.received.length;
    slack.script({ status: 429, headers: { 'retry-after': '120' } });
    const r = recorder();
    const s = await deliverEdition(chan('slack', slack.url('/services/T/B/x')), edition, { sleep: r.sleep, maxWaitMs: 30_000 });
    assert.equal(s.outcome, 'retry');
    assert.equal(s.retryAfterMs, 120_000);
    assert.deepEqual(r.waits, []);
    assert.equal(slack.received.length - before, 1);
  });

  it('retries 5xx with exponential backoff, and says retry when they persist', async () => {
    discord.script({ status: 502 }, { status: 503 });
    const r = recorder();
    const ok = await deliverEdition(chan('discord', discord.url('/api/webhooks/1/t')), edition, { sleep: r.sleep, baseDelayMs: 100, random: () => 0.5 });
    assert.equal(ok.outcome, 'sent');
    assert.equal(ok.attempts, 3);
    assert.deepEqual(r.waits, [100, 200]);

    slack.script({ status: 500 }, { status: 500 }, { status: 500 });
    const bad = await deliverEdition(chan('slack', slack.url('/services/T/B/x')), edition, { sleep: recorder().sleep });
    assert.equal(bad.outcome, 'retry');
    assert.equal(bad.status, 500);
    assert.equal(bad.attempts, 3);
  });

  it('says gone on 404 and 410 without retrying', async () => {
    slack.script({ status: 404, body: 'no_service' });
    assert.equal((await deliverEdition(chan('slack', slack.url('/services/T/B/x')), edition)).outcome, 'gone');
    discord.script({ status: 410 });
    const d = await deliverEdition(chan('discord', discord.url('/api/webhooks/1/t')), edition, { sleep: async () => assert.fail('no retry after 410') });
    assert.deepEqual(d, { outcome: 'gone', status: 410, attempts: 1 });
  });

  it('treats a payload the platform refuses as failed (no retry), and never sends one over the byte limit', async () => {
    const before = discord.received.length;
    const tooMany = { body: JSON.stringify({ content: 'x', embeds: Array.from({ length: 11 }, (_, i) => ({ title: `t${i}` })) }), headers: { 'content-type': 'application/json' } };
    const refused = await postWithRetries(discord.url('/api/webhooks/1/t'), tooMany, 64 * 1024, { sleep: async () => assert.fail('no retry after 400') });
    assert.equal(refused.outcome, 'failed');
    assert.equal(refused.status, 400);
    assert.match(refused.error ?? '', /10 or fewer/);
    const huge = await postWithRetries(discord.url('/api/webhooks/1/t'), { body: 'x'.repeat(70_000), headers: {} }, 64 * 1024);
    assert.equal(huge.outcome, 'failed');
    assert.equal(huge.attempts, 0);
    assert.equal(discord.received.length - before, 1, 'only the first reached the server');
  });

  it('signs the generic webhook so the receiver can verify it, with a stable delivery id', async () => {
    const secret = 'receiver-shared-secret-1234';
    const res = await deliverEdition(chan('webhook', generic.url('/hook'), secret), edition, { now: () => new Date('2026-08-21T07:00:00Z') });
    assert.equal(res.outcome, 'sent');
    const got = generic.received.at(-1)!;
    assert.equal(got.headers[DELIVERY_HEADER], 'ch_test:2026-08-21');
    assert.equal(verifyWebhook(secret, { timestamp: got.headers[TIMESTAMP_HEADER] as string, signature: got.headers[SIGNATURE_HEADER] as string }, got.body, new Date('2026-08-21T07:01:00Z')), true);
    const body = JSON.parse(got.body) as { type: string; papers: { id: string }[] };
    assert.equal(body.type, 'edition');
    assert.deepEqual(body.papers.map((p) => p.id), papers.slice(0, 25).map((p) => p.id));
  });

  it('reports a refused connection as retry, not maybe-delivered, and never mentions the URL', async () => {
    const closed = await startGenericReceiver();
    const url = closed.url('/services/T/B/very-secret-token');
    await closed.close();
    const r = await deliverEdition(chan('slack', url), edition, { sleep: recorder().sleep, attempts: 2 });
    assert.equal(r.outcome, 'retry');
    assert.equal(r.maybeDelivered, undefined);
    assert.doesNotMatch(JSON.stringify(r), /very-secret-token|127\.0\.0\.1/);
  });
});

describe('channel store (redis)', () => {
  let redis: TestRedis;
  let client: Redis;
  let store: ChannelStore;
  before(async () => {
    redis = await startRedis();
    client = new Redis(redis.url);
    store = new ChannelStore(client, makeKeys('chan'), () => new Date('2026-08-21T07:00:00Z'));
  });
  after(async () => {
    client?.disconnect();
    await redis?.stop();
  });

  it('adds with a person\'s preferences, lists masked, suppresses after two consecutive gone answers, removes', async () => {
    const slackUrl = 'https://hooks.slack.com/services/T0001/B0002/XXXXXXXXXXXXXXXX';
    const c = await store.add({ kind: 'slack', url: slackUrl, name: 'ML team', topics: ['agents'], timezone: 'Europe/Paris', sendTime: '09:15', frequency: 'weekly:mon' });
    assert.equal(c.secret, null);
    assert.deepEqual(c.topics, ['agents']);
    assert.deepEqual(c.sendTime, { hour: 9, minute: 15 });
    const hook = await store.add({ kind: 'webhook', url: 'https://example.org/in' });
    assert.ok(hook.secret && hook.secret.length >= 32, 'a generated secret');
    // One clock instant: same createdAt, so the order falls back to ids; compare by kind.
    const listed = (await store.list()).map(publicView).sort((a, b) => a.kind.localeCompare(b.kind));
    assert.deepEqual(listed.map((x) => x.url), ['https://hooks.slack.com/services/T…/…/****', 'https://example.org/****']);
    assert.doesNotMatch(JSON.stringify(listed), /XXXXXXXX|B0002/);
    assert.equal(listed[1]!.secret, '****');
    assert.deepEqual((await store.get(c.id))!.topics, ['agents'], 'lists survive storage');

    assert.equal(await store.recordResult(c.id, 'gone'), 'active');
    assert.equal(await store.recordResult(c.id, 'ok'), 'active', 'a success resets the count');
    assert.equal(await store.recordResult(c.id, 'gone'), 'active');
    assert.equal(await store.recordResult(c.id, 'gone'), 'suppressed');
    const sup = await store.get(c.id);
    assert.equal(sup?.status, 'suppressed');
    assert.equal(sup?.suppressedAt, '2026-08-21T07:00:00.000Z');
    assert.deepEqual(sup?.topics, ['agents']);

    assert.equal(await store.remove(c.id), true);
    assert.equal(await store.get(c.id), null);
    assert.equal(await store.recordResult(c.id, 'gone'), null);
  });

  it('refuses bad channels listing every problem, storing nothing', async () => {
    const n = (await store.list()).length;
    await assert.rejects(
      store.add({ kind: 'teams', url: 'http://example.org/x', secret: 'short', maxPapers: '99' }),
      (err: unknown) => err instanceof PreferencesError && ['kind', 'url', 'secret', 'maxPapers'].every((f) => err.issues.some((i) => i.field === f)),
    );
    assert.equal((await store.list()).length, n);
  });
});
