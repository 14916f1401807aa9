// Embedded default for `npm start` on a fresh machine: with REDIS_URL unset, use 127.0.0.1:6379 when something
// answers there; else a private redis-server another papers-digest process already runs on DATA_DIR's socket;
// else start one ourselves (unix socket only, AOF on, data under DATA_DIR/redis) and stop it on exit.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createConnection } from 'node:net';
import { join } from 'node:path';
import type { Logger } from '../log.js';

export interface RedisTarget {
  url: string;
  kind: 'external' | 'local-default' | 'managed';
  /** A managed redis-server left behind by a crashed papers-digest, now owned (and stopped) by this process. */
  adoptedPid?: number;
  /** Stops the redis-server this process started; a no-op for the others. */
  stop(): Promise<void>;
}

export class NoRedisError extends Error {
  constructor() {
    super(
      'No Redis available. Either set REDIS_URL (e.g. redis://127.0.0.1:6379), start one locally ' +
        '(`apt-get install redis-server`, `brew install redis`, or `docker compose up -d redis`), ' +
        'or put a `redis-server` binary on PATH and papers-digest will run a private one under DATA_DIR/redis.',
    );
    this.name = 'NoRedisError';
  }
}

/** Speak RESP PING over a TCP port or a unix socket; true when +PONG (or an auth error, which means Redis is there). */
export function probeRedis(target: { host: string; port: number } | { path: string }, timeoutMs = 500): Promise<boolean> {
  return new Promise((resolve) => {
    const sock = 'path' in target ? createConnection(target.path) : createConnection(target.port, target.host);
    let settled = false;
    const done = (ok: boolean) => {
      if (settled) return;
      settled = true;
      sock.destroy();
      resolve(ok);
    };
    sock.setTimeout(timeoutMs, () => done(false));
    sock.on('error', () => done(false));
    // A peer that accepts and closes without a reply (a Redis shutting down, something else on the port): not Redis.
    // Without this the promise would never settle (closing the socket also clears its timeout).
    sock.on('close', () => done(false));
    sock.on('connect', () => sock.write('PING\r\n'));
    sock.on('data', (d) => done(/^(\+PONG|-NOAUTH|-ERR)/.test(d.toString())));
  });
}

function onPath(bin: string): string | null {
  for (const dir of (process.env.PATH ?? '').split(':')) {
    if (dir && existsSync(join(dir, bin))) return join(dir, bin);
  }
  return null;
}

// DATA_DIR/redis/owner.json: the managed redis-server's pid and the pid of the papers-digest that started (or
// adopted) it. A later start finds a server whose owner is gone and adopts it instead of reusing it silently.
interface Owner {
  redisPid: number;
  ownerPid: number;
}

function readOwner(dir: string): Owner | null {
  try {
    const o = JSON.parse(readFileSync(join(dir, 'owner.json'), 'utf8')) as Partial<Owner>;
    return Number.isInteger(o.redisPid) && Number.isInteger(o.ownerPid) ? (o as Owner) : null;
  } catch {
    return null;
  }
}

function writeOwner(dir: string, redisPid: number): void {
  writeFileSync(join(dir, 'owner.json'), JSON.stringify({ redisPid, ownerPid: process.pid }) + '\n', { mode: 0o600 });
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** SIGTERM (redis-server flushes its AOF), then wait for the pid to go, up to 10 s. */
async function stopPid(pid: number): Promise<void> {
  if (!alive(pid)) return;
  process.kill(pid, 'SIGTERM');
  const deadline = Date.now() + 10_000;
  while (alive(pid) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
}

export interface EnsureRedisOptions {
  redisUrl: string | null;
  dataDir: string;
  log: Logger;
  /** Start a private redis-server when nothing else answers (default true). */
  manage?: boolean;
  /** Where the conventional local Redis is looked for (tests move it to prove the managed path). */
  localDefault?: { host: string; port: number };
}

export async function ensureRedis(opts: EnsureRedisOptions): Promise<RedisTarget> {
  const noop = async () => {};
  if (opts.redisUrl) return { url: opts.redisUrl, kind: 'external', stop: noop };
  const local = opts.localDefault ?? { host: '127.0.0.1', port: 6379 };
  if (await probeRedis(local)) return { url: `redis://${local.host}:${local.port}`, kind: 'local-default', stop: noop };
  const dir = join(opts.dataDir, 'redis');
  const socket = join(dir, 'redis.sock');
  if (existsSync(socket) && (await probeRedis({ path: socket }))) {
    const owner = readOwner(dir);
    // Another papers-digest that is alive owns it (a CLI command beside `npm start`): use it, leave it be.
    if (!owner || alive(owner.ownerPid) || !alive(owner.redisPid)) return { url: `unix://${socket}`, kind: 'managed', stop: noop };
    // Its owner died without stopping it (kill -9): adopt it — say so, record us as the owner, stop it on exit.
    writeOwner(dir, owner.redisPid);
    opts.log.warn(
      { pid: owner.redisPid, previousOwner: owner.ownerPid, dir },
      'adopted the private redis-server left running by a papers-digest that ended without stopping it; it stops when this process stops',
    );
    const killOnExit = () => {
      if (alive(owner.redisPid)) process.kill(owner.redisPid, 'SIGTERM');
    };
    process.once('exit', killOnExit);
    const stop = async () => {
      process.off('exit', killOnExit);
      await stopPid(owner.redisPid);
    };
    return { url: `unix://${socket}`, kind: 'managed', stop, adoptedPid: owner.redisPid };
  }
  const bin = onPath('redis-server');
  if (!bin || opts.manage === false) throw new NoRedisError();
  // sun_path holds 108 bytes on Linux (104 on macOS): a deep DATA_DIR cannot hold the socket.
  if (Buffer.byteLength(socket) > 103) {
    throw new Error(`DATA_DIR is too deep for the managed Redis's unix socket (${socket} is ${Buffer.byteLength(socket)} bytes, at most 103): set a shorter DATA_DIR, or REDIS_URL`);
  }
  mkdirSync(dir, { recursive: true });
  // detached: its own process group. Ctrl-C in a terminal signals the whole foreground group; in ours, Redis would
  // die at once while the app is still draining in-flight jobs (every connection then fails until the shutdown
  // times out). We stop it ourselves, last, in stop() — or in the 'exit' hook when the process ends otherwise.
  const child: ChildProcess = spawn(
    bin,
    ['--port', '0', '--unixsocket', socket, '--unixsocketperm', '700', '--dir', dir, '--appendonly', 'yes',
      '--appendfsync', 'everysec', '--maxmemory-policy', 'noeviction', '--save', '', '--logfile', 'redis.log'],
    { stdio: 'ignore', detached: true },
  );
  let exited = false;
  // process.exit() (a shutdown that timed out, a fatal error) skips stop(): still stop the server (SIGTERM flushes
  // the AOF) rather than leave an orphan behind. Synchronous, as 'exit' handlers must be.
  const killOnExit = () => {
    if (!exited) child.kill('SIGTERM');
  };
  process.once('exit', killOnExit);
  child.on('exit', () => {
    exited = true;
    process.off('exit', killOnExit);
  });
  const deadline = Date.now() + 10_000;
  while (!(await probeRedis({ path: socket }))) {
    if (exited || Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`managed redis-server did not start; see ${join(dir, 'redis.log')}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  if (child.pid) writeOwner(dir, child.pid);
  opts.log.info({ dir, pid: child.pid }, 'started a private redis-server (AOF on); it stops when papers-digest stops');
  return {
    url: `unix://${socket}`,
    kind: 'managed',
    stop: () =>
      new Promise<void>((resolve) => {
        if (exited) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM'); // redis-server flushes the AOF on SIGTERM
      }),
  };
}
