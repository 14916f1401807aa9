// The public topic page, the front page with its sample, and the personal feed's human view in a real browser
// (Debian chromium via playwright-core), light and dark, phone and desktop: each renders without console errors
// (no CSP refusal of our CSS), shows its cards, and fits the viewport's width. Screenshots go to
// test-output/screenshots/feeds-*.png.
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { chromium, type Browser } from 'playwright-core';
import { feedUrls } from '../../src/feeds/feed-links.js';
import { archiveDay } from '../helpers/archive-days.js';
import { testClock } from '../helpers/clock.js';
import { REPO_ROOT } from '../helpers/fixtures.js';
import { freePort } from '../helpers/redis-server.js';
import { startWebHarness, type WebHarness } from '../integration/web-harness.js';

const SHOTS = join(REPO_ROOT, 'test-output', 'screenshots');
const VIEWS = [
  { name: 'desktop-light', viewport: { width: 1200, height: 900 }, colorScheme: 'light' as const },
  { name: 'desktop-dark', viewport: { width: 1200, height: 900 }, colorScheme: 'dark' as const },
  { name: 'phone-light', viewport: { width: 390, height: 844 }, colorScheme: 'light' as const },
  { name: 'phone-dark', viewport: { width: 390, height: 844 }, colorScheme: 'dark' as const },
];

describe('feeds and public archive in a browser', () => {
  let h: WebHarness;
  let browser: Browser;
  let base: string;
  let feedPage: string;

  before(async () => {
    mkdirSync(SHOTS, { recursive: true });
    const port = await freePort();
    base = `http://127.0.0.1:${port}`;
    const clock = testClock('2026-08-21T07:00:00Z');
    h = await startWebHarness({ prefix: 'e2efeeds', env: { PUBLIC_URL: base }, clock });
    for (const d of ['2026-08-20', '2026-08-21']) await h.services.papers.replaceDay(d, archiveDay(d), { source: 'test', url: 'test' });
    const { subscriber } = await h.services.subscribers.create({ email: 'lena@example.org', status: 'active', timezone: 'UTC', topics: ['agents'] });
    for (const [i, period] of ['2026-08-20', '2026-08-21'].entries()) {
      const ids = archiveDay(period).slice(0, 3).map((p) => p.id);
      await h.services.ledger.claim(subscriber.id, period, 'w');
      clock.set(`${period}T07:00:0${i}Z`);
      await h.services.ledger.markSent(subscriber.id, period, { response: '250', messageId: `<${i}@x>`, paperIds: ids, selection: ids.map((id) => ({ id, reasons: [{ kind: 'topic', topicId: 'agents', topicLabel: 'agents', phrase: 'agent' }] })) });
    }
    feedPage = feedUrls(base, subscriber, 0, h.ctx.secrets.linkSecrets).page;
    await h.app.listen({ host: '127.0.0.1', port });
    browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'] });
  });
  after(async () => {
    await browser?.close();
    await h?.close();
  });

  for (const v of VIEWS) {
    it(`renders the front page sample, a topic page and the feed view (${v.name})`, async () => {
      const context = await browser.newContext({ viewport: v.viewport, colorScheme: v.colorScheme });
      context.setDefaultTimeout(10_000);
      const page = await context.newPage();
      const errors: string[] = [];
      page.on('console', (m) => {
        if (m.type() === 'error') errors.push(m.text());
      });
      page.on('pageerror', (e) => errors.push(e.message));
      try {
        const pages: [string, string, number][] = [
          ['front', `${base}/`, 5],
          ['topic', `${base}/topics/agents/2026-08-21`, 1],
          ['latest', `${base}/latest`, 10],
          ['feed-view', feedPage, 6],
        ];
        for (const [name, url, minCards] of pages) {
          await page.goto(url);
          const cards = await page.locator('.pcard').count();
          assert.ok(cards >= minCards, `${name}: ${cards} cards`);
          // The feeds stylesheet applied (CSP allows it): a card's title is not the default serif 2em heading.
          const size = await page.locator('.pcard-title').first().evaluate((el) => (globalThis as unknown as { getComputedStyle(e: unknown): { fontSize: string } }).getComputedStyle(el).fontSize);
          assert.ok(parseFloat(size) < 24, `${name}: card title styled (${size})`);
          const overflow = Number(await page.evaluate('document.documentElement.scrollWidth - document.documentElement.clientWidth'));
          assert.ok(overflow <= 1, `${name}: no horizontal scrolling (${overflow}px)`);
          await page.screenshot({ path: join(SHOTS, `feeds-${name}-${v.name}.png`), fullPage: true });
        }
        assert.equal(await page.locator('meta[name=robots]').getAttribute('content'), 'noindex', 'the feed view stays out of search engines');
        await page.goto(`${base}/topics/agents/2026-08-21`);
        assert.ok(await page.locator('meta[property="og:title"]').getAttribute('content'));
        assert.deepEqual(errors, []);
      } finally {
        await context.close();
      }
    });
  }
});
