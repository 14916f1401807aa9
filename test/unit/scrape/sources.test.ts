// Source plumbing that needs no network: URL shapes, the API→page fallback rules, the file source.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { HttpStatusError, ScrapeLayoutError } from '../../../src/scrape/errors.js';
import { FallbackSource, FileSource, pageUrl, type ListingOutcome, type ListingSource } from '../../../src/scrape/sources.js';
import { FIXTURES, fixturePath } from '../../helpers/fixtures.js';

const B = 'https://hf.test';

describe('listing page URLs', () => {
  it('latest, day, week and month', () => {
    assert.equal(pageUrl(B, {}), `${B}/papers`);
    assert.equal(pageUrl(B, { day: '2026-09-28' }), `${B}/papers/date/2026-09-28`);
    assert.equal(pageUrl(B, { week: '2026-W39' }), `${B}/papers/week/2026-W39`);
    assert.equal(pageUrl(B, { month: '2026-09' }), `${B}/papers/month/2026-09`);
    assert.throws(() => pageUrl(B, { day: '28/09/2026' }), /YYYY-MM-DD/);
    assert.throws(() => pageUrl(B, { week: '2026-39' }), /YYYY-Www/);
  });
});

function fake(name: string, behaviour: () => Promise<ListingOutcome>): ListingSource & { calls: number } {
  const s = {
    name,
    calls: 0,
    fetchListing: async () => {
      s.calls++;
      return behaviour();
    },
  };
  return s;
}
const ok: ListingOutcome = { kind: 'not-modified', url: 'x' };

describe('FallbackSource', () => {
  const req = { day: '2026-09-28', today: '2026-09-28' };

  it('uses the primary when it answers', async () => {
    const fallbacks: Error[] = [];
    const api = fake('api', async () => ok);
    const page = fake('page', async () => ok);
    const out = await new FallbackSource(api, page, (e) => fallbacks.push(e)).fetchListing(req);
    assert.equal(out.answeredBy, undefined);
    assert.deepEqual([api.calls, page.calls, fallbacks.length], [1, 0, 0]);
  });

  it('falls back on a layout error or a final 4xx, and says so', async () => {
    for (const err of [new ScrapeLayoutError('u', 'x'), new HttpStatusError('u', 404, 1)]) {
      const fallbacks: Error[] = [];
      const page = fake('page', async () => ok);
      const out = await new FallbackSource(fake('api', async () => Promise.reject(err)), page, (e) => fallbacks.push(e)).fetchListing(req);
      assert.equal(out.answeredBy, 'page');
      assert.deepEqual(fallbacks, [err]);
    }
  });

  it('does not fall back on retryable trouble (429/5xx): the job retries instead', async () => {
    const page = fake('page', async () => ok);
    const src = new FallbackSource(fake('api', async () => Promise.reject(new HttpStatusError('u', 503, 4))), page, () => {});
    await assert.rejects(src.fetchListing(req), HttpStatusError);
    assert.equal(page.calls, 0);
  });

  it('weeks and months go straight to the page source', async () => {
    const api = fake('api', async () => ok);
    const page = fake('page', async () => ok);
    await new FallbackSource(api, page, () => {}).fetchListing({ week: '2026-W39', today: '2026-09-28' });
    assert.deepEqual([api.calls, page.calls], [0, 1]);
  });
});

describe('FileSource', () => {
  it('detects HTML and JSON from the bytes', async () => {
    const page = await new FileSource(fixturePath(FIXTURES.page)).fetchListing({ today: '2026-09-28' });
    const api = await new FileSource(fixturePath(FIXTURES.api)).fetchListing({ today: '2026-08-01' });
    assert.ok(page.kind === 'listing' && page.listing.source === 'page' && page.listing.papers.length === 28);
    assert.ok(api.kind === 'listing' && api.listing.source === 'api' && api.listing.papers.length === 30);
  });
  it('refuses a file past the size cap', async () => {
    await assert.rejects(new FileSource(fixturePath(FIXTURES.page), 1024).fetchListing({ today: '2026-09-28' }), /larger than 1024 bytes/);
  });
});
