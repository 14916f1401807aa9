// `papers-digest pause [sending|scraping|all]` and `resume …`: flip the global pause flags in the live settings.
// Pausing sending stops new digests from going out (send jobs wait; nothing is dropped); pausing scraping stops
// the scheduled scrapes. Both are audited like any settings change and apply to running workers within seconds.
import { withCliContext } from './context.js';
import { parseCommandArgs, ShortUsageError, unknownWord, UsageError, writeJson, type CliCommand } from './command.js';

type What = 'sending' | 'scraping' | 'all';

export function pausePatch(what: What, paused: boolean): Record<string, boolean> {
  return {
    ...(what === 'sending' || what === 'all' ? { sendingPaused: paused } : {}),
    ...(what === 'scraping' || what === 'all' ? { scrapingPaused: paused } : {}),
  };
}

export function pauseCommand(paused: boolean): CliCommand {
  const verb = paused ? 'pause' : 'resume';
  return {
    name: verb,
    summary: paused ? 'pause sending and/or scraping (sending|scraping|all)' : 'resume sending and/or scraping (sending|scraping|all)',
    help: `papers-digest ${verb} ${paused ? 'sending|scraping|all' : '[sending|scraping|all]'} [--json]

${paused ? 'Pauses' : 'Resumes'} ${paused ? 'sending digests, scheduled scraping, or both (say which)' : 'what `pause` stopped (default: all)'}.
The flags are live settings (sendingPaused, scrapingPaused): every running worker picks the change up within
seconds, and the change is recorded in \`papers-digest settings history\`.${paused ? '\nPaused send jobs wait; nothing is dropped or skipped.' : ''}`,
    async run(argv, io) {
      const { values, positionals } = parseCommandArgs(argv, { json: { type: 'boolean', default: false } });
      if (positionals.length > 1) throw new UsageError('say one of sending, scraping, all');
      // A bare `pause` used to stop everything: pausing is said out loud. `resume` alone still resumes all.
      if (paused && positionals.length === 0) throw new ShortUsageError('say what to pause: sending, scraping or all');
      const what = (positionals[0] ?? 'all') as What;
      if (!['sending', 'scraping', 'all'].includes(what)) throw unknownWord('target', what, ['sending', 'scraping', 'all']);
      return withCliContext(io, async (ctx) => {
        const { settings, changes } = await ctx.settings.set(pausePatch(what, paused), 'cli');
        const state = { sendingPaused: settings.sendingPaused, scrapingPaused: settings.scrapingPaused };
        if (values.json) writeJson(io, { ok: true, changes, ...state });
        else {
          io.stdout.write(
            `sending: ${state.sendingPaused ? 'paused' : 'running'}, scraping: ${state.scrapingPaused ? 'paused' : 'running'}` +
              `${changes.length === 0 ? ' (no change)' : ''}\n`,
          );
        }
        return 0;
      });
    },
  };
}

export const command = pauseCommand(true);
