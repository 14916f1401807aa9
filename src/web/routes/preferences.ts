// Preferences: GET shows the current choices; POST saves them (validated whole — a refused form changes
// nothing and comes back with what the person typed) and shows a plain list of what changed. The same POST
// takes the gentler actions offered on the unsubscribe page: pause for N weeks, switch to weekly, resume.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { DateTime } from 'luxon';
import { editionsUrl, feedManageUrl } from '../../feeds/feed-links.js';
import { applyPreferencesPatch, PreferencesError } from '../../subscribers/preferences.js';
import type { Subscriber } from '../../subscribers/subscriber.js';
import { field, formErrors, parsePauseWeeks, parsePreferencesForm, WEEKDAYS, type FieldErrors, type FormBody } from '../forms.js';
import { FORM_BODY_LIMIT, type Kit } from '../page-kit.js';
import { describeChanges, formView, pauseOptions, seedsOf, sourceFromBody, sourceFromSubscriber, statusLabel, type Change, type FormSource } from '../views.js';
import { excludeSuggestionsView, followCheckView, learnedView, previewView, suggestionsView } from '../learned-view.js';
import type { PreviewDay } from '../page-kit.js';
import { formExpired } from './confirm.js';
import { dataRightsView, suppressedRefusal } from './data-rights.js';

const PAPER_ID_RE = /^[A-Za-z0-9][A-Za-z0-9._-]{0,39}$/;

interface TokenParams {
  token: string;
}

export function preferencesRoutes(app: FastifyInstance, kit: Kit): void {
  const { deps } = kit;

  async function render(
    req: FastifyRequest<{ Params: TokenParams }>,
    reply: FastifyReply,
    s: Subscriber,
    opts: {
      status?: number;
      src?: FormSource;
      errors?: FieldErrors;
      changes?: Change[];
      notice?: string;
      preview?: PreviewDay[];
      /** The preview is of the saved settings plus this suggested keyword; `before` is the preview without it. */
      previewKeyword?: { keyword: string; before: PreviewDay[] };
    } = {},
  ) {
    const settings = await deps.settings.get();
    const links = kit.links(s);
    const profile = deps.readers ? await deps.readers.profile(s.id) : null;
    const learned = profile ? learnedView(profile, seedsOf(s), s.timezone) : null;
    const suggested = profile && deps.suggestions && s.status !== 'unsubscribed' ? await deps.suggestions(s, profile) : null;
    const follows = followCheckView(deps.followCheck && s.status !== 'unsubscribed' ? await deps.followCheck(s) : { orgs: [], authors: [] });
    const weekday = s.frequency.kind === 'weekly' ? s.frequency.weekday : 1;
    const form = formView(opts.src ?? sourceFromSubscriber(s), { catalog: deps.topics, zones: kit.zones, errors: opts.errors ?? {} });
    return kit.send(reply, opts.status ?? 200, 'preferences', 'Your preferences', {
      action: `/preferences/${req.params.token}`,
      csrf: kit.csrf.issue(req, reply),
      email: s.email,
      status: s.status,
      statusLabel: statusLabel(s),
      paused: s.status === 'paused',
      pausedUntil: s.pausedUntil,
      unsubscribed: s.status === 'unsubscribed',
      pending: s.status === 'pending',
      bouncing: s.status === 'bouncing',
      saved: opts.changes !== undefined,
      changes: opts.changes ?? [],
      maxPapersCap: settings.maxPapersCap,
      pauseOptions: pauseOptions(),
      weeklyDayLabel: WEEKDAYS[weekday - 1]!.label,
      unsubscribeUrl: kit.path(links.unsubscribe),
      readingListUrl: deps.readers ? kit.path(links.readingList) : null,
      // the personal feed (addresses, delivery mode, revoke) and the past editions: both behind signed links
      feedUrl: kit.path(feedManageUrl(kit.deps.publicUrl, s, kit.deps.secrets)),
      editionsUrl: kit.path(editionsUrl(kit.deps.publicUrl, s, kit.deps.secrets)),
      learned,
      suggestions: suggested ? suggestionsView(suggested.keywords) : [],
      excludeSuggestions: suggested ? excludeSuggestionsView(suggested.excludes) : [],
      follows,
      notice: opts.notice ?? null,
      canPreview: Boolean(deps.preview),
      preview: opts.preview ? previewView(opts.preview, opts.previewKeyword) : null,
      ...form,
      // A follow that brings nothing is worth seeing without opening "Fine-tune".
      openMore: form.openMore || follows.orgs.length > 0 || follows.authors.length > 0,
      ...(await dataRightsView(kit, s, req.params.token)),
    });
  }

  app.get<{ Params: TokenParams }>('/preferences/:token', async (req, reply) => {
    const found = await kit.resolve(req.params.token, 'preferences');
    if (!found || 'expired' in found) return kit.notFound(reply);
    return render(req, reply, found.subscriber);
  });

  app.post<{ Params: TokenParams }>('/preferences/:token', { bodyLimit: FORM_BODY_LIMIT }, async (req, reply) => {
    const found = await kit.resolve(req.params.token, 'preferences');
    if (!found || 'expired' in found) return kit.notFound(reply);
    if (!kit.csrfOk(req)) return formExpired(kit, reply, `/preferences/${req.params.token}`);
    const before = found.subscriber;
    const body = (req.body ?? {}) as FormBody;
    const action = field(body, 'action');
    const reload = async () => (await deps.store.get(before.id)) ?? before;
    // Delete asks first (routes/data-rights.ts), and no longer needs an unsubscribe before it.
    if (action === 'delete') return reply.redirect(`/preferences/${req.params.token}/delete`, 303);
    const learnedReply = await learnedAction(req, reply, action, before, body);
    if (learnedReply) return learnedReply;
    try {
      const refused = await apply(action, before, body);
      if (refused) return render(req, reply, before, refused);
    } catch (err) {
      // The store validates whole and writes nothing on a refusal: show its reasons beside the form.
      if (!(err instanceof PreferencesError)) throw err;
      return render(req, reply, before, { status: 400, src: action === 'save' ? sourceFromBody(body) : undefined, errors: formErrors(err.issues) });
    }
    const after = await reload();
    req.log.info({ subscriberId: after.id, action }, 'preferences changed');
    return render(req, reply, after, { changes: describeChanges(before, after, deps.topics) });
  });

  /**
   * The "what was learned" actions (forget a paper, drop a term, unsave, reset after a confirmation) and the
   * 7-day preview of the edited form (nothing saved). A reply when `action` is one of them, else null.
   */
  async function learnedAction(req: FastifyRequest<{ Params: TokenParams }>, reply: FastifyReply, action: string | null, s: Subscriber, body: FormBody) {
    const readers = deps.readers;
    if (action === 'preview') {
      if (!deps.preview) return render(req, reply, s, { status: 400, src: sourceFromBody(body), errors: { form: 'Previews are not available here.' } });
      const parsed = parsePreferencesForm(body, (await deps.settings.get()).maxPapersCap);
      if (!parsed.ok) return render(req, reply, s, { status: 400, src: sourceFromBody(body), errors: parsed.errors });
      const preview = await deps.preview({ ...s, ...parsed.value });
      return render(req, reply, s, { src: sourceFromBody(body), preview });
    }
    if (action === 'preview-keyword') {
      // A suggested keyword's preview: the saved settings with it added, papers it brings marked (nothing saved).
      const keyword = (field(body, 'keyword') ?? '').trim();
      let withIt: Subscriber;
      try {
        withIt = { ...s, ...applyPreferencesPatch(s, { includeKeywords: [...s.includeKeywords, keyword] }).preferences };
      } catch (err) {
        if (!(err instanceof PreferencesError)) throw err;
        return render(req, reply, s, { status: 400, errors: formErrors(err.issues) });
      }
      if (!deps.preview) return render(req, reply, s, { status: 400, errors: { form: 'Previews are not available here.' } });
      const [preview, before] = await Promise.all([deps.preview(withIt), deps.preview(s)]);
      return render(req, reply, s, { preview, previewKeyword: { keyword, before } });
    }
    if (!readers || !['forget', 'remove-term', 'unsave', 'reset', 'dismiss-suggestion'].includes(action ?? '')) return null;
    const paperId = field(body, 'paperId') ?? '';
    const term = (field(body, 'term') ?? '').slice(0, 100);
    let notice: string;
    switch (action) {
      case 'forget':
        if (!PAPER_ID_RE.test(paperId)) return render(req, reply, s, { status: 400, errors: { form: 'We did not understand that request.' } });
        await readers.forget(s.id, paperId);
        notice = 'Removed: that paper no longer shapes your digest.';
        break;
      case 'unsave':
        if (!PAPER_ID_RE.test(paperId)) return render(req, reply, s, { status: 400, errors: { form: 'We did not understand that request.' } });
        await readers.mark(s.id, paperId, 'save', false);
        notice = 'Removed from your reading list.';
        break;
      case 'dismiss-suggestion': {
        const keyword = (field(body, 'keyword') ?? '').trim().slice(0, 100);
        if (!keyword) return render(req, reply, s, { status: 400, errors: { form: 'We did not understand that request.' } });
        await readers.dismissSuggestion(s.id, keyword);
        notice = `We will not suggest “${keyword}” again.`;
        break;
      }
      case 'remove-term':
        if (!term.trim()) return render(req, reply, s, { status: 400, errors: { form: 'We did not understand that request.' } });
        await readers.removeTerm(s.id, term);
        notice = `“${term}” no longer counts towards your digest.`;
        break;
      default:
        // reset: a confirmation page first (a stray click must not wipe what was learned).
        if (field(body, 'confirm') !== 'yes') {
          return kit.send(reply, 200, 'reset-learned', 'Reset what was learned', { action: `/preferences/${req.params.token}`, csrf: kit.csrf.issue(req, reply) });
        }
        await readers.reset(s.id);
        // The pasted seeds are part of what was learned: the field empties too.
        if (seedsOf(s).length) await deps.store.update(s.id, { seedPapers: [] });
        notice = 'Reset: your digest forgot every 👍 and 👎 and the terms it learned. Your saved papers stay in your reading list.';
    }
    req.log.info({ subscriberId: s.id, action }, 'learned preferences changed');
    return render(req, reply, s, { notice });
  }

  /** Perform one action; a reply when the request is refused before any write, else null. */
  async function apply(action: string | null, before: Subscriber, body: FormBody) {
    switch (action) {
      case 'save': {
        const settings = await deps.settings.get();
        const parsed = parsePreferencesForm(body, settings.maxPapersCap);
        if (!parsed.ok) return { status: 400, src: sourceFromBody(body), errors: parsed.errors };
        await deps.store.update(before.id, parsed.value);
        // Seeds count as liked papers: the reader store looks them up (or keeps them by id until seen).
        if (deps.readers) await deps.readers.setSeeds(before.id, parsed.value.seedPapers ?? []);
        return null;
      }
      case 'pause': {
        const weeks = parsePauseWeeks(body);
        if (weeks === null) return { status: 400, errors: { form: 'Choose how long to pause from the list.' } };
        const until = DateTime.fromJSDate(deps.clock(), { zone: before.timezone }).plus({ weeks }).toISODate()!;
        await deps.store.pause(before.id, until);
        return null;
      }
      case 'resume': {
        const suppressed = await suppressedRefusal(kit, before);
        if (suppressed) return suppressed;
        // Paused, or suppressed after hard bounces: holding this link (from an email that did arrive once) is the
        // owner saying the mailbox works again. Should it still bounce, the send path suppresses it again.
        if (before.status === 'paused' || before.status === 'bouncing') await deps.store.resume(before.id);
        return null;
      }
      case 'add-keyword':
      case 'add-exclude': {
        // A suggested keyword to include or to exclude (relevance/suggest.ts); the store validates the list.
        const list = action === 'add-keyword' ? 'includeKeywords' : 'excludeKeywords';
        const keyword = (field(body, 'keyword') ?? '').trim();
        if (!keyword) return { status: 400, errors: { form: 'We did not understand that request.' } };
        if (before[list].some((k) => k.toLowerCase() === keyword.toLowerCase())) return null;
        await deps.store.update(before.id, { [list]: [...before[list], keyword] });
        return null;
      }
      case 'replace-follow': {
        // "Follow Deepmind instead" beside a follow no recent paper came from (papers/follow-check.ts).
        const list = field(body, 'list') === 'authors' ? 'followAuthors' : 'followOrgs';
        const followed = (field(body, 'followed') ?? '').trim();
        const instead = (field(body, 'instead') ?? '').trim();
        const at = before[list].findIndex((o) => o === followed);
        if (!instead || at < 0) return { status: 400, errors: { form: 'We did not understand that request.' } };
        const rest = before[list].filter((_, i) => i !== at);
        const next = rest.some((o) => o.toLowerCase() === instead.toLowerCase()) ? rest : [...rest.slice(0, at), instead, ...rest.slice(at)];
        await deps.store.update(before.id, { [list]: next });
        return null;
      }
      case 'weekly':
        if (before.frequency.kind !== 'weekly') await deps.store.update(before.id, { frequency: { kind: 'weekly', weekday: 1 } });
        return null;
      case 'resubscribe': {
        const suppressed = await suppressedRefusal(kit, before);
        if (suppressed) return suppressed;
        // The preferences link went to this address, so holding it proves the owner asks for this.
        if (before.status === 'unsubscribed') await deps.store.resume(before.id);
        return null;
      }
      default:
        return { status: 400, errors: { form: 'We did not understand that request.' } };
    }
  }
}
