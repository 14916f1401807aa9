// `papers-digest suppressions list | show <email> | remove <email> [--yes]`: the suppression list with reason,
// provider, evidence and when; a removal (which reactivates a bouncing subscriber) happens only with --yes.
import { normalizedOrNull, removalPlan, removeSuppression, showSuppression } from '../ops/suppressions.js';
import type { Suppression } from '../subscribers/suppression.js';
import { parseCommandArgs, UsageError, writeJson, type CliCommand } from './command.js';
import { withCliServices } from './context.js';

const line = (e: Suppression) => `${(e.at ?? '-').slice(0, 16).replace('T', ' ').padEnd(16)}  ${e.kind.padEnd(11)}  ${e.provider.padEnd(8)}  ${e.email}  ${e.reason}`;

export const command: CliCommand = {
  name: 'suppressions',
  summary: 'suppressions list | show <email> | remove <email> --yes: addresses never mailed, and why',
  help: `papers-digest suppressions list [--limit N] [--json]
papers-digest suppressions show <email> [--json]
papers-digest suppressions remove <email> [--yes] [--json]

Addresses we never mail: after repeated hard bounces (at send time, or reported by a provider webhook) or at once
after a spam complaint. Each entry says why (kind, reason, SMTP code), who reported it (smtp or the provider),
the evidence (event id, type, diagnostic) and when.
remove lifts a suppression; a subscriber stopped for bouncing is reactivated (bounce count 0). A complaint's
subscriber stays unsubscribed. Without --yes, remove only says what it would do and changes nothing (exit 1).`,
  async run(argv, io) {
    const { values, positionals } = parseCommandArgs(argv, { json: { type: 'boolean', default: false }, yes: { type: 'boolean', default: false }, limit: { type: 'string' } });
    const [sub, email, ...extra] = positionals;
    if (extra.length) throw new UsageError('one address at a time');
    if (sub === 'list') {
      const limit = values.limit === undefined ? 100 : Number(values.limit);
      if (!Number.isInteger(limit) || limit < 1 || limit > 100_000) throw new UsageError('--limit must be a whole number from 1 to 100000');
      return withCliServices(io, async (services) => {
        const [count, entries] = await Promise.all([services.suppression.count(), services.suppression.list(limit)]);
        if (values.json) writeJson(io, { count, entries });
        else io.stdout.write(count === 0 ? 'No suppressed addresses.\n' : `${count} suppressed address${count === 1 ? '' : 'es'}${count > entries.length ? ` (newest ${entries.length} shown)` : ''}\n${entries.map(line).join('\n')}\n`);
        return 0;
      });
    }
    if (sub !== 'show' && sub !== 'remove') throw new UsageError('say: suppressions list | show <email> | remove <email> [--yes]');
    if (!email || !normalizedOrNull(email)) throw new UsageError(`${sub} needs an email address`);
    return withCliServices(io, async (services) => {
      const deps = { suppression: services.suppression, subscribers: services.subscribers };
      const d = await showSuppression(deps, email);
      if (!d) {
        io.stderr.write(`${email} is not suppressed.\n`);
        return 1;
      }
      if (sub === 'show') {
        if (values.json) writeJson(io, d);
        else {
          const e = d.entry;
          const rows: [string, string][] = [
            ['address', e.email], ['kind', e.kind], ['provider', e.provider], ['when', e.at ?? '-'], ['reason', e.reason || '-'], ['code', e.code === null ? '-' : String(e.code)],
            ...Object.entries(e.evidence ?? {}).map(([k, v]): [string, string] => [`evidence.${k}`, v]),
            ['subscriber', d.subscriber ? `${d.subscriber.id} (${d.subscriber.status}, ${d.subscriber.bounceCount} bounce(s))` : '-'],
          ];
          io.stdout.write(rows.map(([k, v]) => `${k.padEnd(20)} ${v}`).join('\n') + '\n');
        }
        return 0;
      }
      if (!values.yes) {
        io.stderr.write(`Nothing changed. With --yes, ${removalPlan(d)}.\n`);
        return 1;
      }
      const res = await removeSuppression(deps, email);
      if (values.json) writeJson(io, res);
      else io.stdout.write(`Removed the suppression of ${d.entry.email}.${res.reactivated ? ` Subscriber ${res.reactivated} is active again.` : ''}\n`);
      return 0;
    });
  },
};
