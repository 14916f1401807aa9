// A channel subscriber: a team space that gets digests like a person does (same preferences, send time and zone),
// delivered to a webhook instead of an inbox. The webhook URL (Slack, Discord: the URL IS the credential) and the
// generic webhook's HMAC secret are secrets: they live in this record and nowhere else — never in logs, job data
// or error messages; every display goes through maskWebhookUrl.
import type { Preferences } from '../../subscribers/preferences.js';

export type ChannelKind = 'slack' | 'discord' | 'webhook';
export const CHANNEL_KINDS: readonly ChannelKind[] = ['slack', 'discord', 'webhook'];

/** active: delivered to; suppressed: the endpoint said 404/410 repeatedly (webhook deleted), never tried again. */
export type ChannelStatus = 'active' | 'suppressed';

export interface Channel extends Preferences {
  id: string;
  kind: ChannelKind;
  name: string;
  /** SECRET. */
  url: string;
  /** SECRET. HMAC-SHA256 key of a generic webhook (null for Slack / Discord). */
  secret: string | null;
  status: ChannelStatus;
  /** Consecutive 404/410 answers; reset by a success. */
  goneCount: number;
  createdAt: string;
  suppressedAt: string | null;
}

/** Consecutive 404/410 answers after which a channel is suppressed. */
export const GONE_THRESHOLD = 2;

const KEEP = new Set(['services', 'api', 'webhooks', 'hooks', 'v10', 'v9']);

/**
 * A webhook URL as it may be shown: scheme and host, structural path words, the first character of the first id,
 * and nothing of the rest (https://hooks.slack.com/services/T…/…/****). Query and fragment dropped.
 */
export function maskWebhookUrl(url: string): string {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return '****';
  }
  const segs = u.pathname.split('/').filter(Boolean);
  const out: string[] = [];
  let firstId = true;
  segs.forEach((s, i) => {
    if (i === segs.length - 1) out.push('****');
    else if (KEEP.has(s.toLowerCase()) && firstId) out.push(s);
    else {
      out.push(firstId ? `${s.slice(0, 1)}…` : '…');
      firstId = false;
    }
  });
  return `${u.protocol}//${u.host}/${out.join('/')}`;
}

/** The channel as it may be listed (CLI, admin page, logs): URL masked, secret hidden. */
export function publicView(c: Channel): Omit<Channel, 'url' | 'secret'> & { url: string; secret: string | null } {
  return { ...c, url: maskWebhookUrl(c.url), secret: c.secret ? '****' : null };
}

/**
 * Where a webhook may point: https anywhere (Slack-compatible servers such as Mattermost and Rocket.Chat take the
 * same payloads on their own hosts), or plain http on loopback only (a receiver on the same machine, and tests).
 */
export function checkWebhookUrl(raw: string): string | null {
  let u: URL;
  try {
    u = new URL(raw);
  } catch {
    return 'is not a URL';
  }
  if (u.username || u.password) return 'must not carry a user name or password';
  if (u.protocol === 'https:') return null;
  if (u.protocol === 'http:' && ['127.0.0.1', 'localhost', '[::1]'].includes(u.hostname)) return null;
  return 'must be https (plain http only on loopback)';
}
