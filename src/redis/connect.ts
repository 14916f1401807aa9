// Redis connections. BullMQ workers need `maxRetriesPerRequest: null` (blocking commands must not give up);
// stores and the web role use ordinary connections that fail fast so a request never hangs.
import { Redis, type RedisOptions } from 'ioredis';

export type { Redis };

/** `url` is a redis:// or rediss:// URL, or unix:///absolute/path.sock for the managed server's socket. */
export function createRedis(url: string, opts: { forBullmq?: boolean; name?: string } = {}): Redis {
  const options: RedisOptions = {
    ...(url.startsWith('unix://') ? { path: url.slice('unix://'.length) } : {}),
    lazyConnect: false,
    enableReadyCheck: true,
    connectionName: opts.name ?? 'papers-digest',
    maxRetriesPerRequest: opts.forBullmq ? null : 3,
    retryStrategy: (times) => Math.min(200 * 2 ** Math.min(times, 6), 5_000),
  };
  return url.startsWith('unix://') ? new Redis(options) : new Redis(url, options);
}

/** Resolve once the connection is ready, or reject with the connection error after `timeoutMs`. */
export async function waitReady(redis: Redis, timeoutMs = 5_000): Promise<void> {
  if (redis.status === 'ready') return;
  await new Promise<void>((resolve, reject) => {
    let lastErr: unknown;
    const onErr = (err: unknown) => {
      lastErr = err;
    };
    const timer = setTimeout(() => {
      cleanup();
      reject(new Error(`Redis not reachable within ${timeoutMs} ms`, { cause: lastErr }));
    }, timeoutMs);
    const onReady = () => {
      cleanup();
      resolve();
    };
    const cleanup = () => {
      clearTimeout(timer);
      redis.off('ready', onReady);
      redis.off('error', onErr);
    };
    redis.on('ready', onReady);
    redis.on('error', onErr);
  });
}
