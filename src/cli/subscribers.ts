// `papers-digest subscribers add|list|show|update|remove|resend|import|export`: the operator's view of the subscriber
// store. Validation is the store's (same rules and messages as the web pages); CSV is the DESIGN.md format.
import { createReadStream, createWriteStream, statSync } from 'node:fs';
import { once } from 'node:events';
import { subscriberLinks } from '../links/signed-links.js';
import { withCliServices } from './context.js';
import type { Services } from '../services.js';
import { CsvHeaderError, exportSubscribers, importSubscribers } from '../subscribers/csv-import.js';
import { formatFrequency, formatSendTime, PreferencesError } from '../subscribers/preferences.js';
import { STATUSES } from '../subscribers/codec.js';
import type { SubscriberStore } from '../subscribers/store.js';
import type { Subscriber, SubscriberStatus } from '../subscribers/subscriber.js';
import { unknownWord, parseCommandArgs, progress, UsageError, writeJson, type CliCommand, type CliIo } from './command.js';

const HELP = `papers-digest subscribers add <email> [preferences] [--confirmed] [--json]
papers-digest subscribers list [--status S] [--limit N] [--cursor C] [--json]
papers-digest subscribers show <id|email> [--json]
papers-digest subscribers update <id|email> [preferences] [--email E] [--confirm] [--pause-until YYYY-MM-DD]
                                  [--resume] [--unsubscribe] [--revoke-links] [--json]
papers-digest subscribers remove <id|email> --yes
papers-digest subscribers resend <id|email> [--json]
papers-digest subscribers import <file.csv|-> [--confirmed] [--update] [--json]
papers-digest subscribers export [--out file.csv] [--status S|all] [--json]

Preferences: --timezone Europe/Berlin  --time 07:30  --frequency daily|weekly:mon..sun  --topics llm;agents
             --include "kw;kw"  --exclude "kw;kw"  --authors "Name;Name"  --orgs "Org;Org"
             --min-upvotes N  --max-papers 1..25
A change is validated whole: one refused value refuses everything (exit 2, every problem listed).

add/import without --confirmed create pending subscribers and email each a confirmation link (48 h);
--confirmed makes them active at once: use it only when you hold their consent.
import: CSV with header email,timezone,send_time,frequency,topics,include_keywords,exclude_keywords and optionally
follow_authors,follow_orgs,min_upvotes,max_papers,seed_papers,status,paused_until (any order, only email
required; list cells ;-separated). Bad rows are reported by line number; good rows are imported.
status (new subscribers only): never active without --confirmed. unsubscribed and bouncing rows stay so (never
mailed); pending stays pending; active/paused rows are active/paused (until paused_until) with --confirmed,
else pending with a confirmation email. An empty status cell: active with --confirmed, else pending.
Existing emails are never duplicated: they are left as they are, or given the row's preferences with --update.
Unsubscribed or bouncing addresses are never reactivated by an import. Exit 1 when any row was refused.
export: writes active and paused subscribers (or --status pending|active|paused|unsubscribed|bouncing|all),
        every column above (status included); --json writes a JSON array of the stored records instead.
        Export then import (with --confirmed) restores every field.
        Cells starting with = + - @ get a leading ' (spreadsheets must not run them as formulas); import strips it.
show prints the subscriber's current preferences and unsubscribe links (for support).
resend emails the subscriber again, as a new sign-up on the web page would (for "I never got the email"):
       pending → a fresh confirmation link (48 h; earlier links keep working until they expire);
       active or paused → their preferences link (there is nothing to confirm).
       unsubscribed or bouncing → refused (exit 2), nothing sent: an unsubscribed person signs up again on the
       web page; a bouncing address needs fixing first (update --email).`;

const PREF_OPTIONS = {
  timezone: { type: 'string' }, time: { type: 'string' }, frequency: { type: 'string' }, topics: { type: 'string' },
  include: { type: 'string' }, exclude: { type: 'string' }, authors: { type: 'string' }, orgs: { type: 'string' },
  'min-upvotes': { type: 'string' }, 'max-papers': { type: 'string' },
} as const;

const OPTIONS = {
  ...PREF_OPTIONS,
  json: { type: 'boolean', default: false }, confirmed: { type: 'boolean', default: false }, update: { type: 'boolean', default: false },
  status: { type: 'string' }, limit: { type: 'string' }, cursor: { type: 'string' }, email: { type: 'string' }, confirm: { type: 'boolean', default: false },
  'pause-until': { type: 'string' }, resume: { type: 'boolean', default: false }, unsubscribe: { type: 'boolean', default: false },
  'revoke-links': { type: 'boolean', default: false }, yes: { type: 'boolean', default: false }, out: { type: 'string' }, verbose: { type: 'boolean', default: false },
} as const;

type Values = ReturnType<typeof parseCommandArgs<typeof OPTIONS>>['values'];

const split = (v: string) => v.split(';').map((s) => s.trim()).filter(Boolean);

function preferencePatch(v: Values): Record<string, unknown> {
  const patch: Record<string, unknown> = {};
  if (v.timezone !== undefined) patch.timezone = v.timezone;
  if (v.time !== undefined) patch.sendTime = v.time;
  if (v.frequency !== undefined) patch.frequency = v.frequency;
  if (v.topics !== undefined) patch.topics = split(v.topics);
  if (v.include !== undefined) patch.includeKeywords = split(v.include);
  if (v.exclude !== undefined) patch.excludeKeywords = split(v.exclude);
  if (v.authors !== undefined) patch.followAuthors = split(v.authors);
  if (v.orgs !== undefined) patch.followOrgs = split(v.orgs);
  if (v['min-upvotes'] !== undefined) patch.minUpvotes = v['min-upvotes'];
  if (v['max-papers'] !== undefined) patch.maxPapers = v['max-papers'];
  return patch;
}

// Name problems by the option the operator typed.
const OPTION_OF: Record<string, string> = {
  timezone: '--timezone', sendTime: '--time', frequency: '--frequency', topics: '--topics', includeKeywords: '--include',
  excludeKeywords: '--exclude', followAuthors: '--authors', followOrgs: '--orgs', minUpvotes: '--min-upvotes', maxPapers: '--max-papers',
  pausedUntil: '--pause-until',
};

function refused(io: CliIo, err: PreferencesError): number {
  io.stderr.write(`refused, nothing changed:\n${err.issues.map((i) => `  - ${OPTION_OF[i.field] ?? i.field}: ${i.message}`).join('\n')}\n`);
  return 2;
}

async function find(store: SubscriberStore, ref: string): Promise<Subscriber> {
  const s = ref.includes('@') ? await store.getByEmail(ref) : await store.get(ref);
  if (!s) throw new Error(`no subscriber ${ref.includes('@') ? 'with that email' : `with id ${ref}`}`);
  return s;
}

function describeSubscriber({ ctx }: Services, s: Subscriber, dueAt: Date | null) {
  const links = subscriberLinks(ctx.config.publicUrl, s, ctx.secrets.linkSecrets, ctx.clock());
  return { subscriber: s, nextDueAt: dueAt?.toISOString() ?? null, links: { preferences: links.preferences, unsubscribe: links.unsubscribe } };
}

function printSubscriber(io: CliIo, d: ReturnType<typeof describeSubscriber>): void {
  const s = d.subscriber;
  const rows: [string, string][] = [
    ['id', s.id], ['email', s.email],
    ['status', s.status + (s.pausedUntil ? ` until ${s.pausedUntil}` : '') + (s.confirmedAt ? ` (confirmed ${s.confirmedAt})` : '')],
    ['timezone', s.timezone], ['sends', `${formatSendTime(s.sendTime)} ${formatFrequency(s.frequency)}`],
    ['topics', s.topics.join(', ') || '(all: trending)'], ['include', s.includeKeywords.join('; ')], ['exclude', s.excludeKeywords.join('; ')],
    ['authors', s.followAuthors.join('; ')], ['orgs', s.followOrgs.join('; ')],
    ['papers', `at most ${s.maxPapers}, min ${s.minUpvotes} upvotes`], ['created', s.createdAt],
    ['next digest', d.nextDueAt ?? '-'], ['token version', String(s.tokenVersion)], ['bounces', String(s.bounceCount)],
    ['preferences', d.links.preferences], ['unsubscribe', d.links.unsubscribe],
  ];
  for (const [k, v] of rows) io.stdout.write(`${k.padEnd(13)}  ${v}\n`);
}

function statusOption(v: string | undefined, fallback: SubscriberStatus[] | null): Set<SubscriberStatus> | null {
  if (v === undefined) return fallback && new Set(fallback);
  if (v === 'all') return null;
  if (!STATUSES.includes(v as SubscriberStatus)) throw new UsageError(`--status must be one of ${STATUSES.join(', ')} or all`);
  return new Set([v as SubscriberStatus]);
}

async function newSubscriberDefaults({ ctx }: Services): Promise<{ timezone: string; sendTime: string }> {
  const settings = await ctx.settings.get();
  return { timezone: settings.defaultTimezone, sendTime: settings.defaultSendTime };
}

async function run(sub: string, positionals: string[], v: Values, io: CliIo, services: Services): Promise<number> {
  const store = services.subscribers;
  const ref = () => {
    if (!positionals[0]) throw new UsageError(`${sub} needs an id or email`);
    return positionals[0];
  };
  switch (sub) {
    case 'add': {
      // Unless given, a new subscriber gets the live default send time and zone (settings defaultSendTime/-Timezone).
      const defaults = await newSubscriberDefaults(services);
      const { subscriber, created } = await store.create({ email: ref(), status: v.confirmed ? 'active' : 'pending', ...defaults, ...preferencePatch(v) });
      if (!created) {
        io.stderr.write(`already subscribed (status ${subscriber.status}); nothing changed — use update\n`);
        return 1;
      }
      let confirmation = v.confirmed ? 'not needed (--confirmed)' : 'sent';
      if (!v.confirmed) await services.sendConfirmation(subscriber).catch((err: Error) => (confirmation = `FAILED: ${err.message}`));
      if (v.json) writeJson(io, { ...describeSubscriber(services, subscriber, await store.dueAt(subscriber.id)), confirmation });
      else io.stdout.write(`added ${subscriber.id} (${subscriber.status}); confirmation email ${confirmation}\n`);
      return confirmation.startsWith('FAILED') ? 1 : 0;
    }
    case 'list': {
      const status = statusOption(v.status, null);
      const limit = v.limit === undefined ? 100 : Number(v.limit);
      if (!Number.isInteger(limit) || limit < 1 || limit > 5000) throw new UsageError('--limit must be 1..5000');
      const page = await store.list({ cursor: v.cursor ?? null, limit, ...(status ? { status: [...status][0]! } : {}) });
      if (v.json) writeJson(io, page);
      else {
        for (const s of page.items) io.stdout.write(`${s.id}  ${s.status.padEnd(12)}  ${formatSendTime(s.sendTime)} ${formatFrequency(s.frequency).padEnd(10)}  ${s.timezone.padEnd(20)}  ${s.email}\n`);
        io.stderr.write(`${page.items.length} shown${page.nextCursor ? `; more with --cursor ${page.nextCursor}` : ''} (${await store.count()} in all)\n`);
      }
      return 0;
    }
    case 'show': {
      const s = await find(store, ref());
      const d = describeSubscriber(services, s, await store.dueAt(s.id));
      if (v.json) writeJson(io, d);
      else printSubscriber(io, d);
      return 0;
    }
    case 'update': {
      const s = await find(store, ref());
      const patch = preferencePatch(v);
      if (v.email !== undefined) patch.email = v.email;
      const steps: [boolean, () => Promise<unknown>][] = [
        [Object.keys(patch).length > 0, () => store.update(s.id, patch)],
        [v.confirm, () => store.confirm(s.id)],
        [v['pause-until'] !== undefined, () => store.pause(s.id, v['pause-until']!)],
        [v.resume, () => store.resume(s.id)],
        [v.unsubscribe, () => store.unsubscribe(s.id)],
        [v['revoke-links'], () => store.bumpTokenVersion(s.id)],
      ];
      const todo = steps.filter(([on]) => on);
      if (todo.length === 0) throw new UsageError('update needs a preference option or an action (--confirm, --pause-until, --resume, --unsubscribe, --revoke-links)');
      for (const [, step] of todo) await step();
      const after = (await store.get(s.id))!;
      const d = describeSubscriber(services, after, await store.dueAt(s.id));
      if (v.json) writeJson(io, d);
      else printSubscriber(io, d);
      return 0;
    }
    case 'remove': {
      const s = await find(store, ref());
      if (!v.yes) throw new UsageError('remove deletes the subscriber for good; add --yes (to stop their mail only, use update --unsubscribe)');
      await store.remove(s.id);
      io.stdout.write(`removed ${s.id}\n`);
      return 0;
    }
    case 'resend':
      return runResend(await find(store, ref()), v, io, services);
    case 'import':
      return runImport(store, ref(), v, io, services);
    case 'export':
      return runExport(store, v, io);
    default:
      throw unknownWord('subcommand', sub, ['add', 'list', 'show', 'update', 'remove', 'resend', 'import', 'export']);
  }
}

const RESEND_REFUSED: Partial<Record<SubscriberStatus, string>> = {
  unsubscribed: 'they unsubscribed; to come back they sign up again on the web page (its email asks them to confirm)',
  bouncing: 'their mailbox refuses our mail; correct the address with update --email first',
};

async function runResend(s: Subscriber, v: Values, io: CliIo, services: Services): Promise<number> {
  const why = RESEND_REFUSED[s.status];
  if (why) {
    io.stderr.write(`refused, nothing sent: subscriber ${s.id} is ${s.status} — ${why}\n`);
    return 2;
  }
  const outcome = await services.sendConfirmation(s);
  const sent = outcome === 'confirm-sent' ? 'confirmation link' : 'preferences link';
  if (v.json) writeJson(io, { subscriberId: s.id, status: s.status, sent: outcome === 'confirm-sent' ? 'confirm' : 'preferences' });
  else io.stdout.write(`sent ${s.id} (${s.status}) a ${sent}\n`);
  return 0;
}

async function runImport(store: SubscriberStore, file: string, v: Values, io: CliIo, services: Services): Promise<number> {
  const size = file === '-' ? null : statSync(file).size;
  const input = file === '-' ? process.stdin : createReadStream(file);
  const bar = progress(io, 'importing', size);
  let bytes = 0;
  async function* counted() {
    for await (const chunk of input) {
      bytes += (chunk as Buffer).length;
      yield chunk as Buffer;
    }
  }
  const report = await importSubscribers(store, counted(), {
    defaults: await newSubscriberDefaults(services),
    confirmed: v.confirmed,
    update: v.update,
    ...(v.confirmed ? {} : { sendConfirmation: (s: Subscriber) => services.sendConfirmation(s) }),
    onBatch: () => bar.update(size === null ? bytes : Math.min(bytes, size)),
  });
  bar.done(`${report.rows} rows: ${report.created} created, ${report.updated} updated, ${report.unchanged} unchanged, ${report.invalid.length} refused`);
  for (const p of report.invalid) io.stderr.write(`line ${p.line}: ${p.message}\n`);
  for (const d of report.duplicates) io.stderr.write(`line ${d.line}: same email as line ${d.firstLine}; skipped\n`);
  for (const p of report.confirmationsFailed) io.stderr.write(`line ${p.line}: confirmation email failed (subscriber stays pending): ${p.message}\n`);
  if (v.json) writeJson(io, report);
  else io.stdout.write(`created ${report.created}, updated ${report.updated}, unchanged ${report.unchanged}, confirmed ${report.confirmedExisting} existing, ` +
    `refused ${report.invalid.length}, duplicates ${report.duplicates.length}, confirmation emails ${report.confirmationsSent} sent / ${report.confirmationsFailed.length} failed\n`);
  return report.invalid.length > 0 || report.confirmationsFailed.length > 0 ? 1 : 0;
}

async function runExport(store: SubscriberStore, v: Values, io: CliIo): Promise<number> {
  const statuses = statusOption(v.status, ['active', 'paused']);
  const out = v.out ? createWriteStream(v.out) : io.stdout;
  // The bar counts rows written against the subscribers of the chosen statuses (not every subscriber, not bytes).
  const counts = await store.countByStatus();
  const total = Object.entries(counts).reduce((n, [status, c]) => n + (!statuses || statuses.has(status as SubscriberStatus) ? c : 0), 0);
  const bar = progress(io, 'exporting', total);
  const write = async (text: string) => {
    if (!out.write(text)) await once(out, 'drain');
  };
  const { rows } = await exportSubscribers(store, write, { statuses, json: v.json, onProgress: (n) => bar.update(Math.min(n, total)) });
  if (v.out) {
    out.end();
    await once(out, 'finish');
  }
  bar.done(`${rows} subscribers written${v.out ? ` to ${v.out}` : ''}${v.json ? ' (JSON)' : ''}`);
  return 0;
}

export const command: CliCommand = {
  name: 'subscribers',
  summary: 'add, list, show, update, remove, resend to, import or export subscribers',
  help: HELP,
  async run(argv, io) {
    const { values, positionals } = parseCommandArgs(argv, OPTIONS);
    const [sub, ...rest] = positionals;
    const subs = ['add', 'list', 'show', 'update', 'remove', 'resend', 'import', 'export'];
    if (sub && !subs.includes(sub)) throw unknownWord('subcommand', sub, subs);
    if (!sub) throw new UsageError(`expected a subcommand: ${subs.join(', ')}`);
    try {
      return await withCliServices(io, (services) => run(sub, rest, values, io, services), { verbose: values.verbose });
    } catch (err) {
      if (err instanceof PreferencesError) return refused(io, err);
      if (err instanceof CsvHeaderError) {
        io.stderr.write(`refused, nothing imported: ${err.message}\n`);
        return 2;
      }
      throw err;
    }
  },
};
