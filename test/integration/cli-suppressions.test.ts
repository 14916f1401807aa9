// `papers-digest suppressions list | show | remove` in-process (runCli with captured streams) against a private
// redis-server: what each entry says, and that a removal happens only with --yes.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import { runCli } from '../../src/cli.js';
import { createContext, type Context } from '../../src/context.js';
import { createLogger } from '../../src/log.js';
import { createServices, type Services } from '../../src/services.js';
import { startRedis, type TestRedis } from '../helpers/redis-server.js';

async function run(env: Record<string, string>, ...args: string[]) {
  const out = new PassThrough();
  const err = new PassThrough();
  let stdout = '';
  let stderr = '';
  out.on('data', (d: Buffer) => (stdout += d.toString()));
  err.on('data', (d: Buffer) => (stderr += d.toString()));
  const code = await runCli(args, { stdout: out, stderr: err, env });
  return { code, stdout, stderr };
}

describe('suppressions CLI', () => {
  let redis: TestRedis;
  let ctx: Context;
  let services: Services;
  let env: Record<string, string>;
  let dataDir: string;

  before(async () => {
    redis = await startRedis();
    dataDir = mkdtempSync(join(tmpdir(), 'pd-cli-sup-'));
    env = { REDIS_URL: redis.url, REDIS_PREFIX: 'clisup', DATA_DIR: dataDir, LOG_LEVEL: 'warn' };
    ctx = await createContext({ env, log: createLogger({ level: 'silent' }), manageRedis: false });
    services = createServices(ctx);
  });
  after(async () => {
    await ctx?.close();
    await redis?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('lists and shows entries with kind, provider, evidence and when; removes only with --yes and reactivates a bouncing subscriber', async () => {
    const { subscriber } = await services.subscribers.create({ email: 'bo@example.org', status: 'active' });
    await services.subscribers.recordBounce(subscriber.id, 1);
    await services.suppression.add('bo@example.org', { at: '2026-12-01T08:00:00.000Z', code: 550, reason: '550 5.1.1 user unknown', subscriberId: subscriber.id, kind: 'hard-bounce', provider: 'ses', evidence: { eventId: 'fb-1', type: 'hard-bounce' } });
    await services.suppression.add('spam@example.org', { at: '2026-12-02T08:00:00.000Z', code: null, reason: 'spam complaint', subscriberId: null, kind: 'complaint', provider: 'sendgrid' });

    const list = await run(env, 'suppressions', 'list');
    assert.equal(list.code, 0, list.stderr);
    assert.match(list.stdout, /^2 suppressed addresses/);
    assert.match(list.stdout, /2026-12-02 08:00\s+complaint\s+sendgrid\s+spam@example.org/);
    const json = JSON.parse((await run(env, 'suppressions', 'list', '--json')).stdout) as { count: number };
    assert.equal(json.count, 2);

    const show = await run(env, 'suppressions', 'show', 'BO@example.org');
    assert.equal(show.code, 0, show.stderr);
    assert.match(show.stdout, /provider\s+ses/);
    assert.match(show.stdout, /evidence.eventId\s+fb-1/);
    assert.match(show.stdout, new RegExp(`subscriber\\s+${subscriber.id} \\(bouncing`));

    const dry = await run(env, 'suppressions', 'remove', 'bo@example.org');
    assert.equal(dry.code, 1);
    assert.match(dry.stderr, /Nothing changed\. With --yes, .* is reactivated/);
    assert.equal(await services.suppression.has('bo@example.org'), true);
    assert.equal((await services.subscribers.get(subscriber.id))?.status, 'bouncing');

    const done = await run(env, 'suppressions', 'remove', 'bo@example.org', '--yes');
    assert.equal(done.code, 0, done.stderr);
    assert.equal(await services.suppression.has('bo@example.org'), false);
    assert.equal((await services.subscribers.get(subscriber.id))?.status, 'active');

    assert.equal((await run(env, 'suppressions', 'show', 'bo@example.org')).code, 1);
    assert.equal((await run(env, 'suppressions', 'frobnicate')).code, 2);
  });
});
