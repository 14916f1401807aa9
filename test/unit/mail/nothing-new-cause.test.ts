// The "nothing new" email names the real cause: a 500-upvote minimum is not "your topics".
import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { compileTemplates, type Templates } from '../../../src/mail/render.js';
import { buildNothingNewView, nothingNewCause } from '../../../src/mail/view-model.js';
import { LINKS, NOW, PUBLIC_URL, subscriber } from './render-fixtures.js';

const TEMPLATES = fileURLToPath(new URL('../../../templates', import.meta.url));

describe('nothing-new email: the real cause', () => {
  let t: Templates;
  before(async () => {
    t = await compileTemplates(TEMPLATES);
  });

  it('tells the causes apart from the window, the sent papers and the minimum', () => {
    const papers = [{ id: 'a', upvotes: 40 }, { id: 'b', upvotes: 120 }];
    assert.equal(nothingNewCause([], new Set(), 0), 'no-papers');
    assert.equal(nothingNewCause(papers, new Set(['a', 'b']), 0), 'all-already-sent');
    assert.equal(nothingNewCause(papers, new Set(), 500), 'min-upvotes');
    assert.equal(nothingNewCause(papers, new Set(), 100), 'interests', 'one paper passes the minimum: the topics left it out');
    assert.equal(nothingNewCause(papers, new Set(), 0), 'interests');
  });

  it('blames the 500-upvote minimum, not the topics, in the subject, HTML and text', () => {
    const sub = subscriber({ minUpvotes: 500, topics: ['llm'] });
    const view = buildNothingNewView({ subscriber: sub, period: '2026-09-28', now: NOW, publicUrl: PUBLIC_URL, links: LINKS, cause: 'min-upvotes' });
    const mail = t.nothingNew(view);
    assert.doesNotMatch(mail.subject, /topics/);
    assert.match(mail.text, /No new paper reached your minimum of 500 upvotes/);
    assert.doesNotMatch(mail.text, /matched your topics/);
    assert.match(String(mail.html), /minimum of 500 upvotes/);
  });

  it('without a known cause names every filter in effect', () => {
    const view = buildNothingNewView({ subscriber: subscriber({ minUpvotes: 500 }), period: '2026-09-28', now: NOW, publicUrl: PUBLIC_URL, links: LINKS });
    assert.match(view.causeLine, /at least 500 upvotes \(your minimum\)/);
    const plain = buildNothingNewView({ subscriber: subscriber({ minUpvotes: 0 }), period: '2026-09-28', now: NOW, publicUrl: PUBLIC_URL, links: LINKS, cause: 'interests' });
    assert.equal(plain.subject, 'Nothing new in your topics for Mon 28 Sep');
  });
});
