import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { digestSubject, shortTitle } from '../../../src/mail/subject.js';

const len = (s: string) => [...s].length;

describe('digest subject', () => {
  it('names the digest and its first two titles, whole when they fit, then how many more', () => {
    assert.equal(digestSubject('Mon 28 Sep', ['Tiny Recursion', 'Sparse Attention', 'C', 'D'], 77), 'Papers Digest, Mon 28 Sep: Tiny Recursion · Sparse Attention +2 more');
    assert.equal(digestSubject('Mon 28 Sep', ['Only One'], 77), 'Papers Digest, Mon 28 Sep: Only One');
    assert.equal(digestSubject('Mon 28 Sep', [], 77), 'Papers Digest, Mon 28 Sep');
  });

  it('shortens long titles to their name before a colon, then cuts each to its share; never over the limit', () => {
    const a = 'OmniScope: Modality-Decoupled Token Compression for Omnimodal Large Language Models';
    const b = 'Beyond Geometric Complementarity: Coherent Overlap in Sparse Mixture-of-Experts Routing';
    assert.equal(digestSubject('Mon 28 Sep', [a, 'Short', 'x'], 77), 'Papers Digest, Mon 28 Sep: OmniScope · Short +1 more');
    const both = digestSubject('week of 28 Sep', [b, b.replace('Beyond', 'Within'), 'x', 'y', 'z', 'w', 'v', 'u', 'q', 'r', 's'], 77);
    assert.ok(len(both) <= 77, both);
    assert.match(both, /^Papers Digest, week of 28 Sep: Beyond Geometric… · Within Geometric… \+9 more$/);
    const noColons = digestSubject('Mon 28 Sep', ['A'.repeat(100), 'B'.repeat(100)], 77);
    assert.ok(len(noColons) <= 77);
    assert.match(noColons, /^Papers Digest, Mon 28 Sep: A+… · B+…$/);
    assert.equal(shortTitle('Σ-Mem: memory'), 'Σ-Mem');
    assert.equal(shortTitle('No colon here'), 'No colon here');
  });
});
