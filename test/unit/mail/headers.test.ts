import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { digestHeaders, listIdFor, messageIdFor } from '../../../src/mail/headers.js';

describe('messageIdFor', () => {
  it('is deterministic per kind, period and subscriber', () => {
    assert.equal(messageIdFor('digest', '2026-11-28', 'Ab_9-xYz', 'example.org'), '<digest-2026-11-28-Ab_9-xYz@example.org>');
    assert.equal(messageIdFor('digest', '2026-W48', 'Ab_9-xYz', 'example.org'), '<digest-2026-W48-Ab_9-xYz@example.org>');
    assert.notEqual(messageIdFor('nothing-new', '2026-11-28', 's', 'example.org'), messageIdFor('digest', '2026-11-28', 's', 'example.org'));
  });

  it('refuses parts that could break the header', () => {
    assert.throws(() => messageIdFor('digest', '2026-11-28', 'a>b', 'example.org'), /subscriberId/);
    assert.throws(() => messageIdFor('digest', '2026-11-28\r\nBcc: x', 's', 'example.org'), /period/);
    assert.throws(() => messageIdFor('digest', '2026-11-28', 's', 'exa mple.org'), /mail domain/);
  });
});

describe('digestHeaders', () => {
  it('puts https and mailto in ONE List-Unsubscribe header, with one-click and List-Id', () => {
    const h = digestHeaders({
      listUnsubscribeUrl: 'https://d.example.org/unsubscribe/tok.abc',
      mailto: 'unsub@example.org',
      mailtoSubject: 'unsubscribe abc',
      listId: listIdFor('example.org'),
    });
    assert.deepEqual(h, {
      'List-Unsubscribe': '<https://d.example.org/unsubscribe/tok.abc>, <mailto:unsub@example.org?subject=unsubscribe%20abc>',
      'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click',
      'List-Id': 'Papers Digest <papers-digest.example.org>',
    });
  });

  it('leaves the mailto out when none is configured', () => {
    const h = digestHeaders({ listUnsubscribeUrl: 'https://d.example.org/u/t', mailto: null, listId: 'X <x.example.org>' });
    assert.equal(h['List-Unsubscribe'], '<https://d.example.org/u/t>');
  });

  it('refuses non-http URLs, line breaks and odd addresses', () => {
    const base = { listId: 'X <x.example.org>' };
    assert.throws(() => digestHeaders({ ...base, listUnsubscribeUrl: 'javascript:alert(1)' }), /https/);
    assert.throws(() => digestHeaders({ ...base, listUnsubscribeUrl: 'not a url' }), /not a URL/);
    assert.throws(() => digestHeaders({ ...base, listUnsubscribeUrl: 'https://x.example.org/u', mailto: 'a@b\r\nBcc: c@d' }), /line breaks/);
    assert.throws(() => digestHeaders({ ...base, listUnsubscribeUrl: 'https://x.example.org/u', mailto: 'two words@x.org' }), /bare address/);
    assert.throws(() => digestHeaders({ listUnsubscribeUrl: 'https://x.example.org/u', listId: 'X\r\nBcc: y' }), /line breaks/);
  });

  it('listIdFor strips characters that would break the phrase', () => {
    assert.equal(listIdFor('example.org', 'My "Digest" <x>'), 'My Digest x <papers-digest.example.org>');
  });
});
