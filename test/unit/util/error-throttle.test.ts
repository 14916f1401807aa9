import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { throttledErrorLog } from '../../../src/util/error-throttle.js';

function recorder() {
  const lines: { level: string; fields: Record<string, unknown>; msg: string }[] = [];
  const log = {
    error: (fields: Record<string, unknown>, msg: string) => lines.push({ level: 'error', fields, msg }),
    warn: (fields: Record<string, unknown>, msg: string) => lines.push({ level: 'warn', fields, msg }),
  };
  return { lines, log: log as unknown as Parameters<typeof throttledErrorLog>[0] };
}

describe('throttledErrorLog', () => {
  it('logs the same error once per window, then says how many were left out', () => {
    const { lines, log } = recorder();
    let t = 0;
    const onError = throttledErrorLog(log, 'error', 'send worker error', { windowMs: 60_000, now: () => t });
    for (; t < 59_000; t += 500) onError(new Error('connect ECONNREFUSED 127.0.0.1:6380'));
    assert.equal(lines.length, 1, '118 errors in 59 s: one line');
    assert.equal(lines[0]!.msg, 'send worker error');
    assert.equal(lines[0]!.level, 'error');
    t = 61_000;
    onError(new Error('connect ECONNREFUSED 127.0.0.1:6380'));
    assert.equal(lines.length, 2);
    assert.equal(lines[1]!.fields.repeated, 117);
    assert.match(lines[1]!.msg, /the same error 117 more times/);
  });

  it('logs a different error at once', () => {
    const { lines, log } = recorder();
    const onError = throttledErrorLog(log, 'warn', 'tick queue error', { now: () => 1000 });
    onError(new Error('connect ECONNREFUSED 127.0.0.1:6380'));
    onError(new Error('connect ECONNREFUSED 127.0.0.1:6380'));
    onError(new Error('NOSCRIPT No matching script'));
    assert.deepEqual(lines.map((l) => [l.level, (l.fields.err as Error).message]), [
      ['warn', 'connect ECONNREFUSED 127.0.0.1:6380'],
      ['warn', 'NOSCRIPT No matching script'],
    ]);
  });
});
