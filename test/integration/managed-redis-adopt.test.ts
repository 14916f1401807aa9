// The managed Redis never outlives a crash for long (issue 11): after `kill -9` of the app, its private
// redis-server kept running, and the next start reused it silently and never stopped it. Now its pid is recorded
// in DATA_DIR; the next start adopts it, says so, and stops it on exit. A live owner's server is left alone.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { after, describe, it } from 'node:test';
import { createLogger, silentLogger } from '../../src/log.js';
import { ensureRedis, probeRedis } from '../../src/redis/managed.js';
import { REPO_ROOT } from '../helpers/fixtures.js';
import { freePort } from '../helpers/redis-server.js';
import { waitFor } from '../helpers/wait.js';

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

describe('managed Redis after a crash', () => {
  const dir = mkdtempSync(join(tmpdir(), 'pd-adopt-'));
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('records the pid, adopts the orphan on the next start, says so, and stops it', async () => {
    const port = await freePort();
    const child = spawn(process.execPath, ['--import', 'tsx', join(REPO_ROOT, 'test/integration/managed-redis.child.ts'), dir, String(port)], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (c: Buffer) => (out += String(c)));
    const line = await waitFor(() => /^managed (unix:\/\/\S+) (\d+)$/m.exec(out), { timeoutMs: 20_000, message: 'child reports a managed Redis' });
    const redisPid = Number(line[2]);
    const owner = JSON.parse(readFileSync(join(dir, 'redis', 'owner.json'), 'utf8')) as { redisPid: number; ownerPid: number };
    assert.deepEqual(owner, { redisPid, ownerPid: child.pid });
    // While the owner lives, another process (a CLI command) uses the server and leaves it alone.
    const beside = await ensureRedis({ redisUrl: null, dataDir: dir, log: silentLogger(), localDefault: { host: '127.0.0.1', port } });
    assert.equal(beside.adoptedPid, undefined);
    await beside.stop();
    assert.ok(alive(redisPid));

    const exited = new Promise((r) => child.once('exit', r));
    child.kill('SIGKILL');
    await exited;
    assert.ok(await probeRedis({ path: join(dir, 'redis', 'redis.sock') }), 'the orphan still answers');

    const lines: string[] = [];
    const log = createLogger({ level: 'info' }, new Writable({ write(c, _e, cb) { lines.push(String(c)); cb(); } }));
    const next = await ensureRedis({ redisUrl: null, dataDir: dir, log, localDefault: { host: '127.0.0.1', port } });
    assert.equal(next.kind, 'managed');
    assert.equal(next.adoptedPid, redisPid);
    assert.match(lines.join(''), /adopted the private redis-server/);
    await next.stop();
    assert.equal(alive(redisPid), false, 'stopped on exit');
  });
});
