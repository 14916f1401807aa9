// RFC 4180 CSV, streaming, no dependency: records come out as they are completed, each with the physical line
// number it starts on (what an operator sees in an editor), so a bad row can be reported precisely. Quoted fields
// may hold commas, quotes ("") and line breaks; CRLF and LF both end records; a UTF-8 BOM is skipped.
// A malformed record (a quote inside an unquoted field, text after a closing quote, an unterminated quote) is
// yielded with `error` set and parsing resumes at the next record.
import { TextDecoder } from 'node:util';

export interface CsvRecord {
  line: number;
  fields: string[];
  error?: string;
}

/** Parse a stream of text chunks. Handles records split across chunks anywhere (even inside a CRLF or a "" escape). */
export async function* parseCsv(chunks: AsyncIterable<string | Buffer>): AsyncGenerator<CsvRecord> {
  let field = '';
  let fields: string[] = [];
  let inQuotes = false;
  let quoteClosed = false; // just saw the closing quote of a quoted field
  let pendingQuote = false; // inside quotes, saw a quote: either an escape ("") or the closing quote
  let pendingCR = false;
  let error: string | undefined;
  let line = 1;
  let recordLine = 1;
  let first = true;
  let any = false; // the current record has content (so a trailing newline does not yield an empty record)

  const endRecord = (): CsvRecord => {
    fields.push(field);
    const rec: CsvRecord = error ? { line: recordLine, fields, error } : { line: recordLine, fields };
    field = '';
    fields = [];
    error = undefined;
    quoteClosed = false;
    any = false;
    return rec;
  };

  // One decoder across chunks: a file stream cuts at byte offsets, so a multi-byte character (é, ü, 日) can
  // straddle two chunks; decoding each chunk on its own would turn both halves into U+FFFD.
  const decoder = new TextDecoder('utf-8');
  for await (const chunk of withTail(chunks, decoder)) {
    let text = typeof chunk === 'string' ? chunk : decoder.decode(chunk, { stream: true });
    if (first) {
      if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
      first = text.length === 0;
    }
    for (let i = 0; i < text.length; i++) {
      const c = text[i]!;
      if (pendingCR) {
        pendingCR = false;
        if (c === '\n') continue; // CRLF already ended the record
      }
      if (inQuotes) {
        if (pendingQuote) {
          pendingQuote = false;
          if (c === '"') {
            field += '"';
            continue;
          }
          inQuotes = false;
          quoteClosed = true;
          // fall through: c is the character after the closing quote
        } else if (c === '"') {
          pendingQuote = true;
          continue;
        } else {
          if (c === '\n') line++;
          field += c;
          continue;
        }
      }
      if (c === ',') {
        fields.push(field);
        field = '';
        quoteClosed = false;
        any = true;
      } else if (c === '\n' || c === '\r') {
        if (c === '\r') pendingCR = true;
        line++;
        if (any || field !== '' || fields.length > 0 || quoteClosed) yield endRecord();
        else field = '';
        recordLine = line;
      } else if (c === '"') {
        if (field === '' && !quoteClosed) {
          inQuotes = true;
          any = true;
        } else {
          error ??= quoteClosed ? 'a quote after a closing quote' : 'a quote inside an unquoted field (quote the whole field and double inner quotes)';
          field += c;
        }
      } else {
        if (quoteClosed) error ??= 'text after a closing quote';
        field += c;
        any = true;
      }
    }
  }
  if (inQuotes && !pendingQuote) {
    error ??= 'a quoted field is not closed before the end of the file';
    yield endRecord();
  } else if (any || field !== '' || fields.length > 0 || quoteClosed || pendingQuote) {
    yield endRecord();
  }
}

/** The chunks, then whatever bytes the decoder still holds (a truncated character at the very end). */
async function* withTail(chunks: AsyncIterable<string | Buffer>, decoder: TextDecoder): AsyncGenerator<string | Buffer> {
  yield* chunks;
  const rest = decoder.decode();
  if (rest) yield rest;
}

// Spreadsheet formula injection (CWE-1236): a cell that starts with = + - @ (or a tab / CR) is run as a formula
// when an operator opens the export in Excel or LibreOffice — and the email (`=cmd|'/C calc'!A0@x.org` is a
// valid address) and keywords are the subscriber's own input. Export prefixes such cells with an apostrophe
// (OWASP's advice; spreadsheets show the text as typed) and import strips exactly that prefix, so the file
// still round-trips.
const FORMULA_START = /^[=+\-@\t\r]/;

/** A cell as written to an exported file: neutralized when a spreadsheet would read it as a formula. */
export function spreadsheetSafe(value: string): string {
  return FORMULA_START.test(value) ? `'${value}` : value;
}

/** The inverse of spreadsheetSafe, for cells read back on import. */
export function fromSpreadsheetSafe(value: string): string {
  return value.startsWith("'") && FORMULA_START.test(value.slice(1)) ? value.slice(1) : value;
}

/** One CSV field: quoted when it holds a comma, quote, line break or leading/trailing space. */
export function csvField(value: string): string {
  return /[",\r\n]|^\s|\s$/.test(value) ? `"${value.replace(/"/g, '""')}"` : value;
}

/** One CSV record with CRLF, as RFC 4180 says. */
export function csvRecord(fields: readonly string[]): string {
  return fields.map(csvField).join(',') + '\r\n';
}
