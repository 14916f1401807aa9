#!/usr/bin/env node
// Operator CLI entry. Runs the TypeScript sources through tsx so there is no build step to forget.
import { register } from 'tsx/esm/api';

register();
// `papers-digest … --json | head`: the reader went away; stop quietly instead of dying on EPIPE.
process.stdout.on('error', (err) => {
  if (err.code === 'EPIPE') process.exit(process.exitCode ?? 0);
  throw err;
});
const { runCli } = await import('../src/cli.ts');
process.exitCode = await runCli(process.argv.slice(2));
