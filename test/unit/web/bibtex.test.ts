import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { bibEntry, bibFile, bibText } from '../../../src/web/bibtex.js';

describe('BibTeX export', () => {
  it('writes the arXiv fields, the title in double braces, authors joined by "and"', () => {
    const e = bibEntry({
      id: '2509.01234',
      paper: { title: 'Speculative Decoding: Faster LLMs', authors: ['Ada Lovelace', 'Alan Turing'], publishedAt: '2025-09-02T00:00:00.000Z', listedOn: '2025-09-03' },
      primaryClass: 'cs.CL',
    });
    assert.equal(
      e,
      '@misc{2509.01234,\n  title = {{Speculative Decoding: Faster LLMs}},\n  author = {Ada Lovelace and Alan Turing},\n  year = {2025},\n  eprint = {2509.01234},\n  archivePrefix = {arXiv},\n  primaryClass = {cs.CL},\n  url = {https://arxiv.org/abs/2509.01234}\n}\n',
    );
  });

  it('a paper known by id only: year from the id, title when the store kept one, no author field', () => {
    const e = bibEntry({ id: '2412.00007', paper: null, title: 'Kept title' });
    assert.match(e, /^@misc\{2412\.00007,\n {2}title = \{\{Kept title\}\},\n {2}year = \{2024\},\n {2}eprint = \{2412\.00007\},/);
    assert.doesNotMatch(e, /author|primaryClass/);
  });

  it('scraped text cannot close the entry or add a field: TeX specials and braces are escaped, one line', () => {
    const hostile = 'Evil} , author = {Mallory}\n@misc{x, 100% & $5 #1 _a ~b ^c \\d';
    const e = bibEntry({ id: '2509.00001', paper: { title: hostile, authors: ['A}B'], publishedAt: null, listedOn: '2025-09-01' } });
    const body = e.slice(e.indexOf('\n'));
    // Every brace left unescaped belongs to our own field delimiters: they balance line by line.
    for (const line of body.split('\n').filter((l) => l.includes('='))) {
      const bare = line.replace(/\\[{}]/g, '');
      assert.equal((bare.match(/\{/g) ?? []).length, (bare.match(/\}/g) ?? []).length, line);
    }
    assert.equal((e.match(/^@misc/gm) ?? []).length, 1, 'no second entry');
    assert.equal((e.match(/^ {2}author = /gm) ?? []).length, 1, 'no injected field');
    assert.equal(bibText('100% & $5 #1 _a ~b ^c'), '100\\% \\& \\$5 \\#1 \\_a \\textasciitilde{}b \\textasciicircum{}c');
    assert.equal(bibFile([{ id: '2509.00001', paper: null }, { id: '2509.00002', paper: null }]).match(/^@misc/gm)?.length, 2);
  });
});
