import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { csvRecord, parseCsv, type CsvRecord } from '../../../src/subscribers/csv.js';
import { parseHeader, rowToInput } from '../../../src/subscribers/csv-rows.js';

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
});
