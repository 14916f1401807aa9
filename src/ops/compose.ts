// "What would be sent": run the real send job (src/digest/send.ts) against a dry-run ledger and a capturing
// mailer, so `preview` and `send-test` show the very message the worker would hand to SMTP — same selection
// (papers already sent to this subscriber stay excluded), same templates, same links and headers — while nothing
// is claimed, marked, counted or delivered. Freshness is reported instead of waited for.
import type { Config, LinkSecret } from '../config.js';
import type { EditionRecord } from '../digest/edition-record.js';
import type { DeliveryLedger } from '../digest/ledger.js';
import { runSendJob, type SendDeps, type SendOutcome } from '../digest/send.js';
import { silentLogger, type Logger } from '../log.js';
import type { OutgoingMessage } from '../mail/mailer.js';
import type { Templates } from '../mail/render.js';
import type { SettingsStore } from '../settings/store.js';
import type { Subscriber } from '../subscribers/subscriber.js';
import type { SuppressionList } from '../subscribers/suppression.js';
import { TOPICS } from '../papers/topics.js';
import { createMetrics } from '../metrics/metrics.js';
import { DEFAULT_PREFERENCES } from '../subscribers/preferences.js';
import type { Settings } from '../settings/schema.js';

export interface Composed {
  period: string;
  outcome: SendOutcome;
  /** The message the worker would send; null when it would send nothing (outcome says why). */
  message: OutgoingMessage | null;
  /** The last successful scrape is older than freshnessHours (a real send would wait for a scrape first). */
  stale: boolean;
}

export interface ComposeDeps {
  config: SendDeps['config'] & Pick<Config, 'publicUrl'>;
  linkSecrets: readonly LinkSecret[];
  settings: Pick<SettingsStore, 'get'>;
  papers: SendDeps['papers'];
  suppression: Pick<SuppressionList, 'has'>;
  /** Only its sent-papers ledger is read: papers already sent to this subscriber stay excluded. */
  ledger: Pick<DeliveryLedger, 'sentPaperIds' | 'readRecord'>;
  templates: Templates;
}

export async function composeDigest(deps: ComposeDeps, input: { subscriber: Subscriber; period: string; now: Date; log?: Logger }): Promise<Composed> {
  const settings: Settings = await deps.settings.get();
  const last = await deps.papers.lastSuccessfulScrape();
  const stale = !last || input.now.getTime() - last.getTime() > settings.freshnessHours * 3_600_000;
  let message: OutgoingMessage | null = null;
  const dryLedger = {
    get: async () => null,
    claim: async () => ({ outcome: 'claimed' as const, attempt: 1 }),
    claimWithRecord: async (id: string) => ({ outcome: 'claimed' as const, attempt: 1, record: await deps.ledger.readRecord(id) }),
    lease: 60_000,
    renew: async () => true,
    markSending: async () => true,
    markSent: async () => {},
    settle: async () => true,
    noteQuiet: async () => {},
    sentPaperIds: (id: string, record?: EditionRecord) => deps.ledger.sentPaperIds(id, record),
  } as unknown as DeliveryLedger;
  const outcome = await runSendJob(
    {
      clock: () => input.now,
      log: input.log ?? silentLogger(),
      config: deps.config,
      linkSecrets: deps.linkSecrets,
      subscribers: { get: async (id) => (id === input.subscriber.id ? input.subscriber : null), recordBounce: async () => {} },
      // A suppressed address is reported as the worker would; a preview never bounces, so nothing is added.
      suppression: { has: (email) => deps.suppression.has(email), add: async () => {} },
      papers: deps.papers,
      templates: deps.templates,
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
