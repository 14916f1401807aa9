// Preferences: what a subscriber may change (web form, CLI, CSV import), validated with zod, field by field, with
// a message a person can act on. A change is validated whole against the current preferences: if any field is
// refused, nothing changes (callers write only what `applyPreferencesPatch` returns).
// Inputs are lenient in shape (strings from forms/CSV or typed values) and strict in content.
import { DateTime } from 'luxon';
import { z } from 'zod';
import type { Frequency, SendTime, Weekday } from '../schedule/spec.js';
import type { Subscriber } from './subscriber.js';
import { canonicalZone } from './timezone.js';
import { TOPIC_IDS } from '../papers/topics.js';
import { resolveTopic } from '../papers/topic-names.js';
import { phraseWords } from '../papers/phrase.js';

export { canonicalZone };

export type Preferences = Pick<
  Subscriber,
  'timezone' | 'sendTime' | 'frequency' | 'topics' | 'includeKeywords' | 'excludeKeywords' | 'followAuthors' | 'followOrgs' | 'minUpvotes' | 'maxPapers' | 'seedPapers'
>;

export const PREFERENCE_FIELDS = [
  'timezone', 'sendTime', 'frequency', 'topics', 'includeKeywords', 'excludeKeywords', 'followAuthors', 'followOrgs', 'minUpvotes', 'maxPapers', 'seedPapers',
] as const satisfies readonly (keyof Preferences)[];

export const LIMITS = {
  keywords: 30, // per list (include, exclude)
  keywordLength: 60,
  follows: 50, // per list (authors, organizations)
  nameLength: 100,
  maxPapers: 25,
  minUpvotes: 10_000,
  pauseDays: 366,
  seedPapers: 20,
} as const;

export const DEFAULT_PREFERENCES: Preferences = {
  timezone: 'UTC',
  sendTime: { hour: 7, minute: 0 },
  frequency: { kind: 'daily' },
  topics: [],
  includeKeywords: [],
  excludeKeywords: [],
  followAuthors: [],
  followOrgs: [],
  minUpvotes: 0,
  maxPapers: 10,
  seedPapers: [],
};

export interface FieldIssue {
  field: string;
  message: string;
}

export class PreferencesError extends Error {
  constructor(readonly issues: FieldIssue[]) {
    super(issues.map((i) => `${i.field}: ${i.message}`).join('; '));
    this.name = 'PreferencesError';
  }
}

const WEEKDAYS = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as const;

export function formatSendTime(t: SendTime): string {
  return `${String(t.hour).padStart(2, '0')}:${String(t.minute).padStart(2, '0')}`;
}

export function parseSendTime(v: unknown): SendTime | null {
  if (typeof v === 'string') {
    const m = /^([01]?\d|2[0-3]):([0-5]\d)$/.exec(v.trim());
    return m ? { hour: Number(m[1]), minute: Number(m[2]) } : null;
  }
  if (v && typeof v === 'object') {
    const { hour, minute } = v as Record<string, unknown>;
    if (Number.isInteger(hour) && Number.isInteger(minute) && (hour as number) >= 0 && (hour as number) <= 23 && (minute as number) >= 0 && (minute as number) <= 59) {
      return { hour: hour as number, minute: minute as number };
    }
  }
  return null;
}

/** `daily` or `weekly:<mon..sun>` (the CSV and form spelling). */
export function formatFrequency(f: Frequency): string {
  return f.kind === 'daily' ? 'daily' : `weekly:${WEEKDAYS[f.weekday - 1]}`;
}

export function parseFrequency(v: unknown): Frequency | null {
  if (typeof v === 'string') {
    const s = v.trim().toLowerCase();
    if (s === 'daily') return { kind: 'daily' };
    const m = /^weekly:([a-z]{3,9})$/.exec(s);
    if (!m) return null;
    const i = WEEKDAYS.findIndex((d) => m[1]!.startsWith(d) && 'monday tuesday wednesday thursday friday saturday sunday'.includes(m[1]!));
    return i >= 0 ? { kind: 'weekly', weekday: (i + 1) as Weekday } : null;
  }
  if (v && typeof v === 'object') {
    const o = v as Record<string, unknown>;
    if (o.kind === 'daily') return { kind: 'daily' };
    if (o.kind === 'weekly' && Number.isInteger(o.weekday) && (o.weekday as number) >= 1 && (o.weekday as number) <= 7) {
      return { kind: 'weekly', weekday: o.weekday as Weekday };
    }
  }
  return null;
}

/**
 * The topic ids one written name stands for: an id, a label or another name of one topic (topic-names.ts), or
 * ids separated by spaces ("llm rl", the form older clients send); null when it names no topic.
 */
function topicIdsOf(name: string): string[] | null {
  const one = resolveTopic(name);
  if (one) return [one];
  const words = name.split(/\s+/).filter(Boolean);
  if (words.length < 2 || !words.every((w) => TOPIC_IDS.has(w.toLowerCase()))) return null;
  return words.map((w) => w.toLowerCase());
}

/**
 * Topics as given (an array, or one string separated by `;`, `,` or new lines): the catalog ids they name, in order
 * and once, and the names that name no topic; null when the value is not a list of strings.
 */
export function readTopics(v: unknown): { ids: string[]; unknown: string[] } | null {
  const list = asList(v, /[;,\n]+/);
  if (!list || list.some((t) => typeof t !== 'string')) return null;
  const ids: string[] = [];
  const unknown: string[] = [];
  for (const name of (list as string[]).map((t) => t.trim()).filter(Boolean)) {
    const found = topicIdsOf(name);
    if (!found) unknown.push(name);
    else for (const id of found) if (!ids.includes(id)) ids.push(id);
  }
  return { ids, unknown };
}

/** A list given as an array or as one string separated by `separators` (forms and CSV cells). */
function asList(v: unknown, separators: RegExp): unknown[] | null {
  if (v === undefined || v === null) return [];
  if (Array.isArray(v)) return v;
  if (typeof v === 'string') return v.split(separators).map((s) => s.trim()).filter(Boolean);
  return null;
}

function cleanText(s: string): string {
  return s.normalize('NFKC').replace(/\s+/g, ' ').trim();
}

// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f\u2028\u2029]/;

function textList(opts: { max: number; maxLength: number; separators: RegExp; what: string; minLength: number }) {
  return z.unknown().transform((v, ctx) => {
    const list = asList(v, opts.separators);
    if (!list) {
      ctx.addIssue({ code: 'custom', message: `must be a list of ${opts.what}s` });
      return z.NEVER;
    }
    const out: string[] = [];
    const seen = new Set<string>();
    for (const item of list) {
      if (typeof item !== 'string') {
        ctx.addIssue({ code: 'custom', message: `every ${opts.what} must be text` });
        return z.NEVER;
      }
      if (CONTROL.test(item)) {
        ctx.addIssue({ code: 'custom', message: `${opts.what} must not contain line breaks or control characters` });
        return z.NEVER;
      }
      const s = cleanText(item);
      if (!s) continue;
      if (/[<>]/.test(s)) {
        // Every page and email escapes these values; refusing markup outright keeps the CLI and CSV import to the
        // web form's rule, so a value set by an operator never makes the subscriber's own preferences form refuse.
        ctx.addIssue({ code: 'custom', message: `${opts.what} must not contain < or >` });
        return z.NEVER;
      }
      if (s.includes(';')) {
        // ';' separates list items in the CSV format: a value holding one could not be exported faithfully.
        ctx.addIssue({ code: 'custom', message: `${opts.what} must not contain “;”` });
        return z.NEVER;
      }
      if (s.length > opts.maxLength || s.length < opts.minLength || phraseWords(s).length === 0 || !/[\p{L}\p{N}]/u.test(s)) {
        ctx.addIssue({ code: 'custom', message: `“${s.slice(0, 40)}${s.length > 40 ? '…' : ''}” must be ${opts.minLength}–${opts.maxLength} characters with a letter or digit` });
        return z.NEVER;
      }
      const key = s.toLowerCase();
      if (seen.has(key)) continue;
      seen.add(key);
      out.push(s);
    }
    if (out.length > opts.max) {
      ctx.addIssue({ code: 'custom', message: `at most ${opts.max} ${opts.what}s (got ${out.length})` });
      return z.NEVER;
    }
    return out;
  });
}

const intIn = (min: number, max: number, what: string) =>
  z.unknown().transform((v, ctx) => {
    const n = typeof v === 'string' && v.trim() !== '' ? Number(v.trim()) : v;
    if (typeof n !== 'number' || !Number.isInteger(n) || n < min || n > max) {
      ctx.addIssue({ code: 'custom', message: `must be a whole number of ${what} from ${min} to ${max}` });
      return z.NEVER;
    }
    return n;
  });

// arXiv ids as pasted: `2509.01234`, `arXiv:2509.01234v2`, https://huggingface.co/papers/2509.01234,
// https://arxiv.org/abs/2509.01234v1, https://arxiv.org/pdf/2509.01234v1(.pdf). Old-style ids (hep-th/9901001)
// are not on Hugging Face Daily Papers, so they are refused with the reason.
const ARXIV_ID = /^(\d{4}\.\d{4,5})(?:v\d+)?$/;

/** The arXiv id a pasted seed refers to, or null. */
export function parsePaperRef(raw: string): string | null {
  const s = raw.trim().replace(/^<|>$/g, '');
  const bare = ARXIV_ID.exec(s.replace(/^arxiv:\s*/i, ''));
  if (bare) return bare[1]!;
  let url: URL;
  try {
    url = new URL(/^https?:\/\//i.test(s) ? s : `https://${s}`);
  } catch {
    return null;
  }
  const host = url.hostname.toLowerCase().replace(/^www\./, '');
  const parts = url.pathname.split('/').filter(Boolean);
  if (host === 'huggingface.co' && parts[0] === 'papers' && parts[1]) return ARXIV_ID.exec(parts[1])?.[1] ?? null;
  if ((host === 'arxiv.org' || host === 'export.arxiv.org') && (parts[0] === 'abs' || parts[0] === 'pdf' || parts[0] === 'html') && parts[1]) {
    return ARXIV_ID.exec(parts[1].replace(/\.pdf$/i, ''))?.[1] ?? null;
  }
  return null;
}

const seedList = z.unknown().transform((v, ctx) => {
  const list = asList(v, /[\s,;]+/);
  if (!list || list.some((x) => typeof x !== 'string')) {
    ctx.addIssue({ code: 'custom', message: 'must be a list of arXiv ids or huggingface.co/papers or arxiv.org links' });
    return z.NEVER;
  }
  const out: string[] = [];
  for (const item of (list as string[]).map((x) => x.trim()).filter(Boolean)) {
    const id = parsePaperRef(item);
    if (!id) {
      ctx.addIssue({ code: 'custom', message: `“${item.slice(0, 60)}” is not an arXiv id (like 2509.01234) or a huggingface.co/papers or arxiv.org link` });
      return z.NEVER;
    }
    if (!out.includes(id)) out.push(id);
  }
  if (out.length > LIMITS.seedPapers) {
    ctx.addIssue({ code: 'custom', message: `at most ${LIMITS.seedPapers} seed papers (got ${out.length})` });
    return z.NEVER;
  }
  return out;
});

const fieldSchemas = {
  timezone: z.unknown().transform((v, ctx) => {
    const zone = typeof v === 'string' ? canonicalZone(v) : null;
    if (!zone) {
      const shown = typeof v === 'string' ? `“${v.slice(0, 40)}” is not a known time zone; ` : '';
      ctx.addIssue({ code: 'custom', message: `${shown}use an IANA name such as Europe/Berlin or America/New_York` });
      return z.NEVER;
    }
    return zone;
  }),
  sendTime: z.unknown().transform((v, ctx) => {
    const t = parseSendTime(v);
    if (!t) {
      ctx.addIssue({ code: 'custom', message: 'must be a local time HH:MM from 00:00 to 23:59' });
      return z.NEVER;
    }
    return t;
  }),
  frequency: z.unknown().transform((v, ctx) => {
    const f = parseFrequency(v);
    if (!f) {
      ctx.addIssue({ code: 'custom', message: 'must be daily or weekly:<mon|tue|wed|thu|fri|sat|sun>' });
      return z.NEVER;
    }
    return f;
  }),
  topics: z.unknown().transform((v, ctx) => {
    const read = readTopics(v);
    if (!read) {
      ctx.addIssue({ code: 'custom', message: 'must be a list of topic ids' });
      return z.NEVER;
    }
    if (read.unknown.length) {
      const shown = read.unknown.slice(0, 5).map((u) => `“${u.slice(0, 30)}”`).join(', ');
      ctx.addIssue({ code: 'custom', message: `unknown topic${read.unknown.length > 1 ? 's' : ''} ${shown}; choose from ${[...TOPIC_IDS].join(', ')}` });
      return z.NEVER;
    }
    return read.ids;
  }),
  includeKeywords: textList({ max: LIMITS.keywords, maxLength: LIMITS.keywordLength, minLength: 2, separators: /[;,\n]/, what: 'keyword' }),
  excludeKeywords: textList({ max: LIMITS.keywords, maxLength: LIMITS.keywordLength, minLength: 2, separators: /[;,\n]/, what: 'keyword' }),
  followAuthors: textList({ max: LIMITS.follows, maxLength: LIMITS.nameLength, minLength: 2, separators: /[;\n]/, what: 'author name' }),
  followOrgs: textList({ max: LIMITS.follows, maxLength: LIMITS.nameLength, minLength: 2, separators: /[;\n]/, what: 'organization' }),
  minUpvotes: intIn(0, LIMITS.minUpvotes, 'upvotes'),
  maxPapers: intIn(1, LIMITS.maxPapers, 'papers'),
  seedPapers: seedList,
};

const preferencesSchema = z
  .object(fieldSchemas)
  .strict()
  .superRefine((p, ctx) => {
    const excluded = new Set((p.excludeKeywords as string[]).map((k) => k.toLowerCase()));
    const both = (p.includeKeywords as string[]).filter((k) => excluded.has(k.toLowerCase()));
    if (both.length) ctx.addIssue({ code: 'custom', path: ['excludeKeywords'], message: `“${both[0]}” is both included and excluded` });
  });

function issuesOf(error: z.ZodError): FieldIssue[] {
  return error.issues.map((i) => {
    if (i.code === 'unrecognized_keys') return { field: i.keys.join(', '), message: 'is not a preference that can be changed' };
    return { field: String(i.path[0] ?? 'preferences'), message: i.message };
  });
}

/**
 * Validate a complete set of preferences (missing fields take the defaults). Throws PreferencesError naming every
 * bad field. `maxPapersCap`: the operator's fleet-wide cap (settings.maxPapersCap), below LIMITS.maxPapers.
 * This is the one preference validator: the web forms, the CLI and the CSV import all map their fields onto it.
 */
export function validatePreferences(input: Record<string, unknown>, opts: { maxPapersCap?: number } = {}): Preferences {
  if (!input || typeof input !== 'object' || Array.isArray(input)) throw new PreferencesError([{ field: 'preferences', message: 'must be an object' }]);
  const defined = Object.fromEntries(Object.entries(input).filter(([, v]) => v !== undefined));
  const parsed = preferencesSchema.safeParse({ ...DEFAULT_PREFERENCES, ...defined });
  if (!parsed.success) throw new PreferencesError(issuesOf(parsed.error));
  const cap = opts.maxPapersCap;
  if (cap !== undefined && (parsed.data.maxPapers as number) > cap) {
    throw new PreferencesError([{ field: 'maxPapers', message: `must be a whole number of papers from 1 to ${cap}` }]);
  }
  return parsed.data as Preferences;
}

export interface PreferenceChange {
  field: keyof Preferences;
  from: unknown;
  to: unknown;
}

/** Apply a partial change to the current preferences. Validated whole; throws PreferencesError, changing nothing. */
export function applyPreferencesPatch(current: Preferences, patch: Record<string, unknown>): { preferences: Preferences; changes: PreferenceChange[] } {
  const base = Object.fromEntries(PREFERENCE_FIELDS.map((f) => [f, current[f] ?? DEFAULT_PREFERENCES[f]]));
  const next = validatePreferences({ ...base, ...patch });
  const changes = PREFERENCE_FIELDS.filter((f) => JSON.stringify(current[f] ?? DEFAULT_PREFERENCES[f]) !== JSON.stringify(next[f])).map((f) => ({ field: f, from: current[f], to: next[f] }));
  return { preferences: next, changes };
}

/** The preferences part of a subscriber. */
export function preferencesOf(sub: Preferences): Preferences {
  return Object.fromEntries(PREFERENCE_FIELDS.map((f) => [f, sub[f] ?? DEFAULT_PREFERENCES[f]])) as Preferences;
}

/**
 * Validate a pause end date (YYYY-MM-DD, subscriber's zone): after today there, at most LIMITS.pauseDays ahead.
 * Returns the date or throws PreferencesError.
 */
export function validatePauseUntil(until: unknown, timezone: string, now: Date): string {
  const bad = (message: string) => new PreferencesError([{ field: 'pausedUntil', message }]);
  if (typeof until !== 'string' || !/^\d{4}-\d{2}-\d{2}$/.test(until)) throw bad('must be a date YYYY-MM-DD');
  const day = DateTime.fromISO(until, { zone: timezone });
  if (!day.isValid) throw bad('must be a real calendar date');
  const today = DateTime.fromJSDate(now, { zone: timezone }).startOf('day');
  if (day <= today) throw bad('must be after today');
  if (day > today.plus({ days: LIMITS.pauseDays })) throw bad(`must be within ${LIMITS.pauseDays} days`);
  return until;
}
