// The environment is documented twice (README's table, .env.example); every variable the app reads must be in
// both, and .env.example must itself be a valid configuration: a user who copies it must get the defaults.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { ENV_VARIABLES, loadConfig } from '../../src/config.js';
import { REPO_ROOT } from '../helpers/fixtures.js';

const example = readFileSync(join(REPO_ROOT, '.env.example'), 'utf8');
const readme = readFileSync(join(REPO_ROOT, 'README.md'), 'utf8');

describe('environment documentation', () => {
  it('names every variable the app reads, in .env.example and in the README', () => {
    assert.ok(ENV_VARIABLES.length >= 15, 'the schema exposes its variables');
    for (const name of ENV_VARIABLES) {
      assert.match(example, new RegExp(`^(# )?${name}=`, 'm'), `${name} in .env.example`);
      assert.ok(readme.includes(`\`${name}\``), `${name} in README`);
    }
  });

  it('.env.example, loaded as it is, gives the embedded defaults', () => {
    const env: Record<string, string> = {};
    for (const line of example.split('\n')) {
      const m = /^([A-Z_]+)=(.*)$/.exec(line);
      if (m) env[m[1]!] = m[2]!.replace(/^"(.*)"$/, '$1');
    }
    assert.deepEqual(loadConfig(env, '/srv/app'), loadConfig({}, '/srv/app'));
  });
});
