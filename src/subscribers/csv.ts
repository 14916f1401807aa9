// RFC 4180 CSV, streaming, no dependency: records come out as they are completed, each with the physical line
// number it starts on (what an operator sees in an editor), so a bad row can be reported precisely. Quoted fields
// may hold commas, quotes ("") and line breaks; CRLF and LF both end records; a UTF-8 BOM is skipped.
// A malformed record (a quote inside an unquoted field, text after a closing quote, an unterminated quote) is
// yielded with `error` set and parsing resumes at the next record.

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

  for await (const chunk of chunks) {
    let text = typeof chunk === 'string' ? chunk : chunk.toString('utf8');
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

/** One CSV field: quoted when it holds a comma, quote, line break or leading/trailing space. */
export function csvField(value: string): string {
  return /[",\r\n]|^\s|\s$/.test(value) ? `"${value.replace(/"/g, '""')}"` : value;
}

/** One CSV record with CRLF, as RFC 4180 says. */
export function csvRecord(fields: readonly string[]): string {
  return fields.map(csvField).join(',') + '\r\n';
}
