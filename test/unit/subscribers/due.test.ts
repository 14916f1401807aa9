import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isPauseOver, nextDueAt, type DueFields } from '../../../src/subscribers/due.js';

const base: DueFields = {
  status: 'active',
  pausedUntil: null,
  timezone: 'America/New_York',
  sendTime: { hour: 7, minute: 30 },
  frequency: { kind: 'daily' },
};
const NOW = new Date('2026-09-28T15:00:00Z'); // 11:00 in New York, Monday

describe('nextDueAt', () => {
  it('active: the next local send time', () => {
    assert.equal(nextDueAt(base, NOW)?.toISOString(), '2026-09-29T11:30:00.000Z');
    assert.equal(nextDueAt({ ...base, frequency: { kind: 'weekly', weekday: 1 } }, NOW)?.toISOString(), '2026-10-05T11:30:00.000Z');
  });

  it('not in the index unless active or paused with a date', () => {
    for (const status of ['pending', 'unsubscribed', 'bouncing'] as const) assert.equal(nextDueAt({ ...base, status }, NOW), null);
    assert.equal(nextDueAt({ ...base, status: 'paused', pausedUntil: null }, NOW), null);
  });

  it('paused: first send on or after the local start of pausedUntil', () => {
    const paused = { ...base, status: 'paused' as const, pausedUntil: '2026-10-12' };
    assert.equal(nextDueAt(paused, NOW)?.toISOString(), '2026-10-12T11:30:00.000Z');
    // a midnight send on the resume day counts
    assert.equal(nextDueAt({ ...paused, sendTime: { hour: 0, minute: 0 } }, NOW)?.toISOString(), '2026-10-12T04:00:00.000Z');
    // weekly on Friday: the first Friday on/after Monday 12 Oct
    assert.equal(nextDueAt({ ...paused, frequency: { kind: 'weekly', weekday: 5 } }, NOW)?.toISOString(), '2026-10-16T11:30:00.000Z');
    // a pause that has already ended: due at the next send, so the tick finds it and resumes it
    assert.equal(nextDueAt({ ...paused, pausedUntil: '2026-09-20' }, NOW)?.toISOString(), '2026-09-29T11:30:00.000Z');
  });

  it('isPauseOver uses the subscriber’s local date', () => {
    const paused = { status: 'paused' as const, pausedUntil: '2026-09-29', timezone: 'Asia/Tokyo' };
    assert.equal(isPauseOver(paused, new Date('2026-09-28T14:59:59Z')), false);
    assert.equal(isPauseOver(paused, new Date('2026-09-28T15:00:00Z')), true); // midnight in Tokyo
    assert.equal(isPauseOver({ ...paused, status: 'active' }, new Date('2026-10-01T00:00:00Z')), false);
  });
});
