// GET /archive/<token>: the web view of a delivered digest, stored (gzipped) by the delivery ledger when the
// digest was sent. Served with a CSP that lets email-style inline CSS through but no script, frame or form.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { DeliveryLedger } from '../../src/digest/ledger.js';
import { subscriberLinks } from '../../src/links/signed-links.js';
import { ARCHIVE_CSP } from '../../src/web/routes/archive.js';
import { Client, pathOf, PUBLIC_URL, startWebHarness, textOf, type WebHarness } from './web-harness.js';

describe('archive page', () => {
  let h: WebHarness;
  before(async () => {
    h = await startWebHarness({ prefix: 'webarch' });
  });
  after(async () => {
    await h?.close();
  });

  it('serves a delivered digest to its own link only, with a no-script CSP', async () => {
    const { subscriber } = await h.services.subscribers.create({ email: 'olga@example.org', status: 'active', timezone: 'UTC' });
    const { subscriber: other } = await h.services.subscribers.create({ email: 'pia@example.org', status: 'active', timezone: 'UTC' });
    const ledger = new DeliveryLedger(h.ctx.redis, h.ctx.keys, h.ctx.clock);
    const html = '<!doctype html><html><body><h1 style="color:#333">Your digest for 2026-11-27</h1></body></html>';
    await ledger.markSent(subscriber.id, '2026-11-27', { response: '250 OK', messageId: '<m@x>', paperIds: [], webHtml: html });

    const c = new Client(h.app);
    const res = await c.get(pathOf(subscriberLinks(PUBLIC_URL, subscriber, h.ctx.secrets.linkSecrets, h.ctx.clock()).archive('2026-11-27')));
    assert.equal(res.statusCode, 200);
    assert.equal(res.body, html);
    assert.equal(res.headers['content-security-policy'], ARCHIVE_CSP);
    assert.match(ARCHIVE_CSP, /script-src 'none'/);
    assert.match(ARCHIVE_CSP, /frame-ancestors 'none'/);
    assert.equal(res.headers['referrer-policy'], 'no-referrer');

    const missing = await c.get(pathOf(subscriberLinks(PUBLIC_URL, subscriber, h.ctx.secrets.linkSecrets, h.ctx.clock()).archive('2026-11-20')));
    assert.equal(missing.statusCode, 404);
    assert.match(textOf(missing.body), /no longer available/);

    const notTheirs = await c.get(pathOf(subscriberLinks(PUBLIC_URL, other, h.ctx.secrets.linkSecrets, h.ctx.clock()).archive('2026-11-27')));
    assert.equal(notTheirs.statusCode, 404, "another subscriber's link does not open this digest");
    assert.doesNotMatch(notTheirs.body, /Your digest for 2026-11-27/);
  });
});
