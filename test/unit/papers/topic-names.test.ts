// Topic names as a person writes them resolve to catalog ids (papers/topic-names.ts); nothing else does.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { TOPIC_CATALOG } from '../../../src/papers/topic-catalog.js';
import { resolveTopic, topicKey, topicNameIndex } from '../../../src/papers/topic-names.js';

describe('topic names', () => {
  it('every id and every label resolves to its own topic', () => {
    for (const t of TOPIC_CATALOG) {
      assert.equal(resolveTopic(t.id), t.id);
      assert.equal(resolveTopic(t.label), t.id, t.label);
      assert.equal(resolveTopic(t.label.toUpperCase()), t.id, 'case does not matter');
      for (const a of t.aliases ?? []) assert.equal(resolveTopic(a), t.id, a);
    }
  });

  it('reads the names the topics go by: parts of labels, common names, plurals, separators', () => {
    const cases: [string, string][] = [
      ['Reinforcement Learning', 'rl'],
      ['LLMs', 'llm'],
      ['large language model', 'llm'],
      ['Safety and alignment', 'safety-alignment'],
      ['speech audio', 'speech-audio'],
      ['speech_audio', 'speech-audio'],
      ['Diffusion', 'generation'],
      ['diffusion / generation', 'generation'],
      ['robotics & embodied', 'robotics'],
      ['Vision-Language Models', 'multimodal'],
      ['RAG', 'retrieval'],
      ['3D & 4D', '3d'],
      ['Évaluation', 'evaluation'],
    ];
    for (const [name, id] of cases) assert.equal(resolveTopic(name), id, name);
  });

  it('names no topic when none goes by the name, or when its parts name different topics', () => {
    for (const name of ['astrology', 'vision & language', 'LLM + agents', 'video gen', '', 'urls']) assert.equal(resolveTopic(name), null, name);
  });

  it('compares names in one form', () => {
    assert.equal(topicKey('  Vision-Language   Models '), 'vision language model');
    assert.equal(topicKey('Speech & Audio'), 'speech and audio');
    assert.equal(topicKey('progress'), 'progress', 'a double s is not a plural');
  });

  it('a name two topics claim is a catalog mistake, refused when the index is built', () => {
    const [a, b] = TOPIC_CATALOG;
    assert.throws(() => topicNameIndex([a!, { ...b!, aliases: ['Language models'] }]), /the name “language model” belongs to both llm and reasoning/);
    assert.ok(topicNameIndex().size > TOPIC_CATALOG.length * 3);
  });
});
