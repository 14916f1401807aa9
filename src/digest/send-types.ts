// The send job's contract: what it needs (SendDeps), what a run is (SendJobRun) and what it decides (SendOutcome).
// Apart from send.ts so that the parts it delegates to (send-email.ts) take these types without importing it back.
import type { Config, LinkSecret } from '../config.js';
import type { Logger } from '../log.js';
import type { Metrics } from '../metrics/metrics.js';
import type { Settings } from '../settings/schema.js';
import type { Paper } from '../papers/paper.js';
import type { Mailer } from '../mail/mailer.js';
import type { Templates } from '../mail/render.js';
import type { SmtpErrorClass } from '../mail/smtp-errors.js';
import type { Subscriber } from '../subscribers/subscriber.js';
import type { SuppressionList } from '../subscribers/suppression.js';
import type { DeliveryLedger, EditionState } from './ledger.js';
import type { ChannelSendPort } from './send-channel.js';
import type { ScoringModel } from '../relevance/model.js';
import type { SuggestionHint } from '../relevance/suggest.js';

/** What the send job needs; structural so tests and the bench can pass small objects. */
export interface SendDeps {
  clock: () => Date;
  log: Logger;
  config: Pick<Config, 'publicUrl' | 'mailFrom' | 'mailReplyTo' | 'listUnsubscribeMailto'>;
  linkSecrets: readonly LinkSecret[];
  subscribers: {
    get(id: string): Promise<Subscriber | null>;
    /** Count a hard bounce; at `threshold` the subscriber becomes `bouncing`. */
    recordBounce(id: string, threshold: number): Promise<unknown>;
    /** A delivery resets the count: suppression is for consecutive hard bounces. */
    clearBounces?(id: string): Promise<unknown>;
  };
  /** Addresses never mailed (repeated hard bounces); the send path adds to it too. */
  suppression: Pick<SuppressionList, 'has' | 'add'>;
  papers: { listedSince(firstDay: string): Promise<Paper[]>; lastSuccessfulScrape(): Promise<Date | null> };
  templates: Pick<Templates, 'digest' | 'nothingNew'>;
  mailer: Pick<Mailer, 'send'>;
  ledger: DeliveryLedger;
  metrics: Pick<Metrics, 'emailsSent' | 'emailsFailed' | 'sendDuration' | 'editionLag' | 'editionsSkipped'> & Partial<Pick<Metrics, 'alerts' | 'renderDuration'>>;
  /** Current operator settings (kept fresh by the worker). */
  settings(): Settings;
  topicLabels?: Record<string, string>;
  /** While papers are stale, check again this often (default 5 min). */
  staleRecheckMs?: number;
  /**
   * Candidate papers shared by the jobs of one worker, keyed by (first listing day, last scrape instant): every
   * subscriber of a zone draws from the same few days, and a new scrape changes the key. Sharing the objects also
   * lets topic matching reuse its per-paper memo. Omit to read the store for every job.
   */
  candidateCache?: Map<string, Promise<Paper[]>>;
  /** How often a claimed edition's lease is renewed while the job works (default: a third of the lease). */
  leaseRenewMs?: number;
  /** A quiet-day skip may be re-opened this long after the due instant when papers arrive (default 12 h). */
  quietRecheckHours?: number;
  /**
   * Each reader's personal model and the suggestion their digest mentions (relevance/reader-store.ts); absent =
   * rank without one.
   */
  readers?: { loadForSend(subscriberId: string): Promise<{ model: ScoringModel | null; hint: SuggestionHint | null }> };
  /** Pauses between attempts to record a delivery in the ledger (default 100, 500, 2000 ms). */
  recordRetryDelaysMs?: number[];
  /**
   * How the reader gets editions (feeds/delivery-mode.ts): 'feed' = recorded in the ledger like a send (its papers
   * count as sent) but not rendered or mailed; 'email' | 'both' = mailed. Absent = everyone by email.
   */
  deliveryMode?: (subscriberId: string) => Promise<'email' | 'feed' | 'both'>;
  /** The reader's personal feed page for the email footer (feeds/feed-links.ts feedManageUrl); absent = no link. */
  feedLink?: (sub: Subscriber) => string | null;
  /**
   * Waits for a slot under the fleet-wide sendRatePerSecond before each email or channel post (send-pace.ts: BullMQ's
   * limiter counts jobs, and a job may hold many editions). Absent = no limit (tests, bench).
   */
  pace?: () => Promise<unknown>;
  /** Channel subscribers (`ch_…`): the same claim and ledger, delivered to a webhook (send-channel.ts). */
  channels?: ChannelSendPort;
}

/** What the job runner must do next. The worker maps these onto BullMQ. */
export type SendOutcome =
  | { kind: 'sent'; messageId: string; response: string; papers: number }
  | { kind: 'settled'; state: EditionState; reason: string }
  /** Come back later without spending an attempt (papers stale, another worker holds the lease). */
  | { kind: 'wait'; delayMs: number; reason: string }
  /** 4xx / connection trouble: retry this job with backoff. */
  | { kind: 'retry'; error: SmtpErrorClass }
  /** 421/451: slow the whole queue for `ms`, then run this job again (no attempt spent). */
  | { kind: 'throttle'; error: SmtpErrorClass };

export interface SendJobRun {
  id: string;
  data: unknown;
  /** Attempts already made before this one (BullMQ attemptsMade). */
  attemptsMade: number;
  /** Total attempts allowed (job.opts.attempts). */
  attempts: number;
}
