// The reader store against a real redis-server: marks are idempotent and exclusive (👍 clears 👎), the model learns
// from them and forgets them, seeds are liked (unknown ids pending until the paper is stored), terms can be
// removed, reset keeps saved papers, deleteAll leaves no key behind; the digest's suggestion is kept with the model.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Redis } from 'ioredis';
import { createLogger } from '../../src/log.js';
import type { Paper } from '../../src/papers/paper.js';
import { PaperStore } from '../../src/papers/store.js';
import { makeKeys } from '../../src/redis/keys.js';
import { ReaderStore } from '../../src/relevance/reader-store.js';
import { testClock } from '../helpers/clock.js';
import { startRedis, type TestRedis } from '../helpers/redis-server.js';

let server: TestRedis;
let redis: Redis;
const keys = makeKeys('t-readers');
const clock = testClock('2025-09-03T08:00:00Z');
let papers: PaperStore;
let readers: ReaderStore;

function paper(id: string, title: string, summary: string, keywords: string[] = [], listedOn = '2025-09-02'): Paper {
  return {
    id, title, summary, authors: ['A. Author'], publishedAt: null, listedOn, upvotes: 5, comments: 0,
    url: `https://huggingface.co/papers/${id}`, arxivUrl: `https://arxiv.org/abs/${id}`, githubRepo: null, githubStars: null,
    projectPage: null, organization: null, thumbnail: null, keywords, aiSummary: null,
  };
}

const day = [
  paper('2509.00001', 'Speculative decoding with draft trees', 'We accelerate LLM inference by speculative decoding with a draft model and KV cache reuse.', ['speculative decoding', 'KV cache']),
  paper('2509.00002', 'KV cache compression for long context', 'Compressing the KV cache speeds up long-context inference.', ['KV cache', 'long context']),
  paper('2509.00003', 'Protein folding with diffusion', 'A diffusion model folds proteins.', ['protein folding']),
  paper('2509.00004', 'Robot grasping from video', 'Robots learn grasping from human videos.', ['robot grasping']),
];

before(async () => {
  server = await startRedis();
  redis = new Redis(server.url);
  papers = new PaperStore(redis, keys, clock);
  await papers.replaceDay('2025-09-02', day, { source: 'test', url: 'test://day' } as never);
  readers = new ReaderStore({ redis, keys, papers, clock, log: createLogger({ level: 'silent' }) });
});
after(async () => {
  await redis.quit();
  await server.stop();
});

describe('ReaderStore', () => {
  it('marks are idempotent, like and dislike exclusive, and the model follows them', async () => {
    const sub = 'sub-marks';
    const first = await readers.mark(sub, '2509.00001', 'like', true);
    assert.deepEqual(first, { changed: true, marks: { liked: true, disliked: false, saved: false } });
    assert.equal((await readers.mark(sub, '2509.00001', 'like', true)).changed, false);
    let model = await readers.loadForSend(sub).then((r) => r.model);
    assert.equal(model?.likes, 1);
    assert.ok(((await readers.peekModel(sub))?.pos.get('speculative decoding') ?? 0) > 0, 'learned the liked paper’s terms');
    assert.deepEqual(model?.topics.get('efficiency@title'), [1, 0], 'counted under the topic in its title');

    const flip = await readers.mark(sub, '2509.00001', 'dislike', true);
    assert.deepEqual(flip.marks, { liked: false, disliked: true, saved: false });
    model = await readers.loadForSend(sub).then((r) => r.model);
    assert.equal(model?.likes, 0);
    assert.equal(model?.dislikes, 1);
    assert.equal((await readers.peekModel(sub))?.pos.size, 0, 'the like was taken back whole');
    assert.deepEqual(model?.topics.get('efficiency@title'), [0, 1], 'the topic count moved from liked to disliked');

    await readers.mark(sub, '2509.00003', 'save', true);
    const marks = await readers.marks(sub, ['2509.00001', '2509.00003', '2509.00004']);
    assert.deepEqual(marks.get('2509.00003'), { liked: false, disliked: false, saved: true });
    assert.deepEqual(marks.get('2509.00004'), { liked: false, disliked: false, saved: false });

    const profile = await readers.profile(sub);
    assert.deepEqual(profile.disliked.map((p) => p.id), ['2509.00001']);
    assert.deepEqual(profile.saved.map((p) => [p.id, p.title]), [['2509.00003', 'Protein folding with diffusion']]);
    assert.ok(profile.terms.some((t) => t.weight < 0), 'a disliked term shows with a negative weight');
    assert.ok(profile.terms.some((t) => t.weight > 0), 'a saved paper counts as liked');
  });

  it('seeds count as liked; unknown ids wait until the paper is stored', async () => {
    const sub = 'sub-seeds';
    const r = await readers.setSeeds(sub, ['2509.00002', '2509.09999']);
    assert.deepEqual(r, { known: ['2509.00002'], pending: ['2509.09999'] });
    let profile = await readers.profile(sub);
    assert.deepEqual(profile.liked.map((p) => [p.id, p.source]).sort(), [['2509.00002', 'seed'], ['2509.09999', 'seed']]);
    await papers.replaceDay('2025-09-03', [paper('2509.09999', 'Paged attention for serving', 'Paged KV cache for serving LLMs.', ['KV cache'], '2025-09-03')], { source: 'test', url: 'test://day2' } as never);
    const model = await readers.loadForSend(sub).then((r) => r.model);
    assert.equal(model?.likes, 2, 'the pending seed was learned once it was stored');
    profile = await readers.profile(sub);
    assert.ok(profile.liked.find((p) => p.id === '2509.09999')?.title, 'now with its title');
    // Dropping a seed from the preferences drops its like.
    await readers.setSeeds(sub, ['2509.09999']);
    assert.equal((await readers.loadForSend(sub).then((r) => r.model))?.likes, 1);
  });

  it("keeps the digest's suggestion with the model: written only when it changes, dropped when declined or reset", async () => {
    const sub = 'sub-hint';
    await readers.mark(sub, '2509.00001', 'like', true);
    const hint = { kind: 'include' as const, keyword: 'KV cache', titles: 3 };
    await readers.setHint(sub, hint);
    const rev = async () => (JSON.parse((await redis.get(keys.readerModel(sub)))!) as { rev: number }).rev;
    const written = await rev();
    await readers.setHint(sub, { ...hint });
    assert.equal(await rev(), written, 'the same hint again: no write');
    const sent = await readers.loadForSend(sub);
    assert.deepEqual(sent.hint, hint);
    assert.equal(sent.model?.likes, 1, 'read with the model, in the same read');
    assert.deepEqual((await readers.peekForSend(sub)).hint, hint);
    assert.deepEqual((await readers.exportData(sub)).digestSuggestion, hint, '"download my data" lists it');
    await readers.dismissSuggestion(sub, 'kv CACHE');
    assert.equal((await readers.loadForSend(sub)).hint, null, 'declined: gone');
    await readers.setHint(sub, { kind: 'exclude', keyword: 'protein', titles: 4 });
    assert.equal((await readers.loadForSend(sub)).hint?.keyword, 'protein');
    await readers.setHint(sub, null);
    assert.equal((await readers.loadForSend(sub)).hint, null, 'cleared');
    await readers.setHint(sub, { kind: 'exclude', keyword: 'protein', titles: 4 });
    await readers.reset(sub);
    assert.equal((await readers.loadForSend(sub)).hint, null, 'a reset forgets it with everything learned');
  });

  it('removeTerm mutes a term, forget drops one paper, reset keeps saved papers, deleteAll removes every key', async () => {
    const sub = 'sub-reset';
    await readers.mark(sub, '2509.00002', 'like', true);
    await readers.mark(sub, '2509.00004', 'save', true);
    await readers.mark(sub, '2509.00003', 'dislike', true);
    await readers.removeTerm(sub, 'cache');
    const terms = (await readers.profile(sub)).terms.map((t) => t.term);
    assert.ok(!terms.some((t) => t.split(' ').includes('cache')), `no muted term left: ${terms.join(', ')}`);

    await readers.forget(sub, '2509.00003');
    assert.equal((await readers.loadForSend(sub).then((r) => r.model))?.dislikes, 0);

    await readers.reset(sub);
    const profile = await readers.profile(sub);
    assert.deepEqual(profile.liked, []);
    assert.deepEqual(profile.saved.map((p) => p.id), ['2509.00004']);
    const exported = await readers.exportData(sub);
    assert.deepEqual((exported.saved as { id: string }[]).map((p) => p.id), ['2509.00004']);

    await readers.deleteAll(sub);
    assert.deepEqual(await redis.keys(`${keys.prefix}:reader:${sub}*`), []);
  });
});
