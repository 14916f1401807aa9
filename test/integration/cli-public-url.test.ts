// CLI links follow the running server (issue 11): with `PORT=3111 npm start` and no PUBLIC_URL, CLI links pointed
// at localhost:3000. The web role publishes its effective URL in Redis; a CLI without PUBLIC_URL uses it, and a
// CLI whose PUBLIC_URL differs says so and refuses to send mail.
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import { Redis } from 'ioredis';
import { runCli } from '../../src/cli.js';
import { publishPublicUrl, resolveCliPublicUrl } from '../../src/ops/public-url.js';
import { makeKeys } from '../../src/redis/keys.js';
import { startRedis, type TestRedis } from '../helpers/redis-server.js';

describe('CLI links and the running server', () => {
  let server: TestRedis;
  let redis: Redis;
  let dataDir: string;
  let env: Record<string, string>;
  const cli = async (extraEnv: Record<string, string>, ...argv: string[]) => {
    let stdout = '';
    let stderr = '';
    const w = (f: (s: string) => void) => new Writable({ write(c, _e, cb) { f(String(c)); cb(); } });
    const code = await runCli(argv, { stdout: w((s) => (stdout += s)), stderr: w((s) => (stderr += s)), env: { ...env, ...extraEnv } });
    return { code, stdout, stderr };
  };
  const outbox = () => {
    try {
      return readdirSync(join(dataDir, 'outbox')).filter((f) => f.endsWith('.eml')).length;
    } catch {
      return 0;
    }
  };

  before(async () => {
    server = await startRedis();
    redis = new Redis(server.url);
    dataDir = mkdtempSync(join(tmpdir(), 'pd-cli-url-'));
    env = { REDIS_URL: server.url, REDIS_PREFIX: 'cliurl', DATA_DIR: dataDir, LOG_LEVEL: 'warn', LINK_SECRETS: 'k1:Qm9vdHN0cmFwLXNlY3JldC1mb3ItdGVzdHMtb25seS0x', ADMIN_TOKEN: 'Xk29fjQ0sLm3nB7vC1zR8tY4' };
    // What `PORT=3111 npm start` publishes.
    await publishPublicUrl(redis, makeKeys('cliurl'), 'http://localhost:3111');
  });
  after(async () => {
    await redis.quit();
    await server.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('without PUBLIC_URL, links use the URL the web role published', async () => {
    assert.equal((await cli({}, 'subscribers', 'add', 'ann@example.org', '--confirmed')).code, 0);
    const show = await cli({}, 'subscribers', 'show', 'ann@example.org', '--json');
    assert.equal(show.code, 0, show.stderr);
    const links = (JSON.parse(show.stdout) as { links: { preferences: string } }).links;
    assert.ok(links.preferences.startsWith('http://localhost:3111/preferences/'), links.preferences);
  });

  it('a different PUBLIC_URL: says so and sends nothing', async () => {
    const before = outbox();
    const r = await cli({ PUBLIC_URL: 'http://localhost:3000' }, 'subscribers', 'add', 'bob@example.org');
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /PUBLIC_URL here is http:\/\/localhost:3000, but the running web server uses http:\/\/localhost:3111/);
    assert.equal(outbox(), before, 'no email written');
    const same = await cli({ PUBLIC_URL: 'http://localhost:3111' }, 'subscribers', 'resend', 'bob@example.org');
    assert.equal(same.code, 0, same.stderr);
    assert.equal(outbox(), before + 1);
  });

  it('resolves (pure)', () => {
    assert.equal(resolveCliPublicUrl(undefined, 'http://localhost:3000', null).url, 'http://localhost:3000');
    assert.match(resolveCliPublicUrl(undefined, 'http://localhost:3000', null).note ?? '', /no running web server/);
    assert.equal(resolveCliPublicUrl('https://d.example', 'https://d.example', 'https://d.example').mismatch, null);
  });
});
