// Hostile and broken input against the subscriber pages (real composition, Redis, SMTP sink): forged,
// truncated, revoked and unknown-subscriber tokens all get the SAME 404; oversized fields, invalid zones,
// unknown topics and header-injection attempts are refused and change nothing; duplicates get identical answers;
// a burst hits the rate limit; CSRF is enforced everywhere except RFC 8058 one-click; headers are always set.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { signToken, subscriberLinks } from '../../src/links/signed-links.js';
import { SECURITY_HEADERS } from '../../src/web/app.js';
import type { Subscriber } from '../../src/subscribers/subscriber.js';
import { testClock } from '../helpers/clock.js';
import { Client, csrfOf, pathOf, PUBLIC_URL, startWebHarness, SUBSCRIBE_FORM, textOf, urlencoded, type WebHarness } from './web-harness.js';

const clock = testClock('2026-11-28T09:00:00Z');

function multipart(fields: Record<string, string>): { payload: string; contentType: string } {
  const boundary = '----pdtest' + 'x'.repeat(12);
  const payload =
    Object.entries(fields)
      .map(([k, v]) => `--${boundary}\r\nContent-Disposition: form-data; name="${k}"\r\n\r\n${v}\r\n`)
      .join('') + `--${boundary}--\r\n`;
  return { payload, contentType: `multipart/form-data; boundary=${boundary}` };
}

describe('subscriber pages under bad input', () => {
  let h: WebHarness;
  let ip = 1;
  const client = () => new Client(h.app, `192.0.2.${ip++}`);
  const secrets = () => h.ctx.secrets.linkSecrets;
  const active = async (email: string): Promise<Subscriber> => (await h.services.subscribers.create({ email, status: 'active', timezone: 'UTC' })).subscriber;

  before(async () => {
    h = await startWebHarness({ prefix: 'webbad', clock });
  });
  after(async () => {
    await h?.close();
  });

  it('sets the security headers on pages, errors and static files', async () => {
    const c = client();
    for (const url of ['/', '/preferences/nope', '/static/app.css', '/no/such/page']) {
      const res = await c.get(url);
      for (const [k, v] of Object.entries(SECURITY_HEADERS)) assert.equal(res.headers[k], v, `${k} on ${url}`);
    }
    const csp = SECURITY_HEADERS['content-security-policy']!;
    assert.match(csp, /script-src 'self'/);
    assert.doesNotMatch(csp, /unsafe-inline/);
    assert.match(csp, /frame-ancestors 'none'/);
    assert.equal(SECURITY_HEADERS['referrer-policy'], 'no-referrer');
    const home = await client().get('/');
    assert.doesNotMatch(home.body, /<script>|<script [^>]*>[^<]/, 'no inline script');
    assert.match(home.headers['set-cookie'] as string, /HttpOnly/i);
    assert.match(home.headers['set-cookie'] as string, /SameSite=Lax/i);
  });

  it('answers the same 404 for forged, truncated, wrong-purpose, unknown-subscriber and revoked tokens', async () => {
    const sub = await active('carol@example.org');
    const links = subscriberLinks(PUBLIC_URL, sub, secrets(), clock());
    const token = pathOf(links.preferences).split('/')[2]!;
    const flip = (t: string, i: number) => t.slice(0, i) + (t[i] === 'A' ? 'B' : 'A') + t.slice(i + 1);
    const ghost = signToken({ purpose: 'preferences', subscriberId: 'AAAAAAAAAAAAAAAAAAAAAA', tokenVersion: 0, expiresAt: null }, secrets());
    const c = client();
    const reference = await c.get('/preferences/this-is-not-a-token');
    assert.equal(reference.statusCode, 404);
    const bad = [
      `/preferences/${token.slice(0, -6)}`,
      `/preferences/${flip(token, 20)}`,
      `/preferences/${ghost}`,
      `/unsubscribe/${token}`, // a preferences token is not an unsubscribe token
      `/confirm/${token}`,
      `/archive/${token}`,
      `/preferences/${token}${'A'.repeat(300)}`,
    ];
    for (const url of bad) {
      const res = await c.get(url);
      assert.equal(res.statusCode, 404, url);
      assert.equal(res.body, reference.body, `identical 404 for ${url}`);
      const posted = await c.post(url, { action: 'save' });
      assert.equal(posted.statusCode, 404, `POST ${url}`);
      assert.equal(posted.body, reference.body);
    }
    assert.equal((await c.get(pathOf(links.preferences))).statusCode, 200, 'the genuine link works');
    await h.services.subscribers.bumpTokenVersion(sub.id);
    const revoked = await c.get(pathOf(links.preferences));
    assert.equal(revoked.statusCode, 404);
    assert.equal(revoked.body, reference.body, 'a revoked link looks like any bad link');
  });

  it('refuses oversized fields, invalid zones, unknown topics and markup, changing nothing', async () => {
    const c = client();
    const csrf = csrfOf((await c.get('/')).body);
    const cases: [Record<string, string | string[]>, RegExp][] = [
      [{ email: `${'a'.repeat(5000)}@example.org` }, /at most 254 characters/],
      [{ email: 'dave@example.org', timezone: 'Mars/Olympus_Mons' }, /Choose a time zone from the list/],
      [{ email: 'dave@example.org', timezone: '+05:00' }, /Choose a time zone from the list/],
      [{ email: 'dave@example.org', topics: ['agents', '<img src=x onerror=alert(1)>'] }, /is not one of our topics/],
      [{ email: 'dave@example.org', time: '25:99' }, /Enter a time like 07:30/],
      [{ email: 'dave@example.org', frequency: 'hourly' }, /Choose daily or weekly/],
      [{ email: '"><script>alert(1)</script>@example.org' }, /This email address/],
    ];
    for (const [override, message] of cases) {
      const res = await c.post('/', { ...SUBSCRIBE_FORM, ...override, _csrf: csrf });
      assert.equal(res.statusCode, 400, JSON.stringify(override).slice(0, 80));
      assert.match(textOf(res.body), message);
      assert.match(res.body, /role="alert"/);
      assert.doesNotMatch(res.body, /<img src=x|<script>alert/, 'input is escaped, never markup');
    }
    assert.equal(await h.services.subscribers.getByEmail('dave@example.org'), null, 'nothing was stored');
    const huge = await c.post('/', { ...SUBSCRIBE_FORM, includeKeywords: 'x'.repeat(40_000), _csrf: csrf });
    assert.equal(huge.statusCode, 413);
  });

  it('refuses header-injection attempts in the email field and sends nothing', async () => {
    const c = client();
    const csrf = csrfOf((await c.get('/')).body);
    for (const email of ['eve@example.org\r\nBcc: victim@example.com', 'eve@example.org\nSubject: hi', 'eve@example.org, victim@example.com', 'Eve <eve@example.org>']) {
      const res = await c.post('/', { ...SUBSCRIBE_FORM, email, _csrf: csrf });
      assert.equal(res.statusCode, 400);
      assert.match(textOf(res.body), /This email address/);
    }
    assert.equal(await h.services.subscribers.getByEmail('eve@example.org'), null);
    // A marker subscription proves the mail path works; nothing reached eve or the victim.
    await c.post('/', { ...SUBSCRIBE_FORM, email: 'marker1@example.org', _csrf: csrf });
    await waitForMail(h, 'marker1@example.org');
    assert.equal(h.sink.messages.filter((m) => /eve@|victim@/.test(m.envelope.rcptTo.join(' ') + m.raw.slice(0, 2000))).length, 0);
  });

  it('gives identical answers for new, pending and active addresses (no enumeration)', async () => {
    await active('frank@example.org');
    const answers: string[] = [];
    for (const email of ['newbie@example.org', 'newbie@example.org', 'frank@example.org']) {
      const c = client();
      const res = await c.post('/', { ...SUBSCRIBE_FORM, email: 'x@example.org', _csrf: csrfOf((await c.get('/')).body) });
      assert.equal(res.statusCode, 303);
      const real = await c.post('/', { ...SUBSCRIBE_FORM, email, _csrf: csrfOf((await c.get('/')).body) });
      assert.equal(real.statusCode, 303);
      assert.equal(real.headers.location, '/check-inbox');
      const page = await c.get('/check-inbox');
      assert.equal(page.statusCode, 200);
      answers.push(`${real.statusCode} ${real.body} ${page.body}`.replaceAll(email, 'ADDRESS'));
    }
    assert.equal(new Set(answers).size, 1);
    await waitForMail(h, 'frank@example.org');
    const frank = h.sink.to('frank@example.org')[0]!;
    assert.match(frank.parsed.text ?? '', /\/preferences\//, 'the active address gets its preferences link');
    assert.doesNotMatch(frank.parsed.text ?? '', /\/confirm\//);
  });

  it('limits emails per address without changing the answer', async () => {
    const bodies = new Set<string>();
    for (let i = 0; i < 5; i++) {
      const c = client();
      const res = await c.post('/', { ...SUBSCRIBE_FORM, email: 'grace@example.org', _csrf: csrfOf((await c.get('/')).body) });
      assert.equal(res.statusCode, 303);
      bodies.add(`${res.headers.location} ${res.body} ${(await c.get('/check-inbox')).body}`);
    }
    assert.equal(bodies.size, 1);
    const c = client();
    await c.post('/', { ...SUBSCRIBE_FORM, email: 'marker2@example.org', _csrf: csrfOf((await c.get('/')).body) });
    await waitForMail(h, 'marker2@example.org');
    await waitForMail(h, 'grace@example.org', 3);
    assert.equal(h.sink.to('grace@example.org').length, 3, 'three confirmation emails at most per hour');
  });

  it('answers a burst of subscribe posts from one address with a friendly 429', async () => {
    const c = client();
    const csrf = csrfOf((await c.get('/')).body);
    const statuses: number[] = [];
    let last = '';
    let retryAfter: string | undefined;
    for (let i = 0; i < 12; i++) {
      const res = await c.post('/', { ...SUBSCRIBE_FORM, email: 'not-an-address', _csrf: csrf });
      statuses.push(res.statusCode);
      if (res.statusCode === 429) {
        last = res.body;
        retryAfter = res.headers['retry-after'] as string;
        assert.equal(res.headers['content-security-policy'], SECURITY_HEADERS['content-security-policy']);
      }
    }
    assert.deepEqual(statuses.slice(0, 10), Array(10).fill(400));
    assert.deepEqual(statuses.slice(10), [429, 429]);
    assert.match(textOf(last), /Too many tries/);
    assert.ok(Number(retryAfter) > 0);
    const other = client();
    assert.equal((await other.post('/', { ...SUBSCRIBE_FORM, email: 'bad', _csrf: csrfOf((await other.get('/')).body) })).statusCode, 400, 'another IP is not limited');
  });

  it('refuses state changes without a valid CSRF token, and changes nothing', async () => {
    const sub = await active('heidi@example.org');
    const links = subscriberLinks(PUBLIC_URL, sub, secrets(), clock());
    const c = client();
    const noToken = await c.post('/', { ...SUBSCRIBE_FORM, email: 'heidi2@example.org' });
    assert.equal(noToken.statusCode, 403);
    assert.match(textOf(noToken.body), /form had expired/);
    assert.equal(await h.services.subscribers.getByEmail('heidi2@example.org'), null);

    const prefsPage = await c.get(pathOf(links.preferences));
    const otherBrowser = client();
    const foreignToken = csrfOf((await otherBrowser.get('/')).body);
    const prefsForm = { action: 'save', topics: ['code'], timezone: 'UTC', time: '06:00', frequency: 'daily', weekday: '1', includeKeywords: '', excludeKeywords: '', minUpvotes: '0', maxPapers: '10' };
    for (const token of [undefined, foreignToken, csrfOf(prefsPage.body).slice(0, -2)]) {
      const res = await c.post(pathOf(links.preferences), token === undefined ? prefsForm : { ...prefsForm, _csrf: token });
      assert.equal(res.statusCode, 403);
    }
    const unsub = await c.post(pathOf(links.unsubscribe), {});
    assert.equal(unsub.statusCode, 403);
    const now = await h.services.subscribers.get(sub.id);
    assert.equal(now?.status, 'active');
    assert.deepEqual(now?.topics, sub.topics);
    // The same posts with the page's token work.
    const ok = await c.post(pathOf(links.preferences), { ...prefsForm, _csrf: csrfOf(prefsPage.body) });
    assert.equal(ok.statusCode, 200);
    assert.deepEqual((await h.services.subscribers.get(sub.id))?.topics, ['code']);
  });

  it('accepts RFC 8058 one-click as multipart and urlencoded: 200, no redirect, no cookie, idempotent', async () => {
    for (const kind of ['multipart', 'urlencoded'] as const) {
      const sub = await active(`ivan-${kind}@example.org`);
      const url = pathOf(subscriberLinks(PUBLIC_URL, sub, secrets(), clock()).unsubscribe);
      for (let i = 0; i < 2; i++) {
        const body = kind === 'multipart' ? multipart({ 'List-Unsubscribe': 'One-Click' }) : { payload: urlencoded({ 'List-Unsubscribe': 'One-Click' }), contentType: 'application/x-www-form-urlencoded' };
        const res = await h.app.inject({ method: 'POST', url, headers: { 'content-type': body.contentType }, payload: body.payload });
        assert.equal(res.statusCode, 200, `${kind} #${i + 1}`);
        assert.equal(res.headers.location, undefined);
        assert.equal(res.headers['set-cookie'], undefined);
        assert.match(textOf(res.body), /You're unsubscribed/);
      }
      assert.equal((await h.services.subscribers.get(sub.id))?.status, 'unsubscribed');
    }
    // A GET of the same link (a scanner) changes nothing.
    const sub = await active('judy@example.org');
    const res = await client().get(pathOf(subscriberLinks(PUBLIC_URL, sub, secrets(), clock()).unsubscribe));
    assert.equal(res.statusCode, 200);
    assert.equal((await h.services.subscribers.get(sub.id))?.status, 'active');
  });

  it('says a confirm link expired after 48 hours, and confirms nothing', async () => {
    const { subscriber } = await h.services.subscribers.create({ email: 'ken@example.org', timezone: 'UTC' });
    const url = pathOf(subscriberLinks(PUBLIC_URL, subscriber, secrets(), clock()).confirm);
    const c = client();
    const page = await c.get(url);
    assert.equal(page.statusCode, 200);
    clock.advance(49 * 3600_000);
    try {
      const res = await c.post(url, { _csrf: csrfOf(page.body) });
      assert.equal(res.statusCode, 410);
      assert.match(textOf(res.body), /expired/);
      assert.equal((await h.services.subscribers.get(subscriber.id))?.status, 'pending');
    } finally {
      clock.advance(-49 * 3600_000);
    }
  });
});

async function waitForMail(h: WebHarness, to: string, n = 1): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (h.sink.to(to).length < n) {
    if (Date.now() > deadline) throw new Error(`no mail to ${to}`);
    await h.sink.waitFor(h.sink.messages.length + 1, Math.max(1, deadline - Date.now())).catch(() => {});
  }
}
