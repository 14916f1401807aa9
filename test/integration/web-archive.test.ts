// GET /archive/<token>: the web view of a delivered digest, rendered again from what the delivery ledger keeps of
// the edition (its papers and why each was chosen). Served with a CSP that lets email-style inline CSS through but
// no script, frame or form.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import * as cheerio from 'cheerio';
import { subscriberLinks } from '../../src/links/signed-links.js';
import { papersFor } from './send-harness.js';
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
    const papers = papersFor('2026-11-27', 3);
    await h.services.papers.replaceDay('2026-11-27', papers, { source: 'test', url: 'test' });
    const selection = papers.map((p) => ({ id: p.id, reasons: [{ kind: 'trending' as const }] }));
    await h.services.ledger.markSent(subscriber.id, '2026-11-27', { response: '250 OK', messageId: '<m@x>', paperIds: selection.map((x) => x.id), selection });

    const c = new Client(h.app);
    const res = await c.get(pathOf(subscriberLinks(PUBLIC_URL, subscriber, h.ctx.secrets.linkSecrets, h.ctx.clock()).archive('2026-11-27')));
    assert.equal(res.statusCode, 200);
    const $ = cheerio.load(res.body);
    assert.deepEqual($('h2 a').map((_i, a) => $(a).attr('href')).get(), papers.map((p) => `https://huggingface.co/papers/${p.id}`), 'every paper of the edition');
    assert.match($('h1').text(), /Friday, 27 November 2026/);
    assert.equal($('script').length, 0);
    assert.equal(res.headers['content-security-policy'], ARCHIVE_CSP);
    assert.match(ARCHIVE_CSP, /script-src 'none'/);
    assert.match(ARCHIVE_CSP, /frame-ancestors 'none'/);
    assert.equal(res.headers['referrer-policy'], 'no-referrer');

    const missing = await c.get(pathOf(subscriberLinks(PUBLIC_URL, subscriber, h.ctx.secrets.linkSecrets, h.ctx.clock()).archive('2026-11-20')));
    assert.equal(missing.statusCode, 404);
    assert.match(textOf(missing.body), /no longer available/);

    const notTheirs = await c.get(pathOf(subscriberLinks(PUBLIC_URL, other, h.ctx.secrets.linkSecrets, h.ctx.clock()).archive('2026-11-27')));
    assert.equal(notTheirs.statusCode, 404, "another subscriber's link does not open this digest");
    assert.doesNotMatch(notTheirs.body, /27 November 2026/);
  });
});
