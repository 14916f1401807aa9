// Opening the infrastructure for a one-shot CLI command: the same Context the roles use, logging to stderr at
// `warn` (or `debug` with --verbose) so stdout stays clean for --json output, and always closed afterwards —
// a connection left open would keep the process alive after the command finished.
import { createContext, type Context } from '../context.js';
import { createLogger } from '../log.js';
import type { CliIo } from './command.js';
import type { ComposeDeps } from '../ops/compose.js';
import { createServices, type Services } from '../services.js';
import { publishedPublicUrl, resolveCliPublicUrl, type CliPublicUrl } from '../ops/public-url.js';

export async function withCliContext<T>(io: CliIo, fn: (ctx: Context) => Promise<T>, opts: { verbose?: boolean } = {}): Promise<T> {
  return withCliLinks(io, (ctx) => fn(ctx), opts);
}

/** The context with the links' base URL settled (src/ops/public-url.ts). */
async function withCliLinks<T>(io: CliIo, fn: (ctx: Context, links: CliPublicUrl) => Promise<T>, opts: { verbose?: boolean }): Promise<T> {
  const log = createLogger({ level: opts.verbose ? 'debug' : 'warn', pretty: false }, io.stderr);
  const base = await createContext({ env: io.env, log, manageRedis: true });
  try {
    const links = resolveCliPublicUrl(io.env.PUBLIC_URL, base.config.publicUrl, await publishedPublicUrl(base.redis, base.keys).catch(() => null));
    if (links.note) io.stderr.write(`note: ${links.note}\n`);
    const ctx: Context = { ...base, config: { ...base.config, publicUrl: links.url } };
    return await fn(ctx, links);
  } finally {
    await base.close();
  }
}

/**
 * The same, with the composition root every entry point shares (src/services.ts): stores at once, templates, the
 * mail transport and queue handles when the command first uses them.
 */
export async function withCliServices<T>(io: CliIo, fn: (services: Services) => Promise<T>, opts: { verbose?: boolean } = {}): Promise<T> {
  return withCliLinks(
    io,
    async (ctx, links) => {
      const services = createServices(ctx);
      if (links.mismatch) {
        // Links to the wrong server must not reach real people: every way this command could send mail refuses.
        const why = links.mismatch;
        const refuse = async (): Promise<never> => {
          throw new Error(why);
        };
        services.sendConfirmation = refuse;
        services.deliverConfirmation = refuse;
        const mailer = services.mailer;
        const guarded = { kind: mailer.kind, describe: mailer.describe, send: refuse, verify: () => mailer.verify(), close: () => mailer.close() };
        Object.defineProperty(services, 'mailer', { value: guarded, configurable: true });
        io.stderr.write(`warning: ${why}\n`);
      }
      return fn(services);
    },
    opts,
  );
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
    // The reader's personal model, read only (peekModel): preview and send-test rank as the send job does.
    readers: services.readers,
    templates: await services.templates(),
  };
}
