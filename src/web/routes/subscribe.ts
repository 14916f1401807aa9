// The home page: the subscribe form with a sample of what you get (the newest public top five, as the email's cards),
// and its post. The answer to a valid post is ALWAYS the same redirect (303) to the "check your inbox" page —
// new address, pending, active or rate-limited address alike — and the email goes out after the response, so
// neither the answer nor its timing tells a visitor whether an address is subscribed. Post-redirect-get: reloading
// the page shows it again and posts nothing. The address it names travels in a short-lived cookie scoped to that
// page (never in the URL, where it would reach logs and history).
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { CSRF_FIELD } from '../csrf.js';
import { parseSubscribeForm, type FieldErrors, type FormBody } from '../forms.js';
import { FORM_BODY_LIMIT, type Kit } from '../page-kit.js';
import { formView, sourceFromBody, type FormSource } from '../views.js';
import { paperView } from '../../mail/view-model.js';

const CHECK_COOKIE = 'pd_check';
const CHECK_PATH = '/check-inbox';

function sampleDay(day: string): string {
  return new Date(`${day}T12:00:00Z`).toLocaleDateString('en-GB', { weekday: 'long', day: 'numeric', month: 'long', timeZone: 'UTC' });
}

export function subscribeRoutes(app: FastifyInstance, kit: Kit): void {
  const { deps } = kit;

  const sample = async () => {
    const s = await deps.sample?.().catch((err: unknown) => {
      deps.log.warn({ err }, 'front page sample unavailable');
      return null;
    });
    return s ? { day: sampleDay(s.day), href: `/topics/all/${s.day}`, papers: s.papers.map((p, i) => paperView(p, 280, i + 1)) } : null;
  };

  const renderForm = async (req: FastifyRequest, reply: FastifyReply, status: number, src: FormSource, email: string, errors: FieldErrors, detectZone: boolean) =>
    kit.send(reply, status, 'subscribe', 'Subscribe', {
      csrf: kit.csrf.issue(req, reply),
      email,
      // The sample only on a fresh form: after a refused post the page is about what to fix.
      sample: status === 200 ? await sample() : null,
      ...formView(src, { catalog: deps.topics, zones: kit.zones, errors, detectZone }),
    });

  app.get(CHECK_PATH, async (req, reply) => {
    const raw = (req.cookies as Record<string, string | undefined> | undefined)?.[CHECK_COOKIE];
    const email = raw && raw.length <= 254 && raw.includes('@') ? raw : '';
    return kit.send(reply, 200, 'check-inbox', 'Check your inbox', { email });
  });

  app.get('/', async (req, reply) => {
    const settings = await deps.settings.get();
    const [hour, minute] = settings.defaultSendTime.split(':');
    const src: FormSource = { topics: [], timezone: settings.defaultTimezone, time: `${hour}:${minute}`, frequency: 'daily', weekday: 1 };
    return renderForm(req, reply, 200, src, '', {}, true);
  });

  app.post('/', { bodyLimit: FORM_BODY_LIMIT }, async (req, reply) => {
    const ip = await kit.limiter.hit('subscribe-ip', req.ip, kit.limits.perIp);
    if (!ip.allowed) {
      reply.header('retry-after', String(Math.ceil(ip.retryAfterMs / 1000)));
      return kit.message(reply, 429, {
        title: 'Slow down',
        heading: 'Too many tries',
        paragraphs: [
          `We received a lot of sign-ups from your network just now. Please wait about ${Math.max(1, Math.ceil(ip.retryAfterMs / 60_000))} minute(s) and try again.`,
        ],
        link: { href: '/', text: 'Back to the form' },
      });
    }
    const body = (req.body ?? {}) as FormBody;
    const src = sourceFromBody(body);
    const typedEmail = typeof body.email === 'string' ? body.email.slice(0, 254) : '';
    if (!kit.csrf.verify(req, body[CSRF_FIELD])) {
      return renderForm(req, reply, 403, src, typedEmail, { email: 'This form had expired. Check your choices and press Subscribe again.' }, false);
    }
    const parsed = parseSubscribeForm(body);
    if (!parsed.ok) return renderForm(req, reply, 400, src, typedEmail, parsed.errors, false);
    const { email, ...choice } = parsed.value;

    const perAddress = await kit.limiter.hit('subscribe-addr', kit.addressKey(email), kit.limits.perAddress);
    if (perAddress.allowed) {
      const { subscriber, created } = await deps.store.create({ email, ...choice });
      // After the response: rendering, SMTP and any extra write must not show in how long the answer takes.
      kit.track(
        new Promise<void>((r) => setImmediate(r)).then(async () => {
          let s = subscriber;
          // Someone not (or no longer) receiving digests asks again: what they just chose is what they will
          // confirm (the confirm page shows it). An active subscriber's choices are never rewritten by an
          // anonymous post — they get their preferences link instead.
          if (!created && (s.status === 'pending' || s.status === 'unsubscribed')) {
            await deps.store.update(s.id, choice);
            s = (await deps.store.get(s.id)) ?? s;
          }
          await deps.notify(s);
        }),
      );
    } else {
      req.log.info({ scope: 'subscribe-addr' }, 'address rate limit reached; answering without sending');
    }
    reply.setCookie(CHECK_COOKIE, email, { path: CHECK_PATH, httpOnly: true, sameSite: 'lax', secure: deps.publicUrl.startsWith('https:'), maxAge: 600 });
    return reply.header('cache-control', 'no-store').redirect(CHECK_PATH, 303);
  });
}
