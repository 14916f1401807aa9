// The admin web surface through app.inject(): authentication (none, wrong, right; bearer and basic), the token
// never reaching the logs, the dashboard over seeded Redis data, the settings form (validation per field,
// CSRF, audit), Bull Board behind the same auth, /readyz reasons and /metrics parsing.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import { Queue } from 'bullmq';
import type { FastifyInstance } from 'fastify';
import { createContext, type Context } from '../../src/context.js';
import { createLogger } from '../../src/log.js';
import { OutboxMailer } from '../../src/mail/outbox-mailer.js';
import { SCRAPE_SCHEDULER_ID, TICK_SCHEDULER_ID } from '../../src/queue/catalog.js';
import { createServices } from '../../src/services.js';
import { buildApp } from '../../src/web/app.js';
import { adminPlugins } from '../../src/web/admin/index.js';
import { parsePrometheus, sumSeries } from '../helpers/prometheus.js';
import { startRedis, type TestRedis } from '../helpers/redis-server.js';

const TOKEN = 'adm1n-Tok3n-for-the-tests-9f8e7d6c5b4a';
const basic = (user: string, pass: string) => `Basic ${Buffer.from(`${user}:${pass}`).toString('base64')}`;
const NOW = new Date('2026-11-28T10:20:00Z');

describe('admin web', () => {
  let redis: TestRedis;
  let dataDir: string;
  let ctx: Context;
  let app: FastifyInstance;
  const logged: string[] = [];
  const prefix = 'admintest';

  before(async () => {
    redis = await startRedis();
    dataDir = mkdtempSync(join(tmpdir(), 'pd-admin-'));
    const sink = new Writable({
      write(chunk, _enc, cb) {
        logged.push(String(chunk));
        cb();
      },
    });
    ctx = await createContext({
      env: { REDIS_URL: redis.url, REDIS_PREFIX: prefix, DATA_DIR: dataDir, ADMIN_TOKEN: TOKEN, PUBLIC_URL: 'https://digest.example.org' },
      log: createLogger({ level: 'debug', pretty: false }, sink),
      clock: () => NOW,
    });
    const services = createServices(ctx);
    app = await buildApp({ log: ctx.log, plugins: adminPlugins(services) });
    // Seed what the other domains would have written.
    const { keys } = ctx;
    const hour = 3_600_000;
    await ctx.redis.zadd(keys.dueIndex, NOW.getTime() - 10 * 60_000, 'sub-overdue', NOW.getTime() + 30 * 60_000, 'sub-a', NOW.getTime() + 2 * hour, 'sub-b', NOW.getTime() + 2 * hour + 60_000, 'sub-c');
    await ctx.redis.lpush(keys.scrapeLog, JSON.stringify({ at: '2026-11-28T09:30:00Z', source: 'hf-page', url: 'https://huggingface.co/papers', day: '2026-11-28', papers: 27, status: 'ok' }));
    await ctx.redis.set(keys.scrapeLastOk, '2026-11-28T09:30:00.000Z');
    await ctx.redis.hset(keys.editionsByPeriod('2026-11-28'), 's1', 'sent', 's2', 'sent', 's3', 'failed', 's4', 'unknown');
    // 10:20 UTC is already 00:20 on the 29th in Kiritimati (UTC+14): that subscriber's edition is dated the 29th.
    await ctx.redis.hset(keys.editionsByPeriod('2026-11-29'), 's9', 'sent');
    await services.suppression.add('jane.doe@example.org', { reason: 'hard bounce', code: 550, at: '2026-11-27T08:00:00Z', subscriberId: null });
    await services.suppression.add('bob@example.org', { reason: '550 5.1.1 user unknown', code: 550, at: '2026-11-27T09:00:00Z', subscriberId: null });
  });

  after(async () => {
    await app?.close();
    await ctx?.close();
    await redis.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('refuses no token and a wrong token with a Basic challenge; accepts bearer and basic (any user)', async () => {
    const none = await app.inject({ url: '/admin' });
    assert.equal(none.statusCode, 401);
    assert.match(String(none.headers['www-authenticate']), /^Basic realm="papers-digest admin"/);
    for (const authorization of [`Bearer ${TOKEN}x`, basic('admin', 'wrong-password-of-some-length'), `Bearer ${TOKEN.slice(0, -1)}`, 'Basic !!!', `Token ${TOKEN}`]) {
      const r = await app.inject({ url: '/admin', headers: { authorization } });
      assert.equal(r.statusCode, 401, authorization);
    }
    const bearer = await app.inject({ url: '/admin', headers: { authorization: `Bearer ${TOKEN}` } });
    assert.equal(bearer.statusCode, 200);
    const viaBasic = await app.inject({ url: '/admin/settings', headers: { authorization: basic('anyone', TOKEN) } });
    assert.equal(viaBasic.statusCode, 200);
    assert.equal(viaBasic.headers['cache-control'], 'no-store');
  });

  it('never writes the token to the logs, right or wrong', async () => {
    await app.inject({ url: '/admin', headers: { authorization: `Bearer ${TOKEN}` } });
    await app.inject({ url: '/admin', headers: { authorization: basic('u', `${TOKEN}-wrong`) } });
    const text = logged.join('');
    assert.ok(text.includes('admin authentication refused'), 'the refusal itself is logged');
    assert.ok(!text.includes(TOKEN), 'the token must not appear in any log line');
    assert.ok(!text.includes(Buffer.from(`u:${TOKEN}-wrong`).toString('base64')), 'nor its basic-auth encoding');
  });

  it('shows the dashboard: scrapes, editions by state, due chart, lag and masked suppressed addresses', async () => {
    const r = await app.inject({ url: '/admin', headers: { authorization: `Bearer ${TOKEN}` } });
    const html = r.body;
    assert.match(html, /<svg class="chart"/);
    assert.match(html, /Digests due per hour for the next 24 hours; 3 in total/);
    assert.match(html, /10:00–11:00 UTC: 1 digest</);
    assert.match(html, /12:00–13:00 UTC: 2 digests</);
    assert.match(html, /hf-page/);
    assert.match(html, /sent <b>2<\/b>/);
    assert.match(html, /failed <b>1<\/b>/);
    assert.match(html, /unknown <b>1<\/b>/);
    assert.match(html, /<code>papers-digest retry-failed --period 2026-11-28<\/code>/, 'failures come with the command that retries them');
    assert.doesNotMatch(html, /retry-failed --period 2026-11-29/, 'none for a period without failures');
    // Every local date under way is shown and counted: 2026-11-27 (UTC−12), -28 (UTC), -29 (UTC+14).
    assert.match(html, /2026-11-29<\/strong> <span class="ed-where">already today east of UTC/);
    assert.match(html, /2026-11-27<\/strong> <span class="ed-where">still today west of UTC/);
    assert.match(html, /Sent today<\/div>\s*<div class="kpi-value">3</);
    assert.match(html, /j\*\*\*@example\.org/);
    assert.ok(!html.includes('jane.doe@example.org'), 'addresses are masked');
    assert.match(html, /<td>hard bounce 550<\/td>/);
    assert.match(html, /<td>550 5\.1\.1 user unknown<\/td>/, 'the code is not repeated after a reply that quotes it');
    assert.match(html, /Delivery lag<\/div>\s*<div class="kpi-value">10 min/);
    assert.ok(!/<script/i.test(html) && !/ style=/i.test(html), 'no inline script or style (CSP)');
    assert.match(String(r.headers['content-security-policy']), /script-src 'self'/);
    const css = await app.inject({ url: '/admin/static/admin.css', headers: { authorization: `Bearer ${TOKEN}` } });
    assert.equal(css.statusCode, 200);
    assert.match(String(css.headers['content-type']), /text\/css/);
    assert.match(css.body, /@media \(prefers-color-scheme: dark\)\s*\{\s*:root\s*\{[^}]*--bg: #0f141c/, 'dark mode follows the system setting');
  });

  it('settings form: per-field errors and nothing saved on any error; a good change is saved and audited', async () => {
    const auth = { authorization: basic('ops', TOKEN) };
    const page = await app.inject({ url: '/admin/settings', headers: auth });
    const csrf = /name="_csrf" value="([^"]+)"/.exec(page.body)?.[1];
    assert.ok(csrf);
    const origin = 'https://digest.example.org';
    const post = (form: Record<string, string>, headers: Record<string, string> = { origin }) =>
      app.inject({ method: 'POST', url: '/admin/settings', headers: { ...auth, ...headers, 'content-type': 'application/x-www-form-urlencoded' }, payload: new URLSearchParams(form).toString() });

    const bad = await post({ _csrf: csrf, scrapePattern: '0 25 * * *', scrapeTimezone: 'Mars/Olympus', sendRatePerSecond: '40' });
    assert.equal(bad.statusCode, 422);
    assert.match(bad.body, /Nothing was saved/);
    assert.match(bad.body, /id="e-scrapePattern">is not a valid cron pattern/);
    assert.match(bad.body, /id="e-scrapeTimezone">is not an IANA time zone/);
    assert.match(bad.body, /value="Mars\/Olympus"/, 'what was typed is shown again');
    assert.equal((await ctx.settings.get()).sendRatePerSecond, 20, 'the valid field in a refused form is not saved either');

    const notNumber = await post({ _csrf: csrf, sendConcurrency: 'lots' });
    assert.equal(notNumber.statusCode, 422);
    assert.match(notNumber.body, /id="e-sendConcurrency">must be a number/);

    assert.equal((await post({ scrapePattern: '0 * * * *' })).statusCode, 403, 'no form token');
    assert.equal((await post({ _csrf: csrf, scrapePattern: '0 * * * *' }, { origin: 'https://evil.example' })).statusCode, 403, 'cross origin');
    assert.equal((await post({ _csrf: csrf, scrapePattern: '0 * * * *' }, {})).statusCode, 403, 'neither Origin nor Referer');

    const good = await post({ _csrf: csrf, scrapePattern: '0 * * * *', sendRatePerSecond: '40', sendingPaused: 'true' }, { referer: 'https://digest.example.org/admin/settings' });
    assert.equal(good.statusCode, 303);
    assert.equal(good.headers.location, '/admin/settings?saved=3');
    const s = await ctx.settings.get();
    assert.equal(s.scrapePattern, '0 * * * *');
    assert.equal(s.sendRatePerSecond, 40);
    assert.equal(s.sendingPaused, true);
    const [entry] = await ctx.settings.history(1);
    assert.equal(entry?.by, 'admin-web');
    const after = await app.inject({ url: '/admin/settings?saved=3', headers: auth });
    assert.match(after.body, /Saved 3 changes/);
    assert.match(after.body, /<code>sendRatePerSecond<\/code>: <span class="old">20<\/span> → <span class="new">40<\/span>/);

    const bearerNoCsrf = await app.inject({
      method: 'POST', url: '/admin/settings', headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/x-www-form-urlencoded' }, payload: 'sendingPaused=false',
    });
    assert.equal(bearerNoCsrf.statusCode, 303, 'bearer clients (scripts) need no CSRF token');
    assert.equal((await ctx.settings.get()).sendingPaused, false);
  });

  it('mounts Bull Board behind the same auth, with a CSP relaxed for its UI only', async () => {
    assert.equal((await app.inject({ url: '/admin/queues' })).statusCode, 401);
    assert.equal((await app.inject({ url: '/admin/queues/api/queues' })).statusCode, 401);
    const ui = await app.inject({ url: '/admin/queues', headers: { authorization: `Bearer ${TOKEN}` } });
    assert.equal(ui.statusCode, 200);
    assert.match(ui.body, /<base href="\/admin\/queues\/"/);
    assert.match(ui.body, /Admin dashboard[^]*?\\?\/admin\b|\\?\/admin\b[^]*?Admin dashboard/, 'a link back to /admin in Bull Board');
    assert.match(String(ui.headers['content-security-policy']), /style-src 'self' 'unsafe-inline'/);
    const api = await app.inject({ url: '/admin/queues/api/queues', headers: { authorization: `Bearer ${TOKEN}` } });
    assert.equal(api.statusCode, 200);
    const names = (JSON.parse(api.body) as { queues: { name: string }[] }).queues.map((q) => q.name).sort();
    assert.deepEqual(names, ['mail', 'scrape', 'send', 'tick']);
    const dash = await app.inject({ url: '/admin', headers: { authorization: `Bearer ${TOKEN}` } });
    assert.doesNotMatch(String(dash.headers['content-security-policy']), /unsafe-inline/);
    const viaBasic = { authorization: basic('ops', TOKEN) };
    const retry = (headers: Record<string, string>) => app.inject({ method: 'PUT', url: '/admin/queues/api/queues/send/retry/failed', headers });
    assert.equal((await retry({ ...viaBasic, origin: 'https://evil.example' })).statusCode, 403, 'cross-site change refused');
    assert.equal((await retry(viaBasic)).statusCode, 403, 'no Origin, no Referer: refused');
    assert.equal((await retry({ ...viaBasic, origin: 'https://digest.example.org' })).statusCode, 200);
    assert.equal((await retry({ authorization: `Bearer ${TOKEN}` })).statusCode, 200, 'scripts with the bearer token');
  });

  it('browses the outbox: masked list, message page with a sandboxed iframe, the HTML under its own CSP', async () => {
    const mailer = new OutboxMailer({ dir: join(dataDir, 'outbox'), clock: () => NOW });
    await mailer.send({
      to: 'reader@example.net', from: 'Papers Digest <digest@example.org>', subject: 'Your papers — “diffusion” & more',
      html: '<html><body><h1 style="color:#333">Hello <b>reader</b></h1><p>Ünïcødé</p></body></html>', text: 'Hello reader\nÜnïcødé',
      messageId: '<digest-2026-11-28-sub1@example.org>', headers: { 'List-Id': '<digest.example.org>' },
    });
    const auth = { authorization: `Bearer ${TOKEN}` };
    const list = await app.inject({ url: '/admin/outbox', headers: auth });
    assert.equal(list.statusCode, 200);
    assert.match(list.body, /r\*\*\*@example\.net/);
    assert.ok(!list.body.includes('reader@example.net'));
    assert.match(list.body, /Your papers — “diffusion” &amp; more/, 'the encoded-word subject is decoded in the list too');
    const file = /href="\/admin\/outbox\/([^"]+\.eml)"/.exec(list.body)?.[1];
    assert.ok(file, list.body);
    const page = await app.inject({ url: `/admin/outbox/${file}`, headers: auth });
    assert.equal(page.statusCode, 200);
    assert.match(page.body, /<h1>Your papers — “diffusion” &amp; more<\/h1>/);
    assert.match(page.body, /<iframe class="mail-frame" sandbox=""/);
    assert.match(page.body, /Ünïcødé/);
    assert.match(String(page.headers['content-security-policy']), /frame-src 'self'/);
    const html = await app.inject({ url: `/admin/outbox/${file}/html`, headers: auth });
    assert.match(html.body, /<h1 style="color:#333">Hello <b>reader<\/b><\/h1>/);
    assert.match(String(html.headers['content-security-policy']), /sandbox/);
    assert.equal(html.headers['x-frame-options'], 'SAMEORIGIN');
    assert.equal((await app.inject({ url: '/admin/outbox/..%2Fsecrets.json', headers: auth })).statusCode, 404);
    assert.equal((await app.inject({ url: `/admin/outbox/${file}` })).statusCode, 401);
  });

  it('/readyz explains what is missing, then turns ready', async () => {
    await ctx.redis.set(ctx.keys.scrapeLastOk, '2026-11-27T20:00:00.000Z'); // 14 h 20 min before NOW: stale
    const notReady = await app.inject({ url: '/readyz' });
    assert.equal(notReady.statusCode, 503);
    const body = JSON.parse(notReady.body) as { reasons: string[] };
    assert.ok(body.reasons.some((r) => /scheduler "scrape-listing" is missing/.test(r)));
    assert.ok(body.reasons.some((r) => /scheduler "tick" is missing/.test(r)));
    assert.ok(body.reasons.some((r) => /860 min ago, older than the 6 h freshness bound/.test(r)));

    const conn = { connection: { url: redis.url }, prefix };
    const scrape = new Queue('scrape', conn);
    const tick = new Queue('tick', conn);
    try {
      await scrape.upsertJobScheduler(SCRAPE_SCHEDULER_ID, { pattern: '*/30 * * * *' }, { name: 'scrape', data: {} });
      await tick.upsertJobScheduler(TICK_SCHEDULER_ID, { every: 60_000 }, { name: 'tick', data: {} });
      await ctx.redis.set(ctx.keys.scrapeLastOk, '2026-11-28T09:30:00.000Z');
      const ready = await app.inject({ url: '/readyz' });
      assert.equal(ready.statusCode, 200, ready.body);
      assert.equal((JSON.parse(ready.body) as { status: string }).status, 'ready');
    } finally {
      await scrape.close();
      await tick.close();
    }
  });

  it('/metrics is Prometheus text with queue depths read at scrape time; metricsAuth=token guards it', async () => {
    const send = new Queue('send', { connection: { url: redis.url }, prefix });
    try {
      await send.addBulk([1, 2, 3].map((i) => ({ name: 'send', data: { subscriberId: `sub-${i}`, period: '2026-11-28', dueAt: NOW.toISOString() } })));
      const r = await app.inject({ url: '/metrics' });
      assert.equal(r.statusCode, 200);
      assert.match(String(r.headers['content-type']), /^text\/plain; version=0\.0\.4/);
      const m = parsePrometheus(r.body);
      assert.equal(sumSeries(m, 'papers_digest_queue_jobs', 'queue="send",state="waiting"'), 3);
      assert.ok([...m.keys()].some((k) => k.startsWith('papers_digest_queue_jobs{queue="scrape",state="failed"')));
      assert.equal(sumSeries(m, 'papers_digest_queue_jobs', 'queue="scrape",state="failed"'), 0);
      assert.equal(sumSeries(m, 'papers_digest_due_overdue'), 1);
      assert.equal(sumSeries(m, 'papers_digest_last_scrape_success_timestamp_seconds'), Date.parse('2026-11-28T09:30:00Z') / 1000);

      await ctx.settings.set({ metricsAuth: 'token' }, 'test');
      assert.equal((await app.inject({ url: '/metrics' })).statusCode, 401);
      assert.equal((await app.inject({ url: '/metrics', headers: { authorization: `Bearer ${TOKEN}` } })).statusCode, 200);
    } finally {
      await ctx.settings.set({ metricsAuth: 'open' }, 'test');
      await send.obliterate({ force: true });
      await send.close();
    }
  });
});
