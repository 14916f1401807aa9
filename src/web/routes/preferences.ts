// Preferences: GET shows the current choices; POST saves them (validated whole — a refused form changes
// nothing and comes back with what the person typed) and shows a plain list of what changed. The same POST
// takes the gentler actions offered on the unsubscribe page: pause for N weeks, switch to weekly, resume.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { DateTime } from 'luxon';
import { PreferencesError } from '../../subscribers/preferences.js';
import type { Subscriber } from '../../subscribers/subscriber.js';
import { field, formErrors, parsePauseWeeks, parsePreferencesForm, WEEKDAYS, type FieldErrors, type FormBody } from '../forms.js';
import { FORM_BODY_LIMIT, type Kit } from '../page-kit.js';
import { describeChanges, formView, pauseOptions, sourceFromBody, sourceFromSubscriber, statusLabel, type Change, type FormSource } from '../views.js';
import { formExpired } from './confirm.js';
import { dataRightsView, suppressedRefusal } from './data-rights.js';

interface TokenParams {
  token: string;
}

export function preferencesRoutes(app: FastifyInstance, kit: Kit): void {
  const { deps } = kit;

  async function render(
    req: FastifyRequest<{ Params: TokenParams }>,
    reply: FastifyReply,
    s: Subscriber,
    opts: { status?: number; src?: FormSource; errors?: FieldErrors; changes?: Change[] } = {},
  ) {
    const settings = await deps.settings.get();
    const links = kit.links(s);
    const weekday = s.frequency.kind === 'weekly' ? s.frequency.weekday : 1;
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
      ...formView(opts.src ?? sourceFromSubscriber(s), { catalog: deps.topics, zones: kit.zones, errors: opts.errors ?? {} }),
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

  /** Perform one action; a reply when the request is refused before any write, else null. */
  async function apply(action: string | null, before: Subscriber, body: FormBody) {
    switch (action) {
      case 'save': {
        const settings = await deps.settings.get();
        const parsed = parsePreferencesForm(body, settings.maxPapersCap);
        if (!parsed.ok) return { status: 400, src: sourceFromBody(body), errors: parsed.errors };
        await deps.store.update(before.id, parsed.value);
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
