// The personal feed's URLs (signed `feed` links, scope = feed key version) and the editions-list link, and the
// check a request must pass: a valid MAC, the subscriber's current tokenVersion (so "revoke every link" also kills
// feeds) AND the current feed version (so a feed revoke kills only feeds).
import type { LinkSecret } from '../config.js';
import { isCurrentVersion, signToken, verifyToken } from '../links/signed-links.js';

export interface FeedUrls {
  atom: string;
  json: string;
  /** The human view of the feed (the same token, no extension). */
  page: string;
}

export function feedToken(subscriber: { id: string; tokenVersion: number }, feedVersion: number, secrets: readonly LinkSecret[]): string {
  return signToken({ purpose: 'feed', subscriberId: subscriber.id, tokenVersion: subscriber.tokenVersion, expiresAt: null, scope: String(feedVersion) }, secrets);
}

export function feedUrls(publicUrl: string, subscriber: { id: string; tokenVersion: number }, feedVersion: number, secrets: readonly LinkSecret[]): FeedUrls {
  const base = publicUrl.replace(/\/+$/, '');
  const t = feedToken(subscriber, feedVersion, secrets);
  return { atom: `${base}/feed/${t}.atom`, json: `${base}/feed/${t}.json`, page: `${base}/feed/${t}` };
}

export function editionsUrl(publicUrl: string, subscriber: { id: string; tokenVersion: number }, secrets: readonly LinkSecret[]): string {
  const t = signToken({ purpose: 'editions', subscriberId: subscriber.id, tokenVersion: subscriber.tokenVersion, expiresAt: null }, secrets);
  return `${publicUrl.replace(/\/+$/, '')}/editions/${t}`;
}

/** The subscriber id a feed token is for, when it is valid and current; null otherwise (answer 404, no detail). */
export async function resolveFeedToken(
  token: string,
  deps: {
    secrets: readonly LinkSecret[];
    now: Date;
    subscriber(id: string): Promise<{ id: string; tokenVersion: number; status: string } | null>;
    feedVersion(id: string): Promise<number>;
  },
): Promise<{ subscriberId: string } | null> {
  const v = verifyToken(token, 'feed', deps.secrets, deps.now);
  if (!v.ok) return null;
  const [sub, version] = await Promise.all([deps.subscriber(v.subscriberId), deps.feedVersion(v.subscriberId)]);
  if (!sub || !isCurrentVersion(v, sub) || v.scope !== String(version)) return null;
  return { subscriberId: sub.id };
}

/**
 * "Your personal feed" (addresses, revoke, delivery mode): behind the preferences capability, so the preferences
 * page and the email footer link here.
 */
export function feedManageUrl(publicUrl: string, subscriber: { id: string; tokenVersion: number }, secrets: readonly LinkSecret[]): string {
  const t = signToken({ purpose: 'preferences', subscriberId: subscriber.id, tokenVersion: subscriber.tokenVersion, expiresAt: null }, secrets);
  return `${publicUrl.replace(/\/+$/, '')}/feeds/${t}`;
}
