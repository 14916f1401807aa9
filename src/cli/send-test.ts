// `papers-digest send-test --to <address> [--subscriber <id|email>]`: deliver one digest through the configured
// transport to an address of the operator's choosing — the very message `preview` renders, under a test
// Message-ID so it can never be mistaken for (or deduplicated against) the real edition. Records nothing but
// its count in the emails-sent metric (metrics/relay.ts countCliEmail).
import { checkPeriod } from './period-arg.js';
import { randomBytes } from 'node:crypto';
import { mailDomain } from '../config.js';
import { nextOccurrence } from '../schedule/schedule.js';
import { composeDeps, withCliServices } from './context.js';
import { composeDigest, latestStoredPapers, sampleSubscriber } from '../ops/compose.js';
import { maskEmail } from '../util/redact.js';
import { normalizeEmail } from '../subscribers/email.js';
import { parseCommandArgs, UsageError, writeJson, type CliCommand } from './command.js';
import { findSubscriber } from './preview.js';
import { countCliEmail } from '../metrics/relay.js';

export const command: CliCommand = {
  name: 'send-test',
  summary: 'send one digest to a test address through the configured transport',
  help: `papers-digest send-test --to <address> [--subscriber <id|email>] [--period P] [--json]

Sends one digest to --to through the configured transport (SMTP_URL, or the outbox): with --subscriber, exactly
what that subscriber would get now (the same HTML as \`preview\`); without, a sample digest with every topic.
The message gets a test Message-ID and an X-Papers-Digest-Test header; no ledger or subscriber changes. It is
counted in /metrics: papers_digest_emails_sent_total{kind="test",pd_instance="cli"}.
Careful: with --subscriber, the links in the message (preferences, unsubscribe) act on that subscriber.`,
  async run(argv, io) {
    const { values } = parseCommandArgs(argv, {
      to: { type: 'string' },
      subscriber: { type: 'string' },
      period: { type: 'string' },
      json: { type: 'boolean', default: false },
    }, false);
    if (!values.to) throw new UsageError('--to <address> is required');
    const norm = normalizeEmail(values.to);
    if (!norm.ok) throw new UsageError(`--to ${norm.message}`);
    const to = norm.email;
    checkPeriod(values.period);
    return withCliServices(io, async (services) => {
      const now = services.ctx.clock();
      const sub = values.subscriber ? await findSubscriber(services, values.subscriber) : sampleSubscriber(to, await services.ctx.settings.get(), now);
      const period = values.period ?? nextOccurrence(sub, now).period;
      const deps = await composeDeps(services);
      let c = await composeDigest(deps, { subscriber: { ...sub, email: to }, period, now });
      if (!c.message && !values.subscriber && c.outcome.kind === 'settled' && c.outcome.reason === 'quiet-day') {
        // The sample falls back to the latest stored papers (dated today) when the window holds none.
        const latest = await latestStoredPapers(services.papers, period);
        if (latest) {
          io.stderr.write(`send-test: no papers in the current window; sampling the newest stored listing (${latest.from}) instead\n`);
          c = await composeDigest({ ...deps, papers: { listedSince: async () => latest.papers, lastSuccessfulScrape: async () => now } }, { subscriber: { ...sub, email: to }, period, now });
        }
      }
      if (!c.message) {
        const reason = c.outcome.kind === 'settled' ? c.outcome.reason : c.outcome.kind;
        if (values.json) writeJson(io, { ok: false, period, reason });
        io.stderr.write(`send-test: nothing to send for ${period}: ${reason}${reason === 'quiet-day' ? ' (no papers stored: run `papers-digest scrape`, or `papers-digest demo` for an offline sample)' : ''}\n`);
        return 1;
      }
      const messageId = `<test-${randomBytes(6).toString('hex')}-${period}@${mailDomain(services.ctx.config)}>`;
      const result = await services.mailer.send({ ...c.message, to, messageId, headers: { ...c.message.headers, 'X-Papers-Digest-Test': 'yes' } });
      await countCliEmail(services.ctx.redis, services.ctx.keys, 'test').catch((err: unknown) => io.stderr.write(`send-test: sent, but not counted in /metrics: ${(err as Error).message}\n`));
      if (values.json) writeJson(io, { ok: true, to: maskEmail(to), period, subject: c.message.subject, messageId, response: result.response, stale: c.stale });
      else io.stdout.write(`sent to ${maskEmail(to)} via ${services.mailer.kind}: ${result.response}\n  subject: ${c.message.subject}\n`);
      return 0;
    });
  },
};
