// Real Daily Papers days from ../shared/fixtures/hf-archive/days (580 weekdays of the HF API), normalized the way a
// scrape normalizes them. Read at run time beside the repository; never copied in.
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { normalizeEntries } from '../../src/papers/normalize.js';
import type { Paper } from '../../src/papers/paper.js';
import { REPO_ROOT } from './fixtures.js';

/** PD_ARCHIVE_DIR, else <repo>/../shared/…, else /work/shared/… (a worktree sits one level deeper than main). */
export const ARCHIVE_DAYS_DIR =
  process.env.PD_ARCHIVE_DIR ??
  [resolve(REPO_ROOT, '..', 'shared', 'fixtures', 'hf-archive', 'days'), '/work/shared/fixtures/hf-archive/days'].find((d) => existsSync(d)) ??
  resolve(REPO_ROOT, '..', 'shared', 'fixtures', 'hf-archive', 'days');

export function archiveDay(day: string): Paper[] {
  const file = join(ARCHIVE_DAYS_DIR, `${day}.json`);
  if (!existsSync(file)) throw new Error(`archive day not found: ${file} (expected ../shared/fixtures/hf-archive/days beside the repository)`);
  return normalizeEntries(JSON.parse(readFileSync(file, 'utf8')) as unknown[], { fallbackDay: day }).papers.map((p) => ({ ...p, listedOn: day }));
}
