// The compact edition record: exact round trip (ids of any shape, reason ids, details, weekly periods), the index the
// Lua scripts read, retention by period, and what counts as sent.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { decodeRecord, encodeRecord, periodCode, sentIdsOf, withEntry, type EditionRecord, type RecordEntry } from '../../../src/digest/edition-record.js';

const entry = (period: string, over: Partial<RecordEntry> = {}): RecordEntry => ({
  period, state: 'sent', attempts: 1, detail: null, shown: 2,
  selection: [
    { id: '2611.01234', reasonIds: [3] },
    { id: '2610.9999', reasonIds: [3] },
    { id: 'not-arxiv/Ünïcode', reasonIds: [1, 7] },
  ],
  ...over,
});

describe('edition record', () => {
  it('round-trips every field exactly', () => {
    const rec: EditionRecord = { seq: 41, entries: [entry('2026-11-27'), entry('2026-W48', { state: 'skipped', detail: 'quiet-day', shown: 0, selection: [] }), entry('2026-11-28', { state: 'failed', attempts: 3, detail: '550 no such user', shown: 0, selection: [] })] };
    const buf = encodeRecord(rec);
    assert.deepEqual(decodeRecord(buf), rec);
    assert.deepEqual(decodeRecord(null), { seq: -1, entries: [] });
    // ids: arXiv packed (leading zeros and 4-digit numbers kept), anything else verbatim
    assert.deepEqual(decodeRecord(buf).entries[0]!.selection.map((p) => p.id), ['2611.01234', '2610.9999', 'not-arxiv/Ünïcode']);
  });

  it('the index the scripts read: period code and state per entry, after version and seq', () => {
    const buf = encodeRecord({ seq: 258, entries: [entry('2026-11-28', { state: 'unknown' }), entry('2026-W48', { state: 'suppressed' })] });
    assert.deepEqual([buf[0], buf.readUInt16BE(1), buf[3]], [2, 258, 2]);
    assert.equal(buf.readUInt16BE(4), periodCode('2026-11-28').code);
    assert.equal(buf[6], 2); // unknown
    assert.equal(buf.readUInt16BE(7), periodCode('2026-W48').code);
    assert.equal(buf[9], 0x80 | 3); // weekly, suppressed
    assert.equal(periodCode('2026-W48').code, periodCode('2026-11-23').code, 'a week counts from its Monday');
  });

  it('round-trips the rarer shapes: per-paper reason sets, web-only papers, retries, details next to papers', () => {
    const rec: EditionRecord = { seq: 7, entries: [
      entry('2026-11-26', { selection: [{ id: '2611.01234', reasonIds: [3] }, { id: '2611.00001', reasonIds: [] }, { id: 'x', reasonIds: [3] }, { id: '2611.99999', reasonIds: [300, 2] }] }),
      entry('2026-11-27', { attempts: 4, detail: 'retried', shown: 1, selection: [{ id: '2601.00002', reasonIds: [3] }, { id: '2612.00002', reasonIds: [3] }] }),
      entry('2026-11-28', { shown: 0, selection: [{ id: 'x', reasonIds: [] }] }),
    ] };
    assert.deepEqual(decodeRecord(encodeRecord(rec)), rec);
  });

  it('reads a record written by the previous version (1) as it was; the next write converts it', () => {
    // encodeRecord of the previous code (git show 5f18346:src/digest/edition-record.ts), kept verbatim
    const v1 = Buffer.from('AQEsBCZiACZfhCZkASZlAAMTbm90LWFyeGl2L8OcbsOvY29kZQlxdWlldC1kYXkQNTUwIG5vIHN1Y2ggdXNlcgQBAwIDyAECAQcBBQEAAgMAlKHregCaxiwBAQIBAgAAAAMDAAAAAgACAgSMtvR6xj4=', 'base64');
    const rec = decodeRecord(v1);
    assert.deepEqual(rec, { seq: 300, entries: [
      { period: '2026-11-26', state: 'sent', attempts: 1, detail: null, shown: 2, selection: [{ id: '2611.01234', reasonIds: [3] }, { id: '2610.9999', reasonIds: [3, 200] }, { id: 'not-arxiv/Ünïcode', reasonIds: [1, 7] }] },
      { period: '2026-W48', state: 'skipped', attempts: 1, detail: 'quiet-day', shown: 0, selection: [] },
      { period: '2026-11-28', state: 'failed', attempts: 3, detail: '550 no such user', shown: 0, selection: [] },
      { period: '2026-11-29', state: 'sent', attempts: 2, detail: null, shown: 2, selection: [{ id: '2611.20001', reasonIds: [5] }, { id: '2611.19000', reasonIds: [5] }] },
    ] });
    const v2 = encodeRecord(rec);
    assert.equal(v2[0], 2);
    assert.deepEqual(v2.subarray(1, 4 + 4 * 3), v1.subarray(1, 4 + 4 * 3), 'the index the scripts read is unchanged');
    assert.deepEqual(decodeRecord(v2), rec);
    assert.ok(v2.length < v1.length, `${v2.length} < ${v1.length}`);
  });

  it('a month of daily editions (8 papers each, one reason set) stays well under 1,024 bytes', () => {
    let rec: EditionRecord = { seq: -1, entries: [] };
    let n = 12_000;
    for (let d = 1; d <= 30; d++) {
      const day = `2026-11-${String(d).padStart(2, '0')}`;
      // a day's papers: close arXiv numbers, in relevance (not id) order
      const selection = Array.from({ length: 8 }, (_, i) => ({ id: `2611.${String(n + ((i * 7919) % 1500)).padStart(5, '0')}`, reasonIds: [40 + (d % 3)] }));
      n += 700;
      rec = withEntry(rec, entry(day, { shown: 8, selection }), new Date(`${day}T09:00:00Z`), 30);
    }
    const bytes = encodeRecord(rec).length;
    assert.ok(bytes < 700, `${bytes} bytes`);
    assert.deepEqual(decodeRecord(encodeRecord(rec)), rec);
  });

  it('keeps the last `keepDays` days, one entry per period, and counts only the email papers as sent', () => {
    let rec: EditionRecord = { seq: -1, entries: [] };
    for (let d = 1; d <= 30; d++) rec = withEntry(rec, entry(`2026-11-${String(d).padStart(2, '0')}`), new Date(`2026-11-${String(d).padStart(2, '0')}T09:00:00Z`), 10);
    assert.equal(rec.seq, 29);
    assert.deepEqual([rec.entries[0]!.period, rec.entries.at(-1)!.period, rec.entries.length], ['2026-11-20', '2026-11-30', 11]);
    rec = withEntry(rec, entry('2026-11-30', { state: 'failed', shown: 0, selection: [] }), new Date('2026-11-30T10:00:00Z'), 10);
    assert.equal(rec.entries.filter((e) => e.period === '2026-11-30').length, 1, 'replaced, not added');
    const sent = sentIdsOf(rec, new Date('2026-11-30T10:00:00Z'), 3);
    assert.deepEqual(sent, ['2611.01234', '2610.9999', '2611.01234', '2610.9999', '2611.01234', '2610.9999'], 'the 27th–29th, email papers only');
  });
});
