// `papers-digest demo` as a newcomer runs it offline: the CLI child process against a private redis-server, no
// network, no SMTP. It must leave one digest .eml in DATA_DIR/outbox built from the shipped sample listing.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { Redis } from 'ioredis';
import { REPO_ROOT } from '../helpers/fixtures.js';
import { startRedis, type TestRedis } from '../helpers/redis-server.js';

function cli(env: Record<string, string>, ...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [join(REPO_ROOT, 'bin/papers-digest.js'), ...args], { env: { PATH: process.env.PATH ?? '', ...env }, timeout: 60_000 }, (err, stdout, stderr) => {
      resolve({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, stdout, stderr });
    });
  });
}

describe('papers-digest demo: an offline first digest', () => {
  let redis: TestRedis;
  let client: Redis;
  let dataDir: string;
  let env: Record<string, string>;
  const prefix = 'clidemo';

  before(async () => {
    redis = await startRedis();
    client = new Redis(redis.url);
    dataDir = mkdtempSync(join(tmpdir(), 'pd-cli-demo-'));
    // An unreachable HF_BASE_URL: the demo must not need the network.
    env = { REDIS_URL: redis.url, REDIS_PREFIX: prefix, DATA_DIR: dataDir, LOG_LEVEL: 'warn', HF_BASE_URL: 'http://127.0.0.1:9', PORT: '3123' };
  });
  after(async () => {
    client.disconnect();
    await redis.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('writes one digest of the sample papers to the outbox and says where to read it', async () => {
    const run = await cli(env, 'demo');
    assert.equal(run.code, 0, run.stderr);
    const files = readdirSync(join(dataDir, 'outbox')).filter((f) => f.endsWith('.eml'));
    assert.equal(files.length, 1);
    const file = join(dataDir, 'outbox', files[0]!);
    assert.ok(run.stdout.includes(file), run.stdout);
    assert.match(run.stdout, /http:\/\/localhost:3123\/admin\/outbox/);
    const eml = readFileSync(file, 'utf8');
    assert.match(eml, /^Subject: =\?UTF-8\?Q\?=5Bsample_data=5D/m, 'the subject says it is sample data');
    assert.match(eml, /^To: demo@example\.com/m);
    assert.match(eml, /^X-Papers-Digest-Demo: sample data/m);
    // A sample paper (from samples/demo-listing.json) is in the body.
    assert.match(eml, /huggingface\.co\/papers\/2607\.26769/);
    // Nothing sample was stored as papers; the demo subscriber exists and is pending (the worker never mails it).
    assert.deepEqual(await client.keys(`${prefix}:paper*`), []);
    const show = await cli(env, 'subscribers', 'show', 'demo@example.com', '--json');
    assert.equal(show.code, 0, show.stderr);
    assert.equal((JSON.parse(show.stdout) as { subscriber: { status: string } }).subscriber.status, 'pending');
  });

  it('reuses the demo subscriber on a second run and writes a second message', async () => {
    const run = await cli(env, 'demo', '--json');
    assert.equal(run.code, 0, run.stderr);
    const out = JSON.parse(run.stdout) as { ok: boolean; subscriberCreated: boolean; papers: number; file: string };
    assert.equal(out.ok, true);
    assert.equal(out.subscriberCreated, false);
    assert.ok(out.papers >= 1 && out.papers <= 10);
    assert.equal(readdirSync(join(dataDir, 'outbox')).filter((f) => f.endsWith('.eml')).length, 2);
  });
});
