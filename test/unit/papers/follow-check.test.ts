// Followed organizations that bring nothing, and the close names that would (papers/follow-check.ts).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { orgsOf, unmatchedOrgFollows } from '../../../src/papers/follow-check.js';

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
});
