// The compact record of a subscriber's settled editions: ONE Redis string per subscriber (keys.editionRecord),
// holding for each period of the last ~30 days its final state, attempts, a short detail (why skipped / the error),
// and the edition's selection (paper ids in digest order, how many were in the email, each paper's reasons).
// It replaces the per-edition hash once an edition is final; the archive view and the sent-papers dedupe read it.
//
// Layout (bytes):
//   [0] version (2; 1 is still read)  [1..2] seq (uint16, +1 per write: compare-and-set)  [3] n entries
//   n × 3 bytes index: period code (uint16 BE: days since 2000-01-01 of the day / the ISO week's Monday),
//                      flags (bit 7 weekly, bits 0–2 the state, FINAL_CODES order)
//   body (this codec only): string table (details, non-arXiv ids), reason sets, then the n entries
// The index is what the ledger's Lua scripts read (is this period settled, and how?); they never parse the body.
//
// An entry (version 2), as varints: head = papers × 8 + flags (1 a detail follows, 2 attempts ≠ 1 follow,
// 4 shown ≠ papers follows); then, when it has papers, its one reason set + 1 (0: each paper names its own);
// then per paper its id code — arXiv ids delta-coded from the previous paper of the RECORD (not of the entry: the
// next edition's papers are close to the last ones), and when each paper names its own reason set, the set index is
// folded into that same varint (code × sets + index). A typical daily entry is 2 bytes + ~2.3 per paper; version 1
// spent 5 + ~2.6 + 1 per paper, which put a 30-day record over the 1,024-byte allocation class.
// Version 1 (what the previous code wrote) is decoded as it is; the next write of the record converts it.
//
// Reasons are opaque JSON (the Reason type belongs to selection and grows): each distinct reason is stored ONCE for
// the whole deployment in the ledger's reason dictionary, and a record holds dictionary ids (a paper's reasons are
// one byte: an index into the record's few distinct reason sets). arXiv-style ids ("2605.12345") are packed as
// numbers, delta-coded within an edition (~2.5 bytes); any other id is kept as text.
export type FinalState = 'sent' | 'failed' | 'unknown' | 'suppressed' | 'skipped';
export const FINAL_CODES: readonly FinalState[] = ['sent', 'failed', 'unknown', 'suppressed', 'skipped'];

export interface RecordPaper {
  id: string;
  /** Ids in the deployment-wide reason dictionary (ledger.ts: one JSON per distinct reason, shared by everyone). */
  reasonIds: number[];
}

export interface RecordEntry {
  period: string;
  state: FinalState;
  attempts: number;
  /** Why skipped/suppressed, or the (masked, shortened) error of a failure. */
  detail: string | null;
  /** How many of `selection` (from the start) were in the email: those count as sent. */
  shown: number;
  selection: RecordPaper[];
}

export interface EditionRecord {
  /** -1 when there is no record yet. */
  seq: number;
  entries: RecordEntry[];
}

const VERSION = 2;
const DAY_MS = 86_400_000;
const EPOCH = Date.UTC(2000, 0, 1);

/** Days since 2000-01-01 of the period's first day, and whether it is a week. */
export function periodCode(period: string): { code: number; weekly: boolean } {
  const w = /^(\d{4})-W(\d{2})$/.exec(period);
  if (w) {
    const year = Number(w[1]);
    const jan4 = Date.UTC(year, 0, 4);
    const monday1 = jan4 - ((new Date(jan4).getUTCDay() + 6) % 7) * DAY_MS;
    return { code: Math.round((monday1 + (Number(w[2]) - 1) * 7 * DAY_MS - EPOCH) / DAY_MS), weekly: true };
  }
  const d = /^(\d{4})-(\d{2})-(\d{2})$/.exec(period);
  if (!d) throw new Error(`not a period: ${period}`);
  return { code: Math.round((Date.UTC(Number(d[1]), Number(d[2]) - 1, Number(d[3])) - EPOCH) / DAY_MS), weekly: false };
}

export function dayCode(at: Date): number {
  return Math.floor((at.getTime() - EPOCH) / DAY_MS);
}

function periodOf(code: number, weekly: boolean): string {
  const day = new Date(EPOCH + code * DAY_MS);
  if (!weekly) return day.toISOString().slice(0, 10);
  const thursday = new Date(day.getTime() + 3 * DAY_MS);
  const year = thursday.getUTCFullYear();
  const week = Math.floor((thursday.getTime() - Date.UTC(year, 0, 1)) / (7 * DAY_MS)) + 1;
  return `${year}-W${String(week).padStart(2, '0')}`;
}

// ---- bytes ----
class Writer {
  private buf = Buffer.allocUnsafe(512);
  len = 0;
  private room(n: number) {
    if (this.len + n <= this.buf.length) return;
    const next = Buffer.allocUnsafe(Math.max(this.buf.length * 2, this.len + n));
    this.buf.copy(next, 0, 0, this.len);
    this.buf = next;
  }
  byte(b: number) {
    this.room(1);
    this.buf[this.len++] = b;
  }
  varint(n: number) {
    if (!Number.isSafeInteger(n) || n < 0) throw new Error(`varint out of range: ${n}`);
    while (n >= 0x80) {
      this.byte((n % 0x80) | 0x80);
      n = Math.floor(n / 0x80);
    }
    this.byte(n);
  }
  bytes(b: Buffer) {
    this.room(b.length);
    b.copy(this.buf, this.len);
    this.len += b.length;
  }
  done(): Buffer {
    return Buffer.from(this.buf.subarray(0, this.len));
  }
}

class Reader {
  pos: number;
  constructor(private readonly buf: Buffer, pos: number) {
    this.pos = pos;
  }
  byte(): number {
    if (this.pos >= this.buf.length) throw new Error('edition record truncated');
    return this.buf[this.pos++]!;
  }
  varint(): number {
    let n = 0;
    let mul = 1;
    for (;;) {
      const b = this.byte();
      n += (b & 0x7f) * mul;
      if (b < 0x80) return n;
      mul *= 0x80;
    }
  }
  bytes(n: number): Buffer {
    if (this.pos + n > this.buf.length) throw new Error('edition record truncated');
    const b = this.buf.subarray(this.pos, this.pos + n);
    this.pos += n;
    return b;
  }
}

// ---- paper ids ----
const ARXIV = /^(\d{2})(0[1-9]|1[0-2])\.(\d{4,5})$/;

function packArxiv(id: string): number | null {
  const m = ARXIV.exec(id);
  if (!m) return null;
  return ((Number(m[1]) * 12 + Number(m[2]) - 1) * 100_000 + Number(m[3])) * 2 + (m[3]!.length === 5 ? 1 : 0);
}

function unpackArxiv(p: number): string {
  const five = p % 2 === 1;
  const q = Math.floor(p / 2);
  const num = q % 100_000;
  const month = Math.floor(q / 100_000);
  const yy = Math.floor(month / 12);
  const mm = (month % 12) + 1;
  return `${String(yy).padStart(2, '0')}${String(mm).padStart(2, '0')}.${String(num).padStart(five ? 5 : 4, '0')}`;
}

const zigzag = (n: number) => (n >= 0 ? n * 2 : -n * 2 - 1);
const unzigzag = (n: number) => (n % 2 === 0 ? n / 2 : -(n + 1) / 2);

class Strings {
  list: string[] = [];
  private ix = new Map<string, number>();
  str(v: string): number {
    let i = this.ix.get(v);
    if (i === undefined) {
      i = this.list.length;
      this.list.push(v);
      this.ix.set(v, i);
    }
    return i;
  }
}

// ---- record ----
export function encodeRecord(rec: EditionRecord): Buffer {
  const t = new Strings();
  // each paper's reasons as one "reason set" (a list of dictionary ids) index: most papers share a few sets
  const setIx = new Map<string, number>();
  const sets: number[][] = [];
  const reasonSet = (ids: number[]): number => {
    const k = ids.join(',');
    let i = setIx.get(k);
    if (i === undefined) {
      i = sets.length;
      sets.push(ids);
      setIx.set(k, i);
    }
    return i;
  };
  // the reason sets first: the paper codes fold a set index in, so their number must be known
  const setsOf = rec.entries.map((e) => e.selection.map((p) => reasonSet(p.reasonIds)));
  const entries = new Writer();
  let prev = 0;
  for (const [ei, e] of rec.entries.entries()) {
    const attempts = Math.min(e.attempts, 1_000_000);
    const k = e.selection.length;
    entries.varint(k * 8 + (e.detail !== null ? 1 : 0) + (attempts !== 1 ? 2 : 0) + (e.shown !== k ? 4 : 0));
    if (e.detail !== null) entries.varint(t.str(e.detail));
    if (attempts !== 1) entries.varint(attempts);
    if (e.shown !== k) entries.varint(e.shown);
    if (k === 0) continue;
    // one reason set for every paper (a trending reader, one topic): written once, not per paper
    const own = setsOf[ei]!;
    const uniform = own.every((x) => x === own[0]);
    entries.varint(uniform ? own[0]! + 1 : 0);
    const fold = uniform ? 1 : sets.length;
    for (const [i, p] of e.selection.entries()) {
      const packed = packArxiv(p.id);
      let code: number;
      if (packed === null) code = t.str(p.id) * 2 + 1;
      else {
        code = zigzag(packed - prev) * 2;
        prev = packed;
      }
      entries.varint(code * fold + (uniform ? 0 : own[i]!));
    }
  }
  const values = new Writer();
  values.varint(sets.length);
  for (const s of sets) {
    values.varint(s.length);
    for (const i of s) values.varint(i);
  }
  const out = new Writer();
  if (rec.entries.length > 255) throw new Error('edition record: more than 255 entries');
  out.byte(VERSION);
  out.byte((rec.seq >> 8) & 0xff);
  out.byte(rec.seq & 0xff);
  out.byte(rec.entries.length);
  for (const e of rec.entries) {
    const { code, weekly } = periodCode(e.period);
    out.byte((code >> 8) & 0xff);
    out.byte(code & 0xff);
    out.byte((weekly ? 0x80 : 0) | FINAL_CODES.indexOf(e.state));
  }
  out.varint(t.list.length);
  for (const s of t.list) {
    const b = Buffer.from(s, 'utf8');
    out.varint(b.length);
    out.bytes(b);
  }
  out.bytes(values.done());
  out.bytes(entries.done());
  return out.done();
}

export function decodeRecord(buf: Buffer | null | undefined): EditionRecord {
  if (!buf || buf.length < 4) return { seq: -1, entries: [] };
  if (buf[0] !== VERSION && buf[0] !== 1) throw new Error(`edition record: unknown version ${buf[0]}`);
  const seq = buf.readUInt16BE(1);
  const n = buf[3]!;
  const heads: { period: string; state: FinalState }[] = [];
  for (let i = 0; i < n; i++) {
    const code = buf.readUInt16BE(4 + i * 3);
    const flags = buf[6 + i * 3]!;
    heads.push({ period: periodOf(code, (flags & 0x80) !== 0), state: FINAL_CODES[flags & 0x07] ?? 'unknown' });
  }
  const r = new Reader(buf, 4 + n * 3);
  const strings: string[] = [];
  for (let i = r.varint(); i > 0; i--) strings.push(r.bytes(r.varint()).toString('utf8'));
  const sets: number[][] = [];
  for (let i = r.varint(); i > 0; i--) {
    const s: number[] = [];
    for (let k = r.varint(); k > 0; k--) s.push(r.varint());
    sets.push(s);
  }
  const entries = buf[0] === 1 ? decodeEntriesV1(r, heads, strings, sets) : decodeEntries(r, heads, strings, sets);
  return { seq, entries };
}

type Head = { period: string; state: FinalState };

function decodeEntries(r: Reader, heads: Head[], strings: string[], sets: number[][]): RecordEntry[] {
  let prev = 0;
  return heads.map((h) => {
    const head = r.varint();
    const k = Math.floor(head / 8);
    const detail = head & 1 ? strings[r.varint()]! : null;
    const attempts = head & 2 ? r.varint() : 1;
    const shown = head & 4 ? r.varint() : k;
    const selection: RecordPaper[] = [];
    if (k > 0) {
      const uniform = r.varint();
      const fold = uniform ? 1 : sets.length;
      for (let i = 0; i < k; i++) {
        const v = r.varint();
        const code = Math.floor(v / fold);
        let id: string;
        if (code % 2 === 1) id = strings[(code - 1) / 2]!;
        else {
          prev += unzigzag(code / 2);
          id = unpackArxiv(prev);
        }
        selection.push({ id, reasonIds: [...sets[uniform ? uniform - 1 : v % fold]!] });
      }
    }
    return { ...h, attempts, detail, shown, selection };
  });
}

/** Version 1 (the previous code's): five varints per entry, ids delta-coded within the entry, a set index per paper. */
function decodeEntriesV1(r: Reader, heads: Head[], strings: string[], sets: number[][]): RecordEntry[] {
  return heads.map((h) => {
    const attempts = r.varint();
    const d = r.varint();
    const shown = r.varint();
    const k = r.varint();
    const uniform = r.varint();
    const selection: RecordPaper[] = [];
    let prev = 0;
    for (let i = 0; i < k; i++) {
      const code = r.varint();
      let id: string;
      if (code % 2 === 1) id = strings[(code - 1) / 2]!;
      else {
        prev += unzigzag(code / 2);
        id = unpackArxiv(prev);
      }
      selection.push({ id, reasonIds: [...sets[uniform ? uniform - 1 : r.varint()]!] });
    }
    return { ...h, attempts, detail: d === 0 ? null : strings[d - 1]!, shown, selection };
  });
}

/**
 * The record with `entry` in place of any entry for its period, and without entries whose period began more than
 * `keepDays` days before `now` (a week counts from its Sunday).
 */
export function withEntry(rec: EditionRecord, entry: RecordEntry, now: Date, keepDays: number): EditionRecord {
  const cutoff = dayCode(now) - keepDays;
  const kept = rec.entries.filter((e) => {
    if (e.period === entry.period) return false;
    const { code, weekly } = periodCode(e.period);
    return code + (weekly ? 6 : 0) >= cutoff;
  });
  kept.push(entry);
  kept.sort((a, b) => periodCode(a.period).code - periodCode(b.period).code);
  while (kept.length > 255) kept.shift();
  return { seq: (rec.seq + 1) % 65_536, entries: kept };
}

/** Paper ids sent (in the email) in editions whose period began at most `days` days before `now`. */
export function sentIdsOf(rec: EditionRecord, now: Date, days: number): string[] {
  const cutoff = dayCode(now) - days;
  const out: string[] = [];
  for (const e of rec.entries) {
    if (e.state !== 'sent') continue;
    const { code, weekly } = periodCode(e.period);
    if (code + (weekly ? 6 : 0) < cutoff) continue;
    for (const p of e.selection.slice(0, e.shown)) out.push(p.id);
  }
  return out;
}
