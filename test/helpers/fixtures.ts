// The real captured Hugging Face responses live in ../shared/fixtures/hf beside the repository; tests and
// benchmarks read them there at run time and never copy them into the repository.
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const FIXTURES_DIR = process.env.PD_FIXTURES_DIR ?? resolve(REPO_ROOT, '..', 'shared', 'fixtures', 'hf');

export const FIXTURES = {
  page: 'page_papers_2026-09-28_browser_rendered.html',
  api: 'api_daily_papers_limit30_2026-07-31.json',
} as const;

export function fixturePath(name: string): string {
  const p = join(FIXTURES_DIR, name);
  if (!existsSync(p)) throw new Error(`fixture not found: ${p} (expected ../shared/fixtures/hf beside the repository)`);
  return p;
}

export function readFixture(name: string): string {
  return readFileSync(fixturePath(name), 'utf8');
}
