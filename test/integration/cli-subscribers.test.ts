// `papers-digest subscribers …` as an operator runs it: child processes against a private redis-server
// (REDIS_URL), a temporary DATA_DIR (outbox mail, generated secrets) and a fresh key prefix.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { verifyToken } from '../../src/links/signed-links.js';
import { REPO_ROOT } from '../helpers/fixtures.js';
import { startRedis, type TestRedis } from '../helpers/redis-server.js';

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

const SECRET = { kid: 'k7', secret: 'Qm4nB8vC2xZ6lK0jH3gF5dS9aP1oI7uY' };

describe('operator CLI: subscribers', () => {
  let redis: TestRedis;
  let dataDir: string;
  let env: Record<string, string>;

  const cli = (...args: string[]): Promise<Run> =>
    new Promise((resolve) => {
      execFile(process.execPath, [join(REPO_ROOT, 'bin/papers-digest.js'), 'subscribers', ...args], { env, timeout: 60_000 }, (err, stdout, stderr) => {
        resolve({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, stdout, stderr });
      });
    });

  before(async () => {
    redis = await startRedis();
    dataDir = mkdtempSync(join(tmpdir(), 'pd-cli-subs-'));
    env = {
      PATH: process.env.PATH ?? '',
      REDIS_URL: redis.url,
      REDIS_PREFIX: 'clisubs',
      DATA_DIR: dataDir,
      LOG_LEVEL: 'warn',
      PUBLIC_URL: 'https://digest.example.org',
      LINK_SECRETS: `${SECRET.kid}:${SECRET.secret}`,
      ADMIN_TOKEN: 'Xk29fjQ0sLm3nB7vC1zR8tY4',
    };
  });
  after(async () => {
    await redis.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('add → show --json prints working preferences and unsubscribe links; bad input is refused with every reason', async () => {
    const add = await cli('add', 'Ann@Example.org', '--timezone', 'US/Eastern', '--time', '07:30', '--topics', 'llm;agents', '--confirmed');
    assert.equal(add.code, 0, add.stderr);
    const show = await cli('show', 'ann@example.org', '--json');
    assert.equal(show.code, 0, show.stderr);
    const d = JSON.parse(show.stdout) as { subscriber: { id: string; status: string; timezone: string }; nextDueAt: string; links: { preferences: string; unsubscribe: string } };
    assert.equal(d.subscriber.status, 'active');
    assert.equal(d.subscriber.timezone, 'America/New_York');
    assert.ok(d.nextDueAt);
    for (const [purpose, url] of [['preferences', d.links.preferences], ['unsubscribe', d.links.unsubscribe]] as const) {
      assert.ok(url.startsWith(`https://digest.example.org/${purpose}/`), url);
      const v = verifyToken(url.split('/').pop()!, purpose, [SECRET], new Date());
      assert.ok(v.ok && v.subscriberId === d.subscriber.id);
    }
    // The id goes after `--`: a subscriber id is random base64url and starts with '-' one time in 64, which parseArgs
    // would otherwise read as options.
    const bad = await cli('update', '--max-papers', '30', '--timezone', 'Mars/Base', '--topics', 'astrology', '--', d.subscriber.id);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /--max-papers: .*1 to 25/);
    assert.match(bad.stderr, /--timezone: .*Mars\/Base/);
    assert.match(bad.stderr, /--topics: unknown topic “astrology”/);
    const dup = await cli('add', 'ann@example.org');
    assert.equal(dup.code, 1);
    assert.match(dup.stderr, /already subscribed/);
  });

  it('import: bad rows by line number, confirmation emails for new pending rows, idempotent re-import; list and export', async () => {
    const csv = join(dataDir, 'in.csv');
    writeFileSync(csv, [
      'email,timezone,send_time,frequency,topics,include_keywords,exclude_keywords',
      'bob@example.org,Europe/Berlin,08:00,weekly:mon,rl;3d,,survey',
      'broken@,UTC,07:00,daily,,,',
      '"cy@example.org","UTC","06:00","daily","","""quoted"" kw",""',
      'ann@example.org,UTC,09:00,daily,,,',
    ].join('\r\n') + '\r\n');
    const first = await cli('import', csv, '--json');
    assert.equal(first.code, 1); // a row was refused
    const report = JSON.parse(first.stdout) as { created: number; unchanged: number; invalid: { line: number }[]; confirmationsSent: number };
    assert.equal(report.created, 2);
    assert.equal(report.unchanged, 1); // ann existed
    assert.deepEqual(report.invalid.map((p) => p.line), [3]);
    assert.match(first.stderr, /line 3: email: /);
    assert.equal(report.confirmationsSent, 2);
    const outbox = readdirSync(join(dataDir, 'outbox')).filter((f) => f.endsWith('.eml'));
    assert.equal(outbox.length, 2);
    assert.match(readFileSync(join(dataDir, 'outbox', outbox[0]!), 'utf8'), /https:\/\/digest\.example\.org\/confirm\//);

    const again = await cli('import', csv, '--json');
    const r2 = JSON.parse(again.stdout) as { created: number; unchanged: number };
    assert.equal(r2.created, 0);
    assert.equal(r2.unchanged, 3);

    const list = await cli('list', '--json');
    const page = JSON.parse(list.stdout) as { items: { email: string; status: string }[] };
    assert.deepEqual(page.items.map((s) => `${s.email}:${s.status}`).sort(), ['ann@example.org:active', 'bob@example.org:pending', 'cy@example.org:pending']);

    const out = join(dataDir, 'out.csv');
    const exp = await cli('export', '--out', out, '--status', 'all');
    assert.equal(exp.code, 0, exp.stderr);
    const text = readFileSync(out, 'utf8');
    assert.ok(text.startsWith('email,timezone,send_time,frequency,topics,include_keywords,exclude_keywords,'));
    assert.match(text, /bob@example\.org,Europe\/Berlin,08:00,weekly:mon,rl;3d,,survey,.*,pending,\r\n/);
    assert.match(text, /cy@example\.org,UTC,06:00,daily,,"""quoted"" kw",,.*,pending,\r\n/);
    // --status all names each row's status; progress counts rows, never more than were written.
    assert.match(exp.stderr, /3\/3 100%/);
    assert.match(exp.stderr, /3 subscribers written/);
    const onlyActive = await cli('export', '--out', join(dataDir, 'active.csv'));
    assert.equal(onlyActive.code, 0, onlyActive.stderr);
    assert.match(onlyActive.stderr, /1\/1 100%/);
    assert.doesNotMatch(onlyActive.stderr, /3\/3/);
    const json = await cli('export', '--status', 'all', '--json');
    assert.equal(json.code, 0, json.stderr);
    const records = JSON.parse(json.stdout) as { email: string; status: string }[];
    assert.deepEqual(records.map((r) => `${r.email}:${r.status}`).sort(), ['ann@example.org:active', 'bob@example.org:pending', 'cy@example.org:pending']);
  });

  it('update actions and remove', async () => {
    const pause = await cli('update', 'bob@example.org', '--confirm', '--json');
    assert.equal((JSON.parse(pause.stdout) as { subscriber: { status: string } }).subscriber.status, 'active');
    const revoke = await cli('update', 'bob@example.org', '--revoke-links', '--unsubscribe', '--json');
    const s = JSON.parse(revoke.stdout) as { subscriber: { status: string; tokenVersion: number }; nextDueAt: string | null };
    assert.equal(s.subscriber.status, 'unsubscribed');
    assert.equal(s.subscriber.tokenVersion, 1);
    assert.equal(s.nextDueAt, null);
    assert.equal((await cli('remove', 'bob@example.org')).code, 2); // needs --yes
    assert.equal((await cli('remove', 'bob@example.org', '--yes')).code, 0);
    const gone = await cli('show', 'bob@example.org');
    assert.equal(gone.code, 1);
    assert.match(gone.stderr, /no subscriber with that email/);
  });

  it('resend: a fresh confirmation link when pending, the preferences link when active, refused when unsubscribed', async () => {
    const outbox = join(dataDir, 'outbox');
    const seen = new Set(readdirSync(outbox));
    const newMail = (): string[] => {
      const fresh = readdirSync(outbox).filter((f) => f.endsWith('.eml') && !seen.has(f));
      for (const f of fresh) seen.add(f);
      return fresh.map((f) => readFileSync(join(outbox, f), 'utf8'));
    };

    const pending = await cli('resend', 'cy@example.org', '--json');
    assert.equal(pending.code, 0, pending.stderr);
    const p = JSON.parse(pending.stdout) as { subscriberId: string; status: string; sent: string };
    assert.deepEqual([p.status, p.sent], ['pending', 'confirm']);
    const [confirmMail, ...extra] = newMail();
    assert.equal(extra.length, 0);
    assert.match(confirmMail!, /^To: cy@example\.org/m);
    assert.match(confirmMail!, /https:\/\/digest\.example\.org\/confirm\//);
    assert.match(confirmMail!, /Delivery: every day at 06:00 \(UTC\)/);

    const active = await cli('resend', 'ann@example.org');
    assert.equal(active.code, 0, active.stderr);
    assert.match(active.stdout, /\(active\) a preferences link/);
    const [prefsMail] = newMail();
    assert.match(prefsMail!, /^To: ann@example\.org/m);
    assert.match(prefsMail!, /https:\/\/digest\.example\.org\/preferences\//);
    assert.doesNotMatch(prefsMail!, /\/confirm\//);

    assert.equal((await cli('add', 'dee@example.org', '--confirmed')).code, 0);
    assert.equal((await cli('update', 'dee@example.org', '--unsubscribe')).code, 0);
    const gone = await cli('resend', 'dee@example.org', '--json');
    assert.equal(gone.code, 2);
    assert.match(gone.stderr, /refused, nothing sent: subscriber \S+ is unsubscribed — they unsubscribed; to come back they sign up again/);
    assert.equal(gone.stdout, '');
    const unknown = await cli('resend', 'nobody@example.org');
    assert.equal(unknown.code, 1);
    assert.match(unknown.stderr, /no subscriber with that email/);
    assert.deepEqual(newMail(), [], 'nothing sent to refused or unknown subscribers');

    const help = await cli('--help');
    assert.match(help.stdout + help.stderr, /subscribers resend <id\|email> \[--json\]/);
  });
});
