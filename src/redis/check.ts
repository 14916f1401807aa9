// Start-up check of the Redis we were given: version, eviction policy and persistence. Losing keys to eviction
// loses subscribers and delivery ledgers (so digests could be sent twice); losing them to a restart without
// persistence does the same. We warn loudly rather than refuse: a test or demo Redis is legitimately volatile.
import type { Redis } from 'ioredis';

export interface RedisCheck {
  version: string;
  versionOk: boolean;
  evictionPolicy: string | null;
  evictionOk: boolean;
  aof: boolean;
  rdb: boolean;
  persistenceOk: boolean;
  cluster: boolean;
  problems: string[];
}

function parseInfo(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of text.split(/\r?\n/)) {
    const i = line.indexOf(':');
    if (i > 0 && !line.startsWith('#')) out[line.slice(0, i)] = line.slice(i + 1).trim();
  }
  return out;
}

export function versionAtLeast(version: string, min: [number, number]): boolean {
  const [maj = 0, minor = 0] = version.split('.').map((n) => Number.parseInt(n, 10));
  return maj > min[0] || (maj === min[0] && minor >= min[1]);
}

export async function checkRedis(redis: Redis): Promise<RedisCheck> {
  const info = parseInfo(await redis.info());
  const version = info.redis_version ?? '0.0.0';
  let evictionPolicy: string | null = info.maxmemory_policy ?? null;
  let saveConfig = '';
  try {
    const policy = (await redis.config('GET', 'maxmemory-policy')) as string[];
    evictionPolicy = policy[1] ?? evictionPolicy;
    saveConfig = ((await redis.config('GET', 'save')) as string[])[1] ?? '';
  } catch {
    // managed services often disable CONFIG; INFO is the fallback
  }
  const aof = info.aof_enabled === '1';
  const rdb = saveConfig.trim() !== '';
  const problems: string[] = [];
  const versionOk = versionAtLeast(version, [6, 2]);
  if (!versionOk) problems.push(`Redis ${version} is older than 6.2, which BullMQ and our scripts need`);
  const evictionOk = evictionPolicy === 'noeviction';
  if (!evictionOk) {
    problems.push(`maxmemory-policy is ${evictionPolicy ?? 'unknown'}; set it to noeviction or Redis may drop subscribers, ledgers and jobs under memory pressure`);
  }
  const persistenceOk = aof || rdb;
  if (!persistenceOk) problems.push('persistence is off (no AOF, no RDB snapshots): a Redis restart loses every subscriber; set appendonly yes');
  else if (!aof) problems.push('AOF is off: a crash can lose the last minutes of delivery ledgers; set appendonly yes, appendfsync everysec');
  return { version, versionOk, evictionPolicy, evictionOk, aof, rdb, persistenceOk, cluster: info.cluster_enabled === '1', problems };
}
