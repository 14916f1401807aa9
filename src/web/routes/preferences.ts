// Preferences: GET shows the current choices; POST saves them (validated whole — a refused form changes
// nothing and comes back with what the person typed) and shows a plain list of what changed. The same POST
// takes the gentler actions offered on the unsubscribe page: pause for N weeks, switch to weekly, resume.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { DateTime } from 'luxon';
import type { Subscriber } from '../../subscribers/subscriber.js';
import { field, parsePauseWeeks, parsePreferencesForm, WEEKDAYS, type FieldErrors, type FormBody } from '../forms.js';
import type { Kit } from '../page-kit.js';
import { FORM_BODY_LIMIT } from '../subscription-routes.js';
import { describeChanges, formView, pauseOptions, sourceFromBody, sourceFromSubscriber, statusLabel, type Change, type FormSource } from '../views.js';
import { formExpired } from './confirm.js';

interface TokenParams {
  token: string;
}

export function preferencesRoutes(app: FastifyInstance, kit: Kit): void {
  const { deps } = kit;
  const topicIds = deps.topics.map((t) => t.id);

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
      saved: opts.changes !== undefined,
      changes: opts.changes ?? [],
      maxPapersCap: settings.maxPapersCap,
      pauseOptions: pauseOptions(),
      weeklyDayLabel: WEEKDAYS[weekday - 1]!.label,
      unsubscribeUrl: kit.path(links.unsubscribe),
      ...formView(opts.src ?? sourceFromSubscriber(s), { catalog: deps.topics, zones: kit.zones, errors: opts.errors ?? {} }),
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

    switch (action) {
      case 'save': {
        const settings = await deps.settings.get();
        const parsed = parsePreferencesForm(body, topicIds, settings.maxPapersCap);
        if (!parsed.ok) return render(req, reply, before, { status: 400, src: sourceFromBody(body), errors: parsed.errors });
        await deps.store.update(before.id, parsed.value);
        break;
      }
      case 'pause': {
        const weeks = parsePauseWeeks(body);
        if (weeks === null) return render(req, reply, before, { status: 400, errors: { pauseWeeks: 'Choose how long to pause from the list.' } });
        const until = DateTime.fromJSDate(deps.clock(), { zone: before.timezone }).plus({ weeks }).toISODate()!;
        await deps.store.pause(before.id, until);
        break;
      }
      case 'resume':
        if (before.status === 'paused') await deps.store.resume(before.id);
        break;
      case 'weekly':
        if (before.frequency.kind !== 'weekly') await deps.store.update(before.id, { frequency: { kind: 'weekly', weekday: 1 } });
        break;
      case 'resubscribe':
        // The preferences link went to this address, so holding it proves the owner asks for this.
        if (before.status === 'unsubscribed') await deps.store.resume(before.id);
        break;
      default:
        return kit.message(reply, 400, {
          title: 'Unknown action',
          heading: 'We did not understand that request',
          paragraphs: ['Nothing was changed.'],
          link: { href: `/preferences/${req.params.token}`, text: 'Back to your preferences' },
        });
    }
    const after = await reload();
    req.log.info({ subscriberId: after.id, action }, 'preferences changed');
    return render(req, reply, after, { changes: describeChanges(before, after, deps.topics) });
  });
}
