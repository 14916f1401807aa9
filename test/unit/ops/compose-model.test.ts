// `preview` and `send-test` (src/ops/compose.ts) rank with the reader's personal model, as the send job does,
// and only read it (peekModel: a preview learns nothing, not even pending seed papers).
import { describe, it, before } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { compileTemplates, type Templates } from '../../../src/mail/render.js';
import { composeDigest, sampleSubscriber, type ComposeDeps } from '../../../src/ops/compose.js';
import type { Paper } from '../../../src/papers/paper.js';
import { applyFeedback, emptyModel, signatureOf, type ReaderModel } from '../../../src/relevance/model.js';
import { buildIdf, paperVector } from '../../../src/relevance/terms.js';
import { DEFAULT_SETTINGS } from '../../../src/settings/schema.js';
import { REPO_ROOT } from '../../helpers/fixtures.js';

const DAY = '2025-09-03';
const NOW = new Date(`${DAY}T08:00:00Z`);

function paper(id: string, over: Partial<Paper>): Paper {
  return {
    id, title: `Paper ${id}`, summary: 'We study a problem.', authors: ['Ada Lovelace'], publishedAt: '2025-09-01T17:00:00.000Z',
    listedOn: DAY, upvotes: 10, comments: 0, url: `https://huggingface.co/papers/${id}`, arxivUrl: `https://arxiv.org/abs/${id}`,
    githubRepo: null, githubStars: null, projectPage: null, organization: null, thumbnail: null, keywords: [], aiSummary: null, ...over,
  };
}

// Today: a popular robotics paper and a little-upvoted one on speculative decoding.
const ROBOT = paper('2509.00031', { title: 'Dexterous Robot Grasping from Human Videos', summary: 'Robots learn grasping policies from videos.', keywords: ['robot grasping'], upvotes: 80 });
const SPEC = paper('2509.00032', { title: 'Lossless Speculative Decoding with Draft Trees', summary: 'A draft model proposes tokens the target model verifies.', keywords: ['speculative decoding', 'draft model'], upvotes: 3 });

/** A reader who liked speculative-decoding papers and disliked robotics ones. */
function learnedModel(): ReaderModel {
  const liked = ['Draft Models for Faster Speculative Decoding', 'Tree Drafts for Speculative Decoding', 'Speculative Decoding at Scale', 'Verifying Draft Tokens in Parallel']
    .map((title, i) => paper(`2508.3000${i}`, { title, keywords: ['speculative decoding', 'draft model'], listedOn: '2025-08-20' }));
  const disliked = ['Robot Manipulation from Human Videos', 'Dexterous Robot Hands', 'Robot Grasping in Clutter', 'Learning Robot Policies from Videos']
    .map((title, i) => paper(`2508.3100${i}`, { title, keywords: ['robot grasping', 'robot manipulation'], listedOn: '2025-08-20' }));
  const idf = buildIdf([ROBOT, SPEC, ...liked, ...disliked]);
  const m = emptyModel();
  for (const p of liked) applyFeedback(m, p.id, paperVector(p, idf), signatureOf(p.id, '2025-08-21T00:00:00Z', p, idf), 1, 0);
  for (const p of disliked) applyFeedback(m, p.id, paperVector(p, idf), signatureOf(p.id, '2025-08-21T00:00:00Z', p, idf), 0, 1);
  return m;
}

describe('composeDigest (preview, send-test)', () => {
  let templates: Templates;
  before(async () => {
    templates = await compileTemplates(join(REPO_ROOT, 'templates'));
  });

  const subscriber = { ...sampleSubscriber('reader@example.org', DEFAULT_SETTINGS, NOW), id: 'sub_00000001', timezone: 'UTC' };
  function deps(readers?: ComposeDeps['readers']): ComposeDeps {
    return {
      config: { publicUrl: 'https://digest.example', mailFrom: 'Papers Digest <digest@example.org>', mailReplyTo: null, listUnsubscribeMailto: null },
      linkSecrets: [{ kid: 'k1', secret: 'compose-test-secret-compose-test-secret' }],
      settings: { get: async () => DEFAULT_SETTINGS },
      papers: { listedSince: async () => [ROBOT, SPEC], lastSuccessfulScrape: async () => NOW },
      suppression: { has: async () => false },
      ledger: { sentPaperIds: async () => new Set<string>(), readRecord: async () => null } as unknown as ComposeDeps['ledger'],
      templates,
      ...(readers ? { readers } : {}),
    };
  }
  const order = (text: string) => [ROBOT, SPEC].sort((a, b) => text.indexOf(a.title) - text.indexOf(b.title)).map((p) => p.id);

  it('without a model: the more upvoted paper leads', async () => {
    const c = await composeDigest(deps(), { subscriber, period: DAY, now: NOW });
    assert.equal(c.outcome.kind, 'sent');
    assert.deepEqual(order(c.message!.text), [ROBOT.id, SPEC.id]);
  });

  it("with the reader's model: what they liked leads, saying why, and the model is only read", async () => {
    const model = learnedModel();
    const asked: string[] = [];
    const c = await composeDigest(deps({ peekForSend: async (id) => (asked.push(id), { model, hint: null }) }), { subscriber, period: DAY, now: NOW });
    assert.equal(c.outcome.kind, 'sent');
    assert.deepEqual(asked, ['sub_00000001'], "the subscriber's own model, read once");
    assert.deepEqual(order(c.message!.text), [SPEC.id, ROBOT.id]);
    assert.match(c.message!.text, /Like \d papers? you liked/);
    assert.doesNotMatch(c.message!.text, /Suggested for you/);
  });

  it('mentions the suggestion kept with the model, linking to the preferences page, unless the reader acted on it', async () => {
    const hint = { kind: 'include' as const, keyword: 'GUI', titles: 7 };
    const c = await composeDigest(deps({ peekForSend: async () => ({ model: learnedModel(), hint }) }), { subscriber, period: DAY, now: NOW });
    const text = c.message!.text;
    assert.match(text, /Suggested for you: add “GUI” to your keywords\. It is in the titles of 7 papers you liked, and your topics do not reach it\.\n\s*Decide on your preferences page: https?:\/\/\S+\/preferences\/\S+#learned/);
    assert.ok(text.indexOf('Suggested for you') > text.indexOf(SPEC.title), 'after the papers');
    assert.match(String(c.message!.html), /Suggested for you: add “GUI” to your keywords/);
    const exclude = { kind: 'exclude' as const, keyword: 'audio', titles: 4 };
    const x = await composeDigest(deps({ peekForSend: async () => ({ model: learnedModel(), hint: exclude }) }), { subscriber, period: DAY, now: NOW });
    assert.match(x.message!.text, /Suggested for you: leave out papers that mention “audio”\. It is in the titles of 4 papers you disliked, and in none you liked\./);
    for (const acted of [{ includeKeywords: ['gui'] }, { excludeKeywords: ['GUI'] }]) {
      const after = await composeDigest(deps({ peekForSend: async () => ({ model: learnedModel(), hint }) }), { subscriber: { ...subscriber, ...acted }, period: DAY, now: NOW });
      assert.doesNotMatch(after.message!.text, /Suggested for you/, JSON.stringify(acted));
    }
  });
});
