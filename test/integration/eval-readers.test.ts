// The evaluation's readers files are what eval/README.md says they are: each reader's `relevant` list is exactly
// what its written-down wants (the specs file) select from the archive, by bench/label-readers.ts. A hand edit of
// a label, or a spec changed without regenerating, fails here.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { archivePapers, labelReaders, ruleWords, type LabelledReader, type Spec } from '../../bench/label-readers.js';
import type { Paper } from '../../src/papers/paper.js';
import { REPO_ROOT } from '../helpers/fixtures.js';

const read = <T>(name: string): T => JSON.parse(readFileSync(join(REPO_ROOT, 'eval', name), 'utf8')) as T;
// The whole archive, read once for every case below (about 10,000 papers).
let archive: Paper[] | undefined;
const papersOf = (): Paper[] => (archive ??= archivePapers());

describe('eval readers files', () => {
  for (const [specsFile, readersFile] of [
    ['reader-specs.json', 'readers.json'],
    ['holdout-specs.json', 'holdout-readers.json'],
  ] as const) {
    it(`${readersFile} is labelled from ${specsFile}`, () => {
      const specs = read<Spec[]>(specsFile);
      const shipped = read<LabelledReader[]>(readersFile);
      assert.ok(specs.length >= 12, `${specsFile}: at least 12 readers`);
      assert.deepEqual(
        shipped.map((r) => r.name),
        specs.map((s) => s.name),
        'one reader per spec, in order',
      );
      const { readers, papers } = labelReaders(specs, papersOf());
      assert.ok(papers > 9000, `the archive was read (${papers} papers)`);
      for (const [i, r] of readers.entries()) {
        const s = shipped[i]!;
        assert.deepEqual(s.preferences, r.preferences, `${r.name}: preferences as in the spec`);
        assert.ok(r.relevant.length > 0, `${r.name}: wants something`);
        assert.deepEqual(s.relevant, r.relevant, `${r.name}: labels as the rules give them`);
      }
    });
  }

  it('no rule labels a paper by a word that only contains its text (eval/README.md, "Whole words")', () => {
    // Each of these once made a rule label papers its reader does not want: "cell" in "excelling", "chest" in
    // "orchestration", "vision" in "supervision", "serving" in "preserving", "document" in "documentation", …
    const accidents: Record<string, string[]> = {
      'AI for science and medicine': ['excelling', 'excellent', 'excelled', 'cancellation', 'alchemist', 'materialized'],
      'inference-efficiency specialist': ['preserving', 'identity-preserving'],
      'AI safety analyst': ['harmonizing', 'harmony'],
      'document-AI practitioner (loose topics)': ['documentation', 'documented', 'well-documented', 'context-rich'],
      'speech and audio': ['ultrasound', 'soundness', 'unspoken', 'invoices-into'],
      'robot learning': ['disembodied'],
      'RL-for-reasoning researcher': ['avatarization'],
      'broad generalist': ['alchemist'],
      'medical imaging': ['orchestration', 'orchestrating'],
      'wide visual generalist': ['supervision', 'revision'],
      'RAG and search engineer': ['research agents'],
      'image-editing practitioner (loose topics)': ['expediting'],
      'web and GUI agents': ['screening', 'screenplays'],
    };
    const papers = papersOf();
    const specs = [...read<Spec[]>('reader-specs.json'), ...read<Spec[]>('holdout-specs.json')];
    const found = ruleWords(specs, papers, { midWordOnly: false }).flatMap(({ spec, kind, rule, words }) =>
      [...words.keys()].filter((w) => accidents[spec]?.includes(w)).map((w) => `${spec} · ${kind} /${rule}/ matches "${w}"`));
    assert.deepEqual(found, []);
    // The audit lists mid-word matches, the intended ones too ("medic" in "biomedical"), and not plain ones.
    const science = ruleWords(specs.filter((s) => s.name === 'AI for science and medicine'), papers, { midWordOnly: true });
    const medic = science.find((m) => m.rule === 'medic');
    assert.ok(medic?.words.has('biomedical'), 'the audit finds intended compounds');
    assert.ok(!medic!.words.has('medical'), 'a match at the start of a word is not mid-word');
  });

  it('the held-out readers share no name with the tuned ones', () => {
    const tuned = new Set(read<LabelledReader[]>('readers.json').map((r) => r.name));
    assert.deepEqual(
      read<LabelledReader[]>('holdout-readers.json').filter((r) => tuned.has(r.name)).map((r) => r.name),
      [],
    );
  });
});
