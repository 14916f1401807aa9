// The operator CLI as an operator runs it: child processes of bin/papers-digest.js against a private
// redis-server (REDIS_URL), a temporary DATA_DIR and a fresh key prefix.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { Redis } from 'ioredis';
import { REPO_ROOT } from '../helpers/fixtures.js';
import { startRedis, type TestRedis } from '../helpers/redis-server.js';

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

function cli(env: Record<string, string>, ...args: string[]): Promise<Run> {
  return new Promise((resolve) => {
    execFile(process.execPath, [join(REPO_ROOT, 'bin/papers-digest.js'), ...args], { env: { PATH: process.env.PATH ?? '', ...env }, timeout: 30_000 }, (err, stdout, stderr) => {
      const code = err ? (typeof err.code === 'number' ? err.code : 1) : 0;
      resolve({ code, stdout, stderr });
    });
  });
}

describe('operator CLI: settings, pause/resume, redis-check', () => {
  let redis: TestRedis;
  let client: Redis;
  let dataDir: string;
  let env: Record<string, string>;
  const prefix = 'cliops';

  before(async () => {
    redis = await startRedis({ appendonly: true });
    client = new Redis(redis.url);
    dataDir = mkdtempSync(join(tmpdir(), 'pd-cli-ops-'));
    env = { REDIS_URL: redis.url, REDIS_PREFIX: prefix, DATA_DIR: dataDir, LOG_LEVEL: 'warn' };
  });
  after(async () => {
    client.disconnect();
    await redis.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('lists the operator commands in --help, and each command has its own --help', async () => {
    const top = await cli(env, '--help');
    assert.equal(top.code, 0);
    for (const name of ['settings', 'pause', 'resume', 'redis-check']) assert.match(top.stdout, new RegExp(`^  ${name}\\b`, 'm'));
    const help = await cli(env, 'settings', '--help');
    assert.equal(help.code, 0);
    assert.match(help.stdout, /settings set key=value/);
    assert.match(help.stdout, /scrapePattern/);
  });

  it('settings get prints defaults, as text and as JSON', async () => {
    const text = await cli(env, 'settings', 'get');
    assert.equal(text.code, 0, text.stderr);
    assert.match(text.stdout, /^scrapePattern\s+"\*\/30 \* \* \* \*"$/m);
    const one = await cli(env, 'settings', 'get', 'sendRatePerSecond', '--json');
    assert.deepEqual(JSON.parse(one.stdout), { sendRatePerSecond: 20 });
    const unknown = await cli(env, 'settings', 'get', 'nope');
    assert.equal(unknown.code, 2);
    assert.match(unknown.stderr, /unknown setting: nope/);
  });

  it('settings set validates the whole change, saves nothing on any error, and audits accepted ones as cli', async () => {
    const bad = await cli(env, 'settings', 'set', 'scrapePattern=0 * * * *', 'scrapeTimezone=Mars/Olympus', 'sendRatePerSecond=fast');
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /nothing was saved/);
    assert.match(bad.stderr, /scrapeTimezone is not an IANA time zone/);
    assert.match(bad.stderr, /sendRatePerSecond/);
    assert.equal(await client.get(`${prefix}:settings`), null, 'a refused change writes nothing');

    const badCron = await cli(env, 'settings', 'set', 'scrapePattern=61 * * * *', '--json');
    assert.equal(badCron.code, 2);
    const out = JSON.parse(badCron.stdout) as { ok: boolean; problems: string[] };
    assert.equal(out.ok, false);
    assert.match(out.problems.join('\n'), /scrapePattern is not a valid cron pattern/);

    const good = await cli(env, 'settings', 'set', 'scrapePattern=0 * * * *', 'scrapeTimezone=Europe/Paris', 'sendRatePerSecond=50');
    assert.equal(good.code, 0, good.stderr);
    assert.match(good.stdout, /scrapePattern: "\*\/30 \* \* \* \*" → "0 \* \* \* \*"/);
    assert.match(good.stdout, /sendRatePerSecond: 20 → 50/);
    const stored = JSON.parse((await client.get(`${prefix}:settings`)) ?? '{}') as Record<string, unknown>;
    assert.equal(stored.scrapeTimezone, 'Europe/Paris');
    assert.equal(stored.sendRatePerSecond, 50);

    const history = await cli(env, 'settings', 'history', '--limit', '5', '--json');
    assert.equal(history.code, 0, history.stderr);
    const entries = JSON.parse(history.stdout) as { by: string; changes: { key: string; from: unknown; to: unknown }[] }[];
    assert.equal(entries.length, 1, 'only the accepted change is in the audit log');
    assert.equal(entries[0]!.by, 'cli');
    assert.deepEqual(entries[0]!.changes.find((c) => c.key === 'sendRatePerSecond'), { key: 'sendRatePerSecond', from: 20, to: 50 });
    const historyText = await cli(env, 'settings', 'history');
    assert.match(historyText.stdout, /by cli\n\s+scrapePattern: "\*\/30 \* \* \* \*" → "0 \* \* \* \*"/);
  });

  it('new subscribers from the CLI (add, import) get the live default send time and zone unless given', async () => {
    const set = await cli(env, 'settings', 'set', 'defaultSendTime=06:45', 'defaultTimezone=Asia/Tokyo');
    assert.equal(set.code, 0, set.stderr);
    const show = async (email: string) => {
      const r = await cli(env, 'subscribers', 'show', email, '--json');
      assert.equal(r.code, 0, r.stderr);
      return (JSON.parse(r.stdout) as { subscriber: { timezone: string; sendTime: { hour: number; minute: number } } }).subscriber;
    };
    assert.equal((await cli(env, 'subscribers', 'add', 'plain@example.org', '--confirmed')).code, 0);
    assert.equal((await cli(env, 'subscribers', 'add', 'own@example.org', '--time', '21:15', '--confirmed')).code, 0);
    const csv = join(dataDir, 'defaults.csv');
    writeFileSync(csv, 'email,timezone,send_time\nrow1@example.org,,\nrow2@example.org,Europe/Paris,09:00\n');
    const imp = await cli(env, 'subscribers', 'import', csv, '--confirmed');
    assert.equal(imp.code, 0, imp.stderr);
    const expected: [string, { hour: number; minute: number }, string][] = [
      ['plain@example.org', { hour: 6, minute: 45 }, 'Asia/Tokyo'],
      ['own@example.org', { hour: 21, minute: 15 }, 'Asia/Tokyo'],
      ['row1@example.org', { hour: 6, minute: 45 }, 'Asia/Tokyo'],
      ['row2@example.org', { hour: 9, minute: 0 }, 'Europe/Paris'],
    ];
    for (const [email, sendTime, timezone] of expected) {
      const s = await show(email);
      assert.deepEqual([s.sendTime, s.timezone], [sendTime, timezone], email);
    }
    assert.equal((await cli(env, 'settings', 'set', 'defaultSendTime=08:00', 'defaultTimezone=UTC')).code, 0);
  });

  it('pause and resume flip the global flags, one or both', async () => {
    const p = await cli(env, 'pause', 'sending', '--json');
    assert.equal(p.code, 0, p.stderr);
    assert.deepEqual({ ...JSON.parse(p.stdout), changes: undefined }, { ok: true, changes: undefined, sendingPaused: true, scrapingPaused: false });
    const bare = await cli(env, 'pause');
    assert.equal(bare.code, 2, 'a bare pause names nothing: refused (issue 11)');
    const all = await cli(env, 'pause', 'all');
    assert.match(all.stdout, /sending: paused, scraping: paused/);
    const r = await cli(env, 'resume', 'scraping');
    assert.match(r.stdout, /sending: paused, scraping: running/);
    const bad = await cli(env, 'resume', 'everything');
    assert.equal(bad.code, 2);
    const stored = JSON.parse((await client.get(`${prefix}:settings`)) ?? '{}') as Record<string, unknown>;
    assert.equal(stored.sendingPaused, true);
    assert.equal(stored.scrapingPaused, false);
  });

  it('redis-check reports a healthy test server and fails on a volatile one', async () => {
    const ok = await cli(env, 'redis-check', '--json');
    assert.equal(ok.code, 0, ok.stdout + ok.stderr);
    const report = JSON.parse(ok.stdout) as { ok: boolean; evictionPolicy: string; aof: boolean; target: { kind: string } };
    assert.equal(report.ok, true);
    assert.equal(report.evictionPolicy, 'noeviction');
    assert.equal(report.target.kind, 'external');

    await client.config('SET', 'maxmemory-policy', 'allkeys-lru');
    try {
      const badRun = await cli(env, 'redis-check');
      assert.equal(badRun.code, 1);
      assert.match(badRun.stdout, /Eviction:\s+allkeys-lru PROBLEM/);
      assert.match(badRun.stdout, /set it to noeviction/);
    } finally {
      await client.config('SET', 'maxmemory-policy', 'noeviction');
    }
  });
});
