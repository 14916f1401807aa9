// The rooms of src/ and who may touch what, checked from the code itself: no directory imports a directory that
// imports it back, and each store's keys are used by that store alone (others go through its methods).
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, it } from 'node:test';
import { REPO_ROOT } from '../helpers/fixtures.js';

const SRC = join(REPO_ROOT, 'src');

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? sources(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : [],
  );
}

/** The room a file belongs to: its top-level directory under src/, or the file itself for top-level files. */
function room(file: string): string {
  const rel = relative(SRC, file);
  return rel.includes('/') ? rel.split('/')[0]! : rel;
}

const files = sources(SRC);
const text = new Map(files.map((f) => [f, readFileSync(f, 'utf8')]));

describe('architecture', () => {
  it('no directory imports a directory that imports it back', () => {
    const edges = new Map<string, Set<string>>();
    for (const [file, src] of text) {
      for (const m of src.matchAll(/(?:import|export)[^'"]*?from\s*'(\.{1,2}\/[^']+)'/g)) {
        const target = resolve(dirname(file), m[1]!);
        const [a, b] = [room(file), room(target)];
        if (a !== b) (edges.get(a) ?? edges.set(a, new Set()).get(a)!).add(b);
      }
    }
    const mutual = [...edges].flatMap(([a, bs]) => [...bs].filter((b) => a < b && edges.get(b)?.has(a)).map((b) => `${a} <-> ${b}`));
    assert.ok(edges.size >= 15, 'read the imports');
    assert.deepEqual(mutual, []);
  });

  it('each store owns its keys', () => {
    const owners: [RegExp, string[]][] = [
      [/keys\.dueIndex\b/, ['subscribers/store.ts']],
      [/keys\.(edition|editionsByPeriod|sentPapers)\b/, ['digest/ledger.ts', 'digest/ledger-housekeeping.ts', 'digest/ledger-period-index.ts']],
      [/keys\.suppressed\b/, ['subscribers/suppression.ts']],
      [/keys\.suppressionReleased\b/, ['subscribers/suppression.ts']],
      [/keys\.(deliveryEvents|deliveryEventsUnmatched)\b/, ['bounces/event-log.ts']],
      [/keys\.webhookSeen\b/, ['bounces/replay.ts']],
      [/keys\.(readerMarks|readerModel)\b/, ['relevance/reader-store.ts']],
      [/keys\.(subscriber|subscriberByEmail|subscribersAll)\b/, ['subscribers/store.ts']],
      [/keys\.(paper|papersByDay|paperDays|scrapeDays|scrapeLastOk|scrapeLog)\b/, ['papers/store.ts']],
      [/keys\.(settings|settingsAudit|settingsChannel)\b/, ['settings/store.ts']],
    ];
    for (const [pattern, allowed] of owners) {
      const users = [...text].filter(([, src]) => pattern.test(src)).map(([f]) => relative(SRC, f));
      assert.deepEqual(users.filter((u) => !allowed.includes(u)), [], `${pattern} used outside ${allowed.join(', ')}`);
      assert.ok(users.length > 0, `${pattern} is used by its owner`);
    }
  });
});
