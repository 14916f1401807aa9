import { start, type Role } from '../main.js';
import { parseCommandArgs, UsageError, type CliCommand } from './command.js';

export const command: CliCommand = {
  name: 'start',
  summary: 'run the main job',
  help: `papers-digest start [--role worker|web|all]

Runs the long-lived roles: web (subscribe pages, preferences, admin, /metrics), worker (scrape, tick and
send workers and their schedulers), or all (default). Any number of workers may share one Redis.
With REDIS_URL unset it uses 127.0.0.1:6379, or starts a private redis-server under DATA_DIR/redis.
With SMTP_URL unset, mail goes to .eml files under DATA_DIR/outbox.`,
  async run(argv, io) {
    const { values } = parseCommandArgs(argv, { role: { type: 'string', default: 'all' } }, false);
    const role = values.role as Role;
    if (!['worker', 'web', 'all'].includes(role)) throw new UsageError(`--role must be worker, web or all (got ${role})`);
    const running = await start(role, { env: io.env });
    await new Promise<void>((resolve) => {
      const onSignal = (sig: string) => {
        running.ctx.log.info({ signal: sig }, 'signal received');
        const force = setTimeout(() => {
          running.ctx.log.error('shutdown timed out; exiting');
          process.exit(1);
        }, running.ctx.config.shutdownTimeoutMs + 5_000);
        force.unref();
        void running.stop().then(resolve);
      };
      process.once('SIGINT', onSignal);
      process.once('SIGTERM', onSignal);
    });
    return 0;
  },
};
