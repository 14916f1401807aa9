#!/usr/bin/env node
// Test entry: finds test/**/*.test.ts (or those under the paths given) and runs them with node's test runner
// through tsx. Files run in parallel processes; each test file starts its own redis-server when it needs one.
// Tests that start the CLI run the compiled bin (dist/), so dist/ is built first when missing or stale.
import { spawn, spawnSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { availableParallelism } from 'node:os';

function collect(path, out) {
  const st = statSync(path);
  if (st.isDirectory()) {
    for (const name of readdirSync(path).sort()) {
      if (name === 'node_modules' || name.startsWith('.')) continue;
      collect(join(path, name), out);
    }
  } else if (path.endsWith('.test.ts')) {
    out.push(path);
  }
  return out;
}

const build = spawnSync(process.execPath, [new URL('../scripts/build.mjs', import.meta.url).pathname, '--if-stale'], { stdio: 'inherit' });
if (build.status !== 0) process.exit(build.status ?? 1);

const args = process.argv.slice(2);
const passthrough = args.filter((a) => a.startsWith('--'));
const roots = args.filter((a) => !a.startsWith('--'));
const files = (roots.length ? roots : ['test']).flatMap((r) => collect(resolve(r), []));
if (files.length === 0) {
  console.error('no test files found under', roots.join(' ') || 'test');
  process.exit(1);
}
const concurrency = process.env.TEST_CONCURRENCY ?? String(Math.max(2, availableParallelism()));
// A hung test must fail loudly with its name, not stall CI: no single test may run longer than this.
const timeout = process.env.TEST_TIMEOUT_MS ?? '240000';
const child = spawn(
  process.execPath,
  ['--import', 'tsx', '--test', `--test-concurrency=${concurrency}`, `--test-timeout=${timeout}`, '--test-reporter=spec', ...passthrough, ...files],
  { stdio: 'inherit' },
);
child.on('exit', (code, signal) => process.exit(signal ? 1 : (code ?? 1)));
