// Operator settings in Redis: read merged with defaults, changed by compare-and-set (a Lua script that writes only
// if the stored document is still the one the change was computed from) with an audit entry, then announced on a
// pub/sub channel so every process re-applies it (live.ts). No WATCH: WATCH belongs to a connection, and this one
// is shared by every request of the process — two saves in one process could lose an update.
import type { Redis } from 'ioredis';
import type { Keys } from '../redis/keys.js';
import { DEFAULT_SETTINGS, validateSettings, type Settings } from './schema.js';

export interface AuditEntry {
  at: string;
  by: string; // interface: cli | admin-web | api | test
  changes: { key: string; from: unknown; to: unknown }[];
}

const AUDIT_MAX = 1000;
const MAX_ATTEMPTS = 10;

// KEYS: settings, audit. ARGV: the document the change was computed from ('' = none stored), the new document,
// the audit entry, the audit length kept. 1 = written, 0 = someone else changed the settings first.
const COMPARE_AND_SET = `
local cur = redis.call('GET', KEYS[1]) or ''
if cur ~= ARGV[1] then return 0 end
redis.call('SET', KEYS[1], ARGV[2])
redis.call('LPUSH', KEYS[2], ARGV[3])
redis.call('LTRIM', KEYS[2], 0, tonumber(ARGV[4]) - 1)
return 1`;

type Scripted = Redis & { pdSettingsCas(...args: string[]): Promise<number> };

export class SettingsStore {
  private readonly r: Scripted;

  constructor(
    redis: Redis,
    private readonly keys: Keys,
    private readonly clock: () => Date = () => new Date(),
  ) {
    this.r = redis as Scripted;
    if (typeof this.r.pdSettingsCas !== 'function') redis.defineCommand('pdSettingsCas', { numberOfKeys: 2, lua: COMPARE_AND_SET });
  }

  /** The pub/sub channel a change is announced on (LiveSettings listens to it). */
  get channel(): string {
    return this.keys.settingsChannel;
  }

  async get(): Promise<Settings> {
    return parse(await this.r.get(this.keys.settings));
  }

  /** Apply a partial change. Validated whole; nothing is written when any field is refused. */
  async set(patch: Record<string, unknown>, by: string): Promise<{ settings: Settings; changes: AuditEntry['changes'] }> {
    for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
      const raw = await this.r.get(this.keys.settings);
      const current = parse(raw);
      const next = validateSettings({ ...current, ...patch });
      const changes = Object.keys(patch)
        .filter((k) => JSON.stringify((current as Record<string, unknown>)[k]) !== JSON.stringify((next as Record<string, unknown>)[k]))
        .map((k) => ({ key: k, from: (current as Record<string, unknown>)[k], to: (next as Record<string, unknown>)[k] }));
      if (changes.length === 0) return { settings: next, changes };
      const entry = JSON.stringify({ at: this.clock().toISOString(), by, changes } satisfies AuditEntry);
      if ((await this.r.pdSettingsCas(this.keys.settings, this.keys.settingsAudit, raw ?? '', JSON.stringify(next), entry, String(AUDIT_MAX))) === 1) {
        await this.r.publish(this.keys.settingsChannel, entry);
        return { settings: next, changes };
      }
      // another writer got in between: re-read and re-validate against what it wrote
    }
    throw new Error('settings changed concurrently too many times; try again');
  }

  async history(limit = 50): Promise<AuditEntry[]> {
    const rows = await this.r.lrange(this.keys.settingsAudit, 0, limit - 1);
    return rows.map((r) => JSON.parse(r) as AuditEntry);
  }
}

/** Stored values were valid when written; defaults fill fields added by later versions. */
function parse(raw: string | null): Settings {
  if (!raw) return { ...DEFAULT_SETTINGS };
  return validateSettings({ ...DEFAULT_SETTINGS, ...(JSON.parse(raw) as Partial<Settings>) });
}
