// When nothing would be sent, the operator is told why: `preview` names the address, the window, the newest stored
// listing and the fix; `send-test` without a subscriber samples the newest stored papers instead of failing.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { FIXTURES, fixturePath, REPO_ROOT } from '../helpers/fixtures.js';
import { startRedis, type TestRedis } from '../helpers/redis-server.js';

function cli(env: Record<string, string>, ...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [join(REPO_ROOT, 'bin/papers-digest.js'), ...args], { env: { PATH: process.env.PATH ?? '', ...env }, timeout: 60_000 }, (err, stdout, stderr) => {
      resolve({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, stdout, stderr });
    });
  });
}

describe('empty results are explained (preview, send-test)', () => {
  let redis: TestRedis;
  let dataDir: string;
  let env: Record<string, string>;

  before(async () => {
    redis = await startRedis();
    dataDir = mkdtempSync(join(tmpdir(), 'pd-cli-empty-'));
    env = { REDIS_URL: redis.url, REDIS_PREFIX: 'cliempty', DATA_DIR: dataDir, LOG_LEVEL: 'warn', HF_BASE_URL: 'http://127.0.0.1:9' };
    // Months-old papers only: every current window is empty.
    const scrape = await cli(env, 'scrape', '--from', fixturePath(FIXTURES.api), '--date', '2026-07-31');
    assert.equal(scrape.code, 0, scrape.stderr);
    const add = await cli(env, 'subscribers', 'add', 'reader@example.org', '--confirmed');
    assert.equal(add.code, 0, add.stderr);
  });
  after(async () => {
    await redis.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('preview names the address, the window, the newest stored listing and the fix', async () => {
    const run = await cli(env, 'preview', '--subscriber', 'reader@example.org', '--out', join(dataDir, 'p.html'));
    assert.equal(run.code, 1);
    assert.match(run.stderr, /nothing would be sent to reader@example\.org \(/);
    assert.match(run.stderr, /window: papers listed \d{4}-\d{2}-\d{2} … \d{4}-\d{2}-\d{2} \(0 stored/);
    assert.match(run.stderr, /newest stored listing: 2026-07-31/);
    assert.match(run.stderr, /cause: no-papers-in-window/);
    assert.match(run.stderr, /fix: .*papers-digest scrape/);
    const json = await cli(env, 'preview', '--subscriber', 'reader@example.org', '--out', join(dataDir, 'p.html'), '--json');
    const out = JSON.parse(json.stdout) as { explanation: { newestDay: string; cause: string } };
    assert.equal(out.explanation.newestDay, '2026-07-31');
  });

  it('send-test without a subscriber falls back to the newest stored papers', async () => {
    const run = await cli(env, 'send-test', '--to', 'me@example.org');
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stderr, /sampling the newest stored listing \(2026-07-31\)/);
    assert.equal(readdirSync(join(dataDir, 'outbox')).filter((f) => f.endsWith('.eml')).length, 1);
  });
});
