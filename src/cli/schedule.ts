// `papers-digest schedule show`: when the next scrape and tick run (from the job schedulers the worker keeps
// upserted), the next few scrape instants of the cron pattern, and how many digests fall due in each hour of the
// next 24 hours (from the due index).
import { CronExpressionParser } from 'cron-parser';
import { withCliServices } from './context.js';
import { schedulers } from '../ops/queues.js';
import { parseCommandArgs, UsageError, writeJson, type CliCommand } from './command.js';

export function nextCronRuns(pattern: string, tz: string, after: Date, n: number): Date[] {
  const it = CronExpressionParser.parse(pattern, { tz, currentDate: after });
  return Array.from({ length: n }, () => it.next().toDate());
}

const hhmm = (d: Date) => d.toISOString().slice(11, 16);

export const command: CliCommand = {
  name: 'schedule',
  summary: 'show next scrape and tick runs and digests due per hour (next 24 h)',
  help: `papers-digest schedule show [--hours N] [--json]

Shows the scrape and tick job schedulers (pattern or interval, next run; "missing" means no worker has started
them), the next scrape instants of the configured pattern, and how many digests fall due in each hour of the
next N hours (default 24, UTC), plus any overdue ones the next tick will fan out.`,
  async run(argv, io) {
    const { values, positionals } = parseCommandArgs(argv, { json: { type: 'boolean', default: false }, hours: { type: 'string', default: '24' } });
    if (positionals.length !== 1 || positionals[0] !== 'show') throw new UsageError('say: schedule show');
    const hours = Number(values.hours);
    if (!Number.isInteger(hours) || hours < 1 || hours > 168) throw new UsageError('--hours must be an integer from 1 to 168');
    return withCliServices(io, async ({ ctx, queues, subscribers }) => {
      const now = ctx.clock();
      {
        const [settings, scheds, due] = await Promise.all([ctx.settings.get(), schedulers(queues), subscribers.dueHistogram(now, hours)]);
        const upcomingScrapes = nextCronRuns(settings.scrapePattern, settings.scrapeTimezone, now, 3);
        const total = due.hours.reduce((a, h) => a + h.count, 0);
        if (values.json) {
          writeJson(io, {
            now: now.toISOString(),
            schedulers: scheds.map((s) => ({ ...s, next: s.next?.toISOString() ?? null })),
            scrape: { pattern: settings.scrapePattern, timezone: settings.scrapeTimezone, paused: settings.scrapingPaused, next: upcomingScrapes.map((d) => d.toISOString()) },
            tick: { everySeconds: settings.tickEverySeconds },
            sendingPaused: settings.sendingPaused,
            due: { overdue: due.overdue, total, hours: due.hours.map((h) => ({ start: h.start.toISOString(), count: h.count })) },
          });
          return 0;
        }
        const out: string[] = [`Now ${now.toISOString()}`, '', 'Job schedulers:'];
        for (const s of scheds) {
          const rule = s.pattern ? `cron "${s.pattern}"${s.tz ? ` ${s.tz}` : ''}` : s.every ? `every ${s.every / 1000} s` : '';
          out.push(`  ${s.id.padEnd(15)} ${s.present ? `${rule}, next ${s.next?.toISOString() ?? '?'}` : 'MISSING (no worker has started it)'}`);
        }
        out.push('', `Scrape pattern "${settings.scrapePattern}" (${settings.scrapeTimezone})${settings.scrapingPaused ? ' — PAUSED' : ''}; next: ${upcomingScrapes.map((d) => d.toISOString()).join(', ')}`);
        out.push(`Tick every ${settings.tickEverySeconds} s${settings.sendingPaused ? '; sending PAUSED' : ''}`);
        out.push('', `Digests due, next ${hours} h (UTC): ${total}${due.overdue ? ` (+${due.overdue} overdue)` : ''}`);
        const max = Math.max(1, ...due.hours.map((h) => h.count));
        for (const h of due.hours) out.push(`  ${h.start.toISOString().slice(0, 10)} ${hhmm(h.start)}  ${String(h.count).padStart(6)}  ${'█'.repeat(Math.round((h.count / max) * 40))}`);
        io.stdout.write(out.join('\n') + '\n');
        return 0;
      }
    });
  },
};
