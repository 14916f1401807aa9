// CLI validation gaps from issue 11: impossible periods exit 2, booleans take exactly true/false with a message a
// person reads, a bare `pause` is refused, unknown flags and subcommands get a short message with a did-you-mean.
// Every case here is refused before Redis is touched (no REDIS_URL is set up: the commands must not get there).
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { runCli } from '../../../src/cli.js';
import { didYouMean } from '../../../src/cli/command.js';
import { isRealPeriod } from '../../../src/cli/period-arg.js';
import { parseAssignments } from '../../../src/cli/settings.js';
import { SettingsError } from '../../../src/settings/schema.js';

async function cli(...argv: string[]) {
  let stdout = '';
  let stderr = '';
  const sink = (f: (s: string) => void) => new Writable({ write(c, _e, cb) { f(String(c)); cb(); } });
  const code = await runCli(argv, { stdout: sink((s) => (stdout += s)), stderr: sink((s) => (stderr += s)), env: { REDIS_URL: 'redis://127.0.0.1:1' } });
  return { code, stdout, stderr };
}

describe('periods', () => {
  it('refuses impossible days and weeks with exit 2', async () => {
    for (const p of ['2026-13-45', '2026-02-30', '2026-W54', '2026-W00']) {
      const r = await cli('editions', 'status', '--period', p);
      assert.equal(r.code, 2, p);
      assert.match(r.stderr, /--period must be a real day/);
    }
    assert.equal((await cli('retry-failed', '--period', '2026-13-45')).code, 2);
    assert.equal((await cli('preview', '--period', '2026-02-30')).code, 2);
  });
  it('knows real ones', () => {
    assert.ok(isRealPeriod('2024-02-29'));
    assert.ok(!isRealPeriod('2025-02-29'));
    assert.ok(isRealPeriod('2026-W53')); // 2026 has 53 ISO weeks
    assert.ok(!isRealPeriod('2025-W53'));
  });
});

describe('settings values', () => {
  it('booleans take exactly true or false; other words are refused in plain words', () => {
    assert.deepEqual(parseAssignments(['sendingPaused=true', 'scrapingPaused=FALSE']), { sendingPaused: true, scrapingPaused: false });
    for (const w of ['yes', 'on', '1', 'banana']) {
      assert.throws(() => parseAssignments([`sendingPaused=${w}`]), (err: unknown) => {
        assert.ok(err instanceof SettingsError);
        assert.deepEqual(err.problems, [`sendingPaused must be true or false (got "${w}")`]);
        return true;
      });
    }
  });
  it('the CLI says why, exit 2, no validator jargon', async () => {
    const r = await cli('settings', 'set', 'sendingPaused=banana');
    assert.equal(r.code, 2);
    assert.match(r.stderr, /sendingPaused must be true or false \(got "banana"\)/);
    assert.doesNotMatch(r.stderr, /Invalid input|expected boolean/);
  });
});

describe('pause and unknown words', () => {
  it('a bare pause is refused and says what to name', async () => {
    const r = await cli('pause');
    assert.equal(r.code, 2);
    assert.match(r.stderr, /say what to pause: sending, scraping or all/);
  });
  it('unknown flags: a short message with a did-you-mean, not Node\'s parser text', async () => {
    const r = await cli('scrape', '--dat', '2026-09-28');
    assert.equal(r.code, 2);
    assert.match(r.stderr, /unknown option --dat — did you mean --date\?/);
    assert.doesNotMatch(r.stderr, /To specify a positional argument/);
    assert.ok(r.stderr.split('\n').length <= 3, 'short');
  });
  it('unknown commands and subcommands get a did-you-mean', async () => {
    assert.match((await cli('subscriber', 'list')).stderr, /did you mean subscribers\?/);
    assert.match((await cli('editions', 'stats')).stderr, /unknown subcommand "stats" — did you mean status\?/);
    assert.match((await cli('settings', 'hist')).stderr, /did you mean history\?/);
    assert.match((await cli('subscribers', 'lst')).stderr, /unknown subcommand "lst" — did you mean list\?/);
    assert.match((await cli('pause', 'sendng')).stderr, /did you mean sending\?/);
    assert.equal(didYouMean('xyzzy', ['add', 'list']), null);
  });
});
