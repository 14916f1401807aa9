// The send worker's candidate cache: one read per (first day, last scrape), shared by concurrent digests; a newer
// scrape drops the entries read before it (they are never asked for again, and each holds its own paper copies).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Paper } from '../../../src/papers/paper.js';
import { candidates } from '../../../src/digest/send.js';

describe('candidates (send worker cache)', () => {
  it('reads once per first day and scrape, and forgets superseded scrapes', async () => {
    const reads: string[] = [];
    const papers = { listedSince: async (firstDay: string) => (reads.push(firstDay), [] as Paper[]) } as never;
    const deps = { candidateCache: new Map<string, Promise<Paper[]>>(), papers };
    const t1 = new Date('2026-12-06T08:00:00Z');
    const t2 = new Date('2026-12-06T08:30:00Z');
    await Promise.all([candidates(deps, '2026-12-04', t1), candidates(deps, '2026-12-04', t1), candidates(deps, '2026-12-03', t1)]);
    assert.deepEqual(reads, ['2026-12-04', '2026-12-03'], 'concurrent digests share one read');
    assert.equal(deps.candidateCache.size, 2);
    await candidates(deps, '2026-12-04', t2);
    assert.deepEqual([...deps.candidateCache.keys()], [`2026-12-04|${t2.getTime()}`], 'entries of the earlier scrape are gone');
    await candidates(deps, '2026-12-04', t1);
    assert.equal(deps.candidateCache.size, 2, 'a late job still asking for the earlier scrape reads again and is served; the newer entry stays');
  });
});
