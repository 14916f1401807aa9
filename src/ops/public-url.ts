// Which base URL a CLI command puts in links. With `PORT=3111 npm start` and no PUBLIC_URL, every link a CLI
// command made pointed at http://localhost:3000 (its own default): real people got dead links. The running web
// role publishes its effective PUBLIC_URL in Redis (publishPublicUrl, at start); a CLI without PUBLIC_URL uses it.
// When the CLI's PUBLIC_URL is set and differs from the server's, the CLI says so and refuses to send mail.
import type { Redis } from 'ioredis';
import type { Keys } from '../redis/keys.js';

export interface CliPublicUrl {
  url: string;
  /** Set when mail must not be sent with these links (says why and what to do). */
  mismatch: string | null;
  /** A note for stderr (the URL was taken from the server, or no server has published one). */
  note: string | null;
}

/** Pure: the CLI's PUBLIC_URL (if set), its default, and what the web role published (if any). */
export function resolveCliPublicUrl(envPublicUrl: string | undefined, own: string, published: string | null): CliPublicUrl {
  const explicit = envPublicUrl?.trim() ? own : null;
  if (!published) return { url: own, mismatch: null, note: explicit ? null : `no running web server has published its URL: links use ${own} (set PUBLIC_URL)` };
  if (!explicit) return { url: published, mismatch: null, note: null };
  if (explicit === published) return { url: own, mismatch: null, note: null };
  return {
    url: own,
    mismatch:
      `PUBLIC_URL here is ${own}, but the running web server uses ${published}: links in this email would point at the wrong ` +
      `server. Nothing was sent. Set PUBLIC_URL=${published} (or unset it) for this command.`,
    note: null,
  };
}

export async function publishedPublicUrl(redis: Pick<Redis, 'get'>, keys: Pick<Keys, 'webPublicUrl'>): Promise<string | null> {
  return redis.get(keys.webPublicUrl);
}

/** The web role, once listening: the base URL every link it makes uses. */
export async function publishPublicUrl(redis: Pick<Redis, 'set'>, keys: Pick<Keys, 'webPublicUrl'>, url: string): Promise<void> {
  await redis.set(keys.webPublicUrl, url);
}
