// probeRedis decides whether something on a port or socket is Redis (the embedded default's first question). A peer
// that accepts, reads the PING and hangs up without a reply (a Redis shutting down, another program) must give a
// prompt "no", never a promise that hangs the start.
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { probeRedis } from '../../../src/redis/managed.js';

function listen(onConnection: Parameters<typeof createServer>[1]): Promise<{ server: Server; port: number }> {
  return new Promise((resolve) => {
    const server = createServer(onConnection);
    server.listen(0, '127.0.0.1', () => resolve({ server, port: (server.address() as { port: number }).port }));
  });
}

describe('probeRedis', () => {
  const servers: Server[] = [];
  let hangUp: number;
  let pong: number;
  before(async () => {
    const a = await listen((sock) => sock.once('data', () => sock.end()));
    const b = await listen((sock) => sock.once('data', () => sock.end('+PONG\r\n')));
    servers.push(a.server, b.server);
    hangUp = a.port;
    pong = b.port;
  });
  after(() => {
    for (const s of servers) s.close();
  });

  it('answers false when the peer reads the PING and hangs up without a reply', async () => {
    let timer: NodeJS.Timeout | undefined;
    const hung = new Promise<'hung'>((resolve) => {
      timer = setTimeout(() => resolve('hung'), 10_000);
    });
    assert.equal(await Promise.race([probeRedis({ host: '127.0.0.1', port: hangUp }, 5_000), hung]), false);
    clearTimeout(timer);
  });

  it('answers true on +PONG, false when nothing listens', async () => {
    assert.equal(await probeRedis({ host: '127.0.0.1', port: pong }), true);
    const closed = await listen(() => {});
    const port = closed.port;
    await new Promise((r) => closed.server.close(r));
    assert.equal(await probeRedis({ host: '127.0.0.1', port }), false);
  });
});
