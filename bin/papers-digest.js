#!/usr/bin/env node
// Operator CLI entry (`papers-digest`, and `npm start`): runs the compiled JavaScript in dist/. `npm run build`
// makes it; `npm start` and `npm test` build first when dist/ is missing or stale.
import { existsSync } from 'node:fs';

const entry = new URL('../dist/cli.js', import.meta.url);
if (!existsSync(entry)) {
  process.stderr.write('papers-digest: dist/ is missing: run `npm run build` (or `npm start`, which builds it first)\n');
  process.exit(1);
}
// Stack traces point at src/*.ts (dist/ ships its source maps).
process.setSourceMapsEnabled(true);
// `papers-digest … --json | head`: the reader went away; stop quietly instead of dying on EPIPE.
process.stdout.on('error', (err) => {
  if (err.code === 'EPIPE') process.exit(process.exitCode ?? 0);
  throw err;
});
const { runCli } = await import(entry.href);
process.exitCode = await runCli(process.argv.slice(2));
