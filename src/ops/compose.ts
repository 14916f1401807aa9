// "What would be sent": run the real send job (src/digest/send.ts) against a dry-run ledger and a capturing
// mailer, so `preview` and `send-test` show the very message the worker would hand to SMTP — same selection
// (papers already sent to this subscriber stay excluded), same templates, same links and headers — while nothing
// is claimed, marked, counted or delivered. Freshness is reported instead of waited for. Ranking uses the reader's
// personal model like the send job does (and mentions the same suggestion), read with peekForSend: a preview learns nothing (pending seed papers are
// learned by the next real send).
import type { Config, LinkSecret } from '../config.js';
import type { EditionRecord } from '../digest/edition-record.js';
import type { DeliveryLedger } from '../digest/ledger.js';
import { runSendJob, type SendDeps, type SendOutcome } from '../digest/send.js';
import { silentLogger, type Logger } from '../log.js';
import type { OutgoingMessage } from '../mail/mailer.js';
import type { Templates } from '../mail/render.js';
import type { Paper } from '../papers/paper.js';
import type { ScoringModel } from '../relevance/model.js';
import type { SuggestionHint } from '../relevance/suggest.js';
import type { SettingsStore } from '../settings/store.js';
import type { Subscriber } from '../subscribers/subscriber.js';
import type { SuppressionList } from '../subscribers/suppression.js';
import { TOPICS } from '../papers/topics.js';
import { createMetrics } from '../metrics/metrics.js';
import { DEFAULT_PREFERENCES } from '../subscribers/preferences.js';
import type { Settings } from '../settings/schema.js';
import { editionWindow } from '../digest/window.js';
import { selectPapers } from '../digest/select.js';

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
  papers: SendDeps['papers'] & { newestDay?(): Promise<string | null> };
  suppression: Pick<SuppressionList, 'has'>;
  /** Only its sent-papers ledger is read: papers already sent to this subscriber stay excluded. */
  ledger: Pick<DeliveryLedger, 'sentPaperIds' | 'readRecord'>;
  templates: Templates;
  /** Each reader's personal model (relevance/reader-store.ts, read-only); absent = rank without one. */
  readers?: { peekForSend(subscriberId: string): Promise<{ model: ScoringModel | null; hint: SuggestionHint | null }> };
}

export async function composeDigest(deps: ComposeDeps, input: { subscriber: Subscriber; period: string; now: Date; log?: Logger }): Promise<Composed> {
  const settings: Settings = await deps.settings.get();
  const last = await deps.papers.lastSuccessfulScrape();
  const stale = !last || input.now.getTime() - last.getTime() > settings.freshnessHours * 3_600_000;
  let message: OutgoingMessage | null = null;
  const readers = deps.readers;
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
      ...(readers ? { readers: { loadForSend: (id: string) => readers.peekForSend(id) } } : {}),
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

/** Why an edition would carry no paper, for the operator: the window, what the store holds, the cause and the fix. */
export interface EmptyExplanation {
  firstDay: string;
  today: string;
  /** The newest listing day stored (any day), or null when the store is empty. */
  newestDay: string | null;
  /** Papers listed in the window, and how many of them this subscriber already got. */
  inWindow: number;
  alreadySent: number;
  cause: 'no-papers-stored' | 'no-papers-in-window' | 'all-already-sent' | 'min-upvotes' | 'interests';
  fix: string;
}

export async function explainEmpty(deps: ComposeDeps, input: { subscriber: Subscriber; period: string; now: Date }): Promise<EmptyExplanation> {
  const settings = await deps.settings.get();
  const sub = input.subscriber;
  const { firstDay, today, days } = editionWindow(sub, input.period, input.now, settings.lookbackDays);
  const [papers, sentIds, newestDay] = await Promise.all([deps.papers.listedSince(firstDay), deps.ledger.sentPaperIds(sub.id), deps.papers.newestDay?.() ?? null]);
  const sent = new Set(sentIds);
  const fresh = papers.filter((p) => !sent.has(p.id));
  const base = { firstDay, today, newestDay, inWindow: papers.length, alreadySent: papers.length - fresh.length };
  const pick = (s: Subscriber) => selectPapers({ subscriber: s, papers: fresh, sentIds: new Set(), now: input.now, lookbackDays: days, cap: settings.maxPapersCap }).length;
  if (!newestDay && papers.length === 0) return { ...base, cause: 'no-papers-stored', fix: 'no papers are stored at all: run `papers-digest scrape` (online), or `papers-digest scrape --from <saved listing>`; `papers-digest demo` shows a sample digest offline' };
  if (papers.length === 0) {
    return { ...base, cause: 'no-papers-in-window', fix: `no papers are stored for ${firstDay} … ${today} (lookbackDays=${settings.lookbackDays}); the newest stored listing is ${newestDay}: run \`papers-digest scrape\` for a fresh listing (or \`scrape --from <file> --date ${today}\`), or widen the window with \`papers-digest settings set lookbackDays=N\`` };
  }
  if (fresh.length === 0) return { ...base, cause: 'all-already-sent', fix: `all ${papers.length} papers of the window were already sent to this subscriber; the next scrape brings new ones` };
  if (sub.minUpvotes > 0 && pick({ ...sub, minUpvotes: 0 }) > 0) {
    const best = Math.max(...fresh.map((p) => p.upvotes));
    return { ...base, cause: 'min-upvotes', fix: `their minimum of ${sub.minUpvotes} upvotes filters out every match (the most upvoted paper in the window has ${best}): lower it with \`papers-digest subscribers update <id> --min-upvotes N\`` };
  }
  return { ...base, cause: 'interests', fix: 'none of the papers matches their topics and keywords (or an exclude keyword removes them): widen them with `papers-digest subscribers update <id> --topics … --include …`' };
}

/** The newest stored listing day's papers, dated `day`: what `send-test` samples when the window holds none. */
export async function latestStoredPapers(papers: { newestDay(): Promise<string | null>; getDay(day: string): Promise<Paper[]> }, day: string): Promise<{ from: string; papers: Paper[] } | null> {
  const newest = await papers.newestDay();
  if (!newest) return null;
  const list = await papers.getDay(newest);
  return list.length ? { from: newest, papers: list.map((p) => ({ ...p, listedOn: day })) } : null;
}
