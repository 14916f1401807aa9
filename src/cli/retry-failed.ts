// `papers-digest retry-failed --period P`: re-run the send of every edition that failed in a period.
import { withCliServices } from './context.js';
import { retryFailed } from '../ops/retry-failed.js';
import { parseCommandArgs, progress, UsageError, writeJson, type CliCommand } from './command.js';
import { checkPeriod } from './period-arg.js';

export const command: CliCommand = {
  name: 'retry-failed',
  summary: 'retry the failed editions of a period (--period P)',
  help: `papers-digest retry-failed --period P [--dry-run] [--json]

Every edition of period P (YYYY-MM-DD or YYYY-Www) whose delivery failed permanently gets one more attempt:
its ledger entry is reopened and its send job runs again (same job id, so nothing is enqueued twice).
Editions in state "unknown" are NOT retried — they may have been delivered. --dry-run only counts.
A running worker does the sending; the rate limit and pause settings apply as usual.`,
  async run(argv, io) {
    const { values } = parseCommandArgs(argv, { period: { type: 'string' }, 'dry-run': { type: 'boolean', default: false }, json: { type: 'boolean', default: false } }, false);
    if (!values.period) throw new UsageError('--period is required');
    checkPeriod(values.period);
    return withCliServices(io, async (services) => {
      const bars: ReturnType<typeof progress>[] = [];
      const r = await retryFailed({ ledger: services.ledger, sendQueue: services.queues.send, clock: services.ctx.clock }, values.period!, {
        dryRun: values['dry-run'],
        onProgress: (done, total) => (bars[0] ??= progress(io, 'requeueing', total)).update(done),
      });
      bars[0]?.done('done');
      if (values.json) writeJson(io, { ...r, dryRun: values['dry-run'] });
      else if (values['dry-run']) io.stdout.write(`${r.failed} failed edition(s) in ${r.period} would be retried\n`);
      else io.stdout.write(`${r.requeued} of ${r.failed} failed edition(s) in ${r.period} requeued${r.skipped ? ` (${r.skipped} changed meanwhile, left alone)` : ''}\n`);
      return 0;
    });
  },
};
