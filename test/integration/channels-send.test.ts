// Channel subscribers through the real delivery path: added through the channel store (which puts them in the due
// index), fanned out by the tick (run twice, as a duplicated scheduler would), sent by the send role as the worker
// builds it (createServices → startSendRole) to loopback servers that behave like Slack and Discord, recorded in the
// same ledger. The Slack endpoint answers 503 with Retry-After at first; the send worker is stopped while that
// edition waits, and a new one delivers it. Each server gets exactly one edition per period, and the second period
// never repeats a paper of the first. Job data never carries the webhook URL.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { Queue } from 'bullmq';
import { createContext, type Context } from '../../src/context.js';
import { runTick } from '../../src/digest/tick.js';
import type { SendWorker } from '../../src/digest/send-worker.js';
import { withChannels } from '../../src/feeds/channels/channel-schedule.js';
import type { Channel } from '../../src/feeds/channels/channel.js';
import { silentLogger } from '../../src/log.js';
import { QUEUES } from '../../src/queue/catalog.js';
import { createServices, type Services } from '../../src/services.js';
import { startSendRole } from '../../src/worker.js';
import { testClock } from '../helpers/clock.js';
import { startRedis, type TestRedis } from '../helpers/redis-server.js';
import { waitFor } from '../helpers/wait.js';
import { startDiscordServer, startSlackServer, type WebhookServer } from '../helpers/webhook-servers.js';
import { papersFor } from './send-harness.js';

const PERIODS = ['2026-11-02', '2026-11-03'];

describe('channel subscribers through tick, send and ledger (loopback Slack / Discord)', () => {
  const clock = testClock(`${PERIODS[0]}T07:00:00Z`);
  let redis: TestRedis;
  let slack: WebhookServer;
  let discord: WebhookServer;
  let dataDir: string;
  let ctx: Context;
  let services: Services;
  let send: SendWorker | null = null;
  let queue: Queue;

  before(async () => {
    [redis, slack, discord] = await Promise.all([startRedis(), startSlackServer(), startDiscordServer()]);
    dataDir = mkdtempSync(join(tmpdir(), 'pd-channels-send-'));
    ctx = await createContext({
      env: { REDIS_URL: redis.url, REDIS_PREFIX: 'chsend', DATA_DIR: dataDir, PUBLIC_URL: 'https://digest.example.org', MAIL_FROM: 'Papers Digest <digest@example.org>' },
      log: silentLogger(),
      clock,
      manageRedis: false,
    });
    services = await createServices(ctx);
    queue = new Queue(QUEUES.send, { connection: ctx.newRedis('test-queue', true), prefix: ctx.config.redisPrefix });
  });
  after(async () => {
    await send?.stop();
    await queue?.close();
    await ctx?.close();
    await Promise.all([slack?.close(), discord?.close(), redis?.stop()]);
    rmSync(dataDir, { recursive: true, force: true });
  });

  const tick = () => runTick({ subscribers: withChannels(services.subscribers, services.feeds.channels), sendQueue: queue, clock, log: silentLogger(), settings: { sendingPaused: false } });

  it('delivers each channel exactly one edition per period across a worker restart, never the same paper twice', async () => {
    const slackUrl = slack.url('/services/T0001/B0002/slack-secret-token');
    const discordUrl = discord.url('/api/webhooks/42/discord-secret-token');
    const prefs = { timezone: 'UTC', sendTime: '08:00', maxPapers: 3 };
    const s: Channel = await services.feeds.channels.add({ kind: 'slack', url: slackUrl, name: 'ML team', ...prefs });
    const d: Channel = await services.feeds.channels.add({ kind: 'discord', url: discordUrl, name: 'Lab', ...prefs });
    assert.equal((await services.subscribers.dueAt(s.id))?.toISOString(), `${PERIODS[0]}T08:00:00.000Z`, 'in the due index at its send time');

    // Period 1: Slack is overloaded at first (every attempt of the first delivery: 503; the last says retry in 3 s,
    // which the job honours: the worker is restarted inside that window).
    clock.set(`${PERIODS[0]}T08:00:00Z`);
    await services.papers.replaceDay(PERIODS[0]!, papersFor(PERIODS[0]!), { source: 'test', url: 'test' });
    slack.script({ status: 503, headers: { 'retry-after': '1' } }, { status: 503, headers: { 'retry-after': '1' } }, { status: 503, headers: { 'retry-after': '3' } });
    const [t1, t2] = await Promise.all([tick(), tick()]);
    assert.equal(t1.enqueued + t2.enqueued, 2, 'both channels fanned out once');
    const jobs = await queue.getJobs(['waiting', 'delayed', 'prioritized']);
    assert.ok(jobs.length >= 2);
    assert.doesNotMatch(JSON.stringify(jobs.map((j) => j.data)), /secret-token|127\.0\.0\.1/, 'no webhook URL in job data');

    send = await startSendRole(services);
    await waitFor(async () => (await services.ledger.get(d.id, PERIODS[0]!))?.state === 'sent', { message: 'discord period 1 sent' });
    await waitFor(async () => (await services.ledger.get(s.id, PERIODS[0]!))?.state === 'retrying', { message: 'slack period 1 waiting to retry' });
    // The worker goes away while Slack's edition waits; a new one takes over.
    await send.stop();
    assert.equal(slack.received.length, 3, 'stopped before the retry: Slack has only the refused attempts');
    assert.equal((await services.ledger.get(s.id, PERIODS[0]!))?.state, 'retrying');
    send = await startSendRole(services);
    await waitFor(async () => (await services.ledger.get(s.id, PERIODS[0]!))?.state === 'sent', { message: 'slack period 1 sent by the new worker', timeoutMs: 20_000 });
    assert.equal(slack.received.filter((r) => r.headers['content-type'] === 'application/json').length, 4, 'three refused attempts, then one delivery');
    assert.equal(discord.received.length, 1);

    // A late duplicate tick for the same period changes nothing.
    clock.set(`${PERIODS[0]}T08:00:30Z`);
    await tick();

    // Period 2.
    clock.set(`${PERIODS[1]}T08:00:00Z`);
    await services.papers.replaceDay(PERIODS[1]!, papersFor(PERIODS[1]!), { source: 'test', url: 'test' });
    await Promise.all([tick(), tick()]);
    for (const c of [s, d]) await waitFor(async () => (await services.ledger.get(c.id, PERIODS[1]!))?.state === 'sent', { message: `${c.kind} period 2 sent` });
    await waitFor(async () => (await queue.getJobCounts('active', 'waiting', 'delayed')).active === 0, { message: 'queue idle' });

    assert.equal(slack.received.length, 3 + 2, 'Slack: exactly one delivered edition per period');
    assert.equal(discord.received.length, 2, 'Discord: exactly one edition per period');
    for (const c of [s, d]) {
      const [e1, e2] = await Promise.all(PERIODS.map((p) => services.ledger.get(c.id, p)));
      assert.equal(e1!.paperIds.length, 3);
      assert.equal(e2!.paperIds.length, 3);
      assert.equal(new Set([...e1!.paperIds, ...e2!.paperIds]).size, 6, `${c.kind}: never the same paper twice`);
    }
    const lastSlack = JSON.parse(slack.received.at(-1)!.body) as { blocks?: unknown[] };
    assert.ok(Array.isArray(lastSlack.blocks), 'Slack gets blocks');
    const lastDiscord = JSON.parse(discord.received.at(-1)!.body) as { embeds?: unknown[] };
    assert.equal(lastDiscord.embeds?.length, 3, 'Discord gets one embed per paper');
    assert.equal((await services.ledger.countsByState(PERIODS[1]!)).sent, 2, '`editions status` counts channel editions');

    // Removed: out of the due index, never fanned out again.
    assert.equal(await services.feeds.channels.remove(d.id), true);
    assert.equal(await services.subscribers.dueAt(d.id), null);
  });
});
