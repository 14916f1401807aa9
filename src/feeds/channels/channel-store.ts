// Channel subscribers in Redis: one HASH (keys.channels) of id → JSON record. Channels are few (an operator adds
// them by hand), so a list is one HGETALL. The record holds the webhook URL and secret: callers show it through
// publicView / maskWebhookUrl only.
import { randomBytes } from 'node:crypto';
import type { Redis } from 'ioredis';
import type { Keys } from '../../redis/keys.js';
import { PreferencesError, validatePreferences } from '../../subscribers/preferences.js';
import { nextSendAt } from '../../schedule/schedule.js';
import { CHANNEL_KINDS, checkWebhookUrl, GONE_THRESHOLD, type Channel, type ChannelKind } from './channel.js';

export interface NewChannelInput {
  kind: string;
  url: string;
  name?: string;
  /** Generic webhooks: the HMAC key (generated when omitted). Refused for Slack / Discord. */
  secret?: string;
  [preference: string]: unknown;
}

// Lua: apply a gone/ok result to the channel's state atomically (two workers may report at once). The state is
// its own small JSON (no arrays: cjson would turn an empty one into an object).
// KEYS: channels hash, state hash. ARGV: id, 'gone'|'ok', threshold, nowIso. Returns the new status or '' when missing.
const RESULT_LUA = `
if redis.call('HEXISTS', KEYS[1], ARGV[1]) == 0 then return '' end
local raw = redis.call('HGET', KEYS[2], ARGV[1])
local c = raw and cjson.decode(raw) or {status = 'active', goneCount = 0}
if ARGV[2] == 'gone' then
  c.goneCount = (tonumber(c.goneCount) or 0) + 1
  if c.goneCount >= tonumber(ARGV[3]) and c.status ~= 'suppressed' then
    c.status = 'suppressed'
    c.suppressedAt = ARGV[4]
  end
else
  c.goneCount = 0
end
redis.call('HSET', KEYS[2], ARGV[1], cjson.encode(c))
return c.status`;

interface ChannelState {
  status: Channel['status'];
  goneCount: number;
  suppressedAt?: string;
}

function withState(raw: string, state: string | null | undefined): Channel {
  const c = JSON.parse(raw) as Channel;
  if (!state) return c;
  const s = JSON.parse(state) as ChannelState;
  return { ...c, status: s.status, goneCount: Number(s.goneCount) || 0, suppressedAt: s.suppressedAt ?? null };
}

/** Where a channel's next send instant goes (the due index the tick reads), when the send path is wired. */
export interface ChannelDue {
  setExternalDue(id: string, atMs: number | null): Promise<void>;
}

export class ChannelStore {
  constructor(
    private readonly redis: Redis,
    private readonly keys: Keys,
    private readonly clock: () => Date,
    private readonly due: ChannelDue | null = null,
  ) {}

  /** Validate a new channel (pure apart from the random id and secret). Throws PreferencesError listing every issue. */
  prepare(input: NewChannelInput): Channel {
    const { kind, url, name, secret, ...prefs } = input;
    const issues: { field: string; message: string }[] = [];
    if (!CHANNEL_KINDS.includes(kind as ChannelKind)) issues.push({ field: 'kind', message: `must be one of ${CHANNEL_KINDS.join(', ')}` });
    const urlProblem = typeof url === 'string' ? checkWebhookUrl(url) : 'is required';
    if (urlProblem) issues.push({ field: 'url', message: urlProblem });
    if (secret !== undefined && kind !== 'webhook') issues.push({ field: 'secret', message: 'only generic webhooks are signed with a secret' });
    if (secret !== undefined && (typeof secret !== 'string' || secret.length < 16 || secret.length > 200)) issues.push({ field: 'secret', message: 'must be 16–200 characters' });
    const cleanName = typeof name === 'string' ? name.trim().slice(0, 80) : '';
    let preferences;
    try {
      preferences = validatePreferences(prefs);
    } catch (err) {
      if (!(err instanceof PreferencesError)) throw err;
      issues.push(...err.issues);
    }
    if (issues.length || !preferences) throw new PreferencesError(issues);
    const id = `ch_${randomBytes(9).toString('base64url')}`;
    return {
      id,
      kind: kind as ChannelKind,
      name: cleanName || `${kind} channel`,
      url,
      secret: kind === 'webhook' ? (secret ?? randomBytes(32).toString('base64url')) : null,
      status: 'active',
      goneCount: 0,
      createdAt: this.clock().toISOString(),
      suppressedAt: null,
      ...preferences,
    };
  }

  async add(input: NewChannelInput): Promise<Channel> {
    const c = this.prepare(input);
    await this.redis.hset(this.keys.channels, c.id, JSON.stringify(c));
    // the first send instant after now: the tick fans the channel out like a person (digest/tick.ts)
    await this.due?.setExternalDue(c.id, nextSendAt(c, this.clock()).getTime());
    return c;
  }

  async get(id: string): Promise<Channel | null> {
    const [raw, state] = await Promise.all([this.redis.hget(this.keys.channels, id), this.redis.hget(this.keys.channelState, id)]);
    return raw ? withState(raw, state) : null;
  }

  /** Every channel, oldest first. */
  async list(): Promise<Channel[]> {
    const [all, states] = await Promise.all([this.redis.hgetall(this.keys.channels), this.redis.hgetall(this.keys.channelState)]);
    return Object.entries(all)
      .map(([id, raw]) => withState(raw, states[id]))
      .sort((a, b) => (a.createdAt < b.createdAt ? -1 : a.createdAt > b.createdAt ? 1 : a.id < b.id ? -1 : 1));
  }

  async remove(id: string): Promise<boolean> {
    const [removed] = await Promise.all([this.redis.hdel(this.keys.channels, id), this.redis.hdel(this.keys.channelState, id)]);
    await this.due?.setExternalDue(id, null);
    return removed === 1;
  }

  /**
   * Record a delivery's outcome: 'gone' (404/410) counts toward suppression (GONE_THRESHOLD consecutive), 'ok'
   * resets the count. The new status, or null when the channel no longer exists.
   */
  async recordResult(id: string, result: 'gone' | 'ok', threshold = GONE_THRESHOLD): Promise<Channel['status'] | null> {
    const s = (await this.redis.eval(RESULT_LUA, 2, this.keys.channels, this.keys.channelState, id, result, String(threshold), this.clock().toISOString())) as string;
    return s === '' ? null : (s as Channel['status']);
  }
}
