#!/usr/bin/env node
// `npm run build`: compiles src/ to dist/ with tsc (tsconfig.build.json) and copies the static assets that live
// beside the sources (src/web/static). Email and page templates stay in templates/ at the top, found relative to
// the code in either place (dist/ mirrors src/).
// --if-stale: build only when dist/ is missing or older than a source or a build setting (`npm start` and
// `npm test` call it so; a fresh clone builds on its first start).
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const dist = join(root, 'dist');
const stamp = join(dist, '.build-stamp');
const STATIC_DIRS = ['web/static'];
const INPUTS = ['src', 'tsconfig.json', 'tsconfig.build.json', 'package.json', 'scripts/build.mjs'];

function newestMtime(path) {
  const st = statSync(path);
  if (!st.isDirectory()) return st.mtimeMs;
  let newest = st.mtimeMs;
  for (const name of readdirSync(path)) newest = Math.max(newest, newestMtime(join(path, name)));
  return newest;
}

function stale() {
  if (!existsSync(stamp)) return true;
  const built = statSync(stamp).mtimeMs;
  return INPUTS.some((p) => existsSync(join(root, p)) && newestMtime(join(root, p)) > built);
}

if (process.argv.includes('--if-stale') && !stale()) process.exit(0);
// An installed copy without sources (the Docker image): dist/ is what there is to run.
if (!existsSync(join(root, 'src')) && existsSync(join(dist, 'cli.js'))) process.exit(0);

let tsc;
try {
  tsc = createRequire(join(root, 'package.json')).resolve('typescript/bin/tsc');
} catch {
  console.error('papers-digest: dist/ must be built, but TypeScript is not installed. Run `npm ci` (with the dev dependencies), then `npm run build`.');
  process.exit(1);
}
const t0 = Date.now();
process.stderr.write('papers-digest: compiling src/ to dist/ … ');
rmSync(dist, { recursive: true, force: true });
const r = spawnSync(process.execPath, [tsc, '-p', join(root, 'tsconfig.build.json')], { cwd: root, stdio: ['ignore', 'inherit', 'inherit'] });
if (r.status !== 0) {
  process.stderr.write('failed\n');
  process.exit(r.status ?? 1);
}
for (const dir of STATIC_DIRS) {
  mkdirSync(join(dist, dir), { recursive: true });
  cpSync(join(root, 'src', dir), join(dist, dir), { recursive: true, filter: (src) => !src.endsWith('.ts') });
}
writeFileSync(stamp, `${new Date().toISOString()}\n`);
process.stderr.write(`done in ${((Date.now() - t0) / 1000).toFixed(1)} s\n`);
