// Followed organizations that bring nothing, and the close names that would (papers/follow-check.ts).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { authorDirectory, authorsOf, orgsOf, unmatchedAuthorFollows, unmatchedOrgFollows } from '../../../src/papers/follow-check.js';

const from = (name: string, fullname: string, n = 1) => Array.from({ length: n }, () => ({ organization: { name, fullname } }));
const papers = [
  ...from('deepmind', 'Deepmind', 3),
  ...from('google', 'Google', 5),
  ...from('nvidia', 'NVIDIA', 2),
  ...from('facebook', 'AI at Meta', 4),
  ...from('PekingUniversity', 'Peking University', 2),
  { organization: null },
];

describe('follow check', () => {
  it('counts the organizations of the papers, most papers first', () => {
    const orgs = orgsOf(papers);
    assert.deepEqual(orgs.map((o) => [o.name, o.papers]), [['google', 5], ['facebook', 4], ['deepmind', 3], ['nvidia', 2], ['PekingUniversity', 2]]);
  });

  it('names the follows that no organization answers to, with the close names that would', () => {
    const orgs = orgsOf(papers);
    const got = unmatchedOrgFollows(['NVIDIA', 'Meta', 'Google DeepMind', 'Anthropic', 'Stanford University'], orgs);
    assert.deepEqual(got.map((u) => u.followed), ['Google DeepMind', 'Anthropic', 'Stanford University'], 'NVIDIA and Meta bring papers');
    assert.deepEqual(got[0]!.nearby.map((o) => o.name), ['google', 'deepmind'], 'a word of the follow in either name, most papers first');
    assert.deepEqual(got[1]!.nearby, []);
    assert.deepEqual(got[2]!.nearby, [], '"University" is too common a word to call two names close');
    assert.deepEqual(unmatchedOrgFollows([], orgs), []);
  });

  describe('authors', () => {
    const by = (n: number, ...authors: string[]) => Array.from({ length: n }, () => ({ authors }));
    const authors = authorsOf([
      ...by(6, 'Junyang Lin', 'Jingren Zhou'),
      ...by(2, 'Junyang Lin', 'Junyang Lin'), // a name listed twice on one paper counts once
      ...by(3, 'Jun Lin'),
      ...by(2, 'Ziwei Liu', 'Dahua Lin'),
      ...by(1, 'Xu Wang', 'Yi Wang', 'José García'),
      { authors: [] },
    ]);
    const directory = authorDirectory(authors);

    it('counts the authors of the papers, most papers first, a name once per paper', () => {
      assert.deepEqual(authors.slice(0, 3).map((a) => [a.name, a.papers]), [['Junyang Lin', 8], ['Jingren Zhou', 6], ['Jun Lin', 3]]);
      assert.equal(authors.length, 8);
    });

    it('names a followed author no paper lists when a recent author is the same name written another way', () => {
      const near = (followed: string) => unmatchedAuthorFollows([followed], directory)[0]?.nearby.map((a) => a.name) ?? [];
      assert.deepEqual(near('Jun Yang Lin'), ['Junyang Lin'], 'space');
      assert.deepEqual(near('Lin Junyang'), ['Junyang Lin'], 'family name first');
      assert.deepEqual(near('LIN, Junyang'), ['Junyang Lin'], 'family name first, a comma, capitals');
      assert.deepEqual(near('J. Lin'), ['Junyang Lin', 'Jun Lin'], 'an initial: every recent J… Lin, most papers first');
      assert.deepEqual(near('Lin, J.'), ['Junyang Lin', 'Jun Lin'], 'the same, family name first');
      assert.deepEqual(near('Jose Garcia Lopez'), [], 'one whole word more is another person');
    });

    it('says nothing of a followed author who is only quiet, or a name one letter from another', () => {
      assert.deepEqual(
        unmatchedAuthorFollows(['Yann LeCun', 'Junyang Lin', 'junyang  LIN', 'Jun-Yang Lin', 'Jose Garcia', 'Yu Wang', 'Junyan Lin', 'J. L.', 'Lin'], directory),
        [],
        'no close name; the same name (case, spaces, hyphens, accents: the follow matches); one letter apart is as often another person; initials alone; one word',
      );
      assert.deepEqual(unmatchedAuthorFollows([], directory), []);
      assert.deepEqual(unmatchedAuthorFollows(['Jun Yang Lin'], authorDirectory([])), []);
    });
  });
});
