import { PassThrough } from 'node:stream';
import { start, type Role } from '../main.js';
import { redactUrl } from '../util/redact.js';
import { parseCommandArgs, UsageError, type CliCommand } from './command.js';

export const command: CliCommand = {
  name: 'start',
  summary: 'run the main job',
  help: `papers-digest start [--role worker|web|all] [--json]

Runs the long-lived roles: web (subscribe pages, preferences, admin, /metrics), worker (scrape, tick and
send workers and their schedulers), or all (default). Any number of workers may share one Redis.
With REDIS_URL unset it uses 127.0.0.1:6379, or starts a private redis-server under DATA_DIR/redis.
With SMTP_URL unset, mail goes to .eml files under DATA_DIR/outbox.
Logs are JSON lines (pino). --json replaces the human start-up banner with one JSON line on stdout:
{"event":"started","role","web","admin","redis","mail"} — for supervisors and scripts.`,
  async run(argv, io) {
    const { values } = parseCommandArgs(argv, { role: { type: 'string', default: 'all' }, json: { type: 'boolean', default: false } }, false);
    const role = values.role as Role;
    if (!['worker', 'web', 'all'].includes(role)) throw new UsageError(`--role must be worker, web or all (got ${role})`);
    const running = await start(role, { env: io.env, ...(values.json ? { bannerOut: new PassThrough() } : {}) });
    if (values.json) {
      const { ctx, services, url } = running;
      io.stdout.write(
        JSON.stringify({
          event: 'started',
          role,
          web: url ? { listening: url, publicUrl: ctx.config.publicUrl, admin: `${ctx.config.publicUrl}/admin` } : null,
          redis: { kind: ctx.redisTarget.kind, url: redactUrl(ctx.redisTarget.url), prefix: ctx.config.redisPrefix, version: ctx.redisCheck.version, problems: ctx.redisCheck.problems },
          mail: services.mailer.describe,
        }) + '\n',
      );
    }
    await new Promise<void>((resolve) => {
      let stopping = false;
      const onSignal = (sig: string) => {
        // A second Ctrl-C means "now": exit at once, but through process.exit so 'exit' hooks still run (the managed
        // redis-server, in its own process group, is stopped there instead of being left behind).
        if (stopping) {
          running.ctx.log.warn({ signal: sig }, 'second signal: exiting without waiting for in-flight jobs');
          process.exit(130);
        }
        stopping = true;
        running.ctx.log.info({ signal: sig }, 'signal received');
        const force = setTimeout(() => {
          running.ctx.log.error('shutdown timed out; exiting');
          process.exit(1);
        }, running.ctx.config.shutdownTimeoutMs + 5_000);
        force.unref();
        void running.stop().then(resolve);
      };
      process.on('SIGINT', onSignal);
      process.on('SIGTERM', onSignal);
    });
    return 0;
  },
};
