// The reader's own feed surfaces, each behind a signed link:
//   GET  /feed/<feed token>.atom | .json   the personal feed (Atom 1.0 / JSON Feed 1.1), conditional GET, rate-limited
//   GET  /feed/<feed token>                its human view (the same editions as cards)
//   GET  /feeds/<preferences token>        "Your personal feed": the addresses and the revoke button
//   POST /feeds/<preferences token>/revoke rotate the feed key version (old feed URLs die; email links do not), 303
//   POST /feeds/<preferences token>/delivery  email | feed | both, 303
//   GET  /editions/<editions token>?page=N the reader's past editions, newest first
// Revoking needs the preferences link, not the feed link: whoever found a leaked feed URL must not be able to mint
// the new one. Editions come through the FeedEditionSource port only.
import cookie from '@fastify/cookie';
import formbody from '@fastify/formbody';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Redis } from 'ioredis';
import type { LinkSecret } from '../config.js';
import { ATOM_TYPE, renderAtom } from '../feeds/atom.js';
import { DELIVERY_MODES, parseDeliveryMode, type DeliveryMode } from '../feeds/delivery-mode.js';
import type { FeedEdition, FeedEditionSource } from '../feeds/edition.js';
import { feedIdOf, personalFeedDoc } from '../feeds/feed-doc.js';
import { editionsUrl, feedUrls, resolveFeedToken } from '../feeds/feed-links.js';
import { JSON_FEED_TYPE, renderJsonFeed } from '../feeds/json-feed.js';
import { isCurrentVersion, subscriberLinks, verifyToken, type LinkPurpose } from '../links/signed-links.js';
import type { Logger } from '../log.js';
import { editionLabel, paperView } from '../mail/view-model.js';
import type { Keys } from '../redis/keys.js';
import type { Subscriber } from '../subscribers/subscriber.js';
import { sendConditional } from './conditional.js';
import { createCsrf, CSRF_FIELD } from './csrf.js';
import type { PublicPages } from './public-pages.js';
import { RateLimiter, type Limit } from './rate-limit.js';

export interface FeedRoutesDeps {
  editions: FeedEditionSource;
  subscribers: { get(id: string): Promise<Subscriber | null> };
  feedVersions: { get(id: string): Promise<number>; rotate(id: string): Promise<number> };
  deliveryModes: { get(id: string): Promise<DeliveryMode>; set(id: string, mode: DeliveryMode): Promise<void> };
  secrets: readonly LinkSecret[];
  publicUrl: string;
  redis: Redis;
  keys: Keys;
  clock: () => Date;
  log: Logger;
  pages: PublicPages;
  /** Feed fetches per feed per window (default 120 an hour: a few readers polling every 5 minutes fit). */
  perFeed?: Limit;
}

/** Editions a feed document holds (the ledger keeps ~40 days). */
export const FEED_EDITIONS = 30;
export const EDITIONS_PAGE = 10;
const TOKEN_FILE = /^([A-Za-z0-9_-]{48,400})(?:\.(atom|json))?$/;

export function feedRoutes(deps: FeedRoutesDeps) {
  const base = deps.publicUrl.replace(/\/+$/, '');
  const limiter = new RateLimiter(deps.redis, deps.keys, deps.clock);
  const perFeed = deps.perFeed ?? { limit: 120, windowMs: 3600_000 };
  const csrf = createCsrf({ secrets: deps.secrets, secure: base.startsWith('https:') });

  const resolve = async (token: string, purpose: LinkPurpose): Promise<Subscriber | null> => {
    const v = verifyToken(token, purpose, deps.secrets, deps.clock());
    if (!v.ok) return null;
    const s = await deps.subscribers.get(v.subscriberId);
    return s && isCurrentVersion(v, s) ? s : null;
  };
  const notFound = (reply: FastifyReply) => {
    reply.callNotFound();
    return reply;
  };
  const html = (reply: FastifyReply, status: number, body: string) =>
    reply.status(status).header('cache-control', 'private, no-store').header('x-robots-tag', 'noindex').type('text/html; charset=utf-8').send(body);

  const label = (e: FeedEdition, s: Subscriber) => editionLabel(e.period, /W/.test(e.period) ? 'weekly' : 'daily', new Date(e.sentAt), s.timezone).long;
  const shareUrl = (e: FeedEdition, s: Subscriber) => (/^\d{4}-\d{2}-\d{2}$/.test(e.period) ? `/topics/${s.topics[0] ?? 'all'}/${e.period}` : '/latest');

  return async function register(app: FastifyInstance): Promise<void> {
    await app.register(async (scope) => {
      await scope.register(cookie);
      await scope.register(formbody, { bodyLimit: 4 * 1024 });

      scope.get<{ Params: { file: string } }>('/feed/:file', async (req, reply) => {
        const m = TOKEN_FILE.exec(req.params.file);
        if (!m) return notFound(reply);
        const [, token, ext] = m as unknown as [string, string, 'atom' | 'json' | undefined];
        const found = await resolveFeedToken(token, { secrets: deps.secrets, now: deps.clock(), subscriber: (id) => deps.subscribers.get(id), feedVersion: (id) => deps.feedVersions.get(id) });
        if (!found) return notFound(reply);
        const sub = (await deps.subscribers.get(found.subscriberId))!;
        const feedKey = feedIdOf(sub.id);
        const hit = await limiter.hit('feed', feedKey, perFeed);
        if (!hit.allowed) {
          req.log.info({ scope: 'feed' }, 'feed rate limit reached');
          return reply.status(429).header('retry-after', String(Math.ceil(hit.retryAfterMs / 1000))).header('cache-control', 'no-store').type('text/plain; charset=utf-8').send('Too many requests for this feed; try again later.\n');
        }
        const editions = await deps.editions.editions(sub.id, FEED_EDITIONS);
        const urls = feedUrls(base, sub, await deps.feedVersions.get(sub.id), deps.secrets);
        if (!ext) {
          const body = deps.pages.render(
            'feed-view',
            { title: 'Your personal feed', noindex: true, alternates: [{ type: 'application/atom+xml', title: 'Your papers (Atom)', href: urls.atom }, { type: 'application/feed+json', title: 'Your papers (JSON Feed)', href: urls.json }] },
            {
              atomUrl: urls.atom,
              jsonUrl: urls.json,
              editions: editions.map((e) => ({
                label: label(e, sub),
                shareUrl: shareUrl(e, sub),
                papers: e.papers.map((p, i) => ({ ...paperView({ paper: p.paper, reasons: [] }, 420, i + 1), reason: p.whyLines.join('; '), feedback: p.feedbackLinks ?? null })),
              })),
            },
          );
          return html(reply, 200, body);
        }
        const doc = personalFeedDoc(editions, { publicUrl: base, subscriberId: sub.id, atomUrl: urls.atom, jsonUrl: urls.json, homeUrl: urls.page, fallbackUpdated: sub.createdAt || '2026-01-01T00:00:00Z' });
        reply.header('x-robots-tag', 'noindex');
        return sendConditional(req, reply, {
          body: ext === 'atom' ? renderAtom(doc) : renderJsonFeed(doc),
          type: ext === 'atom' ? ATOM_TYPE : JSON_FEED_TYPE,
          lastModified: doc.updated,
          // private: a shared cache must never keep a capability's content; 15 minutes is a polite polling floor.
          cacheControl: 'private, max-age=900',
        });
      });

      const MODE_LABELS: Record<DeliveryMode, string> = { email: 'By email', feed: 'Feed only (no email)', both: 'Email and feed' };
  const managePage = async (req: FastifyRequest, reply: FastifyReply, sub: Subscriber, token: string, version: number, notice: 'revoked' | 'delivery' | null, status = 200) => {
    const mode = await deps.deliveryModes.get(sub.id);
        const urls = feedUrls(base, sub, version, deps.secrets);
        const links = subscriberLinks(base, sub, deps.secrets, deps.clock());
        return html(
          reply,
          status,
          deps.pages.render('my-feed', { title: 'Your personal feed', noindex: true }, {
            revoked: notice === 'revoked',
            deliverySaved: notice === 'delivery',
            modes: DELIVERY_MODES.map((m) => ({ value: m, label: MODE_LABELS[m], checked: m === mode })),
            deliveryAction: `/feeds/${token}/delivery`,
            atomUrl: urls.atom,
            jsonUrl: urls.json,
            pageUrl: new URL(urls.page).pathname,
            editionsUrl: new URL(editionsUrl(base, sub, deps.secrets)).pathname,
            preferencesUrl: new URL(links.preferences).pathname,
            revokeAction: `/feeds/${token}/revoke`,
            csrf: csrf.issue(req, reply),
          }),
        );
      };

      scope.get<{ Params: { token: string }; Querystring: { revoked?: string; saved?: string } }>('/feeds/:token', async (req, reply) => {
        const sub = await resolve(req.params.token, 'preferences');
        if (!sub) return notFound(reply);
        const notice = req.query.revoked === '1' ? 'revoked' : req.query.saved === 'delivery' ? 'delivery' : null;
        return managePage(req, reply, sub, req.params.token, await deps.feedVersions.get(sub.id), notice);
      });

      scope.post<{ Params: { token: string } }>('/feeds/:token/delivery', async (req, reply) => {
        const sub = await resolve(req.params.token, 'preferences');
        if (!sub) return notFound(reply);
        const body = (req.body ?? {}) as Record<string, unknown>;
        const mode = parseDeliveryMode(body.delivery);
        if (!csrf.verify(req, body[CSRF_FIELD]) || !mode) {
          return managePage(req, reply, sub, req.params.token, await deps.feedVersions.get(sub.id), null, mode ? 403 : 400);
        }
        await deps.deliveryModes.set(sub.id, mode);
        deps.log.info({ subscriberId: sub.id, delivery: mode }, 'delivery mode changed');
        return reply.header('cache-control', 'no-store').redirect(`/feeds/${req.params.token}?saved=delivery`, 303);
      });

      scope.post<{ Params: { token: string } }>('/feeds/:token/revoke', async (req, reply) => {
        const sub = await resolve(req.params.token, 'preferences');
        if (!sub) return notFound(reply);
        if (!csrf.verify(req, (req.body as Record<string, unknown> | undefined)?.[CSRF_FIELD])) {
          return managePage(req, reply, sub, req.params.token, await deps.feedVersions.get(sub.id), null, 403);
        }
        const version = await deps.feedVersions.rotate(sub.id);
        deps.log.info({ subscriberId: sub.id, feedVersion: version }, 'personal feed revoked');
        return reply.header('cache-control', 'no-store').redirect(`/feeds/${req.params.token}?revoked=1`, 303);
      });

      scope.get<{ Params: { token: string }; Querystring: { page?: string } }>('/editions/:token', async (req, reply) => {
        const sub = await resolve(req.params.token, 'editions');
        if (!sub) return notFound(reply);
        const page = Math.min(100, Math.max(1, Math.floor(Number(req.query.page ?? 1)) || 1));
        const all = await deps.editions.editions(sub.id, page * EDITIONS_PAGE + 1);
        const shown = all.slice((page - 1) * EDITIONS_PAGE, page * EDITIONS_PAGE);
        const links = subscriberLinks(base, sub, deps.secrets, deps.clock());
        const here = `/editions/${req.params.token}`;
        return html(
          reply,
          200,
          deps.pages.render('editions', { title: 'Your past editions', noindex: true }, {
            page,
            editions: shown.map((e) => ({
              label: label(e, sub),
              href: new URL(links.archive(e.period)).pathname,
              count: `${e.papers.length} paper${e.papers.length === 1 ? '' : 's'}`,
              titles: e.papers.slice(0, 3).map((p) => paperView({ paper: p.paper, reasons: [] }).title),
            })),
            newer: page > 1 ? `${here}?page=${page - 1}` : null,
            older: all.length > page * EDITIONS_PAGE ? `${here}?page=${page + 1}` : null,
          }),
        );
      });
    });
  };
}
