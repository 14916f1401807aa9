// Settings in Redis: read merged with defaults, changed atomically (WATCH/MULTI) with an audit entry, and
// announced on a pub/sub channel. `watch()` gives every process the new settings within moments of a change;
// a periodic re-read covers a missed message (pub/sub is fire-and-forget across reconnects).
import type { Redis } from 'ioredis';
import type { Keys } from '../redis/keys.js';
import type { Logger } from '../log.js';
import { DEFAULT_SETTINGS, validateSettings, type Settings } from './settings.js';

export interface AuditEntry {
  at: string;
  by: string; // interface: cli | admin-web | api | test
  changes: { key: string; from: unknown; to: unknown }[];
}

const AUDIT_MAX = 1000;

export class SettingsStore {
  constructor(
    private readonly redis: Redis,
    private readonly keys: Keys,
    private readonly clock: () => Date = () => new Date(),
  ) {}

  async get(): Promise<Settings> {
    const raw = await this.redis.get(this.keys.settings);
    if (!raw) return { ...DEFAULT_SETTINGS };
    // Stored values were valid when written; defaults fill fields added by later versions.
    return validateSettings({ ...DEFAULT_SETTINGS, ...(JSON.parse(raw) as Partial<Settings>) });
  }

  /** Apply a partial change. Validated whole; nothing is written when any field is refused. */
  async set(patch: Record<string, unknown>, by: string): Promise<{ settings: Settings; changes: AuditEntry['changes'] }> {
    for (let attempt = 0; attempt < 10; attempt++) {
      await this.redis.watch(this.keys.settings);
      let current: Settings;
      try {
        current = await this.get();
      } catch (err) {
        await this.redis.unwatch();
        throw err;
      }
      let next: Settings;
      try {
        next = validateSettings({ ...current, ...patch });
      } catch (err) {
        await this.redis.unwatch();
        throw err;
      }
      const changes = Object.keys(patch)
        .filter((k) => JSON.stringify((current as Record<string, unknown>)[k]) !== JSON.stringify((next as Record<string, unknown>)[k]))
        .map((k) => ({ key: k, from: (current as Record<string, unknown>)[k], to: (next as Record<string, unknown>)[k] }));
      if (changes.length === 0) {
        await this.redis.unwatch();
        return { settings: next, changes };
      }
      const entry: AuditEntry = { at: this.clock().toISOString(), by, changes };
      const res = await this.redis
        .multi()
        .set(this.keys.settings, JSON.stringify(next))
        .lpush(this.keys.settingsAudit, JSON.stringify(entry))
        .ltrim(this.keys.settingsAudit, 0, AUDIT_MAX - 1)
        .publish(this.keys.settingsChannel, JSON.stringify(entry))
        .exec();
      if (res) return { settings: next, changes };
      // another writer got in between: re-read and re-validate
    }
    throw new Error('settings changed concurrently too many times; try again');
  }

  async history(limit = 50): Promise<AuditEntry[]> {
    const rows = await this.redis.lrange(this.keys.settingsAudit, 0, limit - 1);
    return rows.map((r) => JSON.parse(r) as AuditEntry);
  }

  /**
   * Call `onChange` with the current settings now and after every change (from any process). `subscriber` must be
   * a connection of its own (it enters subscriber mode). Returns a stop function.
   */
  async watch(subscriber: Redis, onChange: (s: Settings) => void | Promise<void>, log: Logger, pollMs = 15_000): Promise<() => Promise<void>> {
    let last = '';
    const refresh = async () => {
      try {
        const s = await this.get();
        const text = JSON.stringify(s);
        if (text === last) return;
        last = text;
        await onChange(s);
      } catch (err) {
        log.error({ err }, 'settings refresh failed');
      }
    };
    await subscriber.subscribe(this.keys.settingsChannel);
    const onMessage = (channel: string) => {
      if (channel === this.keys.settingsChannel) void refresh();
    };
    subscriber.on('message', onMessage);
    subscriber.on('ready', refresh);
    await refresh();
    const timer = setInterval(() => void refresh(), pollMs);
    timer.unref();
    return async () => {
      clearInterval(timer);
      subscriber.off('message', onMessage);
      subscriber.off('ready', refresh);
      await subscriber.unsubscribe(this.keys.settingsChannel).catch(() => {});
    };
  }
}
