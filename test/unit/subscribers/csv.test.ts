import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { csvRecord, parseCsv, type CsvRecord } from '../../../src/subscribers/csv.js';
import { CSV_COLUMNS, parseHeader, rowToInput, subscriberToRow } from '../../../src/subscribers/csv-rows.js';
import type { Subscriber } from '../../../src/subscribers/subscriber.js';

async function parse(text: string, chunkSize = text.length || 1): Promise<CsvRecord[]> {
  async function* chunks() {
    for (let i = 0; i < text.length; i += chunkSize) yield text.slice(i, i + chunkSize);
  }
  const out: CsvRecord[] = [];
  for await (const r of parseCsv(chunks())) out.push(r);
  return out;
}

const SAMPLE = '\uFEFFemail,topics\r\n"a@x.org","llm;agents"\r\n"b@x.org","say ""hi""\r\nnext line"\n\nc@x.org,\n"d,e@x.org",z';

describe('CSV (RFC 4180)', () => {
  it('parses quotes, escaped quotes, embedded line breaks, CRLF/LF, empty lines, a BOM — with start line numbers', async () => {
    const want: CsvRecord[] = [
      { line: 1, fields: ['email', 'topics'] },
      { line: 2, fields: ['a@x.org', 'llm;agents'] },
      { line: 3, fields: ['b@x.org', 'say "hi"\r\nnext line'] },
      { line: 6, fields: ['c@x.org', ''] },
      { line: 7, fields: ['d,e@x.org', 'z'] },
    ];
    assert.deepEqual(await parse(SAMPLE), want);
    // the same however the stream is cut (inside CRLF, inside "" escapes)
    for (const size of [1, 2, 3, 7]) assert.deepEqual(await parse(SAMPLE, size), want, `chunk ${size}`);
  });

  it('flags malformed records and carries on', async () => {
    const recs = await parse('a,b\nx"y,1\n"ok",2\n"bad"z,3\n"open,4\n');
    assert.equal(recs[1]!.line, 2);
    assert.match(recs[1]!.error!, /quote inside an unquoted field/);
    assert.deepEqual(recs[2], { line: 3, fields: ['ok', '2'] });
    assert.match(recs[3]!.error!, /after a closing quote/);
    assert.match(recs.at(-1)!.error!, /not closed/);
    assert.equal(recs.at(-1)!.line, 5);
  });

  it('serializes so that parsing gives the same fields back', async () => {
    const rows = [['plain', 'with,comma', 'with "quote"', 'line\nbreak', ' padded ', '', 'ünïcödé']];
    const text = rows.map(csvRecord).join('');
    assert.equal(text, 'plain,"with,comma","with ""quote""","line\nbreak"," padded ",,ünïcödé\r\n');
    assert.deepEqual((await parse(text)).map((r) => r.fields), rows);
  });

  it('maps the DESIGN.md header in any order and refuses unknown columns', () => {
    const h = parseHeader(['Timezone', 'email', 'topics']);
    assert.ok(h.ok);
    const row = rowToInput(h.columns, ['US/Eastern', 'a@x.org', 'llm; agents;']);
    assert.deepEqual(row, { ok: true, input: { email: 'a@x.org', timezone: 'US/Eastern', topics: ['llm', 'agents'] } });
    assert.deepEqual(rowToInput(h.columns, ['a']), { ok: false, message: 'has 1 fields, the header has 3' });
    const bad = parseHeader(['email', 'name']);
    assert.ok(!bad.ok && /unknown column "name"/.test(bad.message));
    assert.ok(!parseHeader(['timezone']).ok);
  });

  it('decodes a multi-byte character cut between two byte chunks (file streams cut anywhere)', async () => {
    const bytes = Buffer.from('email,include_keywords\na@x.org,für Sprachmodelle;日本語\n', 'utf8');
    for (let cut = 1; cut < bytes.length; cut++) {
      async function* chunks() {
        yield bytes.subarray(0, cut);
        yield bytes.subarray(cut);
      }
      const recs: CsvRecord[] = [];
      for await (const r of parseCsv(chunks())) recs.push(r);
      assert.deepEqual(recs[1]?.fields, ['a@x.org', 'für Sprachmodelle;日本語'], `cut at byte ${cut}`);
    }
  });

  it('neutralizes cells a spreadsheet would run as formulas, and reads them back as they were', async () => {
    const sub = {
      email: "=cmd|'/c calc'!a0@evil.org", timezone: 'UTC', sendTime: { hour: 7, minute: 0 }, frequency: { kind: 'daily' },
      topics: [], includeKeywords: ['+1 trick', 'agents'], excludeKeywords: ['@home', '-free'],
      followAuthors: ['-Dash Author'], followOrgs: [], minUpvotes: 0, maxPapers: 10, status: 'active', pausedUntil: null,
    } as unknown as Subscriber;
    const fields = subscriberToRow(sub);
    for (const f of fields) assert.doesNotMatch(f, /^[=+\-@\t\r]/, f);
    assert.equal(fields[0], "'=cmd|'/c calc'!a0@evil.org");
    const [, rec] = await parse(csvRecord(CSV_COLUMNS) + csvRecord(fields));
    const h = parseHeader([...CSV_COLUMNS]);
    assert.ok(h.ok);
    const row = rowToInput(h.columns, rec!.fields);
    assert.ok(row.ok);
    assert.equal(row.input.email, sub.email);
    assert.deepEqual(row.input.includeKeywords, ['+1 trick', 'agents']);
    assert.deepEqual(row.input.excludeKeywords, ['@home', '-free']);
    assert.deepEqual(row.input.followAuthors, ['-Dash Author']);
    // an apostrophe that is part of the value is kept
    assert.deepEqual(rowToInput(['email'], ["o'neil@x.org"]), { ok: true, input: { email: "o'neil@x.org" } });
  });
});
