// The relevance evaluation on a small slice (3 readers, 4 listed days): proves the pipeline — archive → paper
// store → send job (selection, ranking, ledger) → feedback → figures — and the output's shape. The full figures
// come from `npm run eval:relevance`, never from a test.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { runEval, settingOverrides } from '../../bench/eval-relevance.js';
import { lossesOf, METRIC_NAMES, scoreDigest } from '../../bench/eval-metrics.js';
import { parseReadersFile, ReadersFileError } from '../../bench/eval-readers-file.js';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { REPO_ROOT } from '../helpers/fixtures.js';

describe('eval:relevance', () => {
  it('figures for one digest follow their definitions', () => {
    const f = scoreDigest(['a', 'b', 'c'], new Set(['a', 'b', 'c', 'd', 'e']), new Set(['b', 'd']))!;
    assert.equal(f.p1, 0);
    assert.equal(f.mrr, 0.5);
    assert.equal(f.p5, 0.2);
    assert.equal(Math.round(f.shownPrecision * 1000), 333);
    assert.equal(f.recall, 0.5);
    assert.equal(Math.round(f.ndcg10 * 1000), Math.round(((1 / Math.log2(3)) / (1 + 1 / Math.log2(3))) * 1000));
    assert.equal(scoreDigest(['a'], new Set(['a']), new Set(['z'])), null, 'a day with no relevant candidate is left out');
  });

  it('says where a digest loses: order (the shown papers sorted) and relevant papers outside the filters', () => {
    // Shown a, b (relevant second); relevant candidates b and d; d matches none of the reader's filters.
    const l = lossesOf(['a', 'b', 'c'], new Set(['a', 'b', 'c', 'd']), new Set(['b', 'd']), (id) => id !== 'd')!;
    assert.equal(Math.round(l.sortedNdcg10 * 1000), Math.round((1 / (1 + 1 / Math.log2(3))) * 1000), 'b first: 1 / IDCG of two relevant');
    assert.ok(l.sortedNdcg10 > scoreDigest(['a', 'b', 'c'], new Set(['a', 'b', 'c', 'd']), new Set(['b', 'd']))!.ndcg10);
    assert.equal(l.outsideShare, 0.5);
    assert.equal(lossesOf(['a'], new Set(['a']), new Set(['z']), () => true), null);
  });

  it('replays a few listed days for a few readers, learned and baseline in one run', async () => {
    const all = JSON.parse(readFileSync(join(REPO_ROOT, 'eval', 'readers.json'), 'utf8')) as { name: string }[];
    assert.ok(all.length >= 12, 'the shipped readers file holds at least 12 readers');
    const readers = all.filter((r) => /specialist|generalist|Qwen/.test(r.name)) as never[];
    const lines: string[] = [];
    const result = await runEval({ readers, from: '2025-09-01', days: 4, progress: (l) => lines.push(l) });
    assert.equal(result.days.length, 4);
    assert.equal(result.days[0], '2025-09-01');
    assert.equal(lines.length, 4, 'one progress line per day');
    assert.equal(result.readers, 3);
    for (const mode of ['learned', 'baseline'] as const) {
      for (const k of METRIC_NAMES) {
        const v = result.mean[mode][k];
        assert.ok(v >= 0 && v <= 1, `${mode}.${k} = ${v}`);
      }
    }
    assert.ok(result.perReader.some((r) => r.daysScored > 0), 'some days were scored');
    assert.ok(result.mean.baseline.recall > 0, 'the baseline sent relevant papers');
    assert.ok(result.mean.learned.recall > 0, 'the learned ranking sent relevant papers');
    assert.equal(typeof result.ratioNdcg10, 'number');
    assert.deepEqual(result.settings, {}, 'a run on the defaults says so');
    for (const r of result.perReader.filter((x) => x.daysScored > 0)) {
      assert.ok(r.losses.sortedNdcg10 >= r.learned.ndcg10 - 0.001, `${r.name}: sorting the shown papers never scores lower`);
      assert.ok(r.losses.outsideShare >= 0 && r.losses.outsideShare <= 1);
    }
    assert.ok(result.losses.sortedNdcg10 >= result.mean.learned.ndcg10 - 0.001);
  });

  it('--set evaluates other settings, checked like the live ones', () => {
    assert.deepEqual(settingOverrides(['relevancePersonalWeight=2', 'relevanceRanking = upvotes']), { relevancePersonalWeight: 2, relevanceRanking: 'upvotes' });
    assert.deepEqual(settingOverrides([]), {});
    assert.throws(() => settingOverrides(['relevancePersonalWeight=-1']), /relevancePersonalWeight must be at least 0 \(got -1\)/);
    assert.throws(() => settingOverrides(['relevancePersonalWeight=abc']), /must be a number/);
    assert.throws(() => settingOverrides(['relevanceWeight=1']), /unknown setting: relevanceWeight/);
    assert.throws(() => settingOverrides(['relevancePersonalWeight']), /expected key=value/);
  });

  it('a readers file is checked whole: every problem, with the reader it belongs to', () => {
    const good = { name: 'ok', preferences: { topics: ['RL', 'llm'], seedPapers: ['https://arxiv.org/abs/2410.24164v2'] }, relevant: ['2410.24164'] };
    assert.equal(parseReadersFile([good]).length, 1, 'ids in any case and seed URLs are what a subscriber may give too');
    const written = parseReadersFile([{ ...good, relevant: ['2509.01234v2', 'arXiv:2509.01234', 'https://huggingface.co/papers/2410.24164', '2501.00001'] }]);
    assert.deepEqual(written[0]!.relevant, ['2509.01234', '2410.24164', '2501.00001'], 'relevant ids as a person writes them, kept bare and once');
    assert.throws(() => parseReadersFile([{ ...good, relevant: ['2509.01234', 'hep-th/9901001', 'nonsense'] }]), /reader 1 “ok”: relevant: “hep-th\/9901001”, “nonsense” are not arXiv ids/);
    const err = (() => {
      try {
        parseReadersFile([good, { name: 'astro', preferences: { topics: 'astrology' }, relevant: [] }, 7, { name: '', preferences: { maxPapers: 0 }, relevant: 'x' }]);
      } catch (e) {
        return e as ReadersFileError;
      }
      assert.fail('refused');
    })();
    assert.ok(err instanceof ReadersFileError);
    assert.equal(err.problems.length, 4, err.message);
    assert.match(err.problems[0]!, /^reader 3: expected an object/);
    assert.match(err.message, /reader 4: name must be a non-empty string/);
    assert.match(err.message, /reader 4: relevant must be a list of arXiv ids/);
    assert.match(err.message, /reader 4: preferences\.maxPapers: must be a whole number of papers from 1 to 25/);
    assert.doesNotMatch(err.message, /astro/, 'a topic the catalog lacks is read, not refused');
    assert.throws(() => parseReadersFile({}), /expected a JSON array/);
    assert.throws(() => parseReadersFile([{ ...good, preferences: { topics: ['llm'], maxPapers: 'many' } }]), /reader 1 “ok”: preferences\.maxPapers/);
    assert.throws(() => parseReadersFile([]), /no readers/);
  });

  it('a readers file written without our catalog is read as meant, and says how', () => {
    const [r] = parseReadersFile([
      { name: 'outsider', preferences: { topics: ['Reinforcement learning', 'LLMs', 'graph neural networks'], includeKeywords: 'GRPO', maxPapers: 40, persona: 'a PhD student' }, relevant: ['2509.01234'] },
    ]);
    assert.deepEqual(r!.preferences.topics, ['rl', 'llm'], 'topics by label or common name are the catalog ids');
    assert.deepEqual(r!.preferences.includeKeywords, ['GRPO', 'graph neural networks'], 'a topic the catalog lacks is matched as the keyword it names');
    assert.equal(r!.preferences.maxPapers, 25);
    assert.deepEqual(r!.notes, [
      'preferences.persona is not a preference: ignored',
      'topic “graph neural networks” is not in the catalog: read as the include keyword “graph neural networks”',
      'maxPapers 40 is above the cap: read as 25',
    ]);
    assert.equal('persona' in r!.preferences, false);
    const [own] = parseReadersFile([{ name: 'own', preferences: { topics: ['rl'] }, relevant: [] }]);
    assert.equal(own!.notes, undefined, 'a file in our own terms gets no notes');
    const dir = mkdtempSync(join(tmpdir(), 'pd-eval-'));
    const file = join(dir, 'readers.json');
    writeFileSync(file, JSON.stringify([{ name: 'outsider', preferences: { topics: ['graph neural networks'] }, relevant: [] }]));
    // A bad --set stops the run right after the file is read: the notes are printed before anything runs.
    const run = spawnSync(process.execPath, ['bin/run-ts.js', 'bench/eval-relevance.ts', '--readers', file, '--from', '2025-09-01', '--days', '1', '--set', 'relevanceDiscoverMin=2'], { cwd: REPO_ROOT, encoding: 'utf8' });
    assert.equal(run.status, 2, run.stderr);
    assert.match(run.stderr, /reader “outsider”: topic “graph neural networks” is not in the catalog: read as the include keyword “graph neural networks”/);
  });

  it('the command refuses a bad readers file with every problem, not a stack trace', () => {
    const dir = mkdtempSync(join(tmpdir(), 'pd-eval-'));
    const file = join(dir, 'readers.json');
    writeFileSync(file, JSON.stringify([{ name: 'a', preferences: { topics: ['rl'], includeKeywords: ['x'] }, relevant: [] }, { name: 'b', preferences: { maxPapers: 0 }, relevant: [] }]));
    const run = spawnSync(process.execPath, ['bin/run-ts.js', 'bench/eval-relevance.ts', '--readers', file, '--from', '2025-09-01', '--days', '1'], { cwd: REPO_ROOT, encoding: 'utf8' });
    assert.equal(run.status, 2, run.stderr);
    assert.match(run.stderr, /reader 1 “a”: preferences\.includeKeywords: “x” must be 2–60 characters/);
    assert.match(run.stderr, /reader 2 “b”: preferences\.maxPapers/);
    assert.doesNotMatch(run.stderr, /at \w+ \(/, 'no stack trace');
    writeFileSync(file, '[');
    const notJson = spawnSync(process.execPath, ['bin/run-ts.js', 'bench/eval-relevance.ts', '--readers', file, '--from', '2025-09-01', '--days', '1'], { cwd: REPO_ROOT, encoding: 'utf8' });
    assert.equal(notJson.status, 2);
    assert.match(notJson.stderr, /not JSON/);
  });

  it('the command refuses a bad --set with its reason and runs nothing', () => {
    const run = spawnSync(process.execPath, ['bin/run-ts.js', 'bench/eval-relevance.ts', '--readers', 'eval/readers.json', '--from', '2025-09-01', '--days', '1', '--set', 'relevanceDiscoverMin=2'], {
      cwd: REPO_ROOT,
      encoding: 'utf8',
    });
    assert.equal(run.status, 2, run.stderr);
    assert.match(run.stderr, /relevanceDiscoverMin must be at most 1 \(got 2\)/);
    assert.match(run.stderr, /usage: npm run eval:relevance/);
    assert.doesNotMatch(run.stderr, /learned :/, 'no figures');
  });
});
