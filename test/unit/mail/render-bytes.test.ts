// The digest HTML as one UTF-8 Buffer (src/mail/templates-bytes.ts): static text and shared cards are encoded once
// and copied per recipient. These tests pin that the bytes are exactly the string fill's UTF-8, that scraped text is
// still escaped, that a cached card never carries one recipient's data into another's email (nor a caller's writes
// into its own Buffer), and that nodemailer builds the same message from the Buffer as from the string.
import { join } from 'node:path';
import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createMimeBuilder } from '../../../src/mail/mime.js';
import { compileTemplates, type Templates } from '../../../src/mail/render.js';
import { buildDigestView, fitDigestView, type DigestView } from '../../../src/mail/view-model.js';
import type { Reason } from '../../../src/digest/reason.js';
import type { Paper } from '../../../src/papers/paper.js';
import { REPO_ROOT } from '../../helpers/fixtures.js';
import { fixturePapers, longPaper, NOW, PUBLIC_URL, subscriber } from './render-fixtures.js';

const TEMPLATES = join(REPO_ROOT, 'templates');
const HOSTILE = '<script>alert(1)</script> "><img src=x onerror=alert(2)> {{x}} & ünïcode 🚀';

function viewFor(tok: string, papers: Paper[], reasons: Reason[] = [{ kind: 'trending' }]): DigestView {
  return buildDigestView({
    subscriber: subscriber({ id: tok }),
    selected: papers.map((paper) => ({ paper, reasons })),
    period: '2026-09-28',
    links: { preferences: `${PUBLIC_URL}/preferences/${tok}`, unsubscribe: `${PUBLIC_URL}/unsubscribe/${tok}`, archive: `${PUBLIC_URL}/archive/${tok}` },
    now: NOW,
    publicUrl: PUBLIC_URL,
  });
}

let t: Templates;
before(() => {
  t = compileTemplates(TEMPLATES);
});

describe('digest HTML as UTF-8 bytes', () => {
  it('is exactly the UTF-8 of the string fill, for every digest shape, first fill and cached', () => {
    const papers = fixturePapers();
    const base = viewFor('tok-a', papers.slice(0, 6));
    const shapes = [base, fitDigestView(base, 0, 3), fitDigestView(base, 0, 0), viewFor('tok-b', papers.slice(2, 9))];
    for (let pass = 0; pass < 2; pass++) {
      for (const v of shapes) {
        const want = Buffer.from(t.digestHtml(v), 'utf8');
        assert.ok(t.digestHtmlBytes(v).equals(want), `pass ${pass}: digestHtmlBytes`);
        const d = t.digest(v);
        assert.ok(d.htmlBuffer.equals(want), `pass ${pass}: digest().htmlBuffer`);
        assert.equal(d.html, t.digestHtml(v), 'html decodes the same bytes');
        assert.equal(d.htmlBytes, want.length);
      }
    }
  });

  it('still escapes hostile scraped text and counts multi-byte characters', () => {
    const [p] = fixturePapers();
    const hostile = { ...p!, title: HOSTILE, summary: HOSTILE, aiSummary: HOSTILE, authors: [HOSTILE] };
    const v = viewFor('tok-h', [hostile], [{ kind: 'author', name: HOSTILE }]);
    const bytes = t.digestHtmlBytes(v);
    const html = bytes.toString('utf8');
    assert.ok(!html.includes('<script>alert(1)'), 'no raw script tag');
    assert.ok(!html.includes('<img src=x'), 'no raw img tag');
    assert.ok(html.includes('&lt;script&gt;alert(1)&lt;/script&gt;'), 'escaped title');
    assert.ok(html.includes('ünïcode 🚀'), 'non-ASCII kept');
    assert.ok(bytes.equals(Buffer.from(t.digestHtml(v), 'utf8')));
    assert.ok(bytes.length > html.length, 'length is in bytes, not UTF-16 units');
  });

  it('never carries one recipient’s data into another’s email through a cached card or a caller’s writes', () => {
    const papers = fixturePapers().slice(0, 4);
    const alice = viewFor('tok-alice', papers);
    const bob = viewFor('tok-bob', papers);
    assert.equal(alice.papers[0], bob.papers[0], 'the two share frozen cards');
    const a1 = t.digestHtmlBytes(alice);
    const b1 = t.digestHtmlBytes(bob);
    assert.ok(a1.includes('tok-alice') && !a1.includes('tok-bob'));
    assert.ok(b1.includes('tok-bob') && !b1.includes('tok-alice'));
    // A caller scribbling over its Buffer must not reach the cached cards or static text.
    const bobFresh = Buffer.from(b1);
    a1.fill(0x58);
    b1.fill(0x58);
    assert.ok(t.digestHtmlBytes(bob).equals(bobFresh), 'later fills unaffected by writes into earlier results');
    assert.ok(t.digestHtmlBytes(alice).equals(Buffer.from(t.digestHtml(alice), 'utf8')));
  });

  it('trims to the byte budget on the bytes path', () => {
    const small = compileTemplates(TEMPLATES, { htmlBudgetBytes: 40_000 });
    const v = viewFor('tok-big', Array.from({ length: 25 }, (_, i) => longPaper(i)));
    const d = small.digest(v);
    assert.ok(d.htmlBuffer.length <= 40_000 && d.htmlBytes === d.htmlBuffer.length);
    assert.ok(d.papersWebOnly > 0 || d.papersShown < 25 || d.htmlBuffer.length < Buffer.byteLength(small.digestHtml(v)), 'something was trimmed');
  });

  it('nodemailer builds the same message from the Buffer as from the string', async () => {
    const build = createMimeBuilder({ clock: () => NOW });
    const v = viewFor('tok-mime', fixturePapers().slice(0, 5));
    const d = t.digest(v);
    const msg = { to: 'r@example.org', from: 'd@example.org', subject: d.subject, text: d.text, messageId: '<x@example.org>', headers: {} };
    const fromBuffer = await build({ ...msg, html: d.htmlBuffer });
    const fromString = await build({ ...msg, html: d.html });
    // Only the MIME boundary is random per message: the same once it is masked.
    const masked = (raw: Buffer) => raw.toString('latin1').replace(/_NmP-[0-9a-f]+-Part/g, '_NmP-x-Part');
    assert.equal(masked(fromBuffer.raw), masked(fromString.raw));
    assert.ok(masked(fromBuffer.raw).includes('Content-Type: text/html'), 'an HTML part was built');
  });
});
