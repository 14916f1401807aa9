// After a change of zone or send time, the next digest keeps a sensible gap after the last one — pure, fixed instants.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { lastSendUnder, minGapMs, nextSendAfterChange } from '../../../src/schedule/gap.js';
import type { ScheduleSpec } from '../../../src/schedule/spec.js';
import { dueAfterWrite, type DueBefore } from '../../../src/subscribers/due.js';

const spec = (timezone: string, hour: number, minute = 0, weekday?: 1 | 2 | 3 | 4 | 5 | 6 | 7): ScheduleSpec => ({
  timezone, sendTime: { hour, minute }, frequency: weekday ? { kind: 'weekly', weekday } : { kind: 'daily' },
});
const iso = (d: Date) => d.toISOString();

describe('schedule gap', () => {
  it('minimum gaps: 20 h daily, 6 days weekly', () => {
    assert.equal(minGapMs({ kind: 'daily' }), 20 * 3_600_000);
    assert.equal(minGapMs({ kind: 'weekly', weekday: 1 }), 6 * 86_400_000);
  });

  it('moving west (Tokyo 08:00 → Honolulu 13:17) right after a send: not 12 minutes later, and not the same local date again', () => {
    const tokyo = spec('Asia/Tokyo', 8);
    const now = new Date('2026-12-06T23:05:00Z'); // the 2026-12-07 Tokyo edition went out at 23:00Z
    const last = lastSendUnder(tokyo, now, Date.parse('2026-12-07T23:00:00Z'));
    assert.deepEqual({ at: iso(last.at), period: last.period }, { at: '2026-12-06T23:00:00.000Z', period: '2026-12-07' });
    const next = nextSendAfterChange(spec('Pacific/Honolulu', 13, 17), now, last);
    // Honolulu 13:17 on Dec 6 (23:17Z, 12 minutes later) is too soon; Dec 7 is the edition already sent
    assert.deepEqual({ at: iso(next.at), period: next.period }, { at: '2026-12-08T23:17:00.000Z', period: '2026-12-08' });
  });

  it('moving east (Honolulu 13:17 → Tokyo 09:00): the next Tokyo morning that is ≥ 20 h after the last send', () => {
    const now = new Date('2026-12-06T23:20:00Z'); // Honolulu's 2026-12-06 went out at 23:17Z
    const last = lastSendUnder(spec('Pacific/Honolulu', 13, 17), now, Date.parse('2026-12-07T23:17:00Z'));
    assert.equal(iso(last.at), '2026-12-06T23:17:00.000Z');
    const next = nextSendAfterChange(spec('Asia/Tokyo', 9), now, last);
    assert.deepEqual({ at: iso(next.at), period: next.period }, { at: '2026-12-08T00:00:00.000Z', period: '2026-12-08' });
    assert.ok(next.at.getTime() - last.at.getTime() >= 20 * 3_600_000);
  });

  it('a later send time the same day, with the gap kept: tomorrow', () => {
    const now = new Date('2026-10-05T09:00:00Z'); // sent at 08:00Z today
    const last = lastSendUnder(spec('UTC', 8), now, Date.parse('2026-10-06T08:00:00Z'));
    assert.equal(iso(nextSendAfterChange(spec('UTC', 18), now, last).at), '2026-10-06T18:00:00.000Z');
    // an earlier time: tomorrow 07:00 is 23 h after — allowed
    assert.equal(iso(nextSendAfterChange(spec('UTC', 7), now, last).at), '2026-10-06T07:00:00.000Z');
  });

  it('an edition still waiting in the index (due, not ticked) was not sent: the one before is the last', () => {
    const now = new Date('2026-10-05T08:00:20Z');
    const last = lastSendUnder(spec('UTC', 8), now, Date.parse('2026-10-05T08:00:00Z'));
    assert.equal(iso(last.at), '2026-10-04T08:00:00.000Z');
  });

  it('weekly: moving from Monday to Tuesday waits for next week\'s Tuesday', () => {
    const now = new Date('2026-10-05T09:00:00Z'); // Monday; sent at 08:00Z
    const last = lastSendUnder(spec('UTC', 8, 0, 1), now, Date.parse('2026-10-12T08:00:00Z'));
    assert.equal(iso(nextSendAfterChange(spec('UTC', 8, 0, 2), now, last).at), '2026-10-13T08:00:00.000Z');
    // to Sunday: the 11th is 6 days on but in the same ISO week (2026-W41, delivered on Monday): the 18th
    assert.equal(iso(nextSendAfterChange(spec('UTC', 8, 0, 7), now, last).at), '2026-10-18T08:00:00.000Z');
  });

  it('dueAfterWrite: keeps the entry when nothing about timing changed; applies the gap only to an active reader\'s schedule change', () => {
    const base = { status: 'active' as const, pausedUntil: null, timezone: 'Asia/Tokyo', sendTime: { hour: 8, minute: 0 }, frequency: { kind: 'daily' as const } };
    const before: DueBefore = { ...base, createdAt: '2026-01-01T00:00:00.000Z', confirmedAt: '2026-01-01T00:00:00.000Z' };
    const now = new Date('2026-12-06T23:05:00Z');
    const held = Date.parse('2026-12-08T23:17:00Z');
    // a topics change (same schedule, same status): the entry stays, even when it is a held-back send
    assert.equal(dueAfterWrite(before, base, now, held)?.getTime(), held);
    const west = { ...base, timezone: 'Pacific/Honolulu', sendTime: { hour: 13, minute: 17 } };
    assert.equal(iso(dueAfterWrite(before, west, now, Date.parse('2026-12-07T23:00:00Z'))!), '2026-12-08T23:17:00.000Z');
    // a reader confirmed after the old schedule's last send never got it: no gap to keep
    const fresh: DueBefore = { ...before, confirmedAt: '2026-12-06T23:02:00.000Z' };
    assert.equal(iso(dueAfterWrite(fresh, west, now, Date.parse('2026-12-07T23:00:00Z'))!), '2026-12-06T23:17:00.000Z');
    // unsubscribing: out of the index
    assert.equal(dueAfterWrite(before, { ...base, status: 'unsubscribed' }, now, held), null);
  });
});
