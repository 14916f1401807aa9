// The detailed index's buckets: sized so each stays a small listpack hash (≤ 128 entries) for the subscribers it
// was sized for, even with 25 % more of them, and spread evenly by the id hash.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { describe, it } from 'node:test';
import { indexBucketCount, indexBucketOf } from '../../../src/digest/ledger-period-index.js';

describe('period index buckets', () => {
  it('a power of two, ~64 subscribers per bucket, one bucket for a small deployment, capped at 65,536', () => {
    assert.deepEqual([0, 1, 64, 65, 1000, 25_000, 1_250_000].map(indexBucketCount), [1, 1, 1, 2, 16, 512, 32_768]);
    assert.equal(indexBucketCount(1e9), 65_536);
  });

  it('random subscriber ids spread evenly: no bucket near the listpack limit', () => {
    for (const n of [1_000, 20_000]) {
      const buckets = indexBucketCount(n);
      const sizes = new Array<number>(buckets).fill(0);
      for (let i = 0; i < n * 1.25; i++) sizes[indexBucketOf(randomBytes(16).toString('base64url'), buckets)]!++;
      assert.ok(Math.max(...sizes) <= 128, `${n}: largest bucket ${Math.max(...sizes)}`);
      assert.ok(Math.min(...sizes) >= 20, `${n}: smallest bucket ${Math.min(...sizes)}`);
    }
    assert.equal(indexBucketOf('subA0000', 1), 0);
    // pinned: a period's entries are found again by this hash, so it must not change between versions
    assert.deepEqual([indexBucketOf('subA0000', 512), indexBucketOf('Gs3kq9Vb1xZ0pLmN7yTqWw', 512)], [60, 226]);
  });
});
