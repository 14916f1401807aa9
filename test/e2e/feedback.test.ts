// A reader in Debian chromium (playwright-core) against the real app on loopback, with the real stores: the
// digest's 👍 / 👎 / save row, the confirmation page (submitted by its script, or by its button when scripts are
// off) and its undo, the preferences page listing what was learned and suggesting keywords and exclusions, and the reading list
// with its BibTeX download.
// Each page is checked at phone and desktop width, light and dark: no sideways scrolling, the key elements
// visible, dark really dark. Screenshots: test-output/screenshots/feedback-*.png (gitignored).
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { subscriberLinks } from '../../src/links/signed-links.js';
import { buildDigestView } from '../../src/mail/view-model.js';
import type { ReaderStorePort } from '../../src/web/page-kit.js';
import type { Subscriber } from '../../src/subscribers/subscriber.js';
import { REPO_ROOT } from '../helpers/fixtures.js';
import { freePort } from '../helpers/redis-server.js';
import { startWebHarness, type WebHarness } from '../integration/web-harness.js';
import { fixturePapers, selected } from '../unit/mail/render-fixtures.js';

const SHOTS = join(REPO_ROOT, 'test-output', 'screenshots');
const DAY = '2026-07-31'; // the fixture listing's day
const NOW = new Date('2026-07-31T06:00:00Z');
const LAYOUTS = [
  ['phone', { width: 375, height: 812 }],
  ['desktop', { width: 1280, height: 900 }],
] as const;
const SCHEMES = ['light', 'dark'] as const;

/** Relative luminance (0 black … 1 white) of a CSS rgb()/rgba() colour. */
function luminance(css: string): number {
  const [r, g, b] = (css.match(/[\d.]+/g) ?? []).slice(0, 3).map((v) => Number(v) / 255) as [number, number, number];
  const lin = (c: number) => (c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4);
  return 0.2126 * lin(r) + 0.7152 * lin(g) + 0.0722 * lin(b);
}

/** Layout facts of the page: sideways overflow, the page background, and whether `selector` is on screen. */
async function look(page: Page, selector: string) {
  return page.evaluate((sel) => {
    type El = { getBoundingClientRect(): { left: number; right: number; width: number; height: number }; parentElement: El | null };
    const g = globalThis as unknown as {
      document: { documentElement: { scrollWidth: number; clientWidth: number }; body: El; querySelectorAll(s: string): ArrayLike<El> };
      getComputedStyle(e: El): { backgroundColor: string; visibility: string; display: string };
      innerWidth: number;
    };
    const d = g.document;
    const els = Array.from(d.querySelectorAll(sel));
    const visible = els.filter((e) => {
      const r = e.getBoundingClientRect();
      const cs = g.getComputedStyle(e);
      return r.width > 0 && r.height > 0 && cs.visibility !== 'hidden' && cs.display !== 'none' && r.left >= 0 && r.right <= g.innerWidth + 0.5;
    });
    let el: El | null = els[0] ?? d.body;
    let bg = 'rgba(0, 0, 0, 0)';
    while (el && /rgba\(0, 0, 0, 0\)|transparent/.test(bg)) {
      bg = g.getComputedStyle(el).backgroundColor;
      el = el.parentElement;
    }
    if (/rgba\(0, 0, 0, 0\)|transparent/.test(bg)) bg = g.getComputedStyle(d.body).backgroundColor;
    return { scrollWidth: d.documentElement.scrollWidth, clientWidth: d.documentElement.clientWidth, found: els.length, visible: visible.length, bg };
  }, selector);
}

describe('feedback, preferences and reading list in a browser', () => {
  let h: WebHarness;
  let browser: Browser;
  let base: string;
  let readers: ReaderStorePort;
  let sub: Subscriber;
  let links: ReturnType<typeof subscriberLinks>;
  let emailHtml: string;
  const consoleErrors: string[] = [];
  const papers = fixturePapers().map((p) => ({ ...p, listedOn: DAY }));

  before(async () => {
    mkdirSync(SHOTS, { recursive: true });
    const port = await freePort();
    base = `http://127.0.0.1:${port}`;
    h = await startWebHarness({ prefix: 'e2efeedback', env: { PUBLIC_URL: base }, clock: () => NOW });
    await h.app.listen({ host: '127.0.0.1', port });
    await h.services.papers.replaceDay(DAY, papers, { source: 'test', url: 'test' });
    readers = h.services.readers;
    sub = (await h.services.subscribers.create({ email: 'lin@example.org', status: 'active', timezone: 'Europe/Berlin', sendTime: '08:00', topics: ['llm', 'multimodal'] })).subscriber;
    // A follow under a name no paper's organization goes by (the fixture's papers are Kling Team's), and an author
    // followed family name first: the preferences page says so and offers the names the papers use.
    await h.services.subscribers.update(sub.id, { followOrgs: ['Kling AI'], followAuthors: ['Poria Soujanya'] });
    // The digest email as the send job builds it (src/digest/send.ts): real signed links, the real templates.
    links = subscriberLinks(base, sub, h.ctx.secrets.linkSecrets, NOW, { period: DAY });
    const view = buildDigestView({
      subscriber: sub,
      selected: selected(papers.slice(0, 8)),
      period: DAY,
      now: NOW,
      publicUrl: base,
      links: { preferences: links.preferences, unsubscribe: links.unsubscribe, archive: links.archive(DAY), readingList: links.readingList },
      feedback: (id) => links.feedback(id),
      hint: { kind: 'include', keyword: 'speculative decoding', titles: 4 },
    });
    emailHtml = (await h.services.templates()).digest(view).html.toString('utf8');
    browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'] });
  });
  after(async () => {
    await browser?.close();
    await h?.close();
  });

  const context = async (opts: { viewport?: { width: number; height: number }; colorScheme?: 'light' | 'dark'; javaScriptEnabled?: boolean } = {}): Promise<BrowserContext> => {
    const ctx = await browser.newContext({ viewport: { width: 1100, height: 900 }, acceptDownloads: true, ...opts });
    ctx.setDefaultTimeout(8000);
    ctx.on('page', (p) => {
      p.on('console', (m) => {
        if (m.type() === 'error') consoleErrors.push(m.text());
      });
      p.on('pageerror', (e) => consoleErrors.push(e.message));
    });
    return ctx;
  };
  const marks = async (id: string) => (await readers.marks(sub.id, [id])).get(id);

  it("the digest's feedback row and suggestion line: three links per paper, on screen at every width, light and dark", async () => {
    for (const [name, viewport] of LAYOUTS) {
      for (const colorScheme of SCHEMES) {
        const ctx = await context({ viewport, colorScheme, javaScriptEnabled: false });
        const p = await ctx.newPage();
        await p.route('**/*', (r) => r.abort()); // an email client loads nothing remote
        await p.setContent(emailHtml);
        const row = await look(p, 'p.pd-feedback a');
        const index = await look(p, 'ol.pd-index a');
        const hint = await look(p, '.pd-suggestion a');
        await p.locator('p.pd-feedback').first().scrollIntoViewIfNeeded();
        await p.screenshot({ path: join(SHOTS, `feedback-email-${name}-${colorScheme}.png`) });
        await p.locator('.pd-suggestion').scrollIntoViewIfNeeded();
        await p.screenshot({ path: join(SHOTS, `feedback-email-suggestion-${name}-${colorScheme}.png`) });
        await ctx.close();
        assert.equal(hint.visible, 1, `${name}/${colorScheme}: the suggestion's link to the preferences page, on screen`);
        assert.ok(row.scrollWidth <= row.clientWidth, `${name}/${colorScheme}: no horizontal scroll (${row.scrollWidth} > ${row.clientWidth})`);
        assert.equal(row.found, 24, 'three links under each of 8 papers');
        assert.equal(row.visible, 24, `${name}/${colorScheme}: every feedback link inside the viewport's width`);
        assert.equal(index.visible, 8, 'the "In this issue" index lists the 8 papers');
      }
    }
  });

  it('👍 from the email: the page records it by itself, says what changed, and undoes', async () => {
    const ctx = await context();
    const page = await ctx.newPage();
    await page.setContent(emailHtml.replace('<head>', `<head><base href="${base}/">`));
    const id = papers[0]!.id;
    assert.deepEqual(await marks(id), { liked: false, disliked: false, saved: false });
    await page.locator('p.pd-feedback').first().getByRole('link', { name: '👍 More like this' }).click();
    await page.getByRole('heading', { name: '👍 Noted: more papers like this one' }).waitFor();
    assert.equal((await marks(id))?.liked, true, 'recorded by the script-submitted POST');
    assert.match(page.url(), /\/feedback\/[A-Za-z0-9_-]+$/, 'the POST answered on the same address');
    await page.screenshot({ path: join(SHOTS, 'feedback-page-noted.png') });
    await page.getByRole('button', { name: 'Undo' }).click();
    await page.getByRole('heading', { name: 'Undone: no longer counted as a 👍' }).waitFor();
    assert.equal((await marks(id))?.liked, false);
    await page.screenshot({ path: join(SHOTS, 'feedback-page-undone.png') });
    // Back to the link's page (after the undo): it does not record the 👍 again by itself.
    await page.goto(links.feedback(id, 'like'));
    await page.getByRole('button', { name: '👍 More like this' }).first().waitFor();
    assert.equal((await marks(id))?.liked, false, 'once per tab: no second automatic submit');
    // 👍 for real, for the next tests.
    await page.getByRole('button', { name: '👍 More like this' }).first().click();
    await page.getByRole('heading', { name: '👍 Noted: more papers like this one' }).waitFor();
    await ctx.close();
  });

  it('with scripts off the link records nothing until the visible button is pressed', async () => {
    const ctx = await context({ javaScriptEnabled: false });
    const page = await ctx.newPage();
    const id = papers[1]!.id;
    await page.goto(links.feedback(id, 'save'));
    const button = page.getByRole('button', { name: '🔖 Save' }).first();
    assert.equal(await button.isVisible(), true);
    assert.equal((await marks(id))?.saved, false, 'opening the link saved nothing');
    await button.click();
    await page.getByRole('heading', { name: '🔖 Saved to your reading list' }).waitFor();
    assert.equal((await marks(id))?.saved, true);
    await ctx.close();
  });

  it('preferences show what was learned; the reading list downloads BibTeX; every page fits phone and desktop, light and dark', async () => {
    const pages = [
      ['feedback', links.feedback(papers[0]!.id, 'like'), '.feedback .notice h2'],
      ['preferences', links.preferences, '#learned .terms li'],
      ['follow-check', links.preferences, '.follow-check'],
      ['reading-list', links.readingList, '.saved-papers li'],
    ] as const;
    for (const [name, viewport] of LAYOUTS) {
      for (const colorScheme of SCHEMES) {
        const ctx = await context({ viewport, colorScheme });
        const page = await ctx.newPage();
        for (const [what, url, key] of pages) {
          await page.goto(url);
          if (what === 'preferences') await page.locator('#learned').scrollIntoViewIfNeeded();
          if (what === 'follow-check') await page.locator('.follow-check').first().scrollIntoViewIfNeeded();
          const l = await look(page, key);
          await page.screenshot({ path: join(SHOTS, `feedback-${what}-${name}-${colorScheme}.png`), fullPage: what === 'feedback' || what === 'reading-list' });
          assert.ok(l.scrollWidth <= l.clientWidth, `${what} ${name}/${colorScheme}: no horizontal scroll (${l.scrollWidth} > ${l.clientWidth})`);
          assert.ok(l.found > 0 && l.visible === l.found, `${what} ${name}/${colorScheme}: ${key} shown (${l.visible}/${l.found})`);
          if (colorScheme === 'dark') assert.ok(luminance(l.bg) < 0.1, `${what}: dark background (${l.bg})`);
          else assert.ok(luminance(l.bg) > 0.8, `${what}: light background (${l.bg})`);
        }
        await ctx.close();
      }
    }

    // What was learned: the 👍 paper and terms from it, each removable.
    const ctx = await context();
    const page = await ctx.newPage();
    await page.goto(links.preferences);
    const learned = page.locator('#learned');
    assert.match((await learned.locator('.liked-papers').textContent()) ?? '', new RegExp(papers[0]!.title.slice(0, 30).replace(/[.*+?^${}()|[\]\\]/g, '\\$&')));
    const terms = await learned.locator('.terms li > span:first-child').allTextContents();
    assert.ok(terms.length >= 3, `learned terms listed: ${terms.join(', ')}`);
    await learned.getByRole('button', { name: `Remove the term ${terms[0]}` }).click();
    await page.getByRole('heading', { name: `“${terms[0]}” no longer counts towards your digest.` }).waitFor();
    assert.ok(!(await page.locator('#learned .terms li > span:first-child').allTextContents()).includes(terms[0]!));

    // The 7-day preview of edited settings, before saving.
    await page.locator('input[name=topics][value=agents]').check();
    await page.getByRole('button', { name: 'Preview the last 7 days' }).click();
    const heading = page.locator('#preview-heading');
    await heading.waitFor();
    assert.match((await heading.textContent()) ?? '', /the last 7 days would have brought \d+ papers?/);
    assert.ok((await page.locator('.preview-day li').count()) > 0, 'the preview lists papers');
    assert.equal(await page.locator('input[name=topics][value=agents]').isChecked(), true, 'the form keeps the edit');
    assert.deepEqual((await h.services.subscribers.get(sub.id))?.topics, ['llm', 'multimodal'], 'nothing saved');
    await page.screenshot({ path: join(SHOTS, 'feedback-preferences-preview.png') });

    // Reading list: the saved paper, and the BibTeX download.
    await page.goto(links.readingList);
    assert.equal(await page.locator('.saved-papers li').count(), 1);
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('link', { name: 'Download BibTeX' }).click()]);
    assert.equal(download.suggestedFilename(), 'reading-list.bib');
    const bib = readFileSync((await download.path())!, 'utf8');
    assert.match(bib, new RegExp(`^@misc\\{${papers[1]!.id.replace('.', '\\.')},\\n  title = \\{\\{`));
    assert.match(bib, /\n {2}archivePrefix = \{arXiv\},\n/);
    assert.match(bib, new RegExp(`\\n  eprint = \\{${papers[1]!.id.replace('.', '\\.')}\\},\\n`));
    await ctx.close();

    assert.deepEqual(consoleErrors, [], 'no console errors on our pages');
  });

  it('suggested keywords and exclusions: shown with their evidence on phone and desktop, light and dark; previewed, then added', async () => {
    // The day before: three GUI papers this reader liked (their topic, 3D, reaches none of them) among 80 others.
    const before = '2026-07-30';
    const base0 = { ...papers[0]!, listedOn: before, authors: ['Ada Lovelace'], organization: null, keywords: [], aiSummary: null };
    const gui = ['GUI Agents That Click Through Settings', 'Grounding GUI Elements in Screenshots', 'A GUI Benchmark for Phones'].map((title, i) => ({
      ...base0, id: `2607.2000${i}`, title, summary: 'Agents operate phone and desktop screens from pixels.',
    }));
    // Seven Gaussian-splatting papers liked too, three indoor-scene papers disliked, one more indoor one unseen (3D
    // brings it): "indoor" is suggested as an exclusion.
    const splats = Array.from({ length: 7 }, (_, i) => ({ ...base0, id: `2607.2100${i}`, title: `Gaussian Splatting for Outdoor Capture ${i}`, summary: 'Radiance fields from phone videos.' }));
    const indoor = ['Indoor Scene Layouts in 3D', 'Furnishing Indoor Rooms in 3D', 'Indoor 3D Floor Plans', 'Indoor 3D Mapping with Drones'].map((title, i) => ({
      ...base0, id: `2607.2200${i}`, title, summary: 'Rooms and furniture as 3D scenes.',
    }));
    const others = Array.from({ length: 100 }, (_, i) => ({ ...base0, id: `2607.3${String(i).padStart(4, '0')}`, title: `Sorting Networks, Part ${i}`, summary: 'We sort lists of numbers.' }));
    await h.services.papers.replaceDay(before, [...gui, ...splats, ...indoor, ...others], { source: 'test', url: 'test' });
    const reader = (await h.services.subscribers.create({ email: 'ida@example.org', status: 'active', timezone: 'Europe/Berlin', sendTime: '08:00', topics: ['3d'] })).subscriber;
    for (const p of [...gui, ...splats]) await readers.mark(reader.id, p.id, 'like', true);
    for (const p of indoor.slice(0, 3)) await readers.mark(reader.id, p.id, 'dislike', true);
    const prefs = subscriberLinks(base, reader, h.ctx.secrets.linkSecrets, NOW).preferences;

    for (const [name, viewport] of LAYOUTS) {
      for (const colorScheme of SCHEMES) {
        const ctx = await context({ viewport, colorScheme });
        const page = await ctx.newPage();
        await page.goto(prefs);
        await page.locator('.suggestions').scrollIntoViewIfNeeded();
        const l = await look(page, '.suggestions li .buttons button');
        await page.screenshot({ path: join(SHOTS, `feedback-suggestions-${name}-${colorScheme}.png`) });
        assert.ok(l.scrollWidth <= l.clientWidth, `suggestions ${name}/${colorScheme}: no horizontal scroll`);
        assert.equal(l.found, 3, 'Add as keyword, Not for me, Preview');
        assert.equal(l.visible, l.found, `suggestions ${name}/${colorScheme}: both buttons on screen`);
        await page.locator('.exclude-suggestions').scrollIntoViewIfNeeded();
        const x = await look(page, '.exclude-suggestions li .buttons button');
        await page.screenshot({ path: join(SHOTS, `feedback-exclusions-${name}-${colorScheme}.png`) });
        assert.ok(x.scrollWidth <= x.clientWidth, `exclusions ${name}/${colorScheme}: no horizontal scroll`);
        assert.equal(x.found, 2, 'Exclude, Not for me');
        assert.equal(x.visible, x.found, `exclusions ${name}/${colorScheme}: both buttons on screen`);
        await ctx.close();
      }
    }

    const ctx = await context();
    const page = await ctx.newPage();
    await page.goto(prefs);
    const row = page.locator('.suggestions li');
    assert.match((await row.textContent()) ?? '', /GUI\s*In the titles of 3 papers you liked, none you disliked/);
    // Preview first: the saved settings plus the word, then add it from the preview.
    await page.getByRole('button', { name: 'Preview the last 7 days with GUI' }).click();
    const preview = page.locator('#preview');
    await preview.getByRole('heading', { name: /With “GUI” added to your keywords, the last 7 days would have brought \d+ papers?, \d+ of them new/ }).waitFor();
    assert.ok((await preview.locator('li').count()) >= 3, 'the preview lists the GUI papers');
    await page.screenshot({ path: join(SHOTS, 'feedback-suggestions-preview.png') });
    assert.deepEqual((await h.services.subscribers.get(reader.id))?.includeKeywords, [], 'a preview saves nothing');
    await preview.getByRole('button', { name: 'Add GUI to your keywords' }).click();
    await page.getByText('Also include: none → GUI').waitFor();
    assert.equal(await page.locator('.suggestions').count(), 0, 'no longer suggested once it is a keyword');
    assert.equal(await page.locator('#includeKeywords').inputValue(), 'GUI', 'the keyword is in the form, editable like any other');
    assert.deepEqual((await h.services.subscribers.get(reader.id))?.includeKeywords, ['GUI']);

    // The exclusion: its evidence names the paper it would have left out; one click, and it is an exclude keyword.
    const exclusion = page.locator('.exclude-suggestions li');
    assert.match((await exclusion.textContent()) ?? '', /indoor\s*In the titles of 3 papers you disliked, and in none of the papers you liked\..*“Indoor 3D Mapping with Drones”/);
    await page.getByRole('button', { name: 'Exclude papers that mention indoor' }).click();
    await page.getByText('Never include: none → indoor').waitFor();
    assert.equal(await page.locator('.exclude-suggestions').count(), 0, 'no longer suggested once excluded');
    assert.equal(await page.locator('#excludeKeywords').inputValue(), 'indoor');
    assert.deepEqual((await h.services.subscribers.get(reader.id))?.excludeKeywords, ['indoor']);
    await ctx.close();
    assert.deepEqual(consoleErrors, [], 'no console errors on our pages');
  });

  it('follows no paper answers to: the names Hugging Face uses are one click away', async () => {
    const ctx = await context();
    const page = await ctx.newPage();
    await page.goto(links.preferences);
    const note = page.locator('#followOrgs ~ .follow-check');
    assert.match((await note.textContent()) ?? '', /No recent paper came from “Kling AI” under that name\. Close names on Hugging Face:\s*Kling Team \(KlingTeam\), 2 papers/);
    await page.getByRole('button', { name: 'Follow Kling Team instead of Kling AI' }).click();
    await page.getByText('Organizations you follow: Kling AI → KlingTeam').waitFor();
    assert.equal(await note.count(), 0, 'the note is gone once the follow brings papers');
    assert.equal(await page.locator('#followOrgs').inputValue(), 'KlingTeam');
    assert.deepEqual((await h.services.subscribers.get(sub.id))?.followOrgs, ['KlingTeam']);

    // The author note sits under the authors field, its button in the same place.
    const authorNote = page.locator('.follow-check');
    assert.match((await authorNote.textContent()) ?? '', /No recent paper lists “Poria Soujanya” among its authors\. Close names on Hugging Face:\s*Soujanya Poria, \d+ papers?/);
    assert.equal(await page.locator('#followAuthors ~ .follow-check').count(), 1, 'under the authors field');
    await page.getByRole('button', { name: 'Follow Soujanya Poria instead of Poria Soujanya' }).click();
    await page.getByText('Authors you follow: Poria Soujanya → Soujanya Poria').waitFor();
    assert.equal(await page.locator('.follow-check').count(), 0);
    assert.equal(await page.locator('#followAuthors').inputValue(), 'Soujanya Poria');
    assert.deepEqual((await h.services.subscribers.get(sub.id))?.followAuthors, ['Soujanya Poria']);
    await ctx.close();
    assert.deepEqual(consoleErrors, [], 'no console errors on our pages');
  });
});
