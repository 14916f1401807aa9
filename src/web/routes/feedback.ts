// GET /feedback/<token>?do=like|dislike|save: the page a digest's 👍 / 👎 / save link opens. GET records NOTHING
// (mail scanners fetch every link): it shows the question with a button, and app.js submits that form at once in a
// browser that runs scripts. POST /feedback/<token> records (CSRF-checked, idempotent) and shows what changed with
// an undo on the same page. The token is scoped to one (subscriber, paper) and expires with the edition's archive.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Subscriber } from '../../subscribers/subscriber.js';
import { field, type FormBody } from '../forms.js';
import { askView, isFeedbackKind, others, resultView } from '../feedback-view.js';
import { FORM_BODY_LIMIT, type Kit, type ReaderStorePort } from '../page-kit.js';
import { formExpired } from './confirm.js';
import { hintOf } from '../../relevance/suggest.js';

interface Params {
  token: string;
}

export function feedbackRoutes(app: FastifyInstance, kit: Kit): void {
  const { deps } = kit;

  /** The reader and paper a valid link is for, or the reply already sent (404 / expired). */
  async function open(req: FastifyRequest<{ Params: Params }>, reply: FastifyReply): Promise<{ s: Subscriber; paperId: string; readers: ReaderStorePort } | null> {
    const readers = deps.readers;
    const found = await kit.resolve(req.params.token, 'feedback');
    if (found && 'expired' in found) {
      kit.message(reply, 410, {
        title: 'Link expired',
        heading: 'This link has expired',
        paragraphs: ['Feedback links work for 30 days after the digest they came in. Your newest digest has fresh ones.'],
        link: { href: '/', text: 'Papers Digest home' },
      });
      return null;
    }
    if (!found || !found.scope || !readers) {
      kit.notFound(reply);
      return null;
    }
    return { s: found.subscriber, paperId: found.scope, readers };
  }

  async function paperInfo(paperId: string) {
    const [p] = deps.papers ? await deps.papers.getMany([paperId]) : [];
    return {
      id: paperId,
      title: p?.title ?? `arXiv ${paperId}`,
      url: `https://huggingface.co/papers/${encodeURIComponent(paperId)}`,
      arxivUrl: `https://arxiv.org/abs/${encodeURIComponent(paperId)}`,
    };
  }

  /**
   * The suggestion the reader's digests mention follows their feedback (relevance/suggest.ts hintOf): worked out
   * here, once per change, so a send reads it with the model and computes nothing. A failure loses only the hint.
   */
  async function refreshHint(req: FastifyRequest, s: Subscriber, readers: ReaderStorePort) {
    if (!deps.suggestions || s.status === 'unsubscribed') return;
    try {
      await readers.setHint(s.id, hintOf(await deps.suggestions(s, await readers.profile(s.id))));
    } catch (err) {
      req.log.warn({ err, subscriberId: s.id }, 'could not refresh the suggestion a digest mentions');
    }
  }

  function page(req: FastifyRequest<{ Params: Params }>, reply: FastifyReply, s: Subscriber, status: number, view: object) {
    const links = kit.links(s);
    return kit.send(reply, status, 'feedback', 'Your feedback', {
      action: `/feedback/${req.params.token}`,
      csrf: kit.csrf.issue(req, reply),
      preferencesUrl: kit.path(links.preferences),
      readingListUrl: kit.path(links.readingList),
      ...view,
    });
  }

  app.get<{ Params: Params; Querystring: { do?: string } }>('/feedback/:token', async (req, reply) => {
    const ok = await open(req, reply);
    if (!ok) return reply;
    const kind = isFeedbackKind(req.query.do) ? req.query.do : null;
    const marks = (await ok.readers.marks(ok.s.id, [ok.paperId])).get(ok.paperId) ?? { liked: false, disliked: false, saved: false };
    const asked = askView(kind, marks);
    return page(req, reply, ok.s, 200, { paper: await paperInfo(ok.paperId), ...asked, result: asked.already, others: others(asked.ask?.kind ?? (asked.already ? kind : null), marks) });
  });

  app.post<{ Params: Params }>('/feedback/:token', { bodyLimit: FORM_BODY_LIMIT }, async (req, reply) => {
    const ok = await open(req, reply);
    if (!ok) return reply;
    if (!kit.csrfOk(req)) return formExpired(kit, reply, `/feedback/${req.params.token}`);
    const body = (req.body ?? {}) as FormBody;
    const kind = field(body, 'kind');
    const on = field(body, 'on');
    if (!isFeedbackKind(kind) || (on !== '1' && on !== '0')) {
      return kit.message(reply, 400, { title: 'Not understood', heading: 'We did not understand that request', paragraphs: ['Open the link from your digest again.'] });
    }
    const { changed, marks } = await ok.readers.mark(ok.s.id, ok.paperId, kind, on === '1');
    req.log.info({ subscriberId: ok.s.id, kind, on: on === '1', changed }, 'reader feedback');
    if (changed) await refreshHint(req, ok.s, ok.readers);
    return page(req, reply, ok.s, 200, { paper: await paperInfo(ok.paperId), ask: null, auto: false, ...resultView(kind, on === '1', changed, marks) });
  });
}
