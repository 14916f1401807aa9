// `papers-digest channels add|list|remove` in process (runCli with its own io) against a private redis-server:
// the webhook URL goes in (from stdin too) and never comes back out unmasked; a generated signing secret is shown
// once, at add.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough, Readable } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import { runCli } from '../../src/cli.js';
import { startRedis, type TestRedis } from '../helpers/redis-server.js';

const SLACK = 'https://hooks.slack.com/services/T0AAAA111/B0BBBB222/s3cr3tTokenValue0123456789';

describe('operator CLI: channels', () => {
  let redis: TestRedis;
  let dataDir: string;
  let env: Record<string, string>;

  async function cli(args: string[], stdin?: string) {
    const out = new PassThrough();
    const err = new PassThrough();
    let stdout = '';
    let stderr = '';
    out.on('data', (c: Buffer) => (stdout += c.toString()));
    err.on('data', (c: Buffer) => (stderr += c.toString()));
    const io = { stdout: out, stderr: err, env, ...(stdin !== undefined ? { stdin: Readable.from([stdin]) } : {}) };
    const code = await runCli(['channels', ...args], io);
    return { code, stdout, stderr };
  }

  before(async () => {
    redis = await startRedis();
    dataDir = mkdtempSync(join(tmpdir(), 'pd-cli-chan-'));
    env = {
      REDIS_URL: redis.url,
      REDIS_PREFIX: 'clichan',
      DATA_DIR: dataDir,
      LOG_LEVEL: 'warn',
      PUBLIC_URL: 'https://digest.example.org',
      LINK_SECRETS: 'k7:Qm4nB8vC2xZ6lK0jH3gF5dS9aP1oI7uY',
      ADMIN_TOKEN: 'Xk29fjQ0sLm3nB7vC1zR8tY4',
    };
  });
  after(async () => {
    await redis.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('adds Slack (URL from stdin) and a webhook, lists them masked, removes one', async () => {
    const slack = await cli(['add', '--kind', 'slack', '--url-stdin', '--name', 'ML team', '--topics', 'agents;reasoning', '--timezone', 'Europe/Berlin', '--time', '09:00', '--json'], `${SLACK}\n`);
    assert.equal(slack.code, 0, slack.stderr);
    const added = JSON.parse(slack.stdout) as { channel: { id: string; url: string; topics: string[]; timezone: string } };
    assert.equal(added.channel.url, 'https://hooks.slack.com/services/T…/…/****');
    assert.deepEqual(added.channel.topics, ['agents', 'reasoning']);
    const hook = await cli(['add', '--kind', 'webhook', '--url', 'https://example.org/receiver/abc123']);
    assert.equal(hook.code, 0, hook.stderr);
    assert.match(hook.stdout, /signing secret \(shown once, give it to the receiver\): [A-Za-z0-9_-]{43}/);
    const list = await cli(['list']);
    assert.equal(list.code, 0);
    assert.match(list.stdout, /slack\s+active\s+ML team\s+https:\/\/hooks\.slack\.com\/services\/T…\/…\/\*\*\*\*/);
    const json = await cli(['list', '--json']);
    for (const out of [slack.stdout, list.stdout, json.stdout, list.stderr, json.stderr]) {
      assert.doesNotMatch(out, /s3cr3tToken|B0BBBB222|abc123/, 'no part of a webhook secret is ever printed');
    }
    assert.equal((JSON.parse(json.stdout) as { secret: string | null }[]).filter((c) => c.secret === '****').length, 1);
    assert.equal((await cli(['remove', added.channel.id])).code, 2, 'remove needs --yes');
    const rm = await cli(['remove', added.channel.id, '--yes']);
    assert.equal(rm.code, 0, rm.stderr);
    assert.doesNotMatch(rm.stdout, /s3cr3t/);
    assert.equal((JSON.parse((await cli(['list', '--json'])).stdout) as unknown[]).length, 1);
  });

  it('refuses bad input with every reason and without echoing the URL', async () => {
    const bad = await cli(['add', '--kind', 'slack', '--url', 'http://example.org/services/T/B/leakme', '--max-papers', '99']);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /--url: must be https/);
    assert.match(bad.stderr, /--max-papers/);
    assert.doesNotMatch(bad.stderr + bad.stdout, /leakme/);
    assert.equal((await cli(['add', '--url', SLACK])).code, 2, '--kind is required');
  });
});
