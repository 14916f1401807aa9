// Opening the infrastructure for a one-shot CLI command: the same Context the roles use, logging to stderr at
// `warn` (or `debug` with --verbose) so stdout stays clean for --json output, and always closed afterwards —
// a connection left open would keep the process alive after the command finished.
import { createContext, type Context } from '../context.js';
import { createLogger } from '../log.js';
import type { CliIo } from './command.js';
import type { ComposeDeps } from '../ops/compose.js';
import { createServices, type Services } from '../services.js';

export async function withCliContext<T>(io: CliIo, fn: (ctx: Context) => Promise<T>, opts: { verbose?: boolean } = {}): Promise<T> {
  const log = createLogger({ level: opts.verbose ? 'debug' : 'warn', pretty: false }, io.stderr);
  const ctx = await createContext({ env: io.env, log, manageRedis: true });
  try {
    return await fn(ctx);
  } finally {
    await ctx.close();
  }
}

/**
 * The same, with the composition root every entry point shares (src/services.ts): stores at once, templates, the
 * mail transport and queue handles when the command first uses them.
 */
export async function withCliServices<T>(io: CliIo, fn: (services: Services) => Promise<T>, opts: { verbose?: boolean } = {}): Promise<T> {
  return withCliContext(io, async (ctx) => fn(createServices(ctx)), opts);
}

/** What preview and send-test compose with: the worker's own parts (src/ops/compose.ts). */
export async function composeDeps(services: Services): Promise<ComposeDeps> {
  const { ctx } = services;
  return {
    config: ctx.config,
    linkSecrets: ctx.secrets.linkSecrets,
    settings: ctx.settings,
    papers: services.papers,
    suppression: services.suppression,
    ledger: services.ledger,
    templates: await services.templates(),
  };
}
