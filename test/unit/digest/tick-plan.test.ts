// The tick's per-entry decision, pure, from the five fields the store reads for it (store.dueRecords).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { planEntry, TickSchedules } from '../../../src/digest/tick-plan.js';
import type { DueRecord } from '../../../src/subscribers/store.js';

const now = new Date('2026-10-05T08:00:30Z'); // Monday
const rec = (over: Partial<DueRecord> = {}): DueRecord => ({ status: 'active', pausedUntil: null, timezone: 'UTC', sendTime: '08:00', frequency: 'daily', ...over });
const at = (iso: string) => Date.parse(iso);

describe('planEntry', () => {
  it('sends the edition that fell due and moves on to the next send', () => {
    const p = planEntry(rec(), 'sub-aaaaaaaa', at('2026-10-05T08:00:00Z'), new TickSchedules(now));
    assert.deepEqual(p, { kind: 'send', job: { subscriberId: 'sub-aaaaaaaa', period: '2026-10-05', dueAt: '2026-10-05T08:00:00.000Z' }, next: at('2026-10-06T08:00:00Z'), resume: false });
    const weekly = planEntry(rec({ frequency: 'weekly:mon', timezone: 'Europe/Berlin', sendTime: '09:00' }), 'sub-bbbbbbbb', at('2026-10-05T07:00:00Z'), new TickSchedules(now));
    assert.equal(weekly.kind === 'send' && weekly.job.period, '2026-W41');
  });

  it('a score later than the current schedule\'s occurrence (changed meanwhile): moved on, not sent', () => {
    const p = planEntry(rec({ sendTime: '07:00' }), 'sub-cccccccc', at('2026-10-05T08:00:00Z'), new TickSchedules(now));
    assert.deepEqual(p, { kind: 'advance', next: at('2026-10-06T07:00:00Z'), why: 'stale' });
  });

  it('gone, unsubscribed: removed; paused until later: moved to the first send of the resume date; pause over: sent and resumed', () => {
    const s = new TickSchedules(now);
    assert.deepEqual(planEntry(null, 'sub-dddddddd', 0, s), { kind: 'advance', next: null, why: 'removed' });
    assert.deepEqual(planEntry(rec({ status: 'unsubscribed' }), 'sub-dddddddd', 0, s), { kind: 'advance', next: null, why: 'removed' });
    assert.deepEqual(planEntry(rec({ status: 'paused', pausedUntil: '2026-10-08' }), 'sub-dddddddd', at('2026-10-05T08:00:00Z'), s), { kind: 'advance', next: at('2026-10-08T08:00:00Z'), why: 'stale' });
    const over = planEntry(rec({ status: 'paused', pausedUntil: '2026-10-05' }), 'sub-dddddddd', at('2026-10-05T08:00:00Z'), s);
    assert.equal(over.kind === 'send' && over.resume, true);
  });

  it('a corrupt record is an error (left in the index), not a crash of the tick', () => {
    const p = planEntry(rec({ sendTime: 'soon' }), 'sub-eeeeeeee', 0, new TickSchedules(now));
    assert.equal(p.kind, 'error');
    assert.equal(planEntry(rec({ timezone: 'Mars/Olympus' }), 'sub-eeeeeeee', 0, new TickSchedules(now)).kind, 'error');
  });

  it('computes each distinct schedule once per tick', () => {
    const s = new TickSchedules(now);
    const a = planEntry(rec(), 'sub-ffffffff', at('2026-10-05T08:00:00Z'), s);
    const b = planEntry(rec(), 'sub-gggggggg', at('2026-10-05T08:00:00Z'), s);
    assert.ok(a.kind === 'send' && b.kind === 'send' && a.job.dueAt === b.job.dueAt && a.job !== b.job);
  });
});
