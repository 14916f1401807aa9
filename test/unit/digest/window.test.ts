// The selection window per frequency, with fixed instants: daily keeps the lookback; a weekly edition covers the
// days since the previous one (first-ever edition included), late sends, and weeks holding a DST change.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { editionWindow, MAX_WINDOW_DAYS, weeklyScheduledDate } from '../../../src/digest/window.js';
import { occurrenceOn } from '../../../src/schedule/schedule.js';
import type { Frequency } from '../../../src/schedule/spec.js';

const daily: Frequency = { kind: 'daily' };
const monday: Frequency = { kind: 'weekly', weekday: 1 };

describe('editionWindow', () => {
  it('daily: the local date and lookbackDays-1 before it, in the reader\'s zone', () => {
    assert.deepEqual(editionWindow({ timezone: 'UTC', frequency: daily }, '2026-10-05', new Date('2026-10-05T08:00:00Z'), 3), { today: '2026-10-05', firstDay: '2026-10-03', days: 3 });
    // 08:00 in Tokyo is still the previous UTC day: the window follows the local date
    assert.deepEqual(editionWindow({ timezone: 'Asia/Tokyo', frequency: daily }, '2026-10-06', new Date('2026-10-05T23:00:00Z'), 3), { today: '2026-10-06', firstDay: '2026-10-04', days: 3 });
    assert.equal(editionWindow({ timezone: 'UTC', frequency: daily }, null, new Date('2026-10-05T08:00:00Z'), 1).firstDay, '2026-10-05');
  });

  it('weekly: from the previous edition\'s date (same weekday a week before) to today — eight listing days, not three', () => {
    const w = editionWindow({ timezone: 'Europe/Berlin', frequency: monday }, '2026-W41', new Date('2026-10-05T06:00:00Z'), 3);
    assert.deepEqual(w, { today: '2026-10-05', firstDay: '2026-09-28', days: 8 });
  });

  it('weekly, first-ever edition: the same week back, although there is no previous edition', () => {
    // subscribed on Sunday, first Monday edition: a week of papers, not three days
    const w = editionWindow({ timezone: 'America/New_York', frequency: monday }, '2026-W41', new Date('2026-10-05T12:00:00Z'), 3);
    assert.equal(w.firstDay, '2026-09-28');
    // without a period (a preview): counted from today
    assert.equal(editionWindow({ timezone: 'America/New_York', frequency: monday }, null, new Date('2026-10-05T12:00:00Z'), 3).firstDay, '2026-09-28');
  });

  it('weekly, sent late (catch-up on Wednesday): still from the previous scheduled Monday', () => {
    const w = editionWindow({ timezone: 'UTC', frequency: monday }, '2026-W41', new Date('2026-10-07T09:00:00Z'), 3);
    assert.deepEqual(w, { today: '2026-10-07', firstDay: '2026-09-28', days: 10 });
  });

  it('weekly across DST changes: calendar days, whatever the clocks did (Berlin fall back, New York spring forward, Santiago gap at midnight)', () => {
    const cases: [string, Frequency, string, string][] = [
      ['Europe/Berlin', { kind: 'weekly', weekday: 1 }, '2026-10-26', '2026-10-19'], // clocks went back on Sunday 25th
      ['America/New_York', { kind: 'weekly', weekday: 1 }, '2026-03-09', '2026-03-02'], // forward on Sunday 8th
      ['America/Santiago', { kind: 'weekly', weekday: 7 }, '2026-09-06', '2026-08-30'], // 00:00 on the 6th does not exist
    ];
    for (const [timezone, frequency, date, first] of cases) {
      const occ = occurrenceOn({ timezone, sendTime: { hour: 0, minute: 0 }, frequency }, date)!;
      const w = editionWindow({ timezone, frequency }, occ.period, occ.at, 3);
      assert.deepEqual({ firstDay: w.firstDay, today: w.today, days: w.days }, { firstDay: first, today: date, days: 8 }, `${timezone} ${date}`);
    }
  });

  it('never narrower than the daily lookback, never wider than MAX_WINDOW_DAYS', () => {
    assert.equal(editionWindow({ timezone: 'UTC', frequency: monday }, '2026-W41', new Date('2026-10-05T08:00:00Z'), 10).firstDay, '2026-09-26');
    const veryLate = editionWindow({ timezone: 'UTC', frequency: monday }, '2026-W41', new Date('2026-10-17T08:00:00Z'), 3);
    assert.equal(veryLate.days, MAX_WINDOW_DAYS);
  });

  it('weeklyScheduledDate maps an ISO week and weekday to the date, across a year boundary', () => {
    assert.equal(weeklyScheduledDate('2026-W41', 1), '2026-10-05');
    assert.equal(weeklyScheduledDate('2026-W53', 5), '2027-01-01');
    assert.equal(weeklyScheduledDate('2026-10-05', 1), null);
  });
});
