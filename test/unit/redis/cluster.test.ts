// Finding the cluster primary that serves REDIS_PREFIX's hash-tag slot (src/redis/cluster.ts), pure parts.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Redis } from 'ioredis';
import { ClusterPrefixError, clusterOwnerUrl, hashTagOf, ownerOfSlot, withHostPort } from '../../../src/redis/cluster.js';

describe('redis cluster helpers', () => {
  it('reads the hash tag of a prefix', () => {
    assert.equal(hashTagOf('{pd}'), 'pd');
    assert.equal(hashTagOf('{pd}:x'), 'pd');
    assert.equal(hashTagOf('pd'), null);
    assert.equal(hashTagOf('{}'), null);
  });
  it('finds the primary of a slot in a CLUSTER SLOTS reply', () => {
    const reply = [
      [0, 5460, ['10.0.0.1', 6379, 'aaa'], ['10.0.0.4', 6379, 'ddd']],
      [5461, 10922, ['10.0.0.2', 6380, 'bbb']],
    ] as Parameters<typeof ownerOfSlot>[0];
    assert.deepEqual(ownerOfSlot(reply, 5461), { host: '10.0.0.2', port: 6380, id: 'bbb' });
    assert.deepEqual(ownerOfSlot(reply, 0), { host: '10.0.0.1', port: 6379, id: 'aaa' });
    assert.equal(ownerOfSlot(reply, 16000), null);
  });
  it('keeps scheme, credentials and options when moving a URL to another node', () => {
    assert.equal(withHostPort('rediss://user:secret@redis.example:6379/0?x=1', '10.0.0.2', 6380), 'rediss://user:secret@10.0.0.2:6380/0?x=1');
    assert.equal(withHostPort('redis://a:6379', '::1', 7000), 'redis://[::1]:7000');
  });
  it('refuses a prefix without a hash tag on a cluster, saying what to set', async () => {
    await assert.rejects(clusterOwnerUrl({} as Redis, 'redis://a:6379', 'pd'), (err: Error) => err instanceof ClusterPrefixError && /REDIS_PREFIX must be a hash tag such as \{pd\}/.test(err.message));
  });
});
