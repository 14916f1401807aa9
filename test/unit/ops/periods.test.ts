// Which editions are under way at an instant: every local date from UTC−12 to UTC+14, and their ISO weeks.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { periodsNow } from '../../../src/ops/periods.js';

describe('periodsNow', () => {
  it('gives two daily periods most of the day: UTC today and the day already begun east of UTC', () => {
    assert.deepEqual(periodsNow(new Date('2026-11-28T13:00:00Z')), { daily: ['2026-11-29', '2026-11-28'], weekly: ['2026-W48'], previousDaily: '2026-11-27' });
  });
  it('gives three between 10:00 and 12:00 UTC, when UTC−12 is still on yesterday and UTC+14 already on tomorrow', () => {
    const p = periodsNow(new Date('2026-11-28T11:00:00Z'));
    assert.deepEqual(p.daily, ['2026-11-29', '2026-11-28', '2026-11-27']);
    assert.equal(p.previousDaily, '2026-11-26');
  });
  it('gives yesterday and today just after midnight UTC (the west still sends yesterday)', () => {
    assert.deepEqual(periodsNow(new Date('2026-11-28T00:30:00Z')).daily, ['2026-11-28', '2026-11-27']);
  });
  it('names both ISO weeks when the east has begun a new one', () => {
    assert.deepEqual(periodsNow(new Date('2026-11-29T13:00:00Z')).weekly, ['2026-W49', '2026-W48']);
  });
});
