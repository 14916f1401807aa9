// The whole subscriber journey over real HTTP (app.inject on the real composition), a real redis-server and a
// real SMTP sink: subscribe → confirmation email → confirm (GET changes nothing, POST confirms) → preferences
// change with a visible diff → RFC 8058 one-click unsubscribe.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { firstDigestLabel } from '../../src/mail/view-model.js';
import type { SubscriberStore } from '../../src/subscribers/store.js';
import { Client, csrfOf, linkIn, PUBLIC_URL, startWebHarness, SUBSCRIBE_FORM, textOf, urlencoded, type WebHarness } from './web-harness.js';

describe('subscribe flow (HTTP + Redis + SMTP)', () => {
  let h: WebHarness;
  let store: SubscriberStore;
  before(async () => {
    h = await startWebHarness({ prefix: 'flow' });
    store = h.services.subscribers;
  });
  after(async () => {
    await h?.close();
  });

  it('subscribes, confirms, changes preferences and unsubscribes in one click', async () => {
    const browser = new Client(h.app);
    const home = await browser.get('/');
    assert.equal(home.statusCode, 200);
    assert.match(home.body, /<form class="card" method="post" action="\/"/);
    assert.ok(browser.cookies.has('pd_csrf'), 'the form page sets the CSRF cookie');

    const postedAt = new Date();
    const submitted = await browser.post('/', { ...SUBSCRIBE_FORM, _csrf: csrfOf(home.body) });
    // Post-redirect-get: the answer is a 303 to the "check your inbox" page; reloading that page posts nothing.
    assert.equal(submitted.statusCode, 303);
    assert.equal(submitted.headers.location, '/check-inbox');
    const posted = await browser.get('/check-inbox');
    assert.equal(posted.statusCode, 200);
    assert.match(textOf(posted.body), /Check your inbox/);
    assert.match(textOf(posted.body), /ann@example\.org/);
    assert.equal((await browser.get('/check-inbox')).statusCode, 200, 'a reload is a GET');

    const [mail] = await h.sink.waitFor(1);
    assert.ok(mail);
    assert.deepEqual(mail.envelope.rcptTo, ['ann@example.org']);
    const confirmUrl = linkIn(mail, '/confirm');
    const sub = await store.getByEmail('ann@example.org');
    assert.ok(sub);
    assert.equal(sub.status, 'pending');
    assert.deepEqual([...sub.topics].sort(), ['agents', 'reasoning']);
    assert.equal(sub.timezone, 'Europe/Paris');
    // The email says what they signed up for: topics, delivery, and when the first digest comes if they confirm now.
    const mailText = mail.parsed.text ?? '';
    assert.match(mailText, /Topics: (Agents, Reasoning|Reasoning, Agents)\.\nDelivery: every day at 07:30 \(Europe\/Paris\)\.\n/);
    const first = /If you confirm now, your first digest arrives on (.+)\.\n/.exec(mailText)?.[1];
    const expected = [firstDigestLabel(sub, postedAt), firstDigestLabel(sub, mail.receivedAt)];
    assert.ok(first && expected.includes(first), `first digest ${first} (expected ${expected.join(' or ')})`);
    assert.match(first, /^\w+day, \d{1,2} \w+ \d{4} at 07:30 \(Europe\/Paris\)$/);
    assert.ok(textOf(typeof mail.parsed.html === 'string' ? mail.parsed.html : '').includes(`your first digest arrives on ${first}.`), 'the HTML part says it too');

    // A link scanner's GET changes nothing.
    const scanner = await new Client(h.app, '198.51.100.7').get(confirmUrl);
    assert.equal(scanner.statusCode, 200);
    assert.match(textOf(scanner.body), /Confirm your subscription/);
    assert.equal((await store.get(sub.id))?.status, 'pending');

    const confirmPage = await browser.get(confirmUrl);
    const confirmed = await browser.post(confirmUrl, { _csrf: csrfOf(confirmPage.body) });
    assert.equal(confirmed.statusCode, 200);
    const confirmedText = textOf(confirmed.body);
    assert.match(confirmedText, /You're subscribed/);
    assert.match(confirmedText, /Agents/);
    assert.match(confirmedText, /every day at 07:30 \(Europe\/Paris\)/);
    assert.equal((await store.get(sub.id))?.status, 'active');
    const prefsPath = /href="(\/preferences\/[A-Za-z0-9_-]+)"/.exec(confirmed.body)?.[1];
    assert.ok(prefsPath, 'the confirmed page links to the preferences page');

    const prefs = await browser.get(prefsPath);
    assert.equal(prefs.statusCode, 200);
    assert.match(prefs.body, /value="agents" checked/);
    const saved = await browser.post(prefsPath, {
      _csrf: csrfOf(prefs.body),
      action: 'save',
      topics: ['agents', 'robotics'],
      timezone: 'US/Eastern', // a backward-compatible link: stored under its canonical IANA name
      time: '18:00',
      frequency: 'weekly',
      weekday: '5',
      includeKeywords: 'mixture of experts',
      excludeKeywords: '',
      followAuthors: 'Yann LeCun',
      followOrgs: '',
      minUpvotes: '5',
      maxPapers: '8',
    });
    assert.equal(saved.statusCode, 200);
    const savedText = textOf(saved.body);
    assert.match(savedText, /Saved\. Here's what changed:/);
    assert.match(savedText, /Time: 07:30 → 18:00/);
    assert.match(savedText, /Time zone: Europe\/Paris → America\/New_York/);
    assert.match(saved.body, /<option value="America\/New_York"[^>]* selected>/);
    assert.match(savedText, /How often: every day → every Friday/);
    assert.match(savedText, /Topics: Reasoning, Agents → Agents, Robotics|Topics: Agents, Reasoning → Agents, Robotics/);
    const after1 = await store.get(sub.id);
    assert.deepEqual(after1?.sendTime, { hour: 18, minute: 0 });
    assert.deepEqual(after1?.frequency, { kind: 'weekly', weekday: 5 });
    assert.deepEqual(after1?.includeKeywords, ['mixture of experts']);
    assert.equal(after1?.maxPapers, 8);
    assert.equal(after1?.timezone, 'America/New_York');
    assert.equal(after1?.followAuthors.length, 1);
    assert.match(savedText, /Authors you follow: none → /);

    // One-click from the mail client: no cookie, no CSRF, 200 without redirect; twice is fine.
    const unsubPath = /href="(\/unsubscribe\/[A-Za-z0-9_-]+)"/.exec(saved.body)?.[1];
    assert.ok(unsubPath);
    for (let i = 0; i < 2; i++) {
      const res: Awaited<ReturnType<typeof h.app.inject>> = await h.app.inject({
        method: 'POST',
        url: unsubPath,
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        payload: urlencoded({ 'List-Unsubscribe': 'One-Click' }),
      });
      assert.equal(res.statusCode, 200);
      assert.equal(res.headers.location, undefined);
      assert.match(textOf(res.body), /You're unsubscribed/);
    }
    assert.equal((await store.get(sub.id))?.status, 'unsubscribed');
    assert.equal(h.sink.messages.length, 1, 'nothing else was emailed');

    // Coming back later through the home page: the new choices, a fresh confirm link, active again on POST.
    const back = new Client(h.app, '203.0.113.11');
    const again = await back.post('/', { ...SUBSCRIBE_FORM, topics: ['code'], time: '06:45', _csrf: csrfOf((await back.get('/')).body) });
    assert.equal(again.statusCode, 303);
    const [, reconfirm] = await h.sink.waitFor(2);
    assert.match(reconfirm!.parsed.text ?? '', /Topics: Code\.\nDelivery: every day at 06:45 \(Europe\/Paris\)\.\n/);
    const reconfirmUrl = linkIn(reconfirm!, '/confirm');
    const reconfirmPage = await back.get(reconfirmUrl);
    assert.match(textOf(reconfirmPage.body), /Topics Code Delivery every day at 06:45 \(Europe\/Paris\)/);
    await back.post(reconfirmUrl, { _csrf: csrfOf(reconfirmPage.body) });
    const returned = await store.get(sub.id);
    assert.equal(returned?.status, 'active');
    assert.deepEqual(returned?.topics, ['code']);
    assert.ok(PUBLIC_URL);
  });

  it('an already active address gets its preferences link instead, with an identical page', async () => {
    const c = new Client(h.app, '203.0.113.50');
    const form = { ...SUBSCRIBE_FORM, email: 'bob@example.org', timezone: 'Asia/Calcutta' };
    const first = await c.post('/', { ...form, _csrf: csrfOf((await c.get('/')).body) });
    const [, , confirmMail] = await h.sink.waitFor(3);
    const confirmUrl = linkIn(confirmMail!, '/confirm');
    const page = await c.get(confirmUrl);
    await c.post(confirmUrl, { _csrf: csrfOf(page.body) });

    const second = await c.post('/', { ...form, _csrf: csrfOf((await c.get('/')).body) });
    assert.equal(first.statusCode, 303);
    assert.equal(second.statusCode, first.statusCode);
    assert.equal(second.headers.location, first.headers.location);
    assert.equal(second.body, first.body, 'no enumeration: the same answer for a new and an existing address');
    const msgs = await h.sink.waitFor(4);
    const again = msgs[3]!;
    assert.deepEqual(again.envelope.rcptTo, ['bob@example.org']);
    const prefsUrl = linkIn(again, '/preferences');
    const prefs = await c.get(prefsUrl);
    assert.equal(prefs.statusCode, 200);
    assert.match(textOf(prefs.body), /For bob@example\.org Active/);
    assert.equal((await store.getByEmail('bob@example.org'))?.timezone, 'Asia/Kolkata', 'legacy zone names are canonicalized');
  });
});
