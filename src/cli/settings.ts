// `papers-digest settings get|set|history`: read and change the live operator settings. A change is validated
// whole by the same schema the admin form uses; a refused change names every bad field, writes nothing and exits 2.
// Every accepted change lands in the audit log with by = "cli" and reaches running processes within seconds.
import { withCliContext } from './context.js';
import { coerceSettingValue, DEFAULT_SETTINGS, SETTING_KEYS, SettingsError, type Settings } from '../settings/schema.js';
import type { AuditEntry } from '../settings/store.js';
import { parseCommandArgs, unknownWord, UsageError, writeJson, type CliCommand, type CliIo } from './command.js';

const HELP = `papers-digest settings get [key] [--json]
papers-digest settings set key=value [key=value …] [--json]
papers-digest settings history [--limit N] [--json]

Live operator settings, stored in Redis and applied by every running process within seconds (no restart).
A change is validated whole: if any value is refused, nothing is saved and the command exits 2 with the reasons.
Every change is recorded in the audit history (when, what, old → new, by which interface).

Keys: ${SETTING_KEYS.join(', ')}

Examples:
  papers-digest settings get scrapePattern
  papers-digest settings set scrapePattern="0 * * * *" scrapeTimezone=Europe/Paris
  papers-digest settings set sendRatePerSecond=50 sendConcurrency=16
  papers-digest settings history --limit 10 --json`;

export function formatValue(v: unknown): string {
  return typeof v === 'string' ? JSON.stringify(v) : String(v);
}

export function printSettings(io: CliIo, settings: Settings): void {
  const width = Math.max(...SETTING_KEYS.map((k) => k.length));
  for (const key of SETTING_KEYS) {
    const value = settings[key];
    const isDefault = JSON.stringify(value) === JSON.stringify(DEFAULT_SETTINGS[key]);
    io.stdout.write(`${key.padEnd(width)}  ${formatValue(value)}${isDefault ? '' : `   (default ${formatValue(DEFAULT_SETTINGS[key])})`}\n`);
  }
}

export function printAudit(io: CliIo, entries: AuditEntry[]): void {
  if (entries.length === 0) io.stdout.write('no changes recorded\n');
  for (const e of entries) {
    io.stdout.write(`${e.at}  by ${e.by}\n`);
    for (const c of e.changes) io.stdout.write(`    ${c.key}: ${formatValue(c.from)} → ${formatValue(c.to)}\n`);
  }
}

/** Parse `key=value` words into a patch; unknown keys and missing `=` are refused before Redis is touched. */
export function parseAssignments(words: string[]): Record<string, unknown> {
  if (words.length === 0) throw new UsageError('set needs at least one key=value');
  const patch: Record<string, unknown> = {};
  const problems: string[] = [];
  for (const word of words) {
    const eq = word.indexOf('=');
    if (eq <= 0) {
      problems.push(`"${word}" is not key=value`);
      continue;
    }
    const key = word.slice(0, eq).trim();
    try {
      patch[key] = coerceSettingValue(key, word.slice(eq + 1));
    } catch (err) {
      problems.push(...(err instanceof SettingsError ? err.problems : [(err as Error).message]));
    }
  }
  if (problems.length) throw new SettingsError(problems);
  return patch;
}

function refused(io: CliIo, err: SettingsError, json: boolean): number {
  if (json) writeJson(io, { ok: false, problems: err.problems });
  io.stderr.write(`settings: refused, nothing was saved:\n${err.problems.map((p) => `  - ${p}`).join('\n')}\n`);
  return 2;
}

export const command: CliCommand = {
  name: 'settings',
  summary: 'live settings: get [key] | set key=value… | history',
  help: HELP,
  async run(argv, io) {
    const { values, positionals } = parseCommandArgs(argv, {
      json: { type: 'boolean', default: false },
      limit: { type: 'string' },
      verbose: { type: 'boolean', default: false },
    });
    const [sub, ...rest] = positionals;
    const json = values.json;
    if (sub === 'get') {
      if (rest.length > 1) throw new UsageError('get takes at most one key');
      const key = rest[0];
      if (key !== undefined && !(SETTING_KEYS as string[]).includes(key)) {
        throw new UsageError(`unknown setting: ${key} (known: ${SETTING_KEYS.join(', ')})`);
      }
      return withCliContext(io, async (ctx) => {
        const settings = await ctx.settings.get();
        if (key !== undefined) {
          const value = settings[key as keyof Settings];
          if (json) writeJson(io, { [key]: value });
          else io.stdout.write(`${typeof value === 'string' ? value : String(value)}\n`);
        } else if (json) writeJson(io, settings);
        else printSettings(io, settings);
        return 0;
      }, { verbose: values.verbose });
    }
    if (sub === 'set') {
      let patch: Record<string, unknown>;
      try {
        patch = parseAssignments(rest);
      } catch (err) {
        if (err instanceof SettingsError) return refused(io, err, json);
        throw err;
      }
      return withCliContext(io, async (ctx) => {
        try {
          const { settings, changes } = await ctx.settings.set(patch, 'cli');
          if (json) writeJson(io, { ok: true, changes, settings });
          else if (changes.length === 0) io.stdout.write('no change (the values were already set)\n');
          else for (const c of changes) io.stdout.write(`${c.key}: ${formatValue(c.from)} → ${formatValue(c.to)}\n`);
          return 0;
        } catch (err) {
          if (err instanceof SettingsError) return refused(io, err, json);
          throw err;
        }
      }, { verbose: values.verbose });
    }
    if (sub === 'history') {
      const limit = values.limit === undefined ? 20 : Number(values.limit);
      if (!Number.isInteger(limit) || limit < 1 || limit > 1000) throw new UsageError('--limit must be an integer from 1 to 1000');
      return withCliContext(io, async (ctx) => {
        const entries = await ctx.settings.history(limit);
        if (json) writeJson(io, entries);
        else printAudit(io, entries);
        return 0;
      }, { verbose: values.verbose });
    }
    if (sub) throw unknownWord('subcommand', sub, ['get', 'set', 'history']);
    throw new UsageError('say get, set or history');
  },
};
