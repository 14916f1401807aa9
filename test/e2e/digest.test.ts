// The whole product as an operator runs it, in one flow: the real composition root (`start('all')`: web, scrape,
// tick and send workers, outbox transport because SMTP_URL is unset), Hugging Face on loopback, and a person in
// Debian chromium. They subscribe through the form, confirm from the captured email, and at their local send time
// the digest lands in the outbox. The delivered email is then checked the way a reader meets it: both MIME parts,
// the list headers, the HTML at phone width in light and dark mode (no sideways scrolling, dark really dark),
// the view-in-browser (archive) and preferences links opened in the browser, and the one-click unsubscribe POST
// from the List-Unsubscribe header (RFC 8058), which must also take them out of the due index.
// The clock is injected (time moves to the send instant without waiting); a tick is requested by adding a job to
// the tick queue, as the job scheduler would. Screenshots go to test-output/screenshots/digest-*.png.
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import { Queue } from 'bullmq';
import { simpleParser, type ParsedMail } from 'mailparser';
import { chromium, type Browser, type Page } from 'playwright-core';
import { silentLogger } from '../../src/log.js';
import { start, type Running } from '../../src/main.js';
import { outboxDir } from '../../src/mail/create-mailer.js';
import { listOutbox, readOutbox } from '../../src/mail/outbox-mailer.js';
import { QUEUES } from '../../src/queue/catalog.js';
import { REPO_ROOT } from '../helpers/fixtures.js';
import { startHfServer, type HfServer } from '../helpers/hf-server.js';
import { freePort, startRedis, type TestRedis } from '../helpers/redis-server.js';
import { waitFor } from '../helpers/wait.js';

const SHOTS = join(REPO_ROOT, 'test-output', 'screenshots');
// The API fixture's papers are listed on 2026-07-31: the story happens that morning, in Berlin (UTC+2).
const START = Date.parse('2026-07-31T05:00:00Z'); // 07:00 in Berlin
const SEND_AT = Date.parse('2026-07-31T05:30:00Z'); // 07:30 in Berlin

/** Relative luminance (0 black … 1 white) of a CSS rgb()/rgba() colour. */
function luminance(css: string): number {
  const [r, g, b] = (css.match(/[\d.]+/g) ?? []).slice(0, 3).map((v) => Number(v) / 255) as [number, number, number];
  const lin = (c: number) => (c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4);
  return 0.2126 * lin(r) + 0.7152 * lin(g) + 0.0722 * lin(b);
}

describe('the product end to end: subscribe in a browser, receive the digest, act on its links', () => {
  let redis: TestRedis;
  let hf: HfServer;
  let dataDir: string;
  let running: Running;
  let browser: Browser;
  let tickQueue: Queue;
  let base: string;
  let offset = START - Date.now();
  const clock = () => new Date(Date.now() + offset);
  const consoleErrors: string[] = [];

  before(async () => {
    mkdirSync(SHOTS, { recursive: true });
    redis = await startRedis();
    hf = await startHfServer();
    dataDir = mkdtempSync(join(tmpdir(), 'pd-e2e-digest-'));
    const port = await freePort();
    base = `http://127.0.0.1:${port}`;
    running = await start('all', {
      env: {
        REDIS_URL: redis.url,
        REDIS_PREFIX: 'e2edigest',
        PORT: String(port),
        HOST: '127.0.0.1',
        PUBLIC_URL: base,
        DATA_DIR: dataDir,
        HF_BASE_URL: hf.url,
        MAIL_FROM: 'Papers Digest <digest@digest.test>',
      },
      log: silentLogger(),
      clock,
      manageRedis: false,
      bannerOut: new Writable({ write: (_c, _e, cb) => cb() }),
    });
    tickQueue = new Queue(QUEUES.tick, { connection: running.ctx.newRedis('test-tick', true), prefix: running.ctx.config.redisPrefix });
    browser = await chromium.launch({
      executablePath: '/usr/bin/chromium',
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
    });
  });
  after(async () => {
    await browser?.close();
    await tickQueue?.close();
    await running?.stop();
    await hf?.close();
    await redis?.stop();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  const outbox = () => outboxDir(running.ctx.config);
  /** The newest outbox message whose file name holds `kind` (confirm, digest), parsed. */
  const mailOf = async (kind: string): Promise<{ raw: string; parsed: ParsedMail } | null> => {
    const entry = (await listOutbox(outbox())).find((e) => e.name.includes(`-${kind}-`));
    if (!entry) return null;
    const file = await readOutbox(outbox(), entry.name);
    return file ? { raw: file.raw, parsed: await simpleParser(file.raw) } : null;
  };
  const watch = (page: Page) => {
    page.on('console', (m) => {
      if (m.type() === 'error') consoleErrors.push(m.text());
    });
    page.on('pageerror', (e) => consoleErrors.push(e.message));
  };

  it('delivers the digest at the local send time, readable everywhere, and every link in it works', async () => {
    // The worker scrapes at start (no papers yet): the fixture's listing is stored.
    await waitFor(() => running.services.papers.lastSuccessfulScrape(), { message: 'first scrape', timeoutMs: 15_000 });

    // 1. Subscribe through the form, as a person in Berlin.
    const context = await browser.newContext({ timezoneId: 'Europe/Berlin', viewport: { width: 1100, height: 900 } });
    context.setDefaultTimeout(5000);
    const page = await context.newPage();
    watch(page);
    await page.goto(`${base}/`);
    await page.getByLabel('Email address').fill('ada@example.org');
    await page.locator('input[name=topics][value=llm]').check();
    await page.locator('input[name=topics][value=agents]').check();
    await page.getByLabel('Time', { exact: true }).fill('07:30');
    await page.getByRole('button', { name: 'Subscribe' }).click();
    assert.equal(await page.locator('h1').textContent(), 'Check your inbox');

    // 2. Confirm from the captured email.
    const confirm = await waitFor(() => mailOf('confirm'), { message: 'confirmation email' });
    const confirmUrl = /(http:\/\/127\.0\.0\.1:\d+\/confirm\/\S+)/.exec(confirm.parsed.text ?? '')?.[1];
    assert.ok(confirmUrl, 'the text part holds the confirmation link');
    await page.goto(confirmUrl);
    await page.getByRole('button', { name: 'Yes, send me the digest' }).click();
    assert.match((await page.locator('main').textContent()) ?? '', /first digest arrives on Friday 31 July at 07:30 \(Europe\/Berlin\)/);
    const sub = await running.services.subscribers.getByEmail('ada@example.org');
    assert.equal(sub?.status, 'active');
    assert.equal(Number(await running.ctx.redis.zscore(running.ctx.keys.dueIndex, sub.id)), SEND_AT, 'due at 07:30 Berlin');

    // 3. Nothing is sent before the send time; at 07:30 (+5 s) the next tick fans it out and the digest arrives.
    const early = await tickQueue.add('tick', {});
    await waitFor(async () => (await early.getState()) === 'completed', { message: 'a tick before the send time' });
    assert.equal(await mailOf('digest'), null, 'nothing before 07:30');
    offset = SEND_AT + 5_000 - Date.now();
    await tickQueue.add('tick', {});
    const digest = await waitFor(() => mailOf('digest'), { message: 'digest in the outbox', timeoutMs: 15_000 });
    const entries = (await listOutbox(outbox())).filter((e) => e.name.includes('-digest-'));
    assert.equal(entries.length, 1, 'exactly one digest');
    const m = digest.parsed;

    // 4. Headers: deterministic Message-ID, one List-Unsubscribe with the https link, one-click, List-Id.
    assert.equal(m.messageId, `<digest-2026-07-31-${sub.id}@digest.test>`);
    assert.match(m.subject ?? '', /^Papers Digest, Fri 31 Jul: .+ · .+/, 'the digest by name and its first two titles');
    const listUnsub = /^List-Unsubscribe:\s*<([^>]+)>/im.exec(digest.raw.replace(/\r?\n[ \t]+/g, ' '))?.[1];
    assert.ok(listUnsub && listUnsub.startsWith(`${base}/unsubscribe/`), 'List-Unsubscribe holds our unsubscribe link');
    assert.match(digest.raw, /^List-Unsubscribe-Post: List-Unsubscribe=One-Click\r?$/m);
    assert.match(digest.raw, /^List-ID: /im);

    // 5. Both parts: a real text part (its own template) and the HTML, with the same papers in the same order.
    const text = m.text ?? '';
    const html = typeof m.html === 'string' ? m.html : '';
    assert.match(text, /^Papers Digest — Friday, 31 July 2026$/m);
    // The cards' title lines (after the numbered "In this issue" index, which lists the same papers in short).
    assert.match(text, /\nIn this issue\n 1\. /);
    const cards = text.slice(text.indexOf('\n\n', text.indexOf('In this issue')));
    const textTitles = [...cards.matchAll(/^ ?\d+\. (.+)$/gm)].map((x) => x[1]!);
    assert.ok(textTitles.length >= 3, `several papers (${textTitles.length})`);
    assert.doesNotMatch(text, /<[a-z][^>]*>/i, 'no HTML in the text part');
    const archiveUrl = /View in browser: (\S+)/.exec(text)?.[1];
    const prefsUrl = /Preferences:\s+(\S+)/.exec(text)?.[1];
    assert.ok(archiveUrl && archiveUrl.startsWith(`${base}/archive/`) && html.includes(archiveUrl), 'archive link in both parts');
    assert.ok(prefsUrl && prefsUrl.startsWith(`${base}/preferences/`) && html.includes(prefsUrl), 'preferences link in both parts');
    assert.ok(html.includes(listUnsub), 'the header unsubscribe link is the one in the footer');
    // Feedback under every paper (the send path signs one link per paper) and the reading list in the footer.
    const likeLinks = [...text.matchAll(/^ {4}More like this: (\S+)$/gm)].map((x) => x[1]!);
    assert.equal(likeLinks.length, (text.match(/^ {4}Paper: /gm) ?? []).length, 'a 👍 link under each paper');
    // (Handlebars writes "=" in attributes as &#x3D;, which every HTML parser reads back as "=".)
    const hrefs = html.replace(/&#x3D;/g, '=');
    const notInHtml = likeLinks.filter((u) => !(u.startsWith(`${base}/feedback/`) && u.endsWith('?do=like') && hrefs.includes(u)));
    assert.deepEqual(notInHtml, [], 'the same links in both parts');
    assert.equal(new Set(likeLinks).size, likeLinks.length, 'one token per paper');
    const readingList = /Reading list: (\S+)/.exec(text)?.[1];
    assert.ok(readingList && readingList.startsWith(`${base}/reading-list/`) && html.includes(readingList), 'reading list link in both parts');
    assert.ok(Buffer.byteLength(html) < 102 * 1024, 'under the Gmail clip size');

    // 6. The HTML as a reader sees it: phone and desktop, light and dark. No sideways scrolling on a phone; dark
    // mode really is dark (background) with light text; every paper title shown, in the text part's order.
    for (const [name, viewport] of [['phone', { width: 375, height: 812 }], ['desktop', { width: 1280, height: 900 }]] as const) {
      for (const colorScheme of ['light', 'dark'] as const) {
        const ctx2 = await browser.newContext({ viewport, colorScheme, javaScriptEnabled: false });
        const p = await ctx2.newPage();
        await p.route('**/*', (r) => r.abort()); // an email client loads nothing remote by default; neither do we
        await p.setContent(html);
        const look = await p.evaluate(() => {
          // No DOM lib in this project's tsconfig: the little of the DOM used here, typed by hand.
          type El = { textContent: string | null; parentElement: El | null; querySelector(s: string): El | null };
          const g = globalThis as unknown as {
            document: { documentElement: { scrollWidth: number; clientWidth: number }; querySelector(s: string): El | null; querySelectorAll(s: string): ArrayLike<El> };
            getComputedStyle(e: El): { backgroundColor: string; color: string };
          };
          const d = g.document;
          const titleLinks = Array.from(d.querySelectorAll('a[href^="https://huggingface.co/papers/"]'));
          const title = titleLinks[0]!;
          // The colour a reader sees behind the text: the nearest ancestor with a non-transparent background.
          let el: El | null = title;
          let bg = 'rgba(0, 0, 0, 0)';
          while (el && /rgba\(0, 0, 0, 0\)|transparent/.test(bg)) {
            bg = g.getComputedStyle(el).backgroundColor;
            el = el.parentElement;
          }
          // A summary: the first block of running text (long, no nested blocks).
          const summary = Array.from(d.querySelectorAll('div, p, td')).find((e) => !e.querySelector('div, p, td, table') && (e.textContent ?? '').trim().length > 200);
          return {
            scrollWidth: d.documentElement.scrollWidth,
            clientWidth: d.documentElement.clientWidth,
            bg,
            titleColor: g.getComputedStyle(title).color,
            summaryColor: summary ? g.getComputedStyle(summary).color : 'none',
            titles: titleLinks.map((a) => (a.textContent ?? '').trim()).filter(Boolean),
          };
        });
        await p.screenshot({ path: join(SHOTS, `digest-${name}-${colorScheme}.png`), fullPage: false });
        await ctx2.close();
        assert.ok(look.scrollWidth <= look.clientWidth, `${name}/${colorScheme}: no horizontal scroll (${look.scrollWidth} > ${look.clientWidth})`);
        assert.deepEqual(look.titles.slice(0, textTitles.length), textTitles, `${name}/${colorScheme}: the papers of the text part, in order`);
        const [bgL, titleL, summaryL] = [luminance(look.bg), luminance(look.titleColor), luminance(look.summaryColor)];
        if (colorScheme === 'dark') {
          assert.ok(bgL < 0.1, `dark background (${look.bg})`);
          assert.ok(titleL > 0.3 && summaryL > 0.5, `titles and summaries readable on it (${look.titleColor}, ${look.summaryColor})`);
        } else {
          assert.ok(bgL > 0.8, `light background (${look.bg})`);
          assert.ok(titleL < 0.3 && summaryL < 0.2, `titles and summaries readable on it (${look.titleColor}, ${look.summaryColor})`);
        }
      }
    }

    // 7. View in browser: the archive page holds every paper of the email (with full summaries); preferences open.
    const archive = await page.goto(archiveUrl);
    assert.equal(archive?.status(), 200);
    const archiveText = (await page.locator('body').textContent()) ?? '';
    for (const t of textTitles) assert.ok(archiveText.includes(t), `archive shows “${t}”`);
    await page.screenshot({ path: join(SHOTS, 'digest-archive.png') });
    // A feedback link opened by a browser that runs scripts: recorded, and the page says so.
    await page.goto(likeLinks[0]!);
    await page.getByRole('heading', { name: '👍 Noted: more papers like this one' }).waitFor();
    assert.equal((await running.services.readers.profile(sub.id)).liked.length, 1, 'the 👍 is stored');
    await page.screenshot({ path: join(SHOTS, 'digest-feedback-noted.png') });
    const prefs = await page.goto(prefsUrl);
    assert.equal(prefs?.status(), 200);
    assert.equal(await page.locator('input[name=topics][value=llm]').isChecked(), true, 'preferences page shows their topics');

    // 8. The mailbox provider's one-click unsubscribe: a POST to the header's URL, answered 200 with no redirect.
    const res = await fetch(listUnsub, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'List-Unsubscribe=One-Click',
      redirect: 'manual',
    });
    assert.equal(res.status, 200);
    assert.equal((await running.services.subscribers.get(sub.id))?.status, 'unsubscribed');
    assert.equal(await running.ctx.redis.zscore(running.ctx.keys.dueIndex, sub.id), null, 'out of the due index at once');

    assert.deepEqual(consoleErrors, [], 'no console errors on our pages');
    await context.close();
  });
});
