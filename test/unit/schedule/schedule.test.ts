// Schedule math across DST transitions, with fixed instants: every expected send instant is written out in UTC.
// Transitions used (2026): New York 03-08 02:00→03:00 / 11-01 02:00→01:00; London 03-29 01:00→02:00 /
// 10-25 02:00→01:00; Lord Howe (half-hour DST) 04-05 02:00→01:30 / 10-04 02:00→02:30; Santiago (midnight does not
// exist) 09-06 00:00→01:00 / 04-05 00:00→04-04 23:00; Nuuk 03-28 23:00→00:00 (a gap that crosses midnight).
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { DateTime } from 'luxon';
import {
  addDays,
  latestOccurrence,
  localDateIn,
  nextOccurrence,
  nextSendAt,
  occurrenceOn,
  occurrencesBetween,
  periodKey,
  type Occurrence,
} from '../../../src/schedule/schedule.js';
import type { Frequency, ScheduleSpec } from '../../../src/schedule/spec.js';

function spec(timezone: string, hhmm: string, frequency: Frequency = { kind: 'daily' }): ScheduleSpec {
  const [hour, minute] = hhmm.split(':').map(Number) as [number, number];
  return { timezone, sendTime: { hour, minute }, frequency };
}
const weekly = (weekday: 1 | 2 | 3 | 4 | 5 | 6 | 7): Frequency => ({ kind: 'weekly', weekday });

function nextWeekKey(key: string): string {
  return DateTime.fromISO(`${key}-1`, { zone: 'utc' }).plus({ weeks: 1 }).toFormat("kkkk-'W'WW");
}

/** Walk (from, to] and check the invariants every schedule must keep, then return the instants (ISO) and periods. */
function walk(s: ScheduleSpec, from: string, to: string): { at: string[]; periods: string[]; occ: Occurrence[] } {
  const occ = occurrencesBetween(s, new Date(from), new Date(to));
  assert.ok(occ.length > 0, 'at least one send in the window');
  for (let i = 0; i < occ.length; i++) {
    const o = occ[i]!;
    // strictly increasing instants: no duplicates
    if (i > 0) assert.ok(o.at.getTime() > occ[i - 1]!.at.getTime(), `instants strictly increase at ${o.at.toISOString()}`);
    // consecutive periods: no skipped day / week, no repeated edition
    if (i > 0) {
      const prev = occ[i - 1]!;
      const expected = s.frequency.kind === 'daily' ? addDays(prev.period, 1) : nextWeekKey(prev.period);
      assert.equal(o.period, expected, `period after ${prev.period}`);
    }
    // the period of a send instant is its edition, and the searches agree with the walk
    assert.equal(periodKey(s, o.at), o.period, `periodKey at ${o.at.toISOString()}`);
    assert.deepEqual(latestOccurrence(s, o.at), o);
    if (i > 0) assert.deepEqual(latestOccurrence(s, new Date(o.at.getTime() - 1)), occ[i - 1]);
    assert.deepEqual(occurrenceOn(s, o.localDate), o);
    // exact times read back as the wall time asked for
    if (o.resolution !== 'gap-shifted') {
      const local = DateTime.fromJSDate(o.at, { zone: s.timezone });
      assert.equal(local.hour * 60 + local.minute, s.sendTime.hour * 60 + s.sendTime.minute);
      assert.equal(local.toISODate(), o.localDate);
    }
  }
  assert.equal(new Set(occ.map((o) => o.period)).size, occ.length, 'period keys unique');
  return { at: occ.map((o) => o.at.toISOString()), periods: occ.map((o) => o.period), occ };
}

const iso = (...xs: string[]) => xs.map((x) => new Date(x).toISOString());

describe('nextSendAt basics', () => {
  it('is strictly after `after` (an instant exactly on a send moves to the next one)', () => {
    const s = spec('UTC', '00:00');
    assert.equal(nextSendAt(s, new Date('2026-06-01T00:00:00Z')).toISOString(), '2026-06-02T00:00:00.000Z');
    assert.equal(nextSendAt(s, new Date('2026-05-31T23:59:59.999Z')).toISOString(), '2026-06-01T00:00:00.000Z');
  });
  it('weekly finds the next matching ISO weekday, up to 7 days ahead', () => {
    const s = spec('UTC', '09:00', weekly(1));
    assert.equal(nextSendAt(s, new Date('2026-06-01T09:00:00Z')).toISOString(), '2026-06-08T09:00:00.000Z'); // Monday
    assert.equal(nextSendAt(s, new Date('2026-06-01T08:59:00Z')).toISOString(), '2026-06-01T09:00:00.000Z');
  });
  it('refuses an unknown zone with a clear error', () => {
    assert.throws(() => nextSendAt(spec('Mars/Olympus', '08:00'), new Date('2026-06-01T00:00:00Z')), /unknown time zone: Mars\/Olympus/);
  });
  it('periodKey of a non-send instant is the local calendar date / ISO week', () => {
    assert.equal(periodKey(spec('America/New_York', '08:00'), new Date('2026-06-01T02:00:00Z')), '2026-05-31');
    assert.equal(periodKey(spec('Asia/Kolkata', '08:00', weekly(5)), new Date('2026-12-31T20:00:00Z')), '2026-W53');
  });
});

describe('America/New_York', () => {
  it('daily 08:00 across spring forward: 13:00Z then 12:00Z, no day skipped', () => {
    const w = walk(spec('America/New_York', '08:00'), '2026-03-06T00:00:00Z', '2026-03-10T00:00:00Z');
    assert.deepEqual(w.at, iso('2026-03-06T13:00Z', '2026-03-07T13:00Z', '2026-03-08T12:00Z', '2026-03-09T12:00Z'));
    assert.deepEqual(w.periods, ['2026-03-06', '2026-03-07', '2026-03-08', '2026-03-09']);
  });
  it('daily 02:30 (nonexistent on 03-08) sends at 03:30 EDT that day', () => {
    const w = walk(spec('America/New_York', '02:30'), '2026-03-06T12:00:00Z', '2026-03-09T12:00:00Z');
    assert.deepEqual(w.at, iso('2026-03-07T07:30Z', '2026-03-08T07:30Z', '2026-03-09T06:30Z'));
    assert.deepEqual(w.occ.map((o) => o.resolution), ['exact', 'gap-shifted', 'exact']);
    assert.equal(DateTime.fromISO(w.at[1]!, { zone: 'America/New_York' }).toFormat('HH:mm'), '03:30');
  });
  it('daily 01:30 (repeated on 11-01) sends once, at the first (EDT) occurrence', () => {
    const w = walk(spec('America/New_York', '01:30'), '2026-10-31T00:00:00Z', '2026-11-03T00:00:00Z');
    assert.deepEqual(w.at, iso('2026-10-31T05:30Z', '2026-11-01T05:30Z', '2026-11-02T06:30Z'));
    assert.deepEqual(w.occ.map((o) => o.resolution), ['exact', 'ambiguous-first', 'exact']);
    // the second 01:30 (06:30Z) is not a new send: the next one after the first is the next day's
    assert.equal(nextSendAt(spec('America/New_York', '01:30'), new Date('2026-11-01T05:30:00Z')).toISOString(), '2026-11-02T06:30:00.000Z');
  });
  it('weekly Sunday 01:30 across fall back', () => {
    const w = walk(spec('America/New_York', '01:30', weekly(7)), '2026-10-20T00:00:00Z', '2026-11-10T00:00:00Z');
    assert.deepEqual(w.at, iso('2026-10-25T05:30Z', '2026-11-01T05:30Z', '2026-11-08T06:30Z'));
    assert.deepEqual(w.periods, ['2026-W43', '2026-W44', '2026-W45']);
  });
  it('weekly Sunday 02:30 on the spring-forward Sunday is shifted, not skipped', () => {
    const w = walk(spec('America/New_York', '02:30', weekly(7)), '2026-03-01T00:00:00Z', '2026-03-16T00:00:00Z');
    assert.deepEqual(w.at, iso('2026-03-01T07:30Z', '2026-03-08T07:30Z', '2026-03-15T06:30Z'));
    assert.deepEqual(w.periods, ['2026-W09', '2026-W10', '2026-W11']);
  });
});

describe('Europe/London', () => {
  it('daily 01:30 across spring forward (01:00→02:00): 02:30 BST on the change day', () => {
    const w = walk(spec('Europe/London', '01:30'), '2026-03-27T12:00:00Z', '2026-03-30T12:00:00Z');
    assert.deepEqual(w.at, iso('2026-03-28T01:30Z', '2026-03-29T01:30Z', '2026-03-30T00:30Z'));
    assert.deepEqual(w.periods, ['2026-03-28', '2026-03-29', '2026-03-30']);
  });
  it('daily 01:30 across fall back: once, at 01:30 BST', () => {
    const w = walk(spec('Europe/London', '01:30'), '2026-10-23T12:00:00Z', '2026-10-26T12:00:00Z');
    assert.deepEqual(w.at, iso('2026-10-24T00:30Z', '2026-10-25T00:30Z', '2026-10-26T01:30Z'));
  });
  it('weekly Monday 08:00 across both changes', () => {
    const spring = walk(spec('Europe/London', '08:00', weekly(1)), '2026-03-20T00:00:00Z', '2026-04-07T00:00:00Z');
    assert.deepEqual(spring.at, iso('2026-03-23T08:00Z', '2026-03-30T07:00Z', '2026-04-06T07:00Z'));
    const fall = walk(spec('Europe/London', '08:00', weekly(1)), '2026-10-15T00:00:00Z', '2026-11-03T00:00:00Z');
    assert.deepEqual(fall.at, iso('2026-10-19T07:00Z', '2026-10-26T08:00Z', '2026-11-02T08:00Z'));
  });
});

describe('Australia/Lord_Howe (30-minute DST)', () => {
  it('daily 01:45 across fall back (02:00→01:30): once, at the first (+11) occurrence', () => {
    const w = walk(spec('Australia/Lord_Howe', '01:45'), '2026-04-03T00:00:00Z', '2026-04-06T00:00:00Z');
    assert.deepEqual(w.at, iso('2026-04-03T14:45Z', '2026-04-04T14:45Z', '2026-04-05T15:15Z'));
    assert.deepEqual(w.periods, ['2026-04-04', '2026-04-05', '2026-04-06']);
    assert.equal(w.occ[1]!.resolution, 'ambiguous-first');
  });
  it('daily 02:15 across spring forward (02:00→02:30): 02:45 on the change day', () => {
    const w = walk(spec('Australia/Lord_Howe', '02:15'), '2026-10-02T00:00:00Z', '2026-10-05T00:00:00Z');
    assert.deepEqual(w.at, iso('2026-10-02T15:45Z', '2026-10-03T15:45Z', '2026-10-04T15:15Z'));
    assert.deepEqual(w.periods, ['2026-10-03', '2026-10-04', '2026-10-05']);
    assert.equal(DateTime.fromISO(w.at[1]!, { zone: 'Australia/Lord_Howe' }).toFormat('HH:mm ZZ'), '02:45 +11:00');
  });
  it('weekly Sunday 02:15 on the change Sunday', () => {
    const w = walk(spec('Australia/Lord_Howe', '02:15', weekly(7)), '2026-09-25T00:00:00Z', '2026-10-12T00:00:00Z');
    assert.deepEqual(w.at, iso('2026-09-26T15:45Z', '2026-10-03T15:45Z', '2026-10-10T15:15Z'));
    assert.deepEqual(w.periods, ['2026-W39', '2026-W40', '2026-W41']);
  });
});

describe('America/Santiago (midnight does not exist on the change day)', () => {
  it('daily 00:00 across spring forward: 01:00 -03 on 09-06, no day skipped', () => {
    const w = walk(spec('America/Santiago', '00:00'), '2026-09-04T12:00:00Z', '2026-09-07T12:00:00Z');
    assert.deepEqual(w.at, iso('2026-09-05T04:00Z', '2026-09-06T04:00Z', '2026-09-07T03:00Z'));
    assert.deepEqual(w.periods, ['2026-09-05', '2026-09-06', '2026-09-07']);
    assert.equal(DateTime.fromISO(w.at[1]!, { zone: 'America/Santiago' }).toFormat('yyyy-MM-dd HH:mm'), '2026-09-06 01:00');
  });
  it('daily 00:30 on the gap day sends at 01:30', () => {
    const w = walk(spec('America/Santiago', '00:30'), '2026-09-05T12:00:00Z', '2026-09-06T12:00:00Z');
    assert.deepEqual(w.at, iso('2026-09-06T04:30Z'));
  });
  it('daily 23:30 across fall back (23:00–24:00 on 04-04 repeats): once', () => {
    const w = walk(spec('America/Santiago', '23:30'), '2026-04-03T12:00:00Z', '2026-04-06T12:00:00Z');
    assert.deepEqual(w.at, iso('2026-04-04T02:30Z', '2026-04-05T02:30Z', '2026-04-06T03:30Z'));
    assert.deepEqual(w.periods, ['2026-04-03', '2026-04-04', '2026-04-05']);
  });
  it('daily 00:00 across fall back', () => {
    const w = walk(spec('America/Santiago', '00:00'), '2026-04-03T12:00:00Z', '2026-04-06T12:00:00Z');
    assert.deepEqual(w.at, iso('2026-04-04T03:00Z', '2026-04-05T04:00Z', '2026-04-06T04:00Z'));
  });
  it('weekly Sunday 00:00 on the spring-forward Sunday', () => {
    const w = walk(spec('America/Santiago', '00:00', weekly(7)), '2026-08-29T00:00:00Z', '2026-09-14T00:00:00Z');
    assert.deepEqual(w.at, iso('2026-08-30T04:00Z', '2026-09-06T04:00Z', '2026-09-13T03:00Z'));
    assert.deepEqual(w.periods, ['2026-W35', '2026-W36', '2026-W37']);
  });
});

describe('America/Nuuk (a gap that pushes the send past midnight)', () => {
  it('daily 23:30 on 03-28 sends at 00:30 on 03-29 but is still the 03-28 edition', () => {
    const s = spec('America/Nuuk', '23:30');
    const w = walk(s, '2026-03-27T12:00:00Z', '2026-03-30T12:00:00Z');
    assert.deepEqual(w.at, iso('2026-03-28T01:30Z', '2026-03-29T01:30Z', '2026-03-30T00:30Z'));
    assert.deepEqual(w.periods, ['2026-03-27', '2026-03-28', '2026-03-29']);
    assert.equal(localDateIn('America/Nuuk', new Date(w.at[1]!)), '2026-03-29');
    assert.equal(periodKey(s, new Date(w.at[1]!)), '2026-03-28');
    // a tick an hour later still sends the 03-28 edition, once
    assert.equal(latestOccurrence(s, new Date('2026-03-29T02:30:00Z')).period, '2026-03-28');
  });
});

describe('Asia/Kolkata (+05:30, no DST) and the ISO week-year at year end', () => {
  it('daily 08:00 is 02:30Z every day across the year end', () => {
    const w = walk(spec('Asia/Kolkata', '08:00'), '2026-12-30T00:00:00Z', '2027-01-02T00:00:00Z');
    assert.deepEqual(w.at, iso('2026-12-30T02:30Z', '2026-12-31T02:30Z', '2027-01-01T02:30Z'));
    assert.deepEqual(w.periods, ['2026-12-30', '2026-12-31', '2027-01-01']);
  });
  it('weekly Friday: 2027-01-01 is in 2026-W53 (ISO week-year), the next Friday is 2027-W01', () => {
    const w = walk(spec('Asia/Kolkata', '08:00', weekly(5)), '2026-12-20T00:00:00Z', '2027-01-10T00:00:00Z');
    assert.deepEqual(w.at, iso('2026-12-25T02:30Z', '2027-01-01T02:30Z', '2027-01-08T02:30Z'));
    assert.deepEqual(w.periods, ['2026-W52', '2026-W53', '2027-W01']);
  });
  it('a late-evening send on 12-31 belongs to its local date, not the UTC one', () => {
    const s = spec('Asia/Kolkata', '23:00');
    const occ = nextOccurrence(s, new Date('2026-12-31T12:00:00Z'));
    assert.equal(occ.at.toISOString(), '2026-12-31T17:30:00.000Z');
    assert.equal(occ.period, '2026-12-31');
  });
});

describe('UTC', () => {
  it('daily 00:00 and weekly Monday across the year end (2026-12-28 is W53, 2027-01-04 is W01)', () => {
    const d = walk(spec('UTC', '00:00'), '2026-12-30T00:00:00Z', '2027-01-02T00:00:00Z');
    assert.deepEqual(d.at, iso('2026-12-31T00:00Z', '2027-01-01T00:00Z', '2027-01-02T00:00Z'));
    const w = walk(spec('UTC', '06:00', weekly(1)), '2026-12-20T00:00:00Z', '2027-01-12T00:00:00Z');
    assert.deepEqual(w.at, iso('2026-12-21T06:00Z', '2026-12-28T06:00Z', '2027-01-04T06:00Z', '2027-01-11T06:00Z'));
    assert.deepEqual(w.periods, ['2026-W52', '2026-W53', '2027-W01', '2027-W02']);
  });
  it('weekly Sunday: 2027-01-03 is still 2026-W53', () => {
    assert.equal(nextOccurrence(spec('UTC', '10:00', weekly(7)), new Date('2027-01-01T00:00:00Z')).period, '2026-W53');
  });
});

describe('every quarter hour through every transition window', () => {
  const windows: [string, string, string][] = [
    ['America/New_York', '2026-03-05T00:00:00Z', '2026-03-11T00:00:00Z'],
    ['America/New_York', '2026-10-29T00:00:00Z', '2026-11-04T00:00:00Z'],
    ['Europe/London', '2026-03-26T00:00:00Z', '2026-04-01T00:00:00Z'],
    ['Europe/London', '2026-10-22T00:00:00Z', '2026-10-28T00:00:00Z'],
    ['Australia/Lord_Howe', '2026-04-02T00:00:00Z', '2026-04-08T00:00:00Z'],
    ['Australia/Lord_Howe', '2026-10-01T00:00:00Z', '2026-10-07T00:00:00Z'],
    ['America/Santiago', '2026-04-02T00:00:00Z', '2026-04-08T00:00:00Z'],
    ['America/Santiago', '2026-09-03T00:00:00Z', '2026-09-09T00:00:00Z'],
    ['America/Nuuk', '2026-03-25T00:00:00Z', '2026-03-31T00:00:00Z'],
    ['America/Nuuk', '2026-10-22T00:00:00Z', '2026-10-28T00:00:00Z'],
    ['Asia/Kolkata', '2026-12-28T00:00:00Z', '2027-01-03T00:00:00Z'],
    ['UTC', '2026-12-28T00:00:00Z', '2027-01-03T00:00:00Z'],
  ];
  for (const [zone, from, to] of windows) {
    it(`${zone} ${from.slice(0, 10)}: one send per local day for all 96 send times`, () => {
      for (let q = 0; q < 96; q++) {
        const hhmm = `${String(Math.floor(q / 4)).padStart(2, '0')}:${String((q % 4) * 15).padStart(2, '0')}`;
        const w = walk(spec(zone, hhmm), from, to);
        // 144 h hold 6 sends of 24 h; a 23 h or 25 h change day makes it 7 or 5 at most/least
        assert.ok(w.at.length >= 5 && w.at.length <= 7, `${zone} ${hhmm}: ${w.at.length} sends`);
        // nothing skipped at the window's start either: the send before it is the previous edition
        assert.equal(addDays(latestOccurrence(spec(zone, hhmm), new Date(from)).period, 1), w.periods[0]);
        // gap-shifted sends land within the gap's length (≤ 1 h) after the asked-for wall time
        for (const o of w.occ.filter((x) => x.resolution === 'gap-shifted')) {
          const asked = DateTime.fromISO(`${o.localDate}T${hhmm}`, { zone: 'utc' }).toMillis();
          const wall = DateTime.fromJSDate(o.at, { zone }).setZone('utc', { keepLocalTime: true }).toMillis();
          assert.ok(wall - asked > 0 && wall - asked <= 3_600_000, `${zone} ${hhmm} ${o.localDate} shifted by ${(wall - asked) / 60000} min`);
        }
      }
    });
  }
});
