// Alerts and outages (issue 11): a Redis outage raises one alertable `redis.down` (and `redis.up` when it is back)
// instead of only error lines; `GET /` answers a fast 503 page during it instead of hanging 5 s then 500; and
// admin sign-in is throttled per IP (300 wrong tokens used to get 300 × 401).
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import type { FastifyInstance } from 'fastify';
import { createLogger } from '../../src/log.js';
import { watchRedisOutage } from '../../src/redis/outage.js';
import { buildApp } from '../../src/web/app.js';
import { webPlugins } from '../../src/web/plugins.js';
import { waitFor } from '../helpers/wait.js';
import { startWebHarness, type WebHarness } from './web-harness.js';

describe('outages and admin sign-in', () => {
  let h: WebHarness;
  let app: FastifyInstance;
  const lines: { event?: string; msg: string }[] = [];
  let unwatch: () => void;

  before(async () => {
    h = await startWebHarness({ prefix: 'outage', env: { ADMIN_TOKEN: 'Xk29fjQ0sLm3nB7vC1zR8tY4' } });
    const log = createLogger({ level: 'info' }, new Writable({ write(c, _e, cb) { lines.push(JSON.parse(String(c)) as { msg: string }); cb(); } }));
    app = await buildApp({ log, plugins: webPlugins(h.services), storeUp: () => h.ctx.redis.status === 'ready' });
    unwatch = watchRedisOutage(h.ctx.redis, { log, alerts: h.services.metrics.alerts, graceMs: 300 });
  });
  after(async () => {
    unwatch();
    await app.close();
    await h.close();
  });

  it('throttles wrong admin tokens per IP; other addresses still sign in', async () => {
    const wrong = (ip: string) => app.inject({ method: 'GET', url: '/admin', remoteAddress: ip, headers: { authorization: 'Bearer wrong-token-123' } });
    const codes: number[] = [];
    for (let i = 0; i < 14; i++) codes.push((await wrong('198.51.100.7')).statusCode);
    assert.deepEqual(codes.slice(0, 10), Array(10).fill(401));
    assert.deepEqual(codes.slice(10), Array(4).fill(429));
    const blocked = await app.inject({ method: 'GET', url: '/admin', remoteAddress: '198.51.100.7', headers: { authorization: 'Bearer Xk29fjQ0sLm3nB7vC1zR8tY4' } });
    assert.equal(blocked.statusCode, 429, 'the throttled address waits, even with the right token');
    assert.ok(Number(blocked.headers['retry-after']) > 0);
    const other = await app.inject({ method: 'GET', url: '/admin', remoteAddress: '198.51.100.8', headers: { authorization: 'Bearer Xk29fjQ0sLm3nB7vC1zR8tY4' } });
    assert.equal(other.statusCode, 200);
  });

  it('Redis down: one redis.down alert, GET / answers a 503 page at once; back: redis.up', async () => {
    assert.equal((await app.inject({ method: 'GET', url: '/' })).statusCode, 200);
    await h.redis.kill();
    await waitFor(() => h.ctx.redis.status !== 'ready', { message: 'connection lost' });
    const res = await app.inject({ method: 'GET', url: '/', headers: { accept: 'text/html' } });
    assert.equal(res.statusCode, 503);
    assert.match(res.body, /briefly unavailable/);
    assert.equal(res.headers['retry-after'], '30');
    assert.equal((await app.inject({ method: 'GET', url: '/healthz' })).statusCode, 200);
    await waitFor(() => lines.find((l) => l.event === 'redis.down'), { message: 'redis.down raised', timeoutMs: 10_000 });
    await h.redis.restart();
    await waitFor(() => lines.find((l) => l.event === 'redis.up'), { message: 'redis.up logged', timeoutMs: 20_000 });
    assert.equal(lines.filter((l) => l.event === 'redis.down').length, 1, 'once per outage');
    const alerts = (await h.services.metrics.alerts.get()).values.find((v) => v.labels.event === 'redis.down');
    assert.equal(alerts?.value, 1);
    await waitFor(() => h.ctx.redis.status === 'ready', { message: 'reconnected' });
    assert.equal((await app.inject({ method: 'GET', url: '/' })).statusCode, 200);
  });
});
