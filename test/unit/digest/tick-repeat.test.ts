import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { tickRepeat } from '../../../src/digest/tick-scheduler.js';

describe('tickRepeat', () => {
  it('aligns intervals that divide a minute or an hour to the UTC clock, and keeps others as plain intervals', () => {
    assert.deepEqual(tickRepeat(60), { pattern: '0 * * * * *', tz: 'UTC' });
    assert.deepEqual(tickRepeat(15), { pattern: '*/15 * * * * *', tz: 'UTC' });
    assert.deepEqual(tickRepeat(600), { pattern: '0 */10 * * * *', tz: 'UTC' });
    assert.deepEqual(tickRepeat(45), { every: 45_000 });
    assert.deepEqual(tickRepeat(420), { every: 420_000 });
  });
});
