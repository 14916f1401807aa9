// "What would be sent": run the real send job (src/digest/send.ts) against a dry-run ledger and a capturing
// mailer, so `preview` and `send-test` show the very message the worker would hand to SMTP — same selection
// (papers already sent to this subscriber stay excluded), same templates, same links and headers — while nothing
// is claimed, marked, counted or delivered. Freshness is reported instead of waited for.
import type { DeliveryLedger } from '../digest/ledger.js';
import { runSendJob, type SendOutcome } from '../digest/send.js';
import { silentLogger, type Logger } from '../log.js';
import type { OutgoingMessage } from '../mail/mailer.js';
import type { Services } from '../services.js';
import type { Subscriber } from '../subscribers/subscriber.js';
import { TOPICS } from '../subscribers/topics.js';
import { createMetrics } from './metrics.js';
import { DEFAULT_PREFERENCES } from '../subscribers/preferences.js';
import type { Settings } from './settings.js';

export interface Composed {
  period: string;
  outcome: SendOutcome;
  /** The message the worker would send; null when it would send nothing (outcome says why). */
  message: OutgoingMessage | null;
  /** The last successful scrape is older than freshnessHours (a real send would wait for a scrape first). */
  stale: boolean;
}

export async function composeDigest(
  services: Pick<Services, 'ctx' | 'papers' | 'templates' | 'ledger'>,
  input: { subscriber: Subscriber; period: string; now: Date; log?: Logger },
): Promise<Composed> {
  const { ctx } = services;
  const settings: Settings = await ctx.settings.get();
  const last = await services.papers.lastSuccessfulScrape();
  const stale = !last || input.now.getTime() - last.getTime() > settings.freshnessHours * 3_600_000;
  let message: OutgoingMessage | null = null;
  const dryLedger = {
    get: async () => null,
    claim: async () => ({ outcome: 'claimed' as const, attempt: 1 }),
    markSending: async () => true,
    markSent: async () => {},
    settle: async () => true,
    sentPaperIds: (id: string) => services.ledger.sentPaperIds(id),
  } as unknown as DeliveryLedger;
  const outcome = await runSendJob(
    {
      redis: ctx.redis,
      keys: ctx.keys,
      clock: () => input.now,
      log: input.log ?? silentLogger(),
      config: ctx.config,
      linkSecrets: ctx.secrets.linkSecrets,
      subscribers: { get: async (id) => (id === input.subscriber.id ? input.subscriber : null), recordBounce: async () => {} },
      papers: services.papers,
      templates: services.templates,
      mailer: {
        send: async (msg) => {
          message = msg;
          return { messageId: msg.messageId, response: 'preview: not sent' };
        },
      },
      ledger: dryLedger,
      metrics: createMetrics(),
      // A stale scrape would make the worker wait; a preview shows what it would send once it stops waiting.
      settings: () => ({ ...settings, stalePolicy: 'send', staleWaitMinutes: 0 }),
      topicLabels: Object.fromEntries(TOPICS.map((t) => [t.id, t.label])),
    },
    { id: `preview-${input.subscriber.id}-${input.period}`, data: { subscriberId: input.subscriber.id, period: input.period, dueAt: input.now.toISOString() }, attemptsMade: 0, attempts: 1 },
  );
  return { period: input.period, outcome, message, stale };
}

/** A stand-in subscriber for `send-test` without --subscriber: every topic, the default send time and zone. */
export function sampleSubscriber(email: string, settings: Settings, now: Date): Subscriber {
  const [hour, minute] = settings.defaultSendTime.split(':').map(Number) as [number, number];
  return {
    ...DEFAULT_PREFERENCES,
    id: 'send-test-sample',
    email,
    status: 'active',
    pausedUntil: null,
    timezone: settings.defaultTimezone,
    sendTime: { hour, minute },
    maxPapers: Math.min(DEFAULT_PREFERENCES.maxPapers, settings.maxPapersCap),
    createdAt: now.toISOString(),
    confirmedAt: now.toISOString(),
    unsubscribedAt: null,
    tokenVersion: 1,
    bounceCount: 0,
  };
}
