// Infrastructure shared by every entry point (main roles and CLI commands): config → logger → redis → keys →
// secrets → settings. Built once per process; `close()` releases everything it opened, in reverse order.
import type { Redis } from 'ioredis';
import { loadConfig, type Config } from './config.js';
import { createLogger, type Logger } from './log.js';
import { checkRedis, type RedisCheck } from './redis/check.js';
import { ClusterPrefixError, clusterOwnerUrl } from './redis/cluster.js';
import { createRedis, waitReady } from './redis/connect.js';
import { makeKeys, type Keys } from './redis/keys.js';
import { ensureRedis, type RedisTarget } from './redis/managed.js';
import { resolveSecrets, type ResolvedSecrets } from './secrets.js';
import { LiveSettings } from './settings/live.js';
import { SettingsStore } from './settings/store.js';

export type Clock = () => Date;

export interface Context {
  config: Config;
  log: Logger;
  clock: Clock;
  redisTarget: RedisTarget;
  redis: Redis;
  /** Open another connection to the same Redis (BullMQ workers, pub/sub). Closed by `close()`. */
  newRedis(name: string, forBullmq?: boolean): Redis;
  redisCheck: RedisCheck;
  keys: Keys;
  secrets: ResolvedSecrets;
  settings: SettingsStore;
  /**
   * The settings as this process applies them, followed live (started on first use, on a connection of its own;
   * one per process). Roles use it; one-shot CLI commands read the store.
   */
  liveSettings(): Promise<LiveSettings>;
  /** Register a cleanup step; run in reverse order by close(). */
  onClose(fn: () => Promise<void> | void): void;
  close(): Promise<void>;
}

export interface ContextOptions {
  env?: Record<string, string | undefined>;
  /** Logger override (CLI commands log to stderr at warn unless --verbose). */
  log?: Logger;
  clock?: Clock;
  /** Start a private redis-server when no Redis is reachable (true for `start`; CLI commands too). */
  manageRedis?: boolean;
  /** Where the conventional local Redis is probed (default 127.0.0.1:6379); tests move it to take the managed path. */
  localRedis?: { host: string; port: number };
}

export async function createContext(opts: ContextOptions = {}): Promise<Context> {
  const config = loadConfig(opts.env ?? process.env);
  const log = opts.log ?? createLogger({ level: config.logLevel });
  const clock = opts.clock ?? (() => new Date());
  const closers: (() => Promise<void> | void)[] = [];
  const onClose = (fn: () => Promise<void> | void) => closers.push(fn);
  const close = async () => {
    while (closers.length) {
      const fn = closers.pop()!;
      try {
        await fn();
      } catch (err) {
        log.warn({ err }, 'error while closing');
      }
    }
  };
  try {
    const redisTarget = await ensureRedis({
      redisUrl: config.redisUrl,
      dataDir: config.dataDir,
      log,
      manage: opts.manageRedis ?? true,
      ...(opts.localRedis ? { localDefault: opts.localRedis } : {}),
    });
    onClose(() => redisTarget.stop());
    let url = redisTarget.url; // on a Redis Cluster: the primary serving REDIS_PREFIX's slot (below)
    const newRedis = (name: string, forBullmq = false) => {
      const r = createRedis(url, { forBullmq, name: `papers-digest:${name}` });
      r.on('error', (err) => log.debug({ err, conn: name }, 'redis connection error'));
      onClose(async () => {
        await r.quit().catch(() => r.disconnect());
      });
      return r;
    };
    let redis = newRedis('main');
    await waitReady(redis, 10_000);
    let redisCheck = await checkRedis(redis);
    if (redisCheck.cluster) {
      // Every key shares the prefix's hash-tag slot: talk to the primary that serves it (src/redis/cluster.ts).
      const owner = await clusterOwnerUrl(redis, url, config.redisPrefix).catch((err: unknown) => {
        if (err instanceof ClusterPrefixError) throw err;
        // A service that hides the cluster topology: go on with REDIS_URL (fine when it is the slot's primary).
        log.warn({ err }, 'Redis cluster: could not find the node serving REDIS_PREFIX; using REDIS_URL as given');
        return null;
      });
      if (owner) {
        log.info({ node: new URL(owner).host }, 'Redis cluster: connecting to the primary that serves REDIS_PREFIX');
        url = owner;
        redis = newRedis('main');
        await waitReady(redis, 10_000);
        redisCheck = await checkRedis(redis);
      }
    }
    const keys = makeKeys(config.redisPrefix);
    const secrets = resolveSecrets(config, log);
    const settings = new SettingsStore(redis, keys, clock);
    let live: Promise<LiveSettings> | null = null;
    const liveSettings = () =>
      (live ??= LiveSettings.start(settings, newRedis('settings-sub'), log.child({ mod: 'settings' })).then((l) => {
        onClose(() => l.stop());
        return l;
      }));
    return { config, log, clock, redisTarget, redis, newRedis, redisCheck, keys, secrets, settings, liveSettings, onClose, close };
  } catch (err) {
    await close();
    throw err;
  }
}
