// `papers-digest editions status [--period P]`: for one period, eligible / sent / failed / suppressed / unknown /
// skipped / pending. Walks every subscriber to find the editions not started yet, with a progress line.
import { withCliServices } from '../ops/cli-context.js';
import { editionStatus } from '../ops/edition-status.js';
import { parseCommandArgs, progress, UsageError, writeJson, type CliCommand } from './command.js';
import { PERIOD_RE } from './preview.js';

export const command: CliCommand = {
  name: 'editions',
  summary: 'editions status [--period P]: eligible, sent, failed, suppressed, unknown, pending',
  help: `papers-digest editions status [--period P] [--json]

Where each edition of a period stands. --period is YYYY-MM-DD (daily editions; default: today, UTC) or YYYY-Www
(weekly). eligible = subscribers who should get this edition; pending = in flight (claimed, sending, retrying)
plus not started yet. "unknown" editions may or may not have been delivered (the connection dropped after the
message was sent) and are never resent automatically. Failed ones can be retried with \`retry-failed\`.`,
  async run(argv, io) {
    const { values, positionals } = parseCommandArgs(argv, { json: { type: 'boolean', default: false }, period: { type: 'string' } });
    if (positionals.length !== 1 || positionals[0] !== 'status') throw new UsageError('say: editions status [--period P]');
    if (values.period !== undefined && !PERIOD_RE.test(values.period)) throw new UsageError('--period must be YYYY-MM-DD or YYYY-Www');
    return withCliServices(io, async (services) => {
      const { ctx } = services;
      const period = values.period ?? ctx.clock().toISOString().slice(0, 10);
      const bar = progress(io, 'scanning subscribers', await ctx.redis.zcard(ctx.keys.subscribersAll));
      const s = await editionStatus({ redis: ctx.redis, keys: ctx.keys, subscribers: services.subscribers }, period, (done) => bar.update(done));
      bar.done('done');
      if (values.json) writeJson(io, s);
      else {
        const rows: [string, number][] = [
          ['eligible', s.eligible], ['sent', s.sent], ['failed', s.failed], ['suppressed', s.suppressed], ['unknown', s.unknown],
          ['skipped', s.skipped], ['pending', s.pending], ['  in flight', s.inFlight], ['  not started', s.notStarted],
        ];
        io.stdout.write(`Editions ${period}\n${rows.map(([k, v]) => `  ${k.padEnd(13)} ${String(v).padStart(8)}`).join('\n')}\n`);
      }
      return 0;
    });
  },
};
