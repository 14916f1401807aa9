// Freshness judged by the newest listing date too (issue 11): loading a 69-day-old file turned /readyz 200 and the
// dashboard's "Papers fresh" green. A weekend or a holiday or two without a listing stays fresh.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Redis } from 'ioredis';
import type { Paper } from '../../src/papers/paper.js';
import { PaperStore } from '../../src/papers/store.js';
import { judgeListingFreshness } from '../../src/ops/listing-freshness.js';
import { checkReadiness } from '../../src/ops/readiness.js';
import { makeKeys } from '../../src/redis/keys.js';
import { DEFAULT_SETTINGS } from '../../src/settings/schema.js';
import { startRedis, type TestRedis } from '../helpers/redis-server.js';

const paper = (id: string, listedOn: string): Paper => ({
  id, title: `Paper ${id}`, summary: '', authors: [], publishedAt: null, listedOn, upvotes: 1, comments: 0, url: `https://huggingface.co/papers/${id}`,
  arxivUrl: `https://arxiv.org/abs/${id}`, githubRepo: null, githubStars: null, projectPage: null, organization: null, thumbnail: null, keywords: [], aiSummary: null,
});

describe('freshness by listing date', () => {
  let server: TestRedis;
  let redis: Redis;
  before(async () => {
    server = await startRedis();
    redis = new Redis(server.url);
  });
  after(async () => {
    await redis.quit();
    await server.stop();
  });

  it('a 69-day-old file just loaded: the scrape is recent, but /readyz is not ready and says why', async () => {
    const now = new Date('2026-09-28T12:00:00Z');
    const papers = new PaperStore(redis, makeKeys('fresh-old'), () => now);
    await papers.replaceDay('2026-07-21', [paper('2607.00001', '2026-07-21')], { source: 'file', url: 'old.json' });
    const r = await checkReadiness({ redis, papers, queues: null, settings: async () => DEFAULT_SETTINGS, now });
    assert.equal(r.ready, false);
    assert.equal(r.checks.scrape.fresh, false);
    assert.equal(r.checks.scrape.newestDay, '2026-07-21');
    assert.match(r.reasons.join('\n'), /newest listed day is 2026-07-21, \d+ weekdays without a listing/);
  });

  it('Monday morning with Friday the newest day is fresh; a two-day holiday too; three missing weekdays are not', async () => {
    const now = new Date('2026-09-28T06:00:00Z'); // a Monday
    const papers = new PaperStore(redis, makeKeys('fresh-fri'), () => now);
    await papers.replaceDay('2026-09-25', [paper('2609.00001', '2026-09-25')], { source: 'api', url: 'x' });
    const r = await checkReadiness({ redis, papers, queues: null, settings: async () => DEFAULT_SETTINGS, now });
    assert.deepEqual(r.reasons, []);
    assert.equal(judgeListingFreshness('2026-12-23', new Date('2026-12-28T09:00:00Z'), 'UTC').fresh, true); // 24th, 25th missing
    assert.equal(judgeListingFreshness('2026-09-22', new Date('2026-09-28T09:00:00Z'), 'UTC').fresh, false); // 23rd–25th missing
  });
});
