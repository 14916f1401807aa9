// `papers-digest channels add|list|remove`: channel subscribers (Slack, Discord, signed JSON webhook). The webhook
// URL is a secret: it is read from --url or, better (shell history, process lists), from standard input with
// --url-stdin; it is never printed back — every listing masks it (https://hooks.slack.com/services/T…/…/****).
// A generic webhook's HMAC secret is printed once, at `add`, and never again.
import { text } from 'node:stream/consumers';
import { maskWebhookUrl, publicView, type Channel } from '../feeds/channels/channel.js';
import { PreferencesError } from '../subscribers/preferences.js';
import { withCliServices } from './context.js';
import { parseCommandArgs, UsageError, writeJson, type CliCommand, type CliIo } from './command.js';

const HELP = `papers-digest channels add --kind slack|discord|webhook (--url URL | --url-stdin) [--name N] [--secret S]
                            [--timezone Z] [--time HH:MM] [--frequency daily|weekly:mon..sun] [--topics a;b]
                            [--include "kw;kw"] [--exclude "kw;kw"] [--max-papers N] [--json]
papers-digest channels list [--json]
papers-digest channels remove <id> --yes

A channel gets each edition like a person: same preferences, send time and zone, same ledger.
Webhook URLs are secrets: prefer --url-stdin (keeps the URL out of shell history); listings mask them.
webhook: POSTs JSON signed with HMAC-SHA256 (header X-Papers-Digest-Signature: v1=<hex of
HMAC(secret, "<X-Papers-Digest-Timestamp>.<body>")>); without --secret one is generated and shown once.
Channels whose webhook answers 404/410 twice in a row are suppressed (status "suppressed").`;

const OPTIONS = {
  kind: { type: 'string' }, url: { type: 'string' }, 'url-stdin': { type: 'boolean', default: false }, name: { type: 'string' }, secret: { type: 'string' },
  timezone: { type: 'string' }, time: { type: 'string' }, frequency: { type: 'string' }, topics: { type: 'string' },
  include: { type: 'string' }, exclude: { type: 'string' }, 'max-papers': { type: 'string' },
  json: { type: 'boolean', default: false }, yes: { type: 'boolean', default: false },
} as const;

const OPTION_OF: Record<string, string> = {
  kind: '--kind', url: '--url', secret: '--secret', timezone: '--timezone', sendTime: '--time', frequency: '--frequency', topics: '--topics',
  includeKeywords: '--include', excludeKeywords: '--exclude', maxPapers: '--max-papers',
};

const split = (v: string) => v.split(';').map((s) => s.trim()).filter(Boolean);

function line(c: Channel): string {
  const v = publicView(c);
  return `${c.id}  ${c.kind.padEnd(7)}  ${c.status.padEnd(10)}  ${c.name}  ${v.url}  ${c.frequency.kind} ${String(c.sendTime.hour).padStart(2, '0')}:${String(c.sendTime.minute).padStart(2, '0')} ${c.timezone}  topics: ${c.topics.join(';') || 'all'}`;
}

async function readUrl(values: { url?: string | undefined; 'url-stdin'?: boolean | undefined }, stdin: NodeJS.ReadableStream | undefined): Promise<string> {
  if (values['url-stdin']) {
    if (!stdin) throw new UsageError('--url-stdin needs standard input');
    return (await text(stdin)).trim();
  }
  if (!values.url) throw new UsageError('say --url URL or --url-stdin');
  return values.url;
}

export const command: CliCommand = {
  name: 'channels',
  summary: 'channel subscribers (Slack, Discord, signed webhook): add | list | remove',
  help: HELP,
  async run(argv, io: CliIo & { stdin?: NodeJS.ReadableStream }) {
    const { values, positionals } = parseCommandArgs(argv, OPTIONS);
    const [action, ...rest] = positionals;
    if (action === 'add') {
      if (rest.length) throw new UsageError('add takes no positional arguments');
      if (!values.kind) throw new UsageError('say --kind slack|discord|webhook');
      const url = await readUrl(values, io.stdin ?? process.stdin);
      return withCliServices(io, async ({ feeds }) => {
        const input: Record<string, unknown> = { kind: values.kind, url };
        if (values.name !== undefined) input.name = values.name;
        if (values.secret !== undefined) input.secret = values.secret;
        if (values.timezone !== undefined) input.timezone = values.timezone;
        if (values.time !== undefined) input.sendTime = values.time;
        if (values.frequency !== undefined) input.frequency = values.frequency;
        if (values.topics !== undefined) input.topics = split(values.topics);
        if (values.include !== undefined) input.includeKeywords = split(values.include);
        if (values.exclude !== undefined) input.excludeKeywords = split(values.exclude);
        if (values['max-papers'] !== undefined) input.maxPapers = values['max-papers'];
        let c: Channel;
        try {
          c = await feeds.channels.add(input as { kind: string; url: string });
        } catch (err) {
          if (!(err instanceof PreferencesError)) throw err;
          // Never echo the URL back, even refused: it may be a real one with a typo elsewhere.
          io.stderr.write(`refused, nothing changed:\n${err.issues.map((i) => `  - ${OPTION_OF[i.field] ?? i.field}: ${i.message}`).join('\n')}\n`);
          return 2;
        }
        // The generated secret is shown once, here: the receiver needs it to verify signatures.
        const shownSecret = c.kind === 'webhook' && values.secret === undefined ? c.secret : null;
        if (values.json) writeJson(io, { channel: publicView(c), ...(shownSecret ? { secret: shownSecret } : {}) });
        else {
          io.stdout.write(`added ${line(c)}\n`);
          if (shownSecret) io.stdout.write(`signing secret (shown once, give it to the receiver): ${shownSecret}\n`);
        }
        return 0;
      });
    }
    if (action === 'list') {
      return withCliServices(io, async ({ feeds }) => {
        const all = await feeds.channels.list();
        if (values.json) writeJson(io, all.map(publicView));
        else io.stdout.write(all.length ? `${all.map(line).join('\n')}\n` : 'no channels\n');
        return 0;
      });
    }
    if (action === 'remove') {
      if (rest.length !== 1) throw new UsageError('say: channels remove <id> --yes');
      if (!values.yes) throw new UsageError('removing a channel needs --yes');
      return withCliServices(io, async ({ feeds }) => {
        const c = await feeds.channels.get(rest[0]!);
        if (!c) {
          io.stderr.write(`no channel with id ${rest[0]}\n`);
          return 1;
        }
        await feeds.channels.remove(c.id);
        io.stdout.write(`removed ${c.id} (${c.kind}, ${maskWebhookUrl(c.url)})\n`);
        return 0;
      });
    }
    throw new UsageError('say: channels add | list | remove');
  },
};
