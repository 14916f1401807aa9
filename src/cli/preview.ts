// `papers-digest preview --subscriber <id|email> [--period P] --out file.html`: render exactly the digest the
// worker would send this subscriber now (same selection, templates, links), write its HTML, send nothing.
import { checkPeriod } from './period-arg.js';
import { writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { nextOccurrence } from '../schedule/schedule.js';
import { composeDeps, withCliServices } from './context.js';
import { composeDigest, explainEmpty } from '../ops/compose.js';
import { maskEmail } from '../util/redact.js';
import type { Services } from '../services.js';
import type { Subscriber } from '../subscribers/subscriber.js';
import { parseCommandArgs, UsageError, writeJson, type CliCommand } from './command.js';

export const PERIOD_RE = /^(\d{4}-\d{2}-\d{2}|\d{4}-W\d{2})$/;

export async function findSubscriber(services: Services, idOrEmail: string): Promise<Subscriber> {
  const sub = idOrEmail.includes('@') ? await services.subscribers.getByEmail(idOrEmail) : await services.subscribers.get(idOrEmail);
  if (!sub) throw new UsageError(`no subscriber ${idOrEmail.includes('@') ? 'with that address' : `with id ${idOrEmail}`}`);
  return sub;
}

export const command: CliCommand = {
  name: 'preview',
  summary: 'render the digest a subscriber would get now, to a file (sends nothing)',
  help: `papers-digest preview --subscriber <id|email> [--period P] --out file.html [--text file.txt] [--json]

Renders exactly what the worker would send this subscriber if their digest went out now: the same paper
selection (papers already sent to them stay excluded), templates, links and headers. Nothing is sent, claimed
or recorded. --period defaults to the subscriber's next edition (YYYY-MM-DD, or YYYY-Www for weekly).
When the papers are stale the preview still renders and says so. When nothing would be sent (quiet day with
quietDayPolicy=skip, inactive or suppressed subscriber) it says why and exits 1.`,
  async run(argv, io) {
    const { values } = parseCommandArgs(argv, {
      subscriber: { type: 'string' },
      period: { type: 'string' },
      out: { type: 'string' },
      text: { type: 'string' },
      json: { type: 'boolean', default: false },
    }, false);
    if (!values.subscriber) throw new UsageError('--subscriber <id|email> is required');
    if (!values.out) throw new UsageError('--out <file.html> is required');
    checkPeriod(values.period);
    return withCliServices(io, async (services) => {
      const sub = await findSubscriber(services, values.subscriber!);
      const now = services.ctx.clock();
      const period = values.period ?? nextOccurrence(sub, now).period;
      const c = await composeDigest(await composeDeps(services), { subscriber: sub, period, now });
      if (!c.message) {
        const reason = c.outcome.kind === 'settled' ? c.outcome.reason : c.outcome.kind;
        // The operator's own terminal: the full address (logs elsewhere mask it).
        const why = reason === 'quiet-day' ? await explainEmpty(await composeDeps(services), { subscriber: sub, period, now }) : null;
        if (values.json) writeJson(io, { ok: false, subscriberId: sub.id, email: sub.email, period, wouldSend: false, reason, ...(why ? { explanation: why } : {}) });
        io.stderr.write(`preview: nothing would be sent to ${sub.email} (${sub.id}) for ${period}: ${reason}\n`);
        if (why) {
          io.stderr.write(
            `  window: papers listed ${why.firstDay} … ${why.today} (${why.inWindow} stored, ${why.alreadySent} already sent to them)\n` +
              `  newest stored listing: ${why.newestDay ?? 'none (nothing scraped yet)'}\n` +
              `  cause: ${why.cause}\n  fix: ${why.fix}\n`,
          );
        }
        return 1;
      }
      const out = resolve(values.out!);
      await writeFile(out, c.message.html);
      if (values.text) await writeFile(resolve(values.text), c.message.text);
      const papers = c.outcome.kind === 'sent' ? c.outcome.papers : 0;
      if (values.json) {
        writeJson(io, { ok: true, subscriberId: sub.id, to: maskEmail(sub.email), period, subject: c.message.subject, messageId: c.message.messageId, papers, stale: c.stale, out });
      } else {
        io.stdout.write(`${out}\n  to ${maskEmail(sub.email)} · period ${period} · ${papers} paper(s)\n  subject: ${c.message.subject}\n`);
      }
      if (c.stale) io.stderr.write('preview: warning: the papers are stale; a real send would first wait for a fresh scrape\n');
      return 0;
    });
  },
};
