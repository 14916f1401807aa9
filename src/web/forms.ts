// Parsing and validating the subscribe and preferences forms (pure). A form body arrives as strings (or arrays
// of strings for repeated fields such as topics); anything else, anything oversized and anything unknown is an
// error with a message a person can act on, keyed by the field's id so the page can point at it. Nothing here
// touches the store: an invalid form is refused whole before any write.
import { normalizeEmail } from '../subscribers/email.js';
import { canonicalZone, LIMITS as PREF_LIMITS } from '../subscribers/preferences.js';
import type { Frequency, SendTime, Weekday } from '../schedule/spec.js';

export type FormBody = Record<string, unknown>;
export type FieldErrors = Record<string, string>;

export const LIMITS = {
  email: 254,
  field: 500, // any other single text field
  keywords: PREF_LIMITS.keywords,
  follows: PREF_LIMITS.follows,
  nameLength: PREF_LIMITS.nameLength,
  keywordLength: PREF_LIMITS.keywordLength,
  maxPapersCap: PREF_LIMITS.maxPapers,
  minUpvotes: PREF_LIMITS.minUpvotes,
  pauseWeeks: [1, 2, 4, 8, 12] as const,
};

export const WEEKDAYS: { value: Weekday; label: string }[] = [
  { value: 1, label: 'Monday' },
  { value: 2, label: 'Tuesday' },
  { value: 3, label: 'Wednesday' },
  { value: 4, label: 'Thursday' },
  { value: 5, label: 'Friday' },
  { value: 6, label: 'Saturday' },
  { value: 7, label: 'Sunday' },
];

export interface ScheduleChoice {
  topics: string[];
  timezone: string;
  sendTime: SendTime;
  frequency: Frequency;
}

export interface PreferencesChoice extends ScheduleChoice {
  includeKeywords: string[];
  excludeKeywords: string[];
  followAuthors: string[];
  followOrgs: string[];
  minUpvotes: number;
  maxPapers: number;
}

export type Parsed<T> = { ok: true; value: T } | { ok: false; errors: FieldErrors };

/** One string value of a field: first of a repeated field, '' when absent, null when not a string at all. */
export function field(body: FormBody, name: string): string | null {
  const v = body[name];
  if (v === undefined || v === null) return '';
  if (Array.isArray(v)) return typeof v[0] === 'string' ? v[0] : null;
  return typeof v === 'string' ? v : null;
}

function list(body: FormBody, name: string): string[] | null {
  const v = body[name];
  if (v === undefined || v === null || v === '') return [];
  const arr = Array.isArray(v) ? v : [v];
  return arr.every((x) => typeof x === 'string') ? (arr as string[]) : null;
}

const clip = (s: string, n = 40) => (s.length > n ? `${s.slice(0, n)}…` : s);

/**
 * A single bare address (H2's normalizeEmail: no display name, no CR/LF or control characters — header
 * injection — no list). Messages are phrased for the form.
 */
export function checkEmail(raw: string): { ok: true; email: string } | { ok: false; message: string } {
  if (raw.trim() === '') return { ok: false, message: 'Enter your email address.' };
  const r = normalizeEmail(raw);
  return r.ok ? r : { ok: false, message: `This email address ${r.message}.` };
}

/** The canonical IANA name (US/Eastern → America/New_York), or null when it is not a zone. */
export function canonicalZoneName(name: string): string | null {
  return canonicalZone(name);
}

/**
 * How a list of names is split: by semicolons when the text has any, else by commas (always by line breaks).
 * An organization may hold a comma ("Alibaba, Inc."): such lists are shown joined by "; " (views.ts joinList),
 * so saving the form as shown gives the same names back. (Keywords always split at commas too.)
 */
export function listSeparator(raw: string): RegExp {
  return raw.includes(';') ? /[;\n]/ : /[,\n]/;
}

function parseKeywords(raw: string): string[] | string {
  const parts = raw
    .split(/[,;\n]/)
    .map((p) => p.replace(/\s+/g, ' ').trim())
    .filter(Boolean);
  if (parts.length > LIMITS.keywords) return `At most ${LIMITS.keywords} keywords.`;
  const long = parts.find((p) => p.length > LIMITS.keywordLength);
  if (long) return `"${clip(long)}" is too long (at most ${LIMITS.keywordLength} characters per keyword).`;
  if (parts.some((p) => /[\p{Cc}<>]/u.test(p))) return 'Keywords cannot contain control characters or < >.';
  // Case as typed (matching ignores case anyway): lowercasing here made the first save of a subscriber whose
  // keywords came from the CLI or a CSV report a change nobody made ("für Sprachmodelle → für sprachmodelle").
  const seen = new Set<string>();
  return parts.filter((p) => {
    const key = p.toLowerCase();
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

/** Author or organization names: comma/semicolon/line separated, case kept (the store matches loosely). */
function parseNames(raw: string, what: string): string[] | string {
  const parts = raw
    .split(listSeparator(raw))
    .map((p) => p.replace(/\s+/g, ' ').trim())
    .filter(Boolean);
  if (parts.length > LIMITS.follows) return `At most ${LIMITS.follows} ${what}s.`;
  const long = parts.find((p) => p.length > LIMITS.nameLength);
  if (long) return `"${clip(long)}" is too long (at most ${LIMITS.nameLength} characters).`;
  if (parts.some((p) => /[\p{Cc}<>]/u.test(p))) return 'Names cannot contain control characters or < >.';
  return [...new Map(parts.map((p) => [p.toLowerCase(), p])).values()];
}

function parseInteger(raw: string, min: number, max: number, label: string): number | string {
  const s = raw.trim();
  if (!/^\d{1,7}$/.test(s)) return `${label} must be a whole number from ${min} to ${max}.`;
  const n = Number(s);
  return n < min || n > max ? `${label} must be from ${min} to ${max}.` : n;
}

export function parseSchedule(body: FormBody, topicIds: readonly string[], errors: FieldErrors): ScheduleChoice | null {
  const topics = list(body, 'topics');
  let topicsOut: string[] = [];
  if (topics === null || topics.length > topicIds.length) errors.topics = 'Choose topics from the list.';
  else {
    const unknown = topics.find((t) => !topicIds.includes(t));
    if (unknown !== undefined) errors.topics = `"${clip(unknown)}" is not one of our topics; choose from the list.`;
    else topicsOut = [...new Set(topics)];
  }

  const zoneRaw = field(body, 'timezone');
  const timezone = zoneRaw === null ? null : canonicalZoneName(zoneRaw.trim());
  if (!timezone) errors.timezone = 'Choose a time zone from the list (for example Europe/Paris).';

  const timeRaw = field(body, 'time') ?? '';
  const tm = /^([01]\d|2[0-3]):([0-5]\d)(?::[0-5]\d)?$/.exec(timeRaw.trim());
  if (!tm) errors.time = 'Enter a time like 07:30 (24-hour).';

  const freq = field(body, 'frequency');
  let frequency: Frequency | null = null;
  if (freq === 'daily') frequency = { kind: 'daily' };
  else if (freq === 'weekly') {
    const wd = Number(field(body, 'weekday'));
    if (Number.isInteger(wd) && wd >= 1 && wd <= 7) frequency = { kind: 'weekly', weekday: wd as Weekday };
    else errors.frequency = 'Choose the weekday for your weekly digest.';
  } else errors.frequency = 'Choose daily or weekly.';

  if (!timezone || !tm || !frequency || errors.topics) return null;
  return { topics: topicsOut, timezone, sendTime: { hour: Number(tm[1]), minute: Number(tm[2]) }, frequency };
}

export function parseSubscribeForm(body: FormBody, topicIds: readonly string[]): Parsed<ScheduleChoice & { email: string }> {
  const errors: FieldErrors = {};
  const emailRaw = field(body, 'email');
  let email: string | null = null;
  if (emailRaw === null) errors.email = 'Enter a single email address.';
  else {
    const checked = checkEmail(emailRaw);
    if (checked.ok) email = checked.email;
    else errors.email = checked.message;
  }
  const schedule = parseSchedule(body, topicIds, errors);
  if (!schedule || !email || Object.keys(errors).length) return { ok: false, errors };
  return { ok: true, value: { ...schedule, email } };
}

export function parsePreferencesForm(body: FormBody, topicIds: readonly string[], maxPapersCap: number): Parsed<PreferencesChoice> {
  const errors: FieldErrors = {};
  const schedule = parseSchedule(body, topicIds, errors);
  const kw = (name: 'includeKeywords' | 'excludeKeywords') => {
    const raw = field(body, name);
    if (raw === null || raw.length > LIMITS.field) {
      errors[name] = `Keep this under ${LIMITS.field} characters.`;
      return [];
    }
    const out = parseKeywords(raw);
    if (typeof out === 'string') {
      errors[name] = out;
      return [];
    }
    return out;
  };
  const includeKeywords = kw('includeKeywords');
  const excludeKeywords = kw('excludeKeywords');
  const names = (name: 'followAuthors' | 'followOrgs', what: string) => {
    const raw = field(body, name);
    if (raw === null || raw.length > LIMITS.field * 4) {
      errors[name] = `Keep this under ${LIMITS.field * 4} characters.`;
      return [];
    }
    const out = parseNames(raw, what);
    if (typeof out === 'string') {
      errors[name] = out;
      return [];
    }
    return out;
  };
  const followAuthors = names('followAuthors', 'author');
  const followOrgs = names('followOrgs', 'organization');
  const num = (name: 'minUpvotes' | 'maxPapers', min: number, max: number, label: string) => {
    const out = parseInteger(field(body, name) ?? '', min, max, label);
    if (typeof out === 'string') {
      errors[name] = out;
      return min;
    }
    return out;
  };
  const minUpvotes = num('minUpvotes', 0, LIMITS.minUpvotes, 'Minimum upvotes');
  const maxPapers = num('maxPapers', 1, maxPapersCap, 'Papers per digest');
  if (!schedule || Object.keys(errors).length) return { ok: false, errors };
  return { ok: true, value: { ...schedule, includeKeywords, excludeKeywords, followAuthors, followOrgs, minUpvotes, maxPapers } };
}

/** Weeks to pause, from the fixed menu only. */
export function parsePauseWeeks(body: FormBody): number | null {
  const n = Number(field(body, 'weeks'));
  return (LIMITS.pauseWeeks as readonly number[]).includes(n) ? n : null;
}
