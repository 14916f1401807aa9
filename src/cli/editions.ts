// `papers-digest editions status [--period P]`: for one period, eligible / sent / failed / suppressed / unknown /
// skipped / pending. Walks every subscriber to find the editions not started yet, with a progress line.
// Without --period it shows every edition under way now: editions are keyed by each subscriber's local date, so
// two or three daily periods (and the current ISO week) are "today" somewhere at any instant (src/ops/periods.ts).
import { withCliServices } from './context.js';
import { editionStatuses, type EditionStatus } from '../ops/edition-status.js';
import { periodsNow } from '../ops/periods.js';
import { parseCommandArgs, progress, unknownWord, UsageError, writeJson, type CliCommand } from './command.js';
import { checkPeriod } from './period-arg.js';

function table(s: EditionStatus, note: string): string {
  const rows: [string, number][] = [
    ['eligible', s.eligible], ['sent', s.sent], ['failed', s.failed], ['suppressed', s.suppressed], ['unknown', s.unknown],
    ['skipped', s.skipped], ['pending', s.pending], ['  in flight', s.inFlight], ['  not started', s.notStarted],
  ];
  return `Editions ${s.period}${note}\n${rows.map(([k, v]) => `  ${k.padEnd(13)} ${String(v).padStart(8)}`).join('\n')}\n`;
}

export const command: CliCommand = {
  name: 'editions',
  summary: 'editions status [--period P]: eligible, sent, failed, suppressed, unknown, pending',
  help: `papers-digest editions status [--period P] [--json]

Where each edition of a period stands. --period is YYYY-MM-DD (daily editions) or YYYY-Www (weekly).
Without --period: every edition under way now. Editions are keyed by the subscriber's local date, so at any
instant two or three dates are "today" somewhere (UTC−12 … UTC+14); each is shown, plus the current ISO week
when it has weekly editions. With --json that is {"now", "periods": [...]}; with --period, one object.
eligible = subscribers who should get this edition; pending = in flight (claimed, sending, retrying)
plus not started yet. "unknown" editions may or may not have been delivered (the connection dropped after the
message was sent) and are never resent automatically. Failed ones can be retried with \`retry-failed\`.`,
  async run(argv, io) {
    const { values, positionals } = parseCommandArgs(argv, { json: { type: 'boolean', default: false }, period: { type: 'string' } });
    if (positionals.length === 1 && positionals[0] !== 'status') throw unknownWord('subcommand', positionals[0]!, ['status']);
    if (positionals.length !== 1) throw new UsageError('say: editions status [--period P]');
    checkPeriod(values.period);
    return withCliServices(io, async (services) => {
      const { ctx } = services;
      const now = ctx.clock();
      const live = periodsNow(now);
      const periods = values.period ? [values.period] : [...live.daily, ...live.weekly];
      const bar = progress(io, 'scanning subscribers', await services.subscribers.count());
      const all = await editionStatuses(services, periods, (done) => bar.update(done));
      bar.done('done');
      // A weekly period nobody gets is noise; a daily one under way is shown even when empty (that is news too).
      const shown = values.period ? all : all.filter((s) => live.daily.includes(s.period) || s.eligible > 0);
      const utcToday = now.toISOString().slice(0, 10);
      if (values.json) {
        if (values.period) writeJson(io, all[0]);
        else writeJson(io, { now: now.toISOString(), periods: shown });
      } else {
        const note = (p: string) =>
          values.period ? '' : p.includes('W') ? '  (this week)' : p === utcToday ? '  (today in UTC)' : p > utcToday ? '  (already today east of UTC)' : '  (still today west of UTC)';
        io.stdout.write(shown.map((s) => table(s, note(s.period))).join('\n'));
      }
      return 0;
    });
  },
};
