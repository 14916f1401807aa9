// Redis Cluster routes a script by the keys it declares: a script that reaches a key it was not given in KEYS
// works on one node and breaks on a cluster. Every redis.call in our Lua (src/**.ts) must take its key from KEYS.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { REPO_ROOT } from '../../helpers/fixtures.js';

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? sources(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : [],
  );
}

describe('Lua scripts', () => {
  it('touch only keys passed in KEYS', () => {
    let calls = 0;
    const bad: string[] = [];
    for (const file of sources(join(REPO_ROOT, 'src'))) {
      // Lua lives in template literals; ioredis' own redis.call(…) in TypeScript is not a script.
      for (const lua of readFileSync(file, 'utf8').matchAll(/`([^`]*)`/g)) {
        for (const m of lua[1]!.matchAll(/redis\.(?:p?call)\(\s*'(\w+)'\s*(?:,\s*([^,)]+))?/g)) {
          calls += 1;
          // KEYS[1], or KEYS[i] in a loop over the declared keys (the tick's batch read, the papers prune)
          if (!/^KEYS\[(\d+|[a-z]\w*( [+-] \d+)?)\]$/.test((m[2] ?? '').trim())) bad.push(`${file.slice(REPO_ROOT.length + 1)}: ${m[0]}`);
        }
      }
    }
    assert.ok(calls >= 20, `found the scripts (${calls} redis.call)`);
    assert.deepEqual(bad, []);
  });
});
