import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { dueHistogram, sendsHistogram } from '../../../src/digest/upcoming.js';
import type { ScheduleSpec } from '../../../src/subscribers/subscriber.js';

const NOW = new Date('2026-10-24T10:20:00Z');
const at = (iso: string) => Date.parse(iso);

describe('dueHistogram', () => {
  it('counts due instants per UTC hour ahead, overdue apart, nothing beyond the window', () => {
    const h = dueHistogram([at('2026-10-24T09:00:00Z'), at('2026-10-24T10:20:00Z'), at('2026-10-24T10:20:01Z'), new Date('2026-10-24T10:59:59Z'),
      at('2026-10-24T11:00:00Z'), at('2026-10-25T09:59:59Z'), at('2026-10-25T10:00:00Z'), NaN], NOW);
    assert.equal(h.overdue, 2);
    assert.equal(h.hours.length, 24);
    assert.equal(h.hours[0]!.start.toISOString(), '2026-10-24T10:00:00.000Z');
    assert.equal(h.hours[0]!.count, 2);
    assert.equal(h.hours[1]!.count, 1);
    assert.equal(h.hours[23]!.start.toISOString(), '2026-10-25T09:00:00.000Z');
    assert.equal(h.hours[23]!.count, 1);
    assert.equal(h.hours.reduce((n, x) => n + x.count, 0), 4);
  });
  it('takes another window length', () => {
    assert.equal(dueHistogram([], NOW, 48).hours.length, 48);
  });
});

describe('sendsHistogram', () => {
  it('counts every send in the window, two for a daily subscriber across a 23-hour day', () => {
    const ny: ScheduleSpec = { timezone: 'America/New_York', sendTime: { hour: 1, minute: 30 }, frequency: { kind: 'daily' } };
    const london: ScheduleSpec = { timezone: 'Europe/London', sendTime: { hour: 8, minute: 0 }, frequency: { kind: 'daily' } };
    // London falls back on 10-25: 08:00 BST on 10-24 = 07:00Z (before now), 08:00 GMT on 10-25 = 08:00Z
    const h = sendsHistogram([ny, london], NOW);
    assert.equal(h.hours.find((x) => x.start.toISOString() === '2026-10-25T05:00:00.000Z')?.count, 1); // NY 01:30 EDT
    assert.equal(h.hours.find((x) => x.start.toISOString() === '2026-10-25T08:00:00.000Z')?.count, 1);
    assert.equal(h.hours.reduce((n, x) => n + x.count, 0), 2);
    // New York springs forward on 03-08: 08:30 on 03-07 (13:30Z) and 08:30 on 03-08 (12:30Z) are 23 h apart
    const nyDaily: ScheduleSpec = { timezone: 'America/New_York', sendTime: { hour: 8, minute: 30 }, frequency: { kind: 'daily' } };
    const spring = sendsHistogram([nyDaily], new Date('2026-03-07T13:10:00Z'));
    assert.deepEqual(spring.hours.filter((x) => x.count > 0).map((x) => x.start.toISOString()), ['2026-03-07T13:00:00.000Z', '2026-03-08T12:00:00.000Z']);
    assert.equal(dueHistogram([Date.parse('2026-03-07T13:30:00Z')], new Date('2026-03-07T13:10:00Z')).hours.reduce((n, x) => n + x.count, 0), 1);
  });
});
