// Subscriber ids are random and unguessable, and never start with '-': such an id would read as an option on the
// command line (`papers-digest subscribers show -Gs…`). 1 in 64 random base64url ids would.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { newSubscriberId } from '../../../src/subscribers/store.js';

describe('subscriber ids', () => {
  it('are 22 base64url characters (128 bits), distinct, and never start with "-"', () => {
    const ids = Array.from({ length: 20_000 }, () => newSubscriberId());
    assert.ok(ids.every((id) => /^[A-Za-z0-9_][A-Za-z0-9_-]{21}$/.test(id)), ids.find((id) => !/^[A-Za-z0-9_][A-Za-z0-9_-]{21}$/.test(id)));
    assert.equal(new Set(ids).size, ids.length);
  });
});
