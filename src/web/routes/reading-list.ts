// GET /reading-list/<token>: the papers a reader saved (🔖 in a digest), newest first, each removable (POST, with an
// undo), and GET /reading-list/<token>/papers.bib: the same list as BibTeX, downloaded. The token never expires,
// like the preferences link, and dies with it (token version).
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { DateTime } from 'luxon';
import type { Paper } from '../../papers/paper.js';
import type { Subscriber } from '../../subscribers/subscriber.js';
import { bibFile } from '../bibtex.js';
import { field, type FormBody } from '../forms.js';
import { FORM_BODY_LIMIT, type Kit, type ReaderPaper, type ReaderStorePort } from '../page-kit.js';
import { formExpired } from './confirm.js';

interface Params {
  token: string;
}

const PAPER_ID_RE = /^[A-Za-z0-9][A-Za-z0-9._-]{0,39}$/;

export function readingListRoutes(app: FastifyInstance, kit: Kit): void {
  const { deps } = kit;

  async function open(token: string, reply: FastifyReply): Promise<{ s: Subscriber; readers: ReaderStorePort } | null> {
    const found = await kit.resolve(token, 'reading-list');
    if (!found || 'expired' in found || !deps.readers) {
      kit.notFound(reply);
      return null;
    }
    return { s: found.subscriber, readers: deps.readers };
  }

  async function saved(readers: ReaderStorePort, s: Subscriber): Promise<{ r: ReaderPaper; p: Paper | null }[]> {
    const list = [...(await readers.profile(s.id)).saved].sort((a, b) => (a.at < b.at ? 1 : a.at > b.at ? -1 : 0));
    const found = new Map((deps.papers ? await deps.papers.getMany(list.map((r) => r.id)) : []).map((p) => [p.id, p]));
    return list.map((r) => ({ r, p: found.get(r.id) ?? null }));
  }

  async function render(req: FastifyRequest<{ Params: Params }>, reply: FastifyReply, s: Subscriber, readers: ReaderStorePort, notice: object | null = null) {
    const items = await saved(readers, s);
    const base = `/reading-list/${req.params.token}`;
    return kit.send(reply, 200, 'reading-list', 'Your reading list', {
      action: base,
      csrf: kit.csrf.issue(req, reply),
      bibtexUrl: `${base}/papers.bib`,
      preferencesUrl: kit.path(kit.links(s).preferences),
      notice,
      count: items.length,
      papers: items.map(({ r, p }) => ({
        id: r.id,
        title: p?.title ?? r.title ?? `arXiv ${r.id}`,
        url: `https://huggingface.co/papers/${encodeURIComponent(r.id)}`,
        arxivUrl: `https://arxiv.org/abs/${encodeURIComponent(r.id)}`,
        authors: p ? shortAuthors(p.authors) : '',
        savedOn: DateTime.fromISO(r.at, { zone: s.timezone }).setLocale('en-US').toFormat('d LLL yyyy'),
      })),
    });
  }

  app.get<{ Params: Params }>('/reading-list/:token', async (req, reply) => {
    const ok = await open(req.params.token, reply);
    if (!ok) return reply;
    return render(req, reply, ok.s, ok.readers);
  });

  app.get<{ Params: Params }>('/reading-list/:token/papers.bib', async (req, reply) => {
    const ok = await open(req.params.token, reply);
    if (!ok) return reply;
    const items = await saved(ok.readers, ok.s);
    return reply
      .status(200)
      .header('cache-control', 'no-store')
      .header('content-disposition', 'attachment; filename="reading-list.bib"')
      .type('application/x-bibtex; charset=utf-8')
      .send(bibFile(items.map(({ r, p }) => ({ id: r.id, paper: p, title: r.title }))));
  });

  app.post<{ Params: Params }>('/reading-list/:token', { bodyLimit: FORM_BODY_LIMIT }, async (req, reply) => {
    const ok = await open(req.params.token, reply);
    if (!ok) return reply;
    if (!kit.csrfOk(req)) return formExpired(kit, reply, `/reading-list/${req.params.token}`);
    const body = (req.body ?? {}) as FormBody;
    const action = field(body, 'action');
    const paperId = field(body, 'paperId') ?? '';
    if ((action !== 'remove' && action !== 'restore') || !PAPER_ID_RE.test(paperId)) {
      return kit.message(reply, 400, { title: 'Not understood', heading: 'We did not understand that request', paragraphs: ['Reload your reading list and try again.'] });
    }
    await ok.readers.mark(ok.s.id, paperId, 'save', action === 'restore');
    req.log.info({ subscriberId: ok.s.id, action }, 'reading list changed');
    const [p] = deps.papers ? await deps.papers.getMany([paperId]) : [];
    const title = p?.title ?? `arXiv ${paperId}`;
    const notice = action === 'remove' ? { heading: `Removed “${title}”`, undo: { action: 'restore', paperId, label: 'Undo' } } : { heading: `“${title}” is back in your reading list`, undo: null };
    return render(req, reply, ok.s, ok.readers, notice);
  });
}

function shortAuthors(authors: readonly string[]): string {
  return authors.length <= 3 ? authors.join(', ') : `${authors.slice(0, 3).join(', ')} et al.`;
}
