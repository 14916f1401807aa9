// The digest's links into the feeds surfaces: the email footer (HTML and text) links the reader's personal feed
// page when the send path gives one; the private web view carries a "Share" link to the public page of that day
// (no capability in it), which the email itself does not need.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { before, describe, it } from 'node:test';
import * as cheerio from 'cheerio';
import { compileTemplates, type Templates } from '../../../src/mail/render.js';
import { buildDigestView } from '../../../src/mail/view-model.js';
import { REPO_ROOT } from '../../helpers/fixtures.js';
import { fixturePapers, LINKS, NOW, PUBLIC_URL, selected, subscriber } from './render-fixtures.js';

let t: Templates;
before(async () => {
  t = await compileTemplates(join(REPO_ROOT, 'templates'));
});

const FEED = `${PUBLIC_URL}/feeds/tok-pref`;
const view = (over: { feed?: string; topics?: string[]; period?: string } = {}) =>
  buildDigestView({
    subscriber: subscriber(over.topics ? { topics: over.topics } : {}),
    selected: selected(fixturePapers().slice(0, 5)),
    period: over.period ?? '2026-09-28',
    links: { ...LINKS, ...(over.feed ? { feed: over.feed } : {}) },
    now: NOW,
    publicUrl: PUBLIC_URL,
  });

describe('digest links to feeds and the public archive', () => {
  it('links the personal feed in the HTML and text footers, only when given', () => {
    const withFeed = t.digest(view({ feed: FEED }));
    const $ = cheerio.load(withFeed.html.toString('utf8'));
    assert.equal($('a').filter((_i, a) => $(a).text() === 'Your feed').attr('href'), FEED);
    assert.match(withFeed.text, /^Your feed: +https:\/\/digest\.example\.org\/feeds\/tok-pref$/m);
    const without = t.digest(view());
    assert.doesNotMatch(without.html.toString('utf8'), /Your feed/);
    assert.doesNotMatch(without.text, /Your feed/);
  });

  it('gives the web view a Share link to the public day of the first topic (all when none), not the email', () => {
    const v = view({ topics: ['agents', 'llm'] });
    const web = cheerio.load(t.digestWebView(v));
    assert.equal(web('a').filter((_i, a) => web(a).text() === 'Share').attr('href'), `${PUBLIC_URL}/topics/agents/2026-09-28`);
    assert.doesNotMatch(t.digest(v).html.toString('utf8'), />Share</);
    const all = cheerio.load(t.digestWebView(view({ topics: [] })));
    assert.equal(all('a').filter((_i, a) => all(a).text() === 'Share').attr('href'), `${PUBLIC_URL}/topics/all/2026-09-28`);
    assert.equal(view({ period: '2026-W40' }).shareUrl, null, 'a weekly edition has no single public day');
  });
});
