// Operator CLI (bin: papers-digest). Each command lives in its own module, loaded only when it runs.
import { ConfigError } from './config.js';
import type { CliCommand, CliIo } from './cli/command.js';
import { didYouMean, ShortUsageError, UsageError } from './cli/command.js';

type Loader = () => Promise<CliCommand>;

export const COMMANDS: Record<string, { summary: string; load: Loader }> = {
  demo: { summary: 'offline first run: write one sample digest (sample papers) to the outbox', load: async () => (await import('./cli/demo.js')).command },
  start: { summary: 'run the main job: web + workers + schedulers (--role worker|web|all)', load: async () => (await import('./cli/start.js')).command },
  settings: { summary: 'live settings: get [key] | set key=value… | history', load: async () => (await import('./cli/settings.js')).command },
  pause: { summary: 'pause sending and/or scraping (sending|scraping|all)', load: async () => (await import('./cli/pause.js')).command },
  resume: { summary: 'resume sending and/or scraping (sending|scraping|all)', load: async () => (await import('./cli/resume.js')).command },
  scrape: { summary: 'scrape Hugging Face Daily Papers now (--from file|url, --date, --dry-run --json)', load: async () => (await import('./cli/scrape.js')).command },
  'redis-check': { summary: 'check the Redis in use: version, eviction, persistence (exit 1 on problems)', load: async () => (await import('./cli/redis-check.js')).command },
  schedule: { summary: 'schedule show: next scrape and tick runs, digests due per hour (next 24 h)', load: async () => (await import('./cli/schedule.js')).command },
  editions: { summary: 'editions status [--period P]: eligible, sent, failed, suppressed, unknown, pending', load: async () => (await import('./cli/editions.js')).command },
  'retry-failed': { summary: 'retry the failed editions of a period (--period P)', load: async () => (await import('./cli/retry-failed.js')).command },
  preview: { summary: 'render what a subscriber would get now to a file (--subscriber, --out); sends nothing', load: async () => (await import('./cli/preview.js')).command },
  'send-test': { summary: 'send one digest to a test address (--to [--subscriber])', load: async () => (await import('./cli/send-test.js')).command },
  channels: { summary: 'channel subscribers (Slack, Discord, signed webhook): add | list | remove', load: async () => (await import('./cli/channels.js')).command },
  suppressions: { summary: 'suppressions list | show <email> | remove <email> --yes: addresses never mailed, and why', load: async () => (await import('./cli/suppressions.js')).command },
  subscribers: { summary: 'subscribers: add | list | show | update | remove | import | export (CSV)', load: async () => (await import('./cli/subscribers.js')).command },
};

function usage(): string {
  const width = Math.max(...Object.keys(COMMANDS).map((k) => k.length));
  return [
    'papers-digest — Hugging Face Daily Papers, as a personal email digest',
    '',
    'Usage: papers-digest <command> [options]',
    '',
    'Commands:',
    ...Object.entries(COMMANDS).map(([name, c]) => `  ${name.padEnd(width)}  ${c.summary}`),
    '',
    'Every command takes --help; most take --json. Configuration comes from the environment (see README.md).',
  ].join('\n');
}

export async function runCli(argv: string[], io: CliIo = { stdout: process.stdout, stderr: process.stderr, env: process.env }): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    io.stdout.write(usage() + '\n');
    return name ? 0 : 2;
  }
  if (name === '--version') {
    io.stdout.write('papers-digest 0.1.0\n');
    return 0;
  }
  const entry = COMMANDS[name];
  if (!entry) {
    const guess = didYouMean(name, Object.keys(COMMANDS));
    io.stderr.write(`unknown command: ${name}${guess ? ` — did you mean ${guess}?` : ''}\nRun papers-digest --help for the list of commands.\n`);
    return 2;
  }
  const command = await entry.load();
  if (rest.includes('--help') || rest.includes('-h')) {
    io.stdout.write(command.help.trimEnd() + '\n');
    return 0;
  }
  try {
    return await command.run(rest, io);
  } catch (err) {
    if (err instanceof ShortUsageError) {
      io.stderr.write(`${name}: ${err.message}\nRun papers-digest ${name} --help for usage.\n`);
      return 2;
    }
    if (err instanceof UsageError) {
      io.stderr.write(`${name}: ${err.message}\n\n${command.help.trimEnd()}\n`);
      return 2;
    }
    if (err instanceof ConfigError) {
      io.stderr.write(`${err.message}\n`);
      return 2;
    }
    io.stderr.write(`${name}: ${(err as Error).message}\n`);
    return 1;
  }
}
