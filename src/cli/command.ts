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

/** parseArgs with strict checking, turned into UsageError messages a person can act on. */
export function parseCommandArgs<T extends NonNullable<ParseArgsConfig['options']>>(argv: string[], options: T, allowPositionals = true) {
  try {
    return parseArgs({ args: argv, options, allowPositionals, strict: true });
  } catch (err) {
    throw new UsageError((err as Error).message);
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
