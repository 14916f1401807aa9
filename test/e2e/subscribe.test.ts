// A person in a real browser (Debian chromium via playwright-core) against the real app listening on loopback,
// a real redis-server and a real SMTP sink: subscribes, opens the confirm link from the captured email, changes
// topics and time, then unsubscribes. Asserts what each page shows and screenshots every step into
// test-output/screenshots/ (light, dark and a phone-sized view).
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { chromium, type Browser, type Page } from 'playwright-core';
import { REPO_ROOT } from '../helpers/fixtures.js';
import { freePort } from '../helpers/redis-server.js';
import { linkIn, startWebHarness, type WebHarness } from '../integration/web-harness.js';

const SHOTS = join(REPO_ROOT, 'test-output', 'screenshots');

describe('subscribe in a browser', () => {
  let h: WebHarness;
  let browser: Browser;
  let base: string;
  const consoleErrors: string[] = [];

  before(async () => {
    mkdirSync(SHOTS, { recursive: true });
    const port = await freePort();
    base = `http://127.0.0.1:${port}`;
    h = await startWebHarness({ prefix: 'e2e', env: { PUBLIC_URL: base } });
    await h.app.listen({ host: '127.0.0.1', port });
    browser = await chromium.launch({
      executablePath: '/usr/bin/chromium',
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
    });
  });
  after(async () => {
    await browser?.close();
    await h?.close();
  });

  const shot = (page: Page, name: string) => page.screenshot({ path: join(SHOTS, `${name}.png`), fullPage: true });
  const watch = (page: Page) => {
    page.on('console', (m) => {
      // The refused form (400) and the not-found page (404) are on purpose; anything else (a CSP refusal of our
      // own CSS or script, a missing asset) is a defect.
      if (m.type() === 'error' && !/status of (400|404)/.test(m.text())) consoleErrors.push(m.text());
    });
    page.on('pageerror', (e) => consoleErrors.push(e.message));
  };

  it('subscribes, confirms from the email, changes topics and time, unsubscribes', async () => {
    const context = await browser.newContext({ timezoneId: 'Europe/Berlin', viewport: { width: 1100, height: 900 }, colorScheme: 'light' });
    context.setDefaultTimeout(5000);
    const page = await context.newPage();
    watch(page);

    await page.goto(`${base}/`);
    assert.equal(await page.locator('h1').textContent(), 'The papers worth reading, in your inbox');
    assert.equal(await page.locator('#timezone').inputValue(), 'Europe/Berlin', 'time zone prefilled from the browser');
    assert.equal(await page.locator('#zone-detected').isVisible(), true);
    assert.equal(await page.locator('#time').inputValue(), '08:00', 'default send time from settings');
    await shot(page, '01-subscribe');

    // A typo first: the page says what is wrong and keeps what was typed.
    await page.getByLabel('Email address').fill('lena@example');
    await page.locator('input[name=topics][value=agents]').check();
    await page.getByRole('button', { name: 'Subscribe' }).click();
    assert.match((await page.locator('#error-summary').textContent()) ?? '', /invalid domain/);
    assert.equal(await page.evaluate(() => (globalThis as unknown as { document: { activeElement: { id: string } } }).document.activeElement.id), 'error-summary', 'focus moves to the error summary');
    assert.equal(await page.locator('input[name=topics][value=agents]').isChecked(), true, 'choices survive a refused post');
    await shot(page, '02-subscribe-error');

    await page.getByLabel('Email address').fill('lena@example.org');
    await page.locator('input[name=topics][value=reasoning]').check();
    await page.getByLabel('Time', { exact: true }).fill('07:15');
    await page.getByRole('button', { name: 'Subscribe' }).click();
    assert.equal(await page.locator('h1').textContent(), 'Check your inbox');
    assert.match((await page.locator('[role=status]').textContent()) ?? '', /lena@example\.org/);
    await shot(page, '03-check-inbox');

    const [mail] = await h.sink.waitFor(1);
    assert.match(mail!.parsed.subject ?? '', /Confirm/i);
    await page.goto(linkIn(mail!, '/confirm', base));
    assert.equal(await page.locator('h1').textContent(), 'Confirm your subscription');
    assert.match((await page.locator('.summary').textContent()) ?? '', /Reasoning, Agents|Agents, Reasoning/);
    assert.match((await page.locator('.summary').textContent()) ?? '', /every day at 07:15 \(Europe\/Berlin\)/);
    await shot(page, '04-confirm');
    assert.equal((await h.services.subscribers.getByEmail('lena@example.org'))?.status, 'pending', 'opening the link changed nothing');

    await page.getByRole('button', { name: 'Yes, send me the digest' }).click();
    assert.equal(await page.locator('h1').textContent(), "You're subscribed");
    assert.match((await page.locator('main').textContent()) ?? '', /Your first digest arrives on \w+ \d+ \w+ at 07:15 \(Europe\/Berlin\)/);
    await shot(page, '05-confirmed');
    assert.equal((await h.services.subscribers.getByEmail('lena@example.org'))?.status, 'active');

    await page.getByRole('link', { name: 'Change topics or time' }).click();
    assert.equal(await page.locator('h1').textContent(), 'Your digest');
    assert.match((await page.locator('.status-line').textContent()) ?? '', /lena@example\.org\s+Active/);
    await page.locator('input[name=topics][value=reasoning]').uncheck();
    await page.locator('input[name=topics][value=robotics]').check();
    await page.getByLabel('Time', { exact: true }).fill('18:30');
    await page.getByRole('button', { name: 'Save changes' }).click();
    const changes = (await page.locator('.changes').textContent()) ?? '';
    assert.match(changes, /Topics:\s*\S.*→\s*Agents, Robotics/);
    assert.match(changes, /Time:\s*07:15\s*→\s*18:30/);
    assert.equal(await page.locator('input[name=topics][value=robotics]').isChecked(), true);
    assert.equal(
      await page.evaluate(() => (globalThis as unknown as { document: { activeElement: { matches(s: string): boolean } } }).document.activeElement.matches('#result .notice')),
      true,
      'focus moves to what changed',
    );
    await shot(page, '06-preferences-saved');
    const saved = await h.services.subscribers.getByEmail('lena@example.org');
    assert.deepEqual(saved?.sendTime, { hour: 18, minute: 30 });
    assert.deepEqual([...(saved?.topics ?? [])].sort(), ['agents', 'robotics']);

    await page.getByRole('link', { name: 'Unsubscribe…' }).click();
    assert.equal(await page.locator('h1').textContent(), 'Unsubscribe?');
    assert.equal(await page.getByRole('button', { name: 'Pause 4 weeks' }).isVisible(), true);
    assert.equal(await page.getByRole('button', { name: 'Switch to weekly' }).isVisible(), true);
    await shot(page, '07-unsubscribe');
    await page.getByRole('button', { name: 'Unsubscribe', exact: true }).click();
    assert.equal(await page.locator('h1').textContent(), "You're unsubscribed");
    await shot(page, '08-unsubscribed');
    assert.equal((await h.services.subscribers.getByEmail('lena@example.org'))?.status, 'unsubscribed');

    // Dark mode and a phone: the same pages must stay readable.
    const prefsUrl = linkIn(mail!, '/confirm', base).replace(/\/confirm\/.*/, '') + ((await page.getByRole('link', { name: 'Subscribe again' }).getAttribute('href')) ?? '');
    await context.close();
    const dark = await browser.newContext({ colorScheme: 'dark', viewport: { width: 1100, height: 900 }, timezoneId: 'Asia/Kolkata' });
    const darkPage = await dark.newPage();
    watch(darkPage);
    await darkPage.goto(`${base}/`);
    // Chromium names this zone by its CLDR legacy alias (Asia/Calcutta); the select offers the IANA name.
    assert.equal(await darkPage.locator('#timezone').inputValue(), 'Asia/Kolkata', 'a legacy browser zone name still prefills');
    // Keyboard only: the first Tab reaches the skip link; following it puts the next Tab on the form, not the header.
    const focusedId = () => darkPage.evaluate(() => (globalThis as unknown as { document: { activeElement: { id: string } } }).document.activeElement.id);
    await darkPage.keyboard.press('Tab');
    assert.equal(await darkPage.evaluate(() => (globalThis as unknown as { document: { activeElement: { textContent: string } } }).document.activeElement.textContent), 'Skip to content');
    await darkPage.keyboard.press('Enter');
    assert.equal(await focusedId(), 'main');
    await darkPage.keyboard.press('Tab');
    assert.equal(await focusedId(), 'email');
    await shot(darkPage, '09-subscribe-dark');
    await darkPage.goto(prefsUrl);
    assert.match((await darkPage.locator('.notice.warn').first().textContent()) ?? '', /You're unsubscribed/);
    await shot(darkPage, '10-preferences-unsubscribed-dark');
    await dark.close();
    const phone = await browser.newContext({ viewport: { width: 390, height: 844 }, deviceScaleFactor: 1, isMobile: true, timezoneId: 'America/New_York' });
    const phonePage = await phone.newPage();
    watch(phonePage);
    await phonePage.goto(`${base}/`);
    assert.equal(await phonePage.locator('#timezone').inputValue(), 'America/New_York');
    await shot(phonePage, '11-subscribe-phone');
    await phonePage.goto(`${base}/preferences/not-a-real-token`);
    assert.equal(await phonePage.locator('h1').textContent(), 'Not found');
    await shot(phonePage, '12-not-found-phone');
    await phone.close();

    assert.deepEqual(consoleErrors, [], 'no console errors (e.g. CSP refusing our own CSS or script)');
  });
});
