// CSV import and export, streaming. Import validates every row (line numbers in every message), writes valid rows
// in pipelined batches and goes on past bad ones. Re-importing is idempotent: the email is the key, an existing
// subscriber is never duplicated — it is left as it is, or (with `update`) given the row's preferences. An
// existing subscriber's status is never loosened by an import except pending → active under `confirmed`:
// an unsubscribed or bouncing address stays so (consent and deliverability beat the operator's file).
//
// The status column (exports since it exists carry it) for a NEW subscriber: an import never makes anyone active
// without `confirmed`. unsubscribed and bouncing rows are created so (never mailed, no confirmation); pending
// stays pending (even under `confirmed`: the file says they never confirmed); active and paused need `confirmed`
// (then active, or paused until paused_until) and are otherwise pending and sent a confirmation. An empty status
// cell, or a file without the column, behaves as before: active under `confirmed`, else pending. For an EXISTING
// subscriber the status cell is ignored (the rules above about never loosening apply).
import { parseCsv } from './csv.js';
import { columnFor, parseHeader, rowPreferences, rowToInput, subscriberToRow, CSV_COLUMNS, ORIGINAL_COLUMNS, type RowState } from './csv-rows.js';
import { csvRecord } from './csv.js';
import { PreferencesError } from './preferences.js';
import type { SubscriberStore } from './store.js';
import type { Subscriber, SubscriberStatus } from './subscriber.js';

export class CsvHeaderError extends Error {
  constructor(message: string) {
    super(`line 1: ${message}`);
    this.name = 'CsvHeaderError';
  }
}

export interface ImportOptions {
  /** New subscribers become active at once (the operator vouches for consent); existing pending ones too. */
  confirmed: boolean;
  /** Give existing subscribers the row's preferences (default: leave them as they are). */
  update: boolean;
  batchSize?: number;
  /** Called for each new pending subscriber (not under `confirmed`); absent = they stay pending, counted. */
  sendConfirmation?: (s: Subscriber) => Promise<unknown>;
  /** After each batch: rows read so far. */
  onBatch?: (rowsRead: number) => void;
  /** Preferences a new subscriber gets when the row leaves them empty (the live defaultSendTime / defaultTimezone). */
  defaults?: { timezone?: string; sendTime?: string };
}

export interface LineProblem {
  line: number;
  message: string;
}

export interface ImportReport {
  rows: number;
  created: number;
  /** Existing subscribers whose preferences the row changed (only with `update`). */
  updated: number;
  /** Existing subscribers left as they were. */
  unchanged: number;
  /** Existing pending subscribers made active by `confirmed`. */
  confirmedExisting: number;
  duplicates: { line: number; firstLine: number }[];
  invalid: LineProblem[];
  confirmationsSent: number;
  confirmationsFailed: LineProblem[];
  /** New pending subscribers no confirmation was sent to (no sender given). */
  pendingUnsent: number;
}

function describe(err: unknown): string {
  if (err instanceof PreferencesError) return err.issues.map((i) => `${columnFor(i.field)}: ${i.message}`).join('; ');
  return (err as Error).message;
}

async function inChunks<T>(items: T[], size: number, fn: (item: T) => Promise<void>): Promise<void> {
  for (let i = 0; i < items.length; i += size) await Promise.all(items.slice(i, i + size).map(fn));
}

/** The status a new subscriber gets from a row (see the consent rules at the top). */
export function createdStatus(state: RowState | undefined, confirmed: boolean): SubscriberStatus {
  switch (state?.status) {
    case 'unsubscribed':
    case 'bouncing':
    case 'pending':
      return state.status;
    case 'paused':
      return confirmed ? 'paused' : 'pending';
    default:
      return confirmed ? 'active' : 'pending';
  }
}

function withState(sub: Subscriber, state: RowState | undefined, confirmed: boolean): Subscriber {
  const status = createdStatus(state, confirmed);
  if (status === 'paused') return { ...sub, status, pausedUntil: state?.pausedUntil ?? null };
  if (status === 'unsubscribed') return { ...sub, status, confirmedAt: null, unsubscribedAt: sub.createdAt };
  if (status === 'bouncing') return { ...sub, status, confirmedAt: null };
  return sub;
}

export async function importSubscribers(store: SubscriberStore, chunks: AsyncIterable<string | Buffer>, opts: ImportOptions): Promise<ImportReport> {
  const report: ImportReport = { rows: 0, created: 0, updated: 0, unchanged: 0, confirmedExisting: 0, duplicates: [], invalid: [], confirmationsSent: 0, confirmationsFailed: [], pendingUnsent: 0 };
  const batchSize = opts.batchSize ?? 500;
  const firstLineOf = new Map<string, number>(); // normalized email → line it first appeared on
  let columns: ReturnType<typeof parseHeader> | null = null;
  let batch: { line: number; sub: Subscriber; prefs: Record<string, unknown> }[] = [];

  const flush = async () => {
    if (batch.length === 0) return;
    const rows = batch;
    batch = [];
    const results = await store.createPrepared(rows.map((r) => r.sub));
    const fresh: { line: number; sub: Subscriber }[] = [];
    const existing: { line: number; id: string; prefs: Record<string, unknown> }[] = [];
    results.forEach((res, i) => {
      const row = rows[i]!;
      if (res.created) {
        report.created++;
        fresh.push(row);
      } else existing.push({ line: row.line, id: res.existingId, prefs: row.prefs });
    });
    // One pipelined read tells which existing rows need a write at all (a plain re-import needs none).
    const currentStatus = opts.confirmed ? (await store.getMany(existing.map((r) => r.id))).map((s) => s?.status) : [];
    await inChunks(existing.map((row, i) => ({ ...row, status: currentStatus[i] })), 16, async (row) => {
      try {
        let changed = false;
        if (opts.update) changed = (await store.update(row.id, row.prefs)).changed;
        if (opts.confirmed && row.status === 'pending') {
          const current = await store.get(row.id);
          if (current?.status === 'pending') {
            await store.confirm(row.id);
            report.confirmedExisting++;
          }
        }
        if (changed) report.updated++;
        else report.unchanged++;
      } catch (err) {
        report.invalid.push({ line: row.line, message: describe(err) });
      }
    });
    const freshPending = fresh.filter((row) => row.sub.status === 'pending');
    if (opts.confirmed) report.pendingUnsent += freshPending.length;
    else {
      if (!opts.sendConfirmation) report.pendingUnsent += freshPending.length;
      else {
        const send = opts.sendConfirmation;
        await inChunks(freshPending, 4, async (row) => {
          try {
            await send(row.sub);
            report.confirmationsSent++;
          } catch (err) {
            report.confirmationsFailed.push({ line: row.line, message: (err as Error).message });
          }
        });
      }
    }
    opts.onBatch?.(report.rows);
  };

  for await (const rec of parseCsv(chunks)) {
    if (!columns) {
      columns = parseHeader(rec.fields);
      if (!columns.ok || rec.error) throw new CsvHeaderError(rec.error ?? (columns.ok ? '' : columns.message));
      continue;
    }
    if (!columns.ok) break;
    report.rows++;
    if (rec.error) {
      report.invalid.push({ line: rec.line, message: rec.error });
      continue;
    }
    const row = rowToInput(columns.columns, rec.fields);
    if (!row.ok) {
      report.invalid.push({ line: rec.line, message: row.message });
      continue;
    }
    let sub: Subscriber;
    try {
      sub = withState(store.prepare({ ...opts.defaults, ...row.input, status: createdStatus(row.state, opts.confirmed) === 'pending' ? 'pending' : 'active' }), row.state, opts.confirmed);
    } catch (err) {
      report.invalid.push({ line: rec.line, message: describe(err) });
      continue;
    }
    const first = firstLineOf.get(sub.email);
    if (first !== undefined) {
      report.duplicates.push({ line: rec.line, firstLine: first });
      continue;
    }
    firstLineOf.set(sub.email, rec.line);
    batch.push({ line: rec.line, sub, prefs: rowPreferences(row.input) });
    if (batch.length >= batchSize) await flush();
  }
  if (!columns) throw new CsvHeaderError(`the file is empty; expected a header such as ${ORIGINAL_COLUMNS.join(',')} (only email is required)`);
  await flush();
  return report;
}

/**
 * Write the header and one row per subscriber whose status is in `statuses` (null = all): CSV, or with `json` a
 * JSON array of the stored records (every field). `onProgress` gets the rows written so far.
 */
export async function exportSubscribers(
  store: SubscriberStore,
  write: (text: string) => Promise<void> | void,
  opts: { statuses: ReadonlySet<SubscriberStatus> | null; onProgress?: (rows: number) => void; json?: boolean },
): Promise<{ rows: number }> {
  await write(opts.json ? '[' : csvRecord(CSV_COLUMNS));
  let rows = 0;
  let cursor: string | null = null;
  do {
    const page: Awaited<ReturnType<SubscriberStore['list']>> = await store.list({ cursor, limit: 1_000 });
    let text = '';
    for (const s of page.items) {
      if (opts.statuses && !opts.statuses.has(s.status)) continue;
      text += opts.json ? `${rows ? ',' : ''}\n  ${JSON.stringify(s)}` : csvRecord(subscriberToRow(s));
      rows++;
    }
    if (text) await write(text);
    opts.onProgress?.(rows);
    cursor = page.nextCursor;
  } while (cursor);
  if (opts.json) await write(rows ? '\n]\n' : ']\n');
  return { rows };
}
