// The Dockerfile cannot be built here (no Docker engine): parse it and check what a build relies on — known
// instructions only, a multi-stage build on node:24-slim, every COPY source present in the build context (and
// not excluded by .dockerignore), the compiled entry point in the final image, no dev tooling there.
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { REPO_ROOT } from '../helpers/fixtures.js';

const INSTRUCTIONS = new Set(['FROM', 'WORKDIR', 'ENV', 'COPY', 'RUN', 'USER', 'EXPOSE', 'HEALTHCHECK', 'CMD', 'ARG', 'LABEL', 'ENTRYPOINT']);

interface Line {
  op: string;
  args: string;
}

function parseDockerfile(text: string): Line[] {
  const out: Line[] = [];
  let current = '';
  for (const raw of text.split('\n')) {
    if (!current && (raw.trim() === '' || raw.trimStart().startsWith('#'))) continue;
    current += raw.replace(/\\$/, '');
    if (raw.endsWith('\\')) continue;
    const m = /^\s*([A-Za-z]+)\s+(.*)$/.exec(current);
    assert.ok(m, `not an instruction: ${current}`);
    out.push({ op: m[1]!.toUpperCase(), args: m[2]!.trim() });
    current = '';
  }
  return out;
}

const lines = parseDockerfile(readFileSync(join(REPO_ROOT, 'Dockerfile'), 'utf8'));
const stages: Line[][] = [];
for (const l of lines) {
  if (l.op === 'FROM') stages.push([]);
  stages.at(-1)?.push(l);
}
const ignored = readFileSync(join(REPO_ROOT, '.dockerignore'), 'utf8').split('\n').map((s) => s.trim()).filter(Boolean);

describe('Dockerfile', () => {
  it('uses known instructions only and builds in two stages on node:24-slim', () => {
    for (const l of lines) assert.ok(INSTRUCTIONS.has(l.op), `unknown instruction ${l.op}`);
    assert.equal(stages.length, 2);
    assert.match(stages[0]![0]!.args, /^node:24-slim AS build$/);
    assert.equal(stages[1]![0]!.args, 'node:24-slim');
  });

  it('compiles in the first stage and ships only production dependencies and dist/ in the second', () => {
    const [build, runtime] = stages as [Line[], Line[]];
    assert.ok(build.some((l) => l.op === 'RUN' && /npm ci\b(?!.*--omit)/.test(l.args)), 'the build stage installs dev dependencies');
    assert.ok(build.some((l) => l.op === 'RUN' && /npm run build/.test(l.args)));
    assert.ok(runtime.some((l) => l.op === 'RUN' && /npm ci .*--omit=dev/.test(l.args)));
    assert.ok(runtime.some((l) => l.op === 'COPY' && /^--from=build \/app\/dist \.\/dist$/.test(l.args)));
    assert.ok(!runtime.some((l) => l.op === 'COPY' && /(^| )(src|tsconfig[^ ]*)( |$)/.test(l.args)), 'no TypeScript sources in the image');
    const cmd = JSON.parse(runtime.find((l) => l.op === 'CMD')!.args) as string[];
    assert.deepEqual(cmd.slice(0, 2), ['node', 'bin/papers-digest.js']);
    assert.ok(runtime.some((l) => l.op === 'COPY' && l.args.includes('bin/papers-digest.js')), 'the entry point is copied');
    assert.ok(runtime.some((l) => l.op === 'COPY' && /^templates /.test(l.args)), 'the templates are copied');
  });

  it('copies only what exists in the build context and is not ignored', () => {
    for (const l of lines.filter((x) => x.op === 'COPY' && !x.args.startsWith('--from'))) {
      const parts = l.args.split(/\s+/);
      for (const src of parts.slice(0, -1)) {
        assert.ok(existsSync(join(REPO_ROOT, src)), `COPY ${src}: missing from the repository`);
        assert.ok(!ignored.some((i) => src === i || src.startsWith(`${i}/`)), `COPY ${src}: excluded by .dockerignore`);
      }
    }
    for (const needed of ['node_modules', 'dist', 'data']) assert.ok(ignored.includes(needed), `.dockerignore leaves out ${needed}`);
  });
});
