// An operator in a real browser (Debian chromium via playwright-core) against the web role listening on loopback
// and a real redis-server seeded like a small live deployment: signs in with the admin token (HTTP basic), reads
// the dashboard, changes settings through the form and sees them applied, has a bad value refused with the
// reason, and opens Bull Board. Screenshots go to test-output/screenshots/admin-*.png.
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { silentLogger } from '../../src/log.js';
import { start, type Running } from '../../src/main.js';
import type { Paper } from '../../src/papers/paper.js';
import { PaperStore } from '../../src/papers/store.js';
import { SettingsStore } from '../../src/settings/store.js';
import { SCRAPE_SCHEDULER_ID, TICK_SCHEDULER_ID } from '../../src/queue/catalog.js';
import { makeKeys } from '../../src/redis/keys.js';
import { SubscriberStore } from '../../src/subscribers/store.js';
import { testClock } from '../helpers/clock.js';
import { REPO_ROOT } from '../helpers/fixtures.js';
import { freePort, startRedis, type TestRedis } from '../helpers/redis-server.js';

const SHOTS = join(REPO_ROOT, 'test-output', 'screenshots');
const TOKEN = 'e2e-Admin-T0ken-7f3a9c1d5e8b2046';

function paper(i: number, day: string): Paper {
  const id = `2611.${String(20_000 + i)}`;
  return {
    id, title: `Paper ${i}`, summary: 'A study.', authors: ['A. Author'], publishedAt: null, listedOn: day, upvotes: 200 - i, comments: 2,
    url: `https://huggingface.co/papers/${id}`, arxivUrl: `https://arxiv.org/abs/${id}`, githubRepo: null, githubStars: null, projectPage: null,
    organization: null, thumbnail: null, keywords: [], aiSummary: null,
  };
}

describe('admin in a browser', () => {
  let redis: TestRedis;
  let client: Redis;
  let dataDir: string;
  let running: Running;
  let browser: Browser;
  let context: BrowserContext;
  let base: string;
  const prefix = 'e2eadmin';
  const keys = makeKeys(prefix);
  const consoleErrors: string[] = [];

  before(async () => {
    mkdirSync(SHOTS, { recursive: true });
    redis = await startRedis({ appendonly: true });
    client = new Redis(redis.url);
    dataDir = mkdtempSync(join(tmpdir(), 'pd-e2e-admin-'));
    const port = await freePort();
    base = `http://127.0.0.1:${port}`;

    // A small live deployment: papers scraped 40 min ago, 600 subscribers across zones, today's editions half out.
    // The web role runs on this same clock, stopped at `now`: on the wall clock, "40 min ago" became "41 min ago"
    // once set-up and the first test took over a minute, and "today" changed at UTC midnight.
    const now = new Date();
    const clock = testClock(now);
    const today = now.toISOString().slice(0, 10);
    const papers = new PaperStore(client, keys, () => new Date(now.getTime() - 40 * 60_000));
    await papers.replaceDay(today, Array.from({ length: 24 }, (_, i) => paper(i, today)), { source: 'api', url: 'https://huggingface.co/api/daily_papers' });
    const subs = new SubscriberStore(client, keys, clock);
    const zones = ['America/New_York', 'America/Los_Angeles', 'Europe/Berlin', 'Europe/London', 'Asia/Tokyo', 'Asia/Kolkata'];
    const times = [[6, 30], [7, 0], [7, 0], [7, 30], [8, 0], [8, 0], [8, 0], [9, 0], [12, 0], [18, 0]] as const;
    for (let i = 0; i < 600; i += 100) {
      await Promise.all(
        Array.from({ length: 100 }, (_, j) => {
          const n = i + j;
          const [hour, minute] = times[(n * 7) % times.length]!;
          return subs.create({ email: `reader${n}@example.net`, status: 'active', timezone: zones[n % zones.length], sendTime: { hour, minute } });
        }),
      );
    }
    const ledger = client.multi();
    for (let n = 0; n < 312; n++) ledger.hset(keys.editionsByPeriod(today), `s${n}`, n < 296 ? 'sent' : n < 305 ? 'skipped' : n < 308 ? 'failed' : n < 309 ? 'unknown' : 'claimed');
    ledger.hset(keys.suppressed, 'mallory@bounce.example', JSON.stringify({ at: '2026-11-20T06:01:00Z', code: 550, reason: '5.1.1 user unknown' }));
    ledger.hset(keys.suppressed, 'old.address@example.com', JSON.stringify({ at: '2026-11-26T07:00:00Z', code: 550, reason: '5.1.1 mailbox disabled' }));
    await ledger.exec();
    const conn = { connection: { url: redis.url }, prefix };
    const scrape = new Queue('scrape', conn);
    const tick = new Queue('tick', conn);
    await scrape.upsertJobScheduler(SCRAPE_SCHEDULER_ID, { pattern: '*/30 * * * *', tz: 'UTC' }, { name: 'scrape', data: {} });
    await tick.upsertJobScheduler(TICK_SCHEDULER_ID, { every: 60_000 }, { name: 'tick', data: {} });
    await scrape.close();
    await tick.close();

    running = await start('web', {
      env: { REDIS_URL: redis.url, REDIS_PREFIX: prefix, DATA_DIR: dataDir, ADMIN_TOKEN: TOKEN, HOST: '127.0.0.1', PORT: String(port), PUBLIC_URL: base },
      log: silentLogger(),
      bannerOut: new PassThrough(),
      clock,
    });
    browser = await chromium.launch({
      executablePath: '/usr/bin/chromium',
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
    });
    context = await browser.newContext({ httpCredentials: { username: 'ops', password: TOKEN }, viewport: { width: 1280, height: 900 } });
    context.setDefaultTimeout(8000);
  });
  after(async () => {
    await browser?.close();
    await running?.stop();
    client?.disconnect();
    await redis?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  const shot = (page: Page, name: string) => page.screenshot({ path: join(SHOTS, `admin-${name}.png`), fullPage: true });
  const watch = (page: Page) => {
    page.on('console', (m) => {
      // The refused form answers 422 on purpose; anything else (a CSP refusal, a missing asset) is a defect.
      if (m.type() === 'error' && !/status of 422/.test(m.text())) consoleErrors.push(m.text());
    });
    page.on('pageerror', (e) => consoleErrors.push(e.message));
  };

  it('asks a browser without the token to sign in', async () => {
    const anon = await browser.newContext();
    // Headless chromium cannot show the sign-in prompt a Basic challenge raises: navigation fails on it instead.
    await assert.rejects((await anon.newPage()).goto(`${base}/admin`), /ERR_INVALID_AUTH_CREDENTIALS/);
    const res = await anon.request.get(`${base}/admin`);
    assert.equal(res.status(), 401);
    assert.match(String(res.headers()['www-authenticate']), /^Basic realm=/);
    await anon.close();
  });

  it('shows the dashboard at a glance', async () => {
    const page = await context.newPage();
    watch(page);
    const res = await page.goto(`${base}/admin`);
    assert.equal(res?.status(), 200);
    assert.equal(await page.locator('h1').textContent(), 'Dashboard');
    assert.equal(await page.locator('.pill').first().textContent(), 'Sending on');
    assert.match((await page.locator('.kpi').nth(0).textContent()) ?? '', /Last good scrape\s*40 min ago/);
    assert.match((await page.locator('.kpi').nth(1).textContent()) ?? '', /Sent today\s*296/);
    const due = Number(/Due next 24 h\s*(\d+)/.exec((await page.locator('.kpi').nth(2).textContent()) ?? '')?.[1]);
    assert.ok(due > 400 && due <= 600, `every subscriber is due within a day (${due} in the 24 whole hours shown)`);
    assert.equal(await page.locator('svg.chart rect.chart-bar').count(), 24);
    assert.match((await page.locator('.states').first().textContent()) ?? '', /sent 296.*failed 3.*unknown 1/s);
    assert.equal(await page.locator('text=m***@bounce.example').count(), 1);
    assert.equal(await page.locator('text=mallory@bounce.example').count(), 0);
    await shot(page, '01-dashboard');
    assert.deepEqual(consoleErrors, []);
    await page.close();
  });

  it('changes settings through the form, sees them applied, and has a bad value refused with the reason', async () => {
    const page = await context.newPage();
    watch(page);
    await page.goto(`${base}/admin/settings`);
    await shot(page, '02-settings');
    await page.fill('#f-scrapePattern', '0 */2 * * *');
    await page.fill('#f-sendRatePerSecond', '45');
    await page.selectOption('#f-sendingPaused', 'true');
    await Promise.all([page.waitForURL(/saved=3/), page.click('button[type=submit]')]);
    assert.match((await page.locator('.flash').textContent()) ?? '', /Saved 3 changes/);
    assert.equal(await page.locator('#f-scrapePattern').inputValue(), '0 */2 * * *');
    assert.match((await page.locator('.tbl').last().textContent()) ?? '', /admin-web.*sendRatePerSecond: 20 → 45/s);
    const stored = await new SettingsStore(client, keys).get();
    assert.deepEqual([stored.scrapePattern, stored.sendRatePerSecond, stored.sendingPaused], ['0 */2 * * *', 45, true]);
    await shot(page, '03-settings-saved');

    await page.fill('#f-scrapeTimezone', 'Mars/Olympus');
    await page.fill('#f-sendConcurrency', 'lots');
    await page.fill('#f-sendRatePerSecond', '60');
    await page.click('button[type=submit]');
    await page.waitForSelector('.flash.tone-bad');
    assert.match((await page.locator('#e-scrapeTimezone').textContent()) ?? '', /not an IANA time zone/);
    assert.match((await page.locator('#e-sendConcurrency').textContent()) ?? '', /must be a number/);
    assert.equal(await page.locator('#f-scrapeTimezone').inputValue(), 'Mars/Olympus', 'what was typed stays');
    const unchanged = await new SettingsStore(client, keys).get();
    assert.deepEqual([unchanged.scrapeTimezone, unchanged.sendRatePerSecond], ['UTC', 45], 'nothing saved');
    await shot(page, '04-settings-refused');

    await page.goto(`${base}/admin`);
    assert.equal(await page.locator('.pill').first().textContent(), 'Sending paused', 'the dashboard shows the change');
    await shot(page, '05-dashboard-paused');
    assert.deepEqual(consoleErrors, []);
    await page.close();
  });

  it('opens Bull Board under /admin/queues with the same sign-in', async () => {
    const page = await context.newPage();
    await page.goto(`${base}/admin/queues`);
    await page.waitForSelector('text=scrape');
    assert.ok((await page.locator('text=send').count()) > 0);
    // Its header menu (the last action button) carries our way back to the dashboard.
    const config = JSON.parse((await page.locator('#__UI_CONFIG__').textContent()) ?? '{}') as { miscLinks?: { text: string; url: string }[] };
    assert.deepEqual(config.miscLinks, [{ text: '← Admin dashboard', url: '/admin' }], 'Bull Board links back to the dashboard');
    await shot(page, '06-queues');
    await page.close();
  });

  it('fits a 390 px phone in dark mode: no page scrolls sideways, the background is dark', async () => {
    const phone = await browser.newContext({
      httpCredentials: { username: 'ops', password: TOKEN },
      viewport: { width: 390, height: 844 },
      isMobile: true,
      hasTouch: true,
      colorScheme: 'dark',
    });
    phone.setDefaultTimeout(8000);
    const page = await phone.newPage();
    watch(page);
    for (const path of ['/admin', '/admin/settings', '/admin/suppressions']) {
      const res = await page.goto(`${base}${path}`);
      assert.equal(res?.status(), 200, path);
      const { scrollWidth, clientWidth, background } = (await page.evaluate(
        '({ scrollWidth: document.documentElement.scrollWidth, clientWidth: document.documentElement.clientWidth, background: getComputedStyle(document.body).backgroundColor })',
      )) as { scrollWidth: number; clientWidth: number; background: string };
      assert.equal(clientWidth, 390, path);
      assert.ok(scrollWidth <= clientWidth, `${path}: ${scrollWidth} px of content on a ${clientWidth} px screen`);
      const [r, g, b] = (background.match(/\d+/g) ?? []).map(Number) as [number, number, number];
      assert.ok(0.2126 * r + 0.7152 * g + 0.0722 * b < 80, `${path}: background ${background} is not dark`);
      await shot(page, `07-phone-dark${path.replaceAll('/', '-')}`);
    }
    assert.deepEqual(consoleErrors, []);
    await phone.close();
  });
});
