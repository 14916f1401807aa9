// The subscriber CSV format (DESIGN.md): header `email,timezone,send_time,frequency,topics,include_keywords,
// exclude_keywords`; send_time is local HH:MM; frequency is daily or weekly:<mon..sun>; list fields are
// `;`-separated. Columns may come in any order; only email is required (empty cells take the defaults).
import { fromSpreadsheetSafe, spreadsheetSafe } from './csv.js';
import { formatFrequency, formatSendTime } from './preferences.js';
import type { NewSubscriberInput } from './store.js';
import type { Subscriber } from './subscriber.js';

export const CSV_COLUMNS = ['email', 'timezone', 'send_time', 'frequency', 'topics', 'include_keywords', 'exclude_keywords'] as const;
export type CsvColumn = (typeof CSV_COLUMNS)[number];

const FIELD_OF: Record<CsvColumn, string> = {
  email: 'email',
  timezone: 'timezone',
  send_time: 'sendTime',
  frequency: 'frequency',
  topics: 'topics',
  include_keywords: 'includeKeywords',
  exclude_keywords: 'excludeKeywords',
};
const LIST_COLUMNS = new Set<CsvColumn>(['topics', 'include_keywords', 'exclude_keywords']);
const COLUMN_OF: Record<string, CsvColumn> = Object.fromEntries(Object.entries(FIELD_OF).map(([c, f]) => [f, c as CsvColumn]));

export type Header = { ok: true; columns: CsvColumn[] } | { ok: false; message: string };

export function parseHeader(fields: string[]): Header {
  const columns = fields.map((f) => f.trim().toLowerCase());
  const unknown = columns.filter((c) => !(CSV_COLUMNS as readonly string[]).includes(c));
  if (unknown.length) return { ok: false, message: `unknown column${unknown.length > 1 ? 's' : ''} ${unknown.map((u) => `"${u}"`).join(', ')}; expected ${CSV_COLUMNS.join(',')}` };
  const dup = columns.find((c, i) => columns.indexOf(c) !== i);
  if (dup) return { ok: false, message: `column "${dup}" appears twice` };
  if (!columns.includes('email')) return { ok: false, message: 'the header has no email column' };
  return { ok: true, columns: columns as CsvColumn[] };
}

export type RowResult = { ok: true; input: NewSubscriberInput } | { ok: false; message: string };

/** One data row → the input create()/update() take (strings; validation happens there). */
export function rowToInput(columns: CsvColumn[], fields: string[]): RowResult {
  if (fields.length !== columns.length) return { ok: false, message: `has ${fields.length} fields, the header has ${columns.length}` };
  const input: NewSubscriberInput = { email: '' };
  columns.forEach((col, i) => {
    const v = fromSpreadsheetSafe(fields[i]!.trim());
    if (v === '') return; // default
    input[FIELD_OF[col]] = LIST_COLUMNS.has(col) ? v.split(';').map((s) => s.trim()).filter(Boolean) : v;
  });
  return { ok: true, input };
}

/** The preference fields of an input, for updating an existing subscriber from a row (email excluded). */
export function rowPreferences(input: NewSubscriberInput): Record<string, unknown> {
  const { email: _email, status: _status, ...prefs } = input;
  return prefs;
}

export function subscriberToRow(s: Subscriber): string[] {
  return [s.email, s.timezone, formatSendTime(s.sendTime), formatFrequency(s.frequency), s.topics.join(';'), s.includeKeywords.join(';'), s.excludeKeywords.join(';')].map(
    spreadsheetSafe,
  );
}

/** The CSV column for a preference field (to name the column in error messages). */
export function columnFor(field: string): string {
  return COLUMN_OF[field] ?? field;
}
