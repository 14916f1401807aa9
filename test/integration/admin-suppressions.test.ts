// /admin/suppressions: the list and an entry's evidence, and a removal that needs a second, confirmed POST.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import type { FastifyInstance } from 'fastify';
import { createContext, type Context } from '../../src/context.js';
import { createLogger } from '../../src/log.js';
import { createServices, type Services } from '../../src/services.js';
import { buildApp } from '../../src/web/app.js';
import { adminPlugins } from '../../src/web/admin/index.js';
import { startRedis, type TestRedis } from '../helpers/redis-server.js';

const TOKEN = 'adm1n-Tok3n-for-the-suppression-page-test';
const ORIGIN = 'https://digest.example.org';

describe('admin suppressions page', () => {
  let redis: TestRedis;
  let ctx: Context;
  let services: Services;
  let app: FastifyInstance;
  let dataDir: string;
  const logged: string[] = [];

  before(async () => {
    redis = await startRedis();
    dataDir = mkdtempSync(join(tmpdir(), 'pd-admin-sup-'));
    const sink = new Writable({ write: (chunk, _e, cb) => (logged.push(String(chunk)), cb()) });
    ctx = await createContext({ env: { REDIS_URL: redis.url, REDIS_PREFIX: 'adsup', DATA_DIR: dataDir, ADMIN_TOKEN: TOKEN, PUBLIC_URL: ORIGIN }, log: createLogger({ level: 'debug', pretty: false }, sink) });
    services = createServices(ctx);
    app = await buildApp({ log: ctx.log, plugins: adminPlugins(services, { outbox: null }) });
  });
  after(async () => {
    await app?.close();
    await ctx?.close();
    await redis?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  const auth = { authorization: `Basic ${Buffer.from(`admin:${TOKEN}`).toString('base64')}` }; // a browser: CSRF applies

  it('lists, shows evidence, and removes (reactivating the bouncing subscriber) only after the confirmation', async () => {
    const { subscriber } = await services.subscribers.create({ email: 'paula@example.org', status: 'active' });
    await services.subscribers.recordBounce(subscriber.id, 1);
    await services.suppression.add('paula@example.org', { at: '2026-12-01T08:00:00.000Z', code: 550, reason: 'Permanent General 5.1.1', subscriberId: subscriber.id, kind: 'hard-bounce', provider: 'postmark', evidence: { eventId: '4323372036854775807', type: 'hard-bounce' } });
    const list = await app.inject({ url: '/admin/suppressions', headers: auth });
    assert.equal(list.statusCode, 200);
    assert.match(list.body, /paula@example\.org/);
    assert.match(list.body, /postmark/);
    const href = /href="(\/admin\/suppressions\/[0-9a-f]{24})"/.exec(list.body)?.[1];
    assert.ok(href, 'an entry is linked by a digest, not by its address');
    const show = await app.inject({ url: href, headers: auth });
    assert.match(show.body, /Evidence: eventId<\/th><td>4323372036854775807/);
    const csrf = /name="_csrf" value="([^"]+)"/.exec(show.body)?.[1] ?? '';
    const post = (form: Record<string, string>) =>
      app.inject({ method: 'POST', url: `${href}/remove`, headers: { ...auth, origin: ORIGIN, 'content-type': 'application/x-www-form-urlencoded' }, payload: new URLSearchParams(form).toString() });
    assert.equal((await post({ confirm: 'yes' })).statusCode, 403, 'no form token');
    const ask = await post({ _csrf: csrf });
    assert.equal(ask.statusCode, 200);
    assert.match(ask.body, /is reactivated/);
    assert.equal(await services.suppression.has('paula@example.org'), true, 'the first POST only asks');
    const done = await post({ _csrf: csrf, confirm: 'yes' });
    assert.equal(done.statusCode, 303);
    assert.equal(await services.suppression.has('paula@example.org'), false);
    assert.equal((await services.subscribers.get(subscriber.id))?.status, 'active');
    assert.ok(!logged.join('').includes('paula@example.org'), 'no address in the logs');
  });
});
