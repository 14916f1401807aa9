// The settings form: field metadata (labels, help, input kind) and the pure parse/validate step that turns a
// posted form into either a patch or per-field errors. Same schema as the CLI (src/settings/schema.ts); a form
// with any error saves nothing and is shown again with what was typed and the reason beside each field.
import { coerceSettingValue, DEFAULT_SETTINGS, settingsSchema, SETTING_KEYS, SettingsError, type SettingKey, type Settings } from '../../settings/schema.js';

export interface FieldMeta {
  key: SettingKey;
  label: string;
  help: string;
  kind: 'text' | 'number' | 'select';
  options?: { value: string; label: string }[];
  step?: string;
}

const onOff = (on: string, off: string) => [
  { value: 'false', label: off },
  { value: 'true', label: on },
];

export const FIELD_GROUPS: { title: string; fields: FieldMeta[] }[] = [
  {
    title: 'Scraping',
    fields: [
      { key: 'scrapePattern', label: 'Scrape schedule (cron)', help: '5 or 6 fields, e.g. */30 * * * * — evaluated in the scrape time zone', kind: 'text' },
      { key: 'scrapeTimezone', label: 'Scrape time zone', help: 'IANA zone, e.g. UTC or Europe/Paris', kind: 'text' },
      { key: 'scrapeDaysBack', label: 'Days scraped per run', help: '0 = today only, 1 = today and yesterday, … (0–7)', kind: 'number' },
      { key: 'freshnessHours', label: 'Freshness bound (hours)', help: 'a scrape older than this is stale: sends wait and an alert is raised', kind: 'number', step: '0.5' },
      { key: 'staleWaitMinutes', label: 'Stale wait (minutes)', help: 'how long a send waits for a fresh scrape past its due time', kind: 'number' },
      { key: 'stalePolicy', label: 'When still stale', help: 'after the wait: send with what we have, or skip the edition', kind: 'select', options: [{ value: 'send', label: 'send anyway' }, { value: 'skip', label: 'skip the edition' }] },
      { key: 'scrapingPaused', label: 'Scraping', help: 'pause the scheduled scrapes', kind: 'select', options: onOff('paused', 'running') },
    ],
  },
  {
    title: 'Schedule & content',
    fields: [
      { key: 'tickEverySeconds', label: 'Tick interval (seconds)', help: 'how often due digests are fanned out (10–3600)', kind: 'number' },
      { key: 'defaultSendTime', label: 'Default send time', help: 'HH:MM local, for new subscribers', kind: 'text' },
      { key: 'defaultTimezone', label: 'Default time zone', help: 'for new subscribers whose zone is unknown', kind: 'text' },
      { key: 'lookbackDays', label: 'Lookback (days)', help: 'papers listed within this many days are candidates (1–14)', kind: 'number' },
      { key: 'maxPapersCap', label: 'Max papers per digest', help: 'fleet-wide cap on top of each subscriber’s choice (1–25)', kind: 'number' },
      { key: 'quietDayPolicy', label: 'Quiet days', help: 'no matching papers: send nothing, or a short note', kind: 'select', options: [{ value: 'skip', label: 'send nothing' }, { value: 'note', label: 'send a short note' }] },
      { key: 'editionDeadlineMinutes', label: 'Edition deadline (minutes)', help: 'an edition not delivered this long after it fell due raises edition.late', kind: 'number' },
    ],
  },
  {
    title: 'Sending',
    fields: [
      { key: 'sendRatePerSecond', label: 'Send rate (per second)', help: 'fleet-wide, shared by every worker process', kind: 'number' },
      { key: 'sendConcurrency', label: 'Send concurrency', help: 'parallel sends, fleet-wide (each process takes at most this many)', kind: 'number' },
      { key: 'suppressAfterBounces', label: 'Suppress after bounces', help: 'hard bounces before an address is suppressed', kind: 'number' },
      { key: 'sendingPaused', label: 'Sending', help: 'pause sending digests (send jobs wait; nothing is lost)', kind: 'select', options: onOff('paused', 'running') },
    ],
  },
  {
    title: 'Monitoring',
    fields: [
      { key: 'metricsAuth', label: '/metrics access', help: 'open (private network) or the admin token as bearer', kind: 'select', options: [{ value: 'open', label: 'open' }, { value: 'token', label: 'admin token required' }] },
    ],
  },
];

/** Keys present in the schema but not (yet) in a group still get a plain text field, so nothing is hidden. */
export function allFieldGroups(): { title: string; fields: FieldMeta[] }[] {
  const listed = new Set(FIELD_GROUPS.flatMap((g) => g.fields.map((f) => f.key)));
  const rest = SETTING_KEYS.filter((k) => !listed.has(k)).map((key): FieldMeta => ({ key, label: key, help: '', kind: 'text' }));
  return rest.length ? [...FIELD_GROUPS, { title: 'Other', fields: rest }] : FIELD_GROUPS;
}

export type FormResult = { ok: true; patch: Partial<Settings> } | { ok: false; errors: Record<string, string>; general: string[] };

/** Pure: the posted strings and the current settings → a validated patch, or an error per field. */
export function parseSettingsForm(body: Record<string, unknown>, current: Settings): FormResult {
  const errors: Record<string, string> = {};
  const general: string[] = [];
  const patch: Record<string, unknown> = {};
  for (const key of SETTING_KEYS) {
    const raw = body[key];
    if (raw === undefined) continue; // a field the form did not post keeps its value
    if (typeof raw !== 'string') {
      errors[key] = 'must be a single value';
      continue;
    }
    try {
      const value = coerceSettingValue(key, raw.trim());
      const want = typeof DEFAULT_SETTINGS[key];
      if (want === 'number' && typeof value !== 'number') errors[key] = `must be a number (got "${raw}")`;
      else if (want === 'boolean' && typeof value !== 'boolean') errors[key] = 'must be on or off';
      else patch[key] = value;
    } catch (err) {
      errors[key] = err instanceof SettingsError ? err.problems.join('; ') : (err as Error).message;
    }
  }
  const unknown = Object.keys(body).filter((k) => k !== '_csrf' && !(SETTING_KEYS as string[]).includes(k));
  if (unknown.length) general.push(`unknown setting(s): ${unknown.join(', ')}`);
  const parsed = settingsSchema.safeParse({ ...current, ...patch });
  if (!parsed.success) {
    for (const issue of parsed.error.issues) {
      const key = String(issue.path[0] ?? '');
      if (key && !errors[key]) errors[key] = issue.message.replace(/^Invalid input: /, '');
      else if (!key) general.push(issue.message);
    }
  }
  if (Object.keys(errors).length || general.length) return { ok: false, errors, general };
  return { ok: true, patch: patch as Partial<Settings> };
}
