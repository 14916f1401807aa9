// Operator settings: every tunable value under one zod schema, stored in Redis as one JSON document, defaults
// from code. A change is validated whole (a bad cron pattern or zone is refused with the reason and changes
// nothing), appended to an audit log, and announced on a pub/sub channel so every process re-applies it live.
import { CronExpressionParser } from 'cron-parser';
import { IANAZone } from 'luxon';
import { z } from 'zod';

const hhmm = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'must be HH:MM (24-hour)');

export const cronPattern = z.string().superRefine((v, ctx) => {
  if (v.trim().split(/\s+/).length < 5) {
    ctx.addIssue({ code: 'custom', message: 'must be a cron pattern with 5 or 6 fields, e.g. "*/30 * * * *"' });
    return;
  }
  try {
    CronExpressionParser.parse(v, { tz: 'UTC' });
  } catch (err) {
    ctx.addIssue({ code: 'custom', message: `is not a valid cron pattern: ${(err as Error).message}` });
  }
});

export const ianaZone = z.string().refine((z) => IANAZone.isValidZone(z), { message: 'is not an IANA time zone (e.g. Europe/Paris)' });

export const settingsSchema = z
  .object({
    scrapePattern: cronPattern.default('*/30 * * * *'),
    scrapeTimezone: ianaZone.default('UTC'),
    /** Days scraped on each run: 0 = today only, 1 = today and the previous day, … */
    scrapeDaysBack: z.number().int().min(0).max(7).default(1),
    /** A listing with more papers than this for one day is refused as implausible (archived days hold 1–50). */
    scrapeMaxPapersPerDay: z.number().int().min(10).max(100_000).default(150),
    tickEverySeconds: z.number().int().min(10).max(3600).default(60),
    lookbackDays: z.number().int().min(1).max(14).default(3),
    /** A send waits while the last successful scrape is older than this. */
    freshnessHours: z.number().min(0.5).max(168).default(6),
    /** …for at most this long past its due instant; then stalePolicy decides. */
    staleWaitMinutes: z.number().int().min(0).max(24 * 60).default(120),
    stalePolicy: z.enum(['send', 'skip']).default('send'),
    quietDayPolicy: z.enum(['skip', 'note']).default('skip'),
    defaultSendTime: hhmm.default('08:00'),
    defaultTimezone: ianaZone.default('UTC'),
    sendRatePerSecond: z.number().int().min(1).max(10_000).default(20),
    sendConcurrency: z.number().int().min(1).max(256).default(8),
    suppressAfterBounces: z.number().int().min(1).max(20).default(2),
    maxPapersCap: z.number().int().min(1).max(25).default(25),
    editionDeadlineMinutes: z.number().int().min(5).max(24 * 60).default(60),
    sendingPaused: z.boolean().default(false),
    scrapingPaused: z.boolean().default(false),
    // Relevance (issue 9): how a digest is ranked after follows. Score = match × strength (title 1, HF AI summary .9,
    // HF keywords .75, abstract .15–.5; the reader's own keywords ×2 up to 1) + personal × the reader's model
    // (-1..1) + community × upvotes (0..1, log, with growth per day) + freshness × (1 today, ½ yesterday, …) + topic
    // history × how the reader liked papers with the same topic in the same field before (log-odds lift,
    // relevance/topic-history.ts). The personal term is scaled by how much the model has learned:
    // n / (n + learnedHalf) for n papers liked or disliked. discoverMin: the model score a paper outside the
    // reader's filters needs to be suggested as "like papers you liked".
    /** 'relevance' (the blend below) or 'upvotes' (the ranking before issue 9: a kill switch, and the eval's baseline). */
    relevanceRanking: z.enum(['relevance', 'upvotes']).default('relevance'),
    relevanceMatchWeight: z.number().min(0).max(10).default(1),
    relevancePersonalWeight: z.number().min(0).max(10).default(3),
    relevanceCommunityWeight: z.number().min(0).max(10).default(0.3),
    relevanceFreshnessWeight: z.number().min(0).max(10).default(0.2),
    relevanceDiscoverMin: z.number().min(-1).max(1).default(0.12),
    relevanceLearnedHalf: z.number().min(0).max(1000).default(10),
    /** Weight of how the reader liked papers with the same topic in the same field before (log-odds lift; issue 9). */
    relevanceTopicHistoryWeight: z.number().min(0).max(10).default(0.25),
    /** /metrics: 'open' (default; scraped from a private network, it holds counts, no addresses) or 'token' (admin token). */
    metricsAuth: z.enum(['open', 'token']).default('open'),
  })
  .strict();

export type Settings = z.infer<typeof settingsSchema>;
export type SettingKey = keyof Settings;
export const SETTING_KEYS = Object.keys(settingsSchema.shape) as SettingKey[];

export const DEFAULT_SETTINGS: Settings = settingsSchema.parse({});

export class SettingsError extends Error {
  constructor(readonly problems: string[]) {
    super(`Settings refused:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'SettingsError';
  }
}

/** Validate a full candidate document; throws SettingsError naming each bad field. */
export function validateSettings(candidate: unknown): Settings {
  const parsed = settingsSchema.safeParse(candidate);
  if (!parsed.success) {
    throw new SettingsError(parsed.error.issues.map((i) => humanIssue(i, candidate)));
  }
  return parsed.data;
}

/** A validator's complaint in words an operator reads (zod's own say "Invalid input: expected boolean…"). */
function humanIssue(i: z.core.$ZodIssue, candidate: unknown): string {
  if (i.code === 'unrecognized_keys') return `unknown setting(s): ${i.keys.join(', ')}`;
  const key = i.path.join('.') || 'settings';
  const given = i.path.length && typeof candidate === 'object' && candidate !== null ? (candidate as Record<string, unknown>)[String(i.path[0])] : undefined;
  const got = given === undefined ? '' : ` (got ${JSON.stringify(given)})`;
  switch (i.code) {
    case 'invalid_type':
      if (i.expected === 'boolean') return `${key} must be true or false${got}`;
      if (i.expected === 'int') return `${key} must be a whole number${got}`;
      if (i.expected === 'number') return `${key} must be a number${got}`;
      return `${key} must be a ${i.expected}${got}`;
    case 'too_small':
      return `${key} must be at least ${String(i.minimum)}${got}`;
    case 'too_big':
      return `${key} must be at most ${String(i.maximum)}${got}`;
    case 'invalid_value':
      return `${key} must be one of ${i.values.map((v) => String(v)).join(', ')}${got}`;
    default:
      return `${key} ${i.message}${got}`;
  }
}

/** Turn a CLI/form string into the field's type: numbers, booleans (exactly `true` or `false`), or the string itself. */
export function coerceSettingValue(key: string, raw: string): unknown {
  const field = (settingsSchema.shape as Record<string, z.ZodType>)[key];
  if (!field) throw new SettingsError([`unknown setting: ${key} (known: ${SETTING_KEYS.join(', ')})`]);
  const def = (DEFAULT_SETTINGS as Record<string, unknown>)[key];
  if (typeof def === 'number') {
    const n = Number(raw);
    return raw.trim() === '' || Number.isNaN(n) ? raw : n;
  }
  if (typeof def === 'boolean') {
    // One clear set of words: `yes`, `on` or `1` used to be taken as true, `banana` got a validator's message.
    if (/^true$/i.test(raw.trim())) return true;
    if (/^false$/i.test(raw.trim())) return false;
    throw new SettingsError([`${key} must be true or false (got ${JSON.stringify(raw)})`]);
  }
  return raw;
}
