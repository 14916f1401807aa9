// What every CLI command module exports. Commands print results to `io.stdout` (JSON with --json), progress and
// diagnostics to `io.stderr`, and return an exit code: 0 ok, 1 failed, 2 usage error.
import { parseArgs, type ParseArgsConfig } from 'node:util';

export interface CliIo {
  stdout: NodeJS.WritableStream & { isTTY?: boolean };
  stderr: NodeJS.WritableStream & { isTTY?: boolean };
  env: Record<string, string | undefined>;
}

export interface CliCommand {
  name: string;
  summary: string;
  /** Full help text shown by `papers-digest <name> --help`. */
  help: string;
  run(argv: string[], io: CliIo): Promise<number>;
}

export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

/** A usage error whose message says it all: printed without the command's whole help text. */
export class ShortUsageError extends UsageError {}

function editDistance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let prev = row[0]!;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const cur = row[j]!;
      row[j] = Math.min(row[j]! + 1, row[j - 1]! + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1));
      prev = cur;
    }
  }
  return row[b.length]!;
}

/** The candidate closest to `word` (a typo, a prefix, a plural away), or null. */
export function didYouMean(word: string, candidates: readonly string[]): string | null {
  const w = word.toLowerCase();
  let best: { c: string; d: number } | null = null;
  for (const c of candidates) {
    const d = c.startsWith(w) && w.length >= 2 ? 0.5 : editDistance(w, c.toLowerCase());
    if (d <= Math.max(1, Math.min(2, Math.floor(c.length / 3))) && (!best || d < best.d)) best = { c, d };
  }
  return best?.c ?? null;
}

/** "unknown subcommand "lst" (did you mean list?)" as a usage error. */
export function unknownWord(kind: string, word: string, known: readonly string[]): ShortUsageError {
  const guess = didYouMean(word, known);
  return new ShortUsageError(`unknown ${kind} "${word}"${guess ? ` — did you mean ${guess}?` : ''} (one of: ${known.join(', ')})`);
}

/** parseArgs with strict checking, turned into UsageError messages a person can act on. */
export function parseCommandArgs<T extends NonNullable<ParseArgsConfig['options']>>(argv: string[], options: T, allowPositionals = true) {
  try {
    return parseArgs({ args: argv, options, allowPositionals, strict: true });
  } catch (err) {
    const e = err as Error & { code?: string };
    const flag = /option '([^']+)'/.exec(e.message)?.[1];
    if (e.code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION' && flag) {
      const known = Object.keys(options).map((k) => `--${k}`);
      const guess = didYouMean(flag.replace(/=.*$/, ''), known);
      throw new ShortUsageError(`unknown option ${flag}${guess ? ` — did you mean ${guess}?` : ''}`);
    }
    if (e.code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE' && flag) {
      const name = flag.replace(/^-+/, '').split(' ')[0]!;
      const type = (options as Record<string, { type?: string }>)[name]?.type;
      throw new ShortUsageError(type === 'boolean' ? `--${name} takes no value` : `--${name} needs a value`);
    }
    if (e.code === 'ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL') throw new ShortUsageError(`unexpected argument: ${/'([^']+)'/.exec(e.message)?.[1] ?? e.message}`);
    throw new UsageError(e.message);
  }
}

export function writeJson(io: CliIo, value: unknown): void {
  io.stdout.write(JSON.stringify(value, null, 2) + '\n');
}

/** A one-line progress indicator on stderr (redrawn on a TTY, a line every 10% otherwise). */
export function progress(io: CliIo, label: string, total: number | null) {
  const tty = Boolean(io.stderr.isTTY);
  let lastPct = -1;
  let lastDraw = 0;
  return {
    update(done: number) {
      const now = Date.now();
      if (total) {
        const pct = Math.floor((done / total) * 100);
        if (tty ? now - lastDraw > 100 || done === total : Math.floor(pct / 10) > Math.floor(lastPct / 10)) {
          const width = 30;
          const fill = Math.round((done / total) * width);
          const bar = `[${'#'.repeat(fill)}${'.'.repeat(width - fill)}]`;
          io.stderr.write(`${tty ? '\r' : ''}${label} ${bar} ${done}/${total} ${pct}%${tty ? '' : '\n'}`);
          lastPct = pct;
          lastDraw = now;
        }
      } else if (tty && now - lastDraw > 100) {
        io.stderr.write(`\r${label} ${done}`);
        lastDraw = now;
      }
    },
    done(summary: string) {
      io.stderr.write(`${tty ? '\r\x1b[K' : ''}${label} ${summary}\n`);
    },
  };
}
