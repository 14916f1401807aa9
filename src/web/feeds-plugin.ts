// Wires the public archive and the personal feed surfaces to the real services; registered in src/web/plugins.ts.
// Also serves their stylesheet (/static/feeds.css; the subscriber pages' static files are served by static.ts).
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { FastifyInstance } from 'fastify';
import type { Services } from '../services.js';
import { feedRoutes, type FeedRoutesDeps } from './feed-routes.js';
import { compilePublicPages } from './public-pages.js';
import { publicRoutes } from './public-routes.js';

export function feedsPlugins(services: Services, opts: { perFeed?: FeedRoutesDeps['perFeed'] } = {}): ((app: FastifyInstance) => Promise<void>)[] {
  const { ctx, papers, subscribers, feeds } = services;
  // Compiled once here, when the app is built: a broken template fails the start, not a request.
  const pages = compilePublicPages();
  const css = readFileSync(fileURLToPath(new URL('./static/feeds.css', import.meta.url)));
  return [
    async (app) => {
      app.get('/static/feeds.css', async (_req, reply) => reply.type('text/css; charset=utf-8').header('cache-control', 'public, max-age=3600').send(css));
    },
    publicRoutes({ papers, publicUrl: ctx.config.publicUrl, clock: ctx.clock, pages }),
    feedRoutes({
      editions: feeds.editions,
      subscribers,
      feedVersions: feeds.versions,
      deliveryModes: feeds.deliveryModes,
      secrets: ctx.secrets.linkSecrets,
      publicUrl: ctx.config.publicUrl,
      redis: ctx.redis,
      keys: ctx.keys,
      clock: ctx.clock,
      log: ctx.log.child({ mod: 'feeds' }),
      pages,
      ...(opts.perFeed ? { perFeed: opts.perFeed } : {}),
    }),
  ];
}
