// `start` on a test Redis: the web role answers /healthz on a real port, the banner says where everything is,
// and stop() shuts down cleanly.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import { silentLogger } from '../../src/log.js';
import { start } from '../../src/main.js';
import { startRedis, type TestRedis } from '../helpers/redis-server.js';

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
      assert.match(text, /Mail: +outbox \(\.eml files in .*outbox\)/);
      assert.match(text, /generated, in .*secrets\.json/);
    } finally {
      await running.stop();
    }
    await assert.rejects(fetch(`${running.url}/healthz`), 'no longer listening');
  });
});
