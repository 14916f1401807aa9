// Composition root for the long-running roles: `worker` (scrape, tick and send workers plus their schedulers),
// `web` (fastify), or `all` (both; the default for `npm start`). Prints a banner a person can act on, and shuts
// down gracefully on SIGINT/SIGTERM: stop taking jobs, let in-flight ones finish within the timeout, close
// SMTP and Redis.
import type { FastifyInstance } from 'fastify';
import { createContext, type Context, type ContextOptions } from './context.js';
import { createServices, type Services } from './services.js';
import { buildApp } from './web/app.js';
import { webPlugins } from './web/plugins.js';
import { redactUrl } from './util/redact.js';
import { publishPublicUrl } from './ops/public-url.js';
import { watchRedisOutage } from './redis/outage.js';
import { startWorkers } from './worker.js';

export type Role = 'worker' | 'web' | 'all';

export interface Running {
  ctx: Context;
  services: Services;
  app: FastifyInstance | null;
  url: string | null;
  stop(): Promise<void>;
}

export interface StartOptions extends ContextOptions {
  /** Where the start-up banner goes (stderr by default). */
  bannerOut?: NodeJS.WritableStream;
}

export async function start(role: Role, opts: StartOptions = {}): Promise<Running> {
  const ctx = await createContext({ manageRedis: true, ...opts });
  const { log, config } = ctx;
  for (const problem of ctx.redisCheck.problems) log.warn({ redis: ctx.redisTarget.kind }, `REDIS CHECK: ${problem}`);
  let services: Services;
  try {
    services = createServices(ctx);
    // Every role sends mail (digests, or confirmations from the web): a broken template or an unreadable DKIM
    // key stops the start here, with its reason, not the first send.
    await services.templates();
    void services.mailer;
  } catch (err) {
    await ctx.close();
    throw err;
  }
  const stops: (() => Promise<void>)[] = [];
  // One alertable `redis.down` per outage (src/redis/outage.ts).
  const unwatch = watchRedisOutage(ctx.redis, { log, alerts: services.metrics.alerts });
  stops.push(async () => unwatch());
  let app: FastifyInstance | null = null;
  let url: string | null = null;
  try {
    if (role === 'worker' || role === 'all') stops.push(await startWorkers(services));
    if (role === 'web' || role === 'all') {
      app = await buildApp({ log, plugins: webPlugins(services), trustProxy: config.trustProxy, storeUp: () => ctx.redis.status === 'ready' });
      const address = await app.listen({ host: config.host, port: config.port });
      url = address;
      // CLI commands without PUBLIC_URL make their links with this one (src/ops/public-url.ts).
      await publishPublicUrl(ctx.redis, ctx.keys, config.publicUrl);
      const a = app;
      stops.push(async () => {
        await a.close();
      });
    }
  } catch (err) {
    for (const s of stops.reverse()) await s().catch(() => {});
    await ctx.close();
    throw err;
  }
  printBanner(ctx, services, role, url, opts.bannerOut ?? process.stderr);
  let stopping: Promise<void> | null = null;
  const stop = () =>
    (stopping ??= (async () => {
      log.info({ timeoutMs: config.shutdownTimeoutMs }, 'shutting down');
      for (const s of stops.reverse()) {
        try {
          await s();
        } catch (err) {
          log.warn({ err }, 'error while stopping');
        }
      }
      await ctx.close();
      log.info('stopped');
    })());
  return { ctx, services, app, url, stop };
}

function printBanner(ctx: Context, services: Services, role: Role, listening: string | null, out: NodeJS.WritableStream): void {
  const { config } = ctx;
  const redisLabel =
    ctx.redisTarget.kind === 'external'
      ? `external (${redactUrl(ctx.redisTarget.url)})`
      : ctx.redisTarget.kind === 'managed'
        ? `managed redis-server (${ctx.redisTarget.url.replace('unix://', '')})`
        : 'local default (127.0.0.1:6379)';
  const lines = [
    '',
    `  papers-digest — role: ${role}`,
    listening ? `  Web:      ${config.publicUrl}/   (listening on ${listening})` : null,
    listening ? `  Admin:    ${config.publicUrl}/admin   (token: ${adminTokenSource(ctx)})` : null,
    `  Redis:    ${redisLabel}, v${ctx.redisCheck.version}${ctx.redisCheck.problems.length ? ' — see warnings above' : ''}`,
    `  Mail:     ${services.mailer.describe}`,
    '',
  ].filter((l): l is string => l !== null);
  out.write(lines.join('\n') + '\n');
}

/** Where a person finds the admin token: the variable they set, or the file it was generated into (now or before). */
function adminTokenSource(ctx: Context): string {
  if (ctx.config.adminToken) return 'ADMIN_TOKEN';
  return `${ctx.secrets.generated.adminToken ? 'generated, in' : 'in'} ${ctx.secrets.file}`;
}


