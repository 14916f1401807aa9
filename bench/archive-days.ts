// The Hugging Face Daily Papers archive (../shared/fixtures/hf-archive/days/*.json, see its SOURCES.md) as
// normalized papers, day by day, through the same normalizer the scraper uses. Read at run time, never copied.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { normalizeEntries } from '../src/papers/normalize.js';
import type { Paper } from '../src/papers/paper.js';

const REPO_ROOT = resolve(import.meta.dirname, '..');

export function archiveDir(): string {
  const candidates = [process.env.PD_ARCHIVE_DIR, resolve(REPO_ROOT, '..', 'shared', 'fixtures', 'hf-archive', 'days'), '/work/shared/fixtures/hf-archive/days'];
  for (const c of candidates) if (c && existsSync(c)) return c;
  throw new Error('archive fixtures not found: set PD_ARCHIVE_DIR or place ../shared/fixtures/hf-archive/days beside the repository');
}

/** Listed days (YYYY-MM-DD, ascending) in the archive. */
export function archiveDays(dir = archiveDir()): string[] {
  return readdirSync(dir).filter((f) => /^\d{4}-\d{2}-\d{2}\.json$/.test(f)).map((f) => f.slice(0, 10)).sort();
}

/** One day's papers, normalized (entries saved as Python repr strings in a few early files are skipped). */
export function loadArchiveDay(day: string, dir = archiveDir()): Paper[] {
  let body: unknown;
  try {
    body = JSON.parse(readFileSync(join(dir, `${day}.json`), 'utf8'));
  } catch {
    return [];
  }
  const entries = Array.isArray(body) ? body : Array.isArray((body as { data?: unknown }).data) ? (body as { data: unknown[] }).data : [];
  const objects = entries.filter((e) => typeof e === 'object' && e !== null);
  // The listing day is the file's day (SOURCES.md: submittedOnDailyAt, where present, equals it).
  return normalizeEntries(objects, { requestedDay: day, fallbackDay: day }).papers.map((p) => ({ ...p, listedOn: day }));
}
