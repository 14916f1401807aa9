// The subscriber CSV format (DESIGN.md): header `email,timezone,send_time,frequency,topics,include_keywords,
// exclude_keywords`, then (added later, so files with only the original seven still import) `follow_authors,
// follow_orgs,min_upvotes,max_papers,seed_papers,status,paused_until`. send_time is local HH:MM; frequency is daily
// or weekly:<mon..sun>; list fields are `;`-separated; paused_until is YYYY-MM-DD. Columns may come in any order;
// only email is required (empty cells take the defaults). status and paused_until are not preferences: they come
// back from a row as `state`, and the import decides what they may do (csv-import.ts: consent rules).
import { fromSpreadsheetSafe, spreadsheetSafe } from './csv.js';
import { formatFrequency, formatSendTime } from './preferences.js';
import type { NewSubscriberInput } from './store.js';
import type { Subscriber, SubscriberStatus } from './subscriber.js';

export const CSV_COLUMNS = [
  'email', 'timezone', 'send_time', 'frequency', 'topics', 'include_keywords', 'exclude_keywords',
  'follow_authors', 'follow_orgs', 'min_upvotes', 'max_papers', 'seed_papers', 'status', 'paused_until',
] as const;
export type CsvColumn = (typeof CSV_COLUMNS)[number];
/** The columns of the first format: what an import asks for at least. */
export const ORIGINAL_COLUMNS = CSV_COLUMNS.slice(0, 7);

type PreferenceColumn = Exclude<CsvColumn, 'status' | 'paused_until'>;
const FIELD_OF: Record<PreferenceColumn, string> = {
  email: 'email',
  timezone: 'timezone',
  send_time: 'sendTime',
  frequency: 'frequency',
  topics: 'topics',
  include_keywords: 'includeKeywords',
  exclude_keywords: 'excludeKeywords',
  follow_authors: 'followAuthors',
  follow_orgs: 'followOrgs',
  min_upvotes: 'minUpvotes',
  max_papers: 'maxPapers',
  seed_papers: 'seedPapers',
};
const LIST_COLUMNS = new Set<CsvColumn>(['topics', 'include_keywords', 'exclude_keywords', 'follow_authors', 'follow_orgs', 'seed_papers']);
const STATUS_WORDS: readonly SubscriberStatus[] = ['pending', 'active', 'paused', 'unsubscribed', 'bouncing'];
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

/** What a row says about the subscriber's state (not preferences): only the cells the row fills. */
export interface RowState {
  status?: SubscriberStatus;
  pausedUntil?: string;
}

export type RowResult = { ok: true; input: NewSubscriberInput; state?: RowState } | { ok: false; message: string };

function realDay(v: string): boolean {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(v)) return false;
  const d = new Date(`${v}T00:00:00Z`);
  return !Number.isNaN(d.getTime()) && d.toISOString().slice(0, 10) === v;
}

/** One data row → the input create()/update() take (strings; validation happens there), and its state cells. */
export function rowToInput(columns: CsvColumn[], fields: string[]): RowResult {
  if (fields.length !== columns.length) return { ok: false, message: `has ${fields.length} fields, the header has ${columns.length}` };
  const input: NewSubscriberInput = { email: '' };
  const state: RowState = {};
  for (const [i, col] of columns.entries()) {
    const v = fromSpreadsheetSafe(fields[i]!.trim());
    if (v === '') continue; // default
    if (col === 'status') {
      const word = v.toLowerCase() as SubscriberStatus;
      if (!STATUS_WORDS.includes(word)) return { ok: false, message: `status: "${v}" is not one of ${STATUS_WORDS.join(', ')}` };
      state.status = word;
    } else if (col === 'paused_until') {
      if (!realDay(v)) return { ok: false, message: `paused_until: "${v}" is not a real day as YYYY-MM-DD` };
      state.pausedUntil = v;
    } else {
      input[FIELD_OF[col]] = LIST_COLUMNS.has(col) ? v.split(';').map((s) => s.trim()).filter(Boolean) : v;
    }
  }
  if (state.status === 'paused' && !state.pausedUntil) return { ok: false, message: 'status is paused but paused_until is empty (the day the pause ends, YYYY-MM-DD)' };
  return Object.keys(state).length ? { ok: true, input, state } : { ok: true, input };
}

/** The preference fields of an input, for updating an existing subscriber from a row (email excluded). */
export function rowPreferences(input: NewSubscriberInput): Record<string, unknown> {
  const { email: _email, status: _status, ...prefs } = input;
  return prefs;
}

export function subscriberToRow(s: Subscriber): string[] {
  return [
    s.email, s.timezone, formatSendTime(s.sendTime), formatFrequency(s.frequency), s.topics.join(';'), s.includeKeywords.join(';'), s.excludeKeywords.join(';'),
    s.followAuthors.join(';'), s.followOrgs.join(';'), String(s.minUpvotes), String(s.maxPapers), (s.seedPapers ?? []).join(';'),
    s.status, s.status === 'paused' ? (s.pausedUntil ?? '') : '',
  ].map(spreadsheetSafe);
}

/** The CSV column for a preference field (to name the column in error messages). */
export function columnFor(field: string): string {
  return COLUMN_OF[field] ?? field;
}
