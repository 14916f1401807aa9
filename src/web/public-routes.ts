// The public archive: /latest, /topics, /topics/<id>, /topics/<id>/<YYYY-MM-DD>, and an Atom (and JSON) feed per
// topic at /topics/<id>/feed.atom (`all` = every topic). Shareable by design: no capability, no cookie, nothing
// about any reader — the ranking is the digest's own for an anonymous reader of that topic (feeds/public-archive).
// Each page carries Open Graph tags and a canonical URL; responses are cacheable (public, ETag, Last-Modified).
import type { FastifyInstance, FastifyReply } from 'fastify';
import { ATOM_TYPE, renderAtom } from '../feeds/atom.js';
import { JSON_FEED_TYPE, renderJsonFeed } from '../feeds/json-feed.js';
import { DAY_RE, PUBLIC_TOP, recentDays, topicFeedDoc, topOfDay, type PublicPapersPort } from '../feeds/public-archive.js';
import { paperView } from '../mail/view-model.js';
import { TOPICS, topicById } from '../papers/topics.js';
import { sendConditional } from './conditional.js';
import type { PublicPages } from './public-pages.js';

export interface PublicRoutesDeps {
  papers: PublicPapersPort & { lastScrapeOfDay(day: string): Promise<Date | null> };
  publicUrl: string;
  clock: () => Date;
  pages: PublicPages;
}

/** Today's page may change with the next scrape; a past day's rarely does. */
const CACHE_CURRENT = 'public, max-age=300, stale-while-revalidate=600';
const CACHE_PAST = 'public, max-age=3600, stale-while-revalidate=86400';
const FEED_DAYS = 7;

export function dayLabel(day: string): string {
  return new Date(`${day}T12:00:00Z`).toLocaleDateString('en-GB', { weekday: 'long', day: 'numeric', month: 'long', year: 'numeric', timeZone: 'UTC' });
}

export function publicRoutes(deps: PublicRoutesDeps) {
  const base = deps.publicUrl.replace(/\/+$/, '');

  return async function register(app: FastifyInstance): Promise<void> {
    const notFound = (reply: FastifyReply) => {
      reply.callNotFound();
      return reply;
    };

    async function dayPage(reply: FastifyReply, req: Parameters<typeof sendConditional>[0], topicId: string | null, requested: string | null) {
      const days = await recentDays(deps.papers, deps.clock(), 60);
      const day = requested ?? days[0] ?? null;
      if (requested && !days.includes(requested) && (await deps.papers.getDay(requested)).length === 0) return notFound(reply);
      const topic = topicId ? topicById(topicId)! : null;
      const label = topic?.label ?? 'All topics';
      const papers = day ? topOfDay(await deps.papers.getDay(day), day, topicId, PUBLIC_TOP) : [];
      const cards = papers.map((sel, i) => paperView(sel, 420, i + 1));
      const slug = topicId ?? 'all';
      const pathFor = (d: string) => (topicId ? `/topics/${topicId}/${d}` : `/topics/all/${d}`);
      const canonical = requested ? `${base}${pathFor(requested)}` : `${base}${topicId ? `/topics/${topicId}` : '/latest'}`;
      const idx = day ? days.indexOf(day) : -1;
      const newer = idx > 0 ? days[idx - 1]! : null;
      const older = idx >= 0 && idx + 1 < days.length ? days[idx + 1]! : null;
      const dl = day ? dayLabel(day) : 'No papers yet';
      const heading = topic ? `${topic.label}: top papers` : 'Top papers of the day';
      const description = cards.length
        ? `${cards.length} top paper${cards.length === 1 ? '' : 's'} of ${dl}${topic ? ` in ${topic.label}` : ''}: ${cards.slice(0, 3).map((c) => c.title).join(' · ')}`
        : `Top papers${topic ? ` in ${topic.label}` : ''} from Hugging Face Daily Papers.`;
      const thumb = papers[0]?.paper.thumbnail;
      const html = deps.pages.render(
        'topic',
        {
          title: `${label} · ${dl}`,
          description,
          og: { title: `${heading} · ${dl}`, description, url: canonical, image: thumb && thumb.startsWith('https://') ? thumb : null },
          alternates: [
            { type: 'application/atom+xml', title: `Papers Digest — ${label} (Atom)`, href: `${base}/topics/${slug}/feed.atom` },
            { type: 'application/feed+json', title: `Papers Digest — ${label} (JSON Feed)`, href: `${base}/topics/${slug}/feed.json` },
          ],
        },
        {
          kicker: label,
          heading,
          lead: `The ${PUBLIC_TOP} most upvoted papers of the day on Hugging Face Daily Papers${topic ? ` that fall in ${topic.label}` : ''}, ranked the way the digest ranks them.`,
          atomUrl: `/topics/${slug}/feed.atom`,
          jsonUrl: `/topics/${slug}/feed.json`,
          days,
          dayLabel: dl,
          newer: newer ? { href: pathFor(newer), label: dayLabel(newer) } : null,
          older: older ? { href: pathFor(older), label: dayLabel(older) } : null,
          papers: cards,
          topics: TOPICS.map((t) => ({ href: `/topics/${t.id}`, label: t.label, current: t.id === topicId })),
        },
      );
      const scraped = day ? await deps.papers.lastScrapeOfDay(day) : null;
      return sendConditional(req, reply, {
        body: html,
        type: 'text/html; charset=utf-8',
        lastModified: scraped ?? (day ? `${day}T00:00:00Z` : deps.clock()),
        cacheControl: requested && requested !== days[0] ? CACHE_PAST : CACHE_CURRENT,
      });
    }

    app.get('/latest', async (req, reply) => dayPage(reply, req, null, null));

    app.get('/topics', async (req, reply) => {
      const html = deps.pages.render(
        'topics-index',
        { title: 'Topics', description: 'Every topic of Papers Digest, with its top papers of each day and an Atom feed.', og: { title: 'Papers Digest topics', description: 'Top papers of each Hugging Face Daily Papers day, by topic.', url: `${base}/topics` } },
        { topics: TOPICS.map((t) => ({ href: `/topics/${t.id}`, label: t.label, description: t.description, atom: `/topics/${t.id}/feed.atom` })) },
      );
      return sendConditional(req, reply, { body: html, type: 'text/html; charset=utf-8', lastModified: '2026-01-01T00:00:00Z', cacheControl: CACHE_PAST });
    });

    app.get<{ Params: { id: string } }>('/topics/:id', async (req, reply) => {
      if (req.params.id === 'all') return reply.redirect('/latest', 301);
      if (!topicById(req.params.id)) return notFound(reply);
      return dayPage(reply, req, req.params.id, null);
    });

    app.get<{ Params: { id: string; day: string } }>('/topics/:id/:day', async (req, reply) => {
      const { id, day } = req.params;
      const topicId = id === 'all' ? null : id;
      if ((topicId && !topicById(topicId)) || (day !== 'feed.atom' && day !== 'feed.json' && !DAY_RE.test(day))) return notFound(reply);
      if (day === 'feed.atom' || day === 'feed.json') {
        const days = (await recentDays(deps.papers, deps.clock(), 30)).slice(0, FEED_DAYS);
        const withPapers = await Promise.all(days.map(async (d) => ({ day: d, papers: await deps.papers.getDay(d) })));
        const doc = topicFeedDoc({ publicUrl: base, topicId, days: withPapers, fallbackUpdated: new Date('2026-01-01T00:00:00Z') });
        const scraped = days[0] ? await deps.papers.lastScrapeOfDay(days[0]) : null;
        const atom = day === 'feed.atom';
        return sendConditional(req, reply, {
          body: atom ? renderAtom(doc) : renderJsonFeed(doc),
          type: atom ? ATOM_TYPE : JSON_FEED_TYPE,
          lastModified: scraped ?? doc.updated,
          cacheControl: CACHE_CURRENT,
        });
      }
      return dayPage(reply, req, topicId, day);
    });
  };
}
