// `papers-digest demo`: an offline first run. Reads the small SAMPLE listing that ships in the repository
// (samples/demo-listing.json, real-looking Hugging Face API records, marked as sample data), re-dates its papers to
// today, and writes one digest for a demo subscriber to the outbox with the real send job and templates.
// The sample papers are never stored (real subscribers never see them) and the demo subscriber is kept `pending`,
// so the worker never mails it; the .eml goes to DATA_DIR/outbox even when SMTP_URL is set.
import { randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { DateTime } from 'luxon';
import { mailDomain } from '../config.js';
import { outboxDir } from '../mail/create-mailer.js';
import { OutboxMailer } from '../mail/outbox-mailer.js';
import { composeDigest, sampleSubscriber } from '../ops/compose.js';
import type { Paper } from '../papers/paper.js';
import { parseListingBody } from '../scrape/parse.js';
import { isoDay } from '../scrape/listing.js';
import { composeDeps, withCliServices } from './context.js';
import { parseCommandArgs, UsageError, writeJson, type CliCommand } from './command.js';
import { join } from 'node:path';

export const SAMPLE_LISTING = fileURLToPath(new URL('../../samples/demo-listing.json', import.meta.url));
export const DEMO_EMAIL = 'demo@example.com';

/** The sample papers, every one listed on `day` (the sample's own dates are months old). */
export async function loadSamplePapers(day: string, path = SAMPLE_LISTING): Promise<Paper[]> {
  const body = await readFile(path, 'utf8');
  const parsed = parseListingBody(body, { url: `file:${path}`, requestedDay: null, today: day });
  if (parsed.papers.length === 0) throw new Error(`${path} holds no papers`);
  return parsed.papers.map((p) => ({ ...p, listedOn: day }));
}

export const command: CliCommand = {
  name: 'demo',
  summary: 'write one sample digest to the outbox, offline (sample papers, demo subscriber)',
  help: `papers-digest demo [--email <address>] [--json]

An offline first run: reads the SAMPLE listing shipped in samples/demo-listing.json (8 papers, sample data),
dates its papers today, creates (or reuses) a demo subscriber (default ${DEMO_EMAIL}) and writes one digest for
it to the outbox (DATA_DIR/outbox, even when SMTP_URL is set) with the real paper selection and templates.
Then open /admin/outbox on the running server (\`npm start\`) to read it, or open the .eml file.
The sample papers are never stored, so real subscribers never get them; the demo subscriber stays pending
(never confirmed), so the worker never mails it. Remove it with \`papers-digest subscribers remove ${DEMO_EMAIL} --yes\`.`,
  async run(argv, io) {
    const { values } = parseCommandArgs(argv, { email: { type: 'string' }, json: { type: 'boolean', default: false } }, false);
    const email = values.email ?? DEMO_EMAIL;
    if (!email.includes('@')) throw new UsageError(`--email must be an address (got ${email})`);
    return withCliServices(io, async (services) => {
      const { ctx } = services;
      const now = ctx.clock();
      const settings = await ctx.settings.get();
      const { subscriber: stored, created } = await services.subscribers.create({ email, status: 'pending', timezone: settings.defaultTimezone });
      // Composed as an active reader with every topic, so the digest shows what a subscriber gets.
      const sub = { ...sampleSubscriber(stored.email, settings, now), id: stored.id, tokenVersion: stored.tokenVersion, timezone: stored.timezone };
      const period = DateTime.fromJSDate(now, { zone: sub.timezone }).toISODate() ?? isoDay(now);
      const papers = await loadSamplePapers(period);
      const deps = await composeDeps(services);
      const c = await composeDigest(
        { ...deps, papers: { listedSince: async (first) => papers.filter((p) => p.listedOn >= first), lastSuccessfulScrape: async () => now } },
        { subscriber: sub, period, now },
      );
      if (!c.message) {
        const reason = c.outcome.kind === 'settled' ? c.outcome.reason : c.outcome.kind;
        io.stderr.write(`demo: the sample digest could not be composed: ${reason}\n`);
        return 1;
      }
      const dir = outboxDir(ctx.config);
      const mailer = new OutboxMailer({ dir, clock: ctx.clock });
      const messageId = `<demo-${randomBytes(6).toString('hex')}-${period}@${mailDomain(ctx.config)}>`;
      const result = await mailer.send({
        ...c.message,
        subject: `[sample data] ${c.message.subject}`,
        messageId,
        headers: { ...c.message.headers, 'X-Papers-Digest-Demo': 'sample data' },
      });
      const file = join(dir, result.response.replace(/^outbox: /, ''));
      const adminUrl = `${ctx.config.publicUrl.replace(/\/+$/, '')}/admin/outbox`;
      const count = c.outcome.kind === 'sent' ? c.outcome.papers : papers.length;
      if (values.json) {
        writeJson(io, { ok: true, file, subscriberId: stored.id, subscriberCreated: created, period, papers: count, subject: `[sample data] ${c.message.subject}`, adminUrl });
      } else {
        io.stdout.write(
          [
            `Wrote a sample digest (${count} sample papers dated ${period}) for the demo subscriber ${stored.email}${created ? ' (created, pending: never mailed by the worker)' : ''}:`,
            `  ${file}`,
            `Read it at ${adminUrl} while \`npm start\` runs (sign in with any user name and ADMIN_TOKEN,`,
            `kept in ${join(ctx.config.dataDir, 'secrets.json')} when unset), or open the .eml file in a mail client.`,
            'The sample papers were not stored: real subscribers never get them.',
            '',
          ].join('\n'),
        );
      }
      return 0;
    });
  },
};
