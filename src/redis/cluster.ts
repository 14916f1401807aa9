// Redis Cluster without a cluster client. Every key we (and BullMQ) write starts with REDIS_PREFIX; with a
// `{hash-tag}` prefix they all hash to ONE slot, so one primary holds the whole data set. A plain connection to any
// other node would get `MOVED` for every command (ioredis' plain client does not follow redirects), so at start we
// ask the cluster which primary owns the prefix's slot and connect every connection there. After a failover that
// moves the slot, commands fail with MOVED until the process restarts (readiness turns 503; a supervisor restarts).
import type { Redis } from 'ioredis';

/** The hash tag of a prefix (`{pd}` → `pd`), or null when it has none (keys would spread over slots). */
export function hashTagOf(prefix: string): string | null {
  const m = /^\{([^{}]+)\}/.exec(prefix);
  return m ? m[1]! : null;
}

/** REDIS_PREFIX without a hash tag on a cluster: the app cannot work there (scripts would touch several slots). */
export class ClusterPrefixError extends Error {
  constructor(prefix: string) {
    super(`Redis is a cluster: REDIS_PREFIX must be a hash tag such as {${prefix}} so every key lands in one slot (got ${prefix})`);
    this.name = 'ClusterPrefixError';
  }
}

type SlotRange = [number, number, [string, number, string?, ...unknown[]], ...unknown[]];

/** Pure: the primary (host, port, id) serving `slot` in a CLUSTER SLOTS reply. */
export function ownerOfSlot(slots: SlotRange[], slot: number): { host: string; port: number; id: string | null } | null {
  const range = slots.find(([from, to]) => slot >= from && slot <= to);
  if (!range) return null;
  const [host, port, id] = range[2];
  return { host, port: Number(port), id: id ?? null };
}

/** `url` with its host and port replaced (scheme, credentials and options kept). */
export function withHostPort(url: string, host: string, port: number): string {
  const u = new URL(url);
  u.hostname = host.includes(':') ? `[${host}]` : host;
  u.port = String(port);
  return u.toString();
}

/**
 * On a cluster node: the URL of the primary owning the prefix's slot, or null when `redis` is already connected to
 * it. Throws when the prefix has no hash tag (keys would spread over slots: scripts and transactions would fail).
 */
export async function clusterOwnerUrl(redis: Redis, url: string, prefix: string): Promise<string | null> {
  if (!hashTagOf(prefix)) throw new ClusterPrefixError(prefix);
  const slot = Number(await redis.call('CLUSTER', 'KEYSLOT', `${prefix}:settings`));
  const owner = ownerOfSlot((await redis.call('CLUSTER', 'SLOTS')) as SlotRange[], slot);
  if (!owner) throw new Error(`Redis cluster: no node serves slot ${slot} (of REDIS_PREFIX ${prefix}); is the cluster healthy?`);
  const myId = String(await redis.call('CLUSTER', 'MYID'));
  if (owner.id === myId) return null;
  if (url.startsWith('unix://')) throw new Error(`Redis cluster: slot ${slot} is served by ${owner.host}:${owner.port}, not by this socket`);
  return withHostPort(url, owner.host, owner.port);
}
