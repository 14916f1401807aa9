// Redis Cluster readiness: a worker and a web role run against a three-node Redis *Cluster* with REDIS_PREFIX={ct},
// REDIS_URL naming a node that does NOT serve the prefix's slot: the app must find the primary that does (a plain
// connection elsewhere gets MOVED for every command). A cluster node refuses any script, MULTI or multi-key
// command whose keys hash to different slots (CROSSSLOT), so a scrape from a loopback HF, a tick and a delivered
// digest prove every key the app and BullMQ touch together share the hash tag's slot; afterwards every key must
// carry the tag, and the other nodes hold none.
// Lua scripts must also name every key they touch in KEYS (a cluster routes by them): checked in
// test/unit/redis/lua-keys.test.ts.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import { Redis } from 'ioredis';
import { runCli } from '../../src/cli.js';
import { silentLogger } from '../../src/log.js';
import { start, type Running } from '../../src/main.js';
import { SettingsStore } from '../../src/settings/store.js';
import { makeKeys } from '../../src/redis/keys.js';
import { SubscriberStore } from '../../src/subscribers/store.js';
import { FIXTURES, readFixture } from '../helpers/fixtures.js';
import { startHfServer, type HfServer } from '../helpers/hf-server.js';
import { freePort, startRedis, type TestRedis } from '../helpers/redis-server.js';
import { startSmtpSink, type SmtpSink } from '../helpers/smtp-sink.js';
import { waitFor } from '../helpers/wait.js';

const PREFIX = '{ct}';
const TOKEN = 'cluster-test-admin-token-0123456789abcdef';

describe('REDIS_PREFIX with a hash tag on a Redis Cluster node', () => {
  let nodes: TestRedis[] = [];
  let clients: Redis[] = [];
  let client: Redis; // the node that serves the prefix's slot
  let hf: HfServer;
  let sink: SmtpSink;
  let dataDir: string;
  let base: string;
  let entryUrl = '';
  let ownerPort = 0;
  let env: Record<string, string> = {};
  const running: Running[] = [];

  before(async () => {
    const ranges = [[0, 5460], [5461, 10922], [10923, 16383]] as const;
    nodes = await Promise.all(ranges.map(() => startRedis({ args: ['--cluster-enabled', 'yes', '--cluster-config-file', 'nodes.conf'] })));
    clients = nodes.map((n) => new Redis(n.url));
    await Promise.all(clients.map((c, i) => c.call('CLUSTER', 'ADDSLOTSRANGE', String(ranges[i]![0]), String(ranges[i]![1]))));
    for (const n of nodes.slice(1)) await clients[0]!.call('CLUSTER', 'MEET', '127.0.0.1', String(n.port));
    await waitFor(async () => (await Promise.all(clients.map(async (c) => /cluster_state:ok/.test(String(await c.call('CLUSTER', 'INFO')))))).every(Boolean), {
      timeoutMs: 15_000,
      message: 'three-node cluster state ok',
    });
    const slot = Number(await clients[0]!.call('CLUSTER', 'KEYSLOT', `${PREFIX}:x`));
    const owner = ranges.findIndex(([from, to]) => slot >= from && slot <= to);
    client = clients[owner]!;
    ownerPort = nodes[owner]!.port;
    entryUrl = nodes[(owner + 1) % 3]!.url; // a node that does not serve the slot
    hf = await startHfServer();
    // The captured listing, re-dated to today so the scraped papers are candidates for today's digest.
    const today = new Date().toISOString().slice(0, 10);
    hf.route('/api/daily_papers', readFixture(FIXTURES.api).replace(/20\d\d-\d\d-\d\d/g, today));
    sink = await startSmtpSink();
    dataDir = mkdtempSync(join(tmpdir(), 'pd-cluster-'));
    const keys = makeKeys(PREFIX);
    await new SettingsStore(client, keys).set({ tickEverySeconds: 10, quietDayPolicy: 'note' }, 'test');
    const sendAt = new Date(Math.floor((Date.now() - 60_000) / 60_000) * 60_000);
    const subs = new SubscriberStore(client, keys, () => new Date(sendAt.getTime() - 60_000));
    await subs.create({ email: 'reader@example.net', status: 'active', timezone: 'UTC', sendTime: { hour: sendAt.getUTCHours(), minute: sendAt.getUTCMinutes() } });
    const port = await freePort();
    base = `http://127.0.0.1:${port}`;
    env = {
      REDIS_URL: entryUrl, REDIS_PREFIX: PREFIX, DATA_DIR: dataDir, SMTP_URL: sink.url, HOST: '127.0.0.1', PORT: String(port),
      PUBLIC_URL: base, HF_BASE_URL: hf.url, ADMIN_TOKEN: TOKEN,
    };
    for (const role of ['worker', 'web'] as const) running.push(await start(role, { env, log: silentLogger(), bannerOut: new PassThrough() }));
  });
  after(async () => {
    for (const r of running) await r.stop();
    for (const c of clients) c.disconnect();
    await sink?.close();
    await hf?.close();
    for (const n of nodes) await n.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('scrapes, ticks and delivers with no CROSSSLOT refusal, and every key carries the {tag}', async () => {
    const [msg] = await sink.waitFor(1, 30_000);
    assert.deepEqual(msg!.envelope.rcptTo, ['reader@example.net']);
    const worker = running[0]!;
    assert.ok((await worker.services.papers.lastSuccessfulScrape()) !== null, 'the scrape ran and was recorded');
    // The web role reads through the same keys: dashboard, metrics, readiness.
    const auth = { authorization: `Bearer ${TOKEN}` };
    assert.equal((await fetch(`${base}/admin`, { headers: auth })).status, 200);
    assert.equal((await fetch(`${base}/metrics`)).status, 200);
    assert.equal((await fetch(`${base}/readyz`)).status, 200);
    await new SettingsStore(client, makeKeys(PREFIX)).set({ sendRatePerSecond: 30 }, 'test'); // pub/sub + live re-apply
    await waitFor(async () => (await client.hget(`${PREFIX}:send:meta`, 'max')) === '30', { message: 'rate limit re-applied' });

    const keys: string[] = [];
    let cursor = '0';
    do {
      const [next, batch] = await client.scan(cursor, 'COUNT', 1000);
      cursor = next;
      keys.push(...batch);
    } while (cursor !== '0');
    assert.ok(keys.length > 20, `app and BullMQ keys were written (${keys.length})`);
    const untagged = keys.filter((k) => !k.startsWith(`${PREFIX}:`));
    assert.deepEqual(untagged, [], 'every key lives under the hash-tag prefix');
    for (const family of [':send:', ':tick:', ':scrape:', ':sub:', ':ed:', ':paper:', ':settings']) {
      assert.ok(keys.some((k) => k.includes(family)), `keys of ${family} present`);
    }
    for (const other of clients.filter((c) => c !== client)) assert.equal(await other.dbsize(), 0, 'the nodes not serving the slot hold nothing');
  });

  it('redis-check through any node names the prefix slot and the node that serves it', async () => {
    let out = '';
    const sinkStream = new PassThrough();
    sinkStream.on('data', (d) => (out += String(d)));
    const code = await runCli(['redis-check', '--json'], { stdout: sinkStream, stderr: new PassThrough(), env: { ...env, LOG_LEVEL: 'error' } });
    const r = JSON.parse(out) as { cluster: boolean; clusterSlot: { slot: number; node: string } };
    assert.ok(code === 0 || code === 1, `ran (${code})`); // 1: the test nodes have no persistence
    assert.equal(r.cluster, true);
    assert.equal(r.clusterSlot.slot, Number(await client.call('CLUSTER', 'KEYSLOT', `${PREFIX}:settings`)));
    assert.equal(r.clusterSlot.node, `127.0.0.1:${ownerPort}`);
  });
});
