// The words the preferences page uses for keyword and exclusion suggestions and a suggested keyword's preview
// (web/learned-view.ts).
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { excludeSuggestionsView, previewView, suggestionsView } from '../../../src/web/learned-view.js';

const paper = (id: string) => ({ id, title: `Paper ${id}`, url: `https://huggingface.co/papers/${id}`, why: '' });

describe('learned view', () => {
  it('says where a suggested word was, in counts a person reads', () => {
    const [one, other] = suggestionsView([
      { keyword: 'GUI', liked: 7, disliked: 0, examples: ['A GUI Agent'], added: 1 },
      { keyword: 'document', liked: 3, disliked: 1, examples: [], added: 4 },
    ]);
    assert.equal(one!.evidence, 'In the titles of 7 papers you liked, none you disliked. In the last 7 listed days, 1 paper mentions it and matches none of your topics or keywords.');
    assert.equal(other!.evidence, 'In the titles of 3 papers you liked and 1 you disliked. In the last 7 listed days, 4 papers mention it and match none of your topics or keywords.');
  });

  it('says what a suggested exclusion would have left out, naming up to three papers', () => {
    const [one, other] = excludeSuggestionsView([
      { keyword: 'audio', disliked: 4, examples: ['Audio LMs'], hides: 5, hidden: ['A', 'B', 'C'] },
      { keyword: 'VLA', disliked: 3, examples: [], hides: 1, hidden: ['D'] },
    ]);
    assert.equal(one!.evidence, 'In the titles of 4 papers you disliked, and in none of the papers you liked. In the last 7 listed days, it would have left out 5 papers that your settings bring:');
    assert.deepEqual([one!.hidden, one!.more], [['A', 'B', 'C'], 2]);
    assert.equal(other!.evidence, 'In the titles of 3 papers you disliked, and in none of the papers you liked. In the last 7 listed days, it would have left out 1 paper that your settings bring:');
    assert.equal(other!.more, 0);
  });

  it("marks the papers a keyword's preview brings that the saved settings did not", () => {
    const withIt = [
      { day: '2026-11-26', papers: [paper('a'), paper('b')] },
      { day: '2026-11-27', papers: [paper('c')] },
    ];
    const view = previewView(withIt, { keyword: 'GUI', before: [{ day: '2026-11-26', papers: [paper('a')] }] });
    assert.equal(view.keyword, 'GUI');
    assert.equal(view.total, 3);
    assert.equal(view.broughtTotal, 2);
    assert.deepEqual(view.days.map((d) => d.day), ['2026-11-27', '2026-11-26'], 'newest first');
    assert.deepEqual(view.days.flatMap((d) => d.papers.filter((p) => p.brought).map((p) => p.id)), ['c', 'b']);
    const plain = previewView(withIt);
    assert.equal(plain.keyword, null);
    assert.ok(plain.days.every((d) => d.papers.every((p) => !p.brought)), 'an ordinary preview marks nothing');
  });
});
