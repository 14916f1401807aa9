// `start` on a test Redis: the web role answers /healthz on a real port, the banner says where everything is,
// and stop() shuts down cleanly.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawn } from 'node:child_process';
import { PassThrough } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import { silentLogger } from '../../src/log.js';
import { start } from '../../src/main.js';
import { startRedis, type TestRedis } from '../helpers/redis-server.js';
import { waitFor } from '../helpers/wait.js';

describe('start --role all', () => {
  let server: TestRedis;
  let dataDir: string;
  before(async () => {
    server = await startRedis();
    dataDir = mkdtempSync(join(tmpdir(), 'pd-start-'));
  });
  after(async () => {
    await server.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('serves /healthz, prints an actionable banner and stops cleanly', async () => {
    const banner = new PassThrough();
    let text = '';
    banner.on('data', (d) => (text += String(d)));
    const running = await start('all', {
      env: { REDIS_URL: server.url, REDIS_PREFIX: 'start-test', PORT: '0', DATA_DIR: dataDir, PUBLIC_URL: 'http://localhost:3999', HF_BASE_URL: 'http://127.0.0.1:9' },
      log: silentLogger(),
      bannerOut: banner,
    });
    try {
      assert.ok(running.url, 'listening');
      const res = await fetch(`${running.url}/healthz`);
      assert.equal(res.status, 200);
      assert.deepEqual(await res.json(), { status: 'ok' });
      assert.equal(res.headers.get('x-frame-options'), 'DENY');
      assert.match(text, /Web: +http:\/\/localhost:3999\//);
      assert.match(text, /Admin: +http:\/\/localhost:3999\/admin/);
      assert.match(text, new RegExp(`Redis: +external \\(redis://127.0.0.1:${server.port}`));
      assert.match(text, /Redis: .* — see warnings above/, 'the test Redis has no persistence: the start-up check says so');
      assert.match(text, /Mail: +outbox \(\.eml files in .*outbox\)/);
      assert.match(text, /generated, in .*secrets\.json/);
    } finally {
      await running.stop();
    }
    await assert.rejects(fetch(`${running.url}/healthz`), 'no longer listening');
  });

  it('on the next start, the banner still says where the (stored) admin token is; a configured one is named as such', async () => {
    const env = { REDIS_URL: server.url, REDIS_PREFIX: 'start-test', PORT: '0', DATA_DIR: dataDir, HF_BASE_URL: 'http://127.0.0.1:9' };
    for (const [extra, expected] of [
      [{}, /Admin: .*\(token: in .*secrets\.json\)/],
      [{ ADMIN_TOKEN: 'Qm9vdHN0cmFwLXRva2VuLWZvci10ZXN0cw' }, /Admin: .*\(token: ADMIN_TOKEN\)/],
    ] as const) {
      const banner = new PassThrough();
      let text = '';
      banner.on('data', (d) => (text += String(d)));
      const running = await start('web', { env: { ...env, ...extra }, log: silentLogger(), bannerOut: banner });
      await running.stop();
      assert.match(text, expected);
    }
  });

  it('start --json: one JSON line says where everything is instead of the banner; SIGTERM stops it with exit 0', async () => {
    const child = spawn(process.execPath, ['bin/papers-digest.js', 'start', '--role', 'web', '--json'], {
      env: { PATH: process.env.PATH, REDIS_URL: server.url, REDIS_PREFIX: 'start-json', PORT: '0', DATA_DIR: dataDir, PUBLIC_URL: 'http://localhost:3998', LOG_LEVEL: 'warn' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (d) => (out += String(d)));
    child.stderr.on('data', (d) => (err += String(d)));
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    try {
      const started = await waitFor(
        () => out.split('\n').flatMap((l) => { try { const o = JSON.parse(l) as { event?: string }; return o.event === 'started' ? [o] : []; } catch { return []; } })[0] ?? null,
        { timeoutMs: 20_000, message: `a started line on stdout (stdout: ${out.slice(0, 200)} stderr: ${err.slice(0, 300)})` },
      ) as { role: string; web: { listening: string; admin: string }; redis: { prefix: string }; mail: string };
      assert.equal(started.role, 'web');
      assert.equal(started.web.admin, 'http://localhost:3998/admin');
      assert.equal(started.redis.prefix, 'start-json');
      assert.match(started.mail, /^outbox/);
      assert.doesNotMatch(err, /papers-digest — role/, 'no human banner');
      assert.equal((await fetch(`${started.web.listening}/healthz`)).status, 200);
    } finally {
      child.kill('SIGTERM');
    }
    assert.equal(await exited, 0);
  });
});
