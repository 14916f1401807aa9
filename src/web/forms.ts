// The subscribe and preferences forms, mapped onto the one preference validator (subscribers/preferences.ts).
// This module only turns what a browser posts into the validator's input — one string per field, lists split the
// way the page shows them, the frequency radios and weekday select into a frequency — and the validator's findings
// into messages keyed by the form's field ids. Every rule (zones, times, topics, keyword and name limits, numbers)
// is the validator's, shared with the CLI and the CSV import. Pure; nothing here touches the store.
import { PreferencesError, validatePreferences, type FieldIssue, type Preferences } from '../subscribers/preferences.js';
import { normalizeEmail } from '../subscribers/email.js';
import type { Weekday } from '../schedule/spec.js';

export type FormBody = Record<string, unknown>;
export type FieldErrors = Record<string, string>;

export const LIMITS = {
  field: 500, // one free-text field, before it is split (names: four times that)
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

export type ScheduleChoice = Pick<Preferences, 'topics' | 'timezone' | 'sendTime' | 'frequency'>;
export type PreferencesChoice = Preferences;
export type Parsed<T> = { ok: true; value: T } | { ok: false; errors: FieldErrors };

/** One string value of a field: first of a repeated field, '' when absent, null when not a string at all. */
export function field(body: FormBody, name: string): string | null {
  const v = body[name];
  if (v === undefined || v === null) return '';
  if (Array.isArray(v)) return typeof v[0] === 'string' ? v[0] : null;
  return typeof v === 'string' ? v : null;
}

/** Every value of a repeated field (checkboxes); null when one is not a string. */
function values(body: FormBody, name: string): string[] | null {
  const v = body[name];
  if (v === undefined || v === null || v === '') return [];
  const arr = Array.isArray(v) ? v : [v];
  return arr.every((x) => typeof x === 'string') ? (arr as string[]) : null;
}

/** A single bare address (subscribers/email.ts: no display name, no line breaks — header injection — no list). */
export function checkEmail(raw: string): { ok: true; email: string } | { ok: false; message: string } {
  if (raw.trim() === '') return { ok: false, message: 'Enter your email address.' };
  const r = normalizeEmail(raw);
  return r.ok ? r : { ok: false, message: `This email address ${r.message}.` };
}

/**
 * How a list of names is split: by semicolons when the text has any, else by commas (always by line breaks).
 * An organization may hold a comma ("Alibaba, Inc."): such lists are shown joined by "; " (views.ts joinList),
 * so saving the form as shown gives the same names back.
 */
export function listSeparator(raw: string): RegExp {
  return raw.includes(';') ? /[;\n]/ : /[,\n]/;
}

// Form field id → validator field, and back (the time input is "time"; everything else shares its name).
const FORM_FIELD: Record<string, string> = { sendTime: 'time', pausedUntil: 'form', status: 'form', preferences: 'form' };

// Fields whose widget makes the validator's wording beside the point (a select, a time input, radios, checkboxes):
// what to do with the widget instead, naming what was refused where the validator quotes it.
const WIDGET_HINT: Record<string, (message: string) => string> = {
  timezone: () => 'Choose a time zone from the list (for example Europe/Paris).',
  sendTime: () => 'Enter a time like 07:30 (24-hour).',
  frequency: () => 'Choose daily or weekly.',
  topics: (message) => {
    const named = /“[^”]*”/.exec(message)?.[0];
    return named ? `${named} is not one of our topics; choose from the list.` : 'Choose topics from the list.';
  },
};

const LABELS: Record<string, string> = {
  includeKeywords: 'Included keywords',
  excludeKeywords: 'Excluded keywords',
  followAuthors: 'Authors',
  followOrgs: 'Organizations',
  minUpvotes: 'Minimum upvotes',
  maxPapers: 'Papers per digest',
  seedPapers: 'Papers like these',
  pausedUntil: 'The pause end',
};

/** The validator's findings as sentences beside the form's fields. */
export function formErrors(issues: readonly FieldIssue[]): FieldErrors {
  const errors: FieldErrors = {};
  for (const i of issues) {
    const id = FORM_FIELD[i.field] ?? i.field;
    if (errors[id]) continue;
    const hint = WIDGET_HINT[i.field]?.(i.message);
    const label = LABELS[i.field];
    const text = hint ?? (label ? `${label}: ${i.message}` : i.message.charAt(0).toUpperCase() + i.message.slice(1));
    errors[id] = /[.!?]$/.test(text) ? text : `${text}.`;
  }
  return errors;
}

/** Map the schedule fields (topics, zone, time, frequency) onto the validator's input; form-shape errors to `errors`. */
function scheduleInput(body: FormBody, errors: FieldErrors): Record<string, unknown> {
  const input: Record<string, unknown> = {};
  const topics = values(body, 'topics');
  if (topics === null) errors.topics = WIDGET_HINT.topics!('');
  else input.topics = topics;
  const zone = field(body, 'timezone');
  if (zone === null) errors.timezone = WIDGET_HINT.timezone!('');
  else input.timezone = zone.trim();
  // A browser's time input may send seconds ("07:30:00"); the send time is minutes.
  const time = field(body, 'time');
  if (time === null) errors.time = WIDGET_HINT.sendTime!('');
  else input.sendTime = time.trim().replace(/^(\d{1,2}:\d{2}):[0-5]\d$/, '$1');
  const freq = field(body, 'frequency');
  if (freq === 'daily') input.frequency = { kind: 'daily' };
  else if (freq === 'weekly') {
    const wd = Number(field(body, 'weekday'));
    if (Number.isInteger(wd) && wd >= 1 && wd <= 7) input.frequency = { kind: 'weekly', weekday: wd };
    else errors.frequency = 'Choose the weekday for your weekly digest.';
  } else errors.frequency = WIDGET_HINT.frequency!('');
  return input;
}

/** Validate the mapped input; the validator's findings join the form-shape errors already found. */
function validate(input: Record<string, unknown>, errors: FieldErrors, maxPapersCap?: number): Preferences | null {
  try {
    const prefs = validatePreferences(input, maxPapersCap === undefined ? {} : { maxPapersCap });
    return Object.keys(errors).length ? null : prefs;
  } catch (err) {
    if (!(err instanceof PreferencesError)) throw err;
    for (const [id, message] of Object.entries(formErrors(err.issues))) errors[id] ??= message;
    return null;
  }
}

export function parseSubscribeForm(body: FormBody): Parsed<ScheduleChoice & { email: string }> {
  const errors: FieldErrors = {};
  const emailRaw = field(body, 'email');
  let email: string | null = null;
  if (emailRaw === null) errors.email = 'Enter a single email address.';
  else {
    const checked = checkEmail(emailRaw);
    if (checked.ok) email = checked.email;
    else errors.email = checked.message;
  }
  const prefs = validate(scheduleInput(body, errors), errors);
  if (!prefs || !email) return { ok: false, errors };
  return { ok: true, value: { email, topics: prefs.topics, timezone: prefs.timezone, sendTime: prefs.sendTime, frequency: prefs.frequency } };
}

export function parsePreferencesForm(body: FormBody, maxPapersCap: number): Parsed<PreferencesChoice> {
  const errors: FieldErrors = {};
  const input = scheduleInput(body, errors);
  const text = (name: string, max: number) => {
    const raw = field(body, name);
    if (raw === null || raw.length > max) {
      errors[name] = `Keep this under ${max} characters.`;
      return null;
    }
    return raw;
  };
  for (const name of ['includeKeywords', 'excludeKeywords'] as const) {
    const raw = text(name, LIMITS.field);
    if (raw !== null) input[name] = raw; // split by the validator: commas, semicolons, line breaks
  }
  for (const name of ['followAuthors', 'followOrgs'] as const) {
    const raw = text(name, LIMITS.field * 4);
    // Names keep their commas when the list uses semicolons (listSeparator); the validator gets the names.
    if (raw !== null) input[name] = raw.split(listSeparator(raw)).map((n) => n.trim()).filter(Boolean);
  }
  // "Papers like these": arXiv ids or links, one per line or comma-separated; parsed by the validator. Only when the
  // form has the field (older forms and the subscribe form do not).
  if (body.seedPapers !== undefined) {
    const raw = text('seedPapers', LIMITS.field * 4);
    if (raw !== null) input.seedPapers = raw;
  }
  for (const name of ['minUpvotes', 'maxPapers'] as const) {
    const raw = text(name, 12);
    if (raw !== null) input[name] = raw.trim();
  }
  const prefs = validate(input, errors, maxPapersCap);
  return prefs ? { ok: true, value: prefs } : { ok: false, errors };
}

/** Weeks to pause, from the fixed menu only. */
export function parsePauseWeeks(body: FormBody): number | null {
  const n = Number(field(body, 'weeks'));
  return (LIMITS.pauseWeeks as readonly number[]).includes(n) ? n : null;
}
