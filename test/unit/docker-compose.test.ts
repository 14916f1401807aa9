// docker-compose.yml cannot run here (no Docker engine); parse it and check what users rely on.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { parse } from 'yaml';
import { REPO_ROOT } from '../helpers/fixtures.js';

interface Service {
  image?: string;
  build?: unknown;
  command?: string[] | string;
  ports?: string[];
  volumes?: string[];
  environment?: Record<string, string>;
  depends_on?: Record<string, unknown>;
}

const compose = parse(readFileSync(join(REPO_ROOT, 'docker-compose.yml'), 'utf8')) as { services: Record<string, Service>; volumes: Record<string, unknown> };

function args(cmd: Service['command']): string[] {
  return Array.isArray(cmd) ? cmd.map(String) : String(cmd ?? '').split(/\s+/);
}

function flag(cmd: string[], name: string): string | undefined {
  const i = cmd.indexOf(name);
  return i >= 0 ? cmd[i + 1] : undefined;
}

describe('docker-compose.yml', () => {
  it('has redis, mailpit and the app', () => {
    assert.deepEqual(Object.keys(compose.services).sort(), ['app', 'mailpit', 'redis']);
  });

  it('runs Redis durable and without eviction, on a volume', () => {
    const redis = compose.services.redis!;
    assert.match(redis.image ?? '', /^redis:(\d+)/);
    assert.ok(Number(/^redis:(\d+)/.exec(redis.image!)![1]) >= 7, 'Redis 7 or later');
    const cmd = args(redis.command);
    assert.equal(flag(cmd, '--appendonly'), 'yes');
    assert.equal(flag(cmd, '--appendfsync'), 'everysec');
    assert.equal(flag(cmd, '--maxmemory-policy'), 'noeviction');
    const vol = (redis.volumes ?? []).find((v) => v.endsWith(':/data'));
    assert.ok(vol, 'a volume on /data');
    assert.ok(vol.split(':')[0]! in compose.volumes, 'a named volume');
  });

  it('exposes Mailpit SMTP and its web UI', () => {
    const ports = compose.services.mailpit!.ports ?? [];
    assert.ok(ports.some((p) => p.endsWith(':8025')), 'web UI 8025');
    assert.ok(ports.some((p) => p.endsWith(':1025')), 'SMTP 1025');
  });

  it('wires the app to both and persists its data dir', () => {
    const app = compose.services.app!;
    const env = app.environment ?? {};
    assert.equal(env.REDIS_URL, 'redis://redis:6379');
    assert.equal(env.SMTP_URL, 'smtp://mailpit:1025');
    assert.equal(env.HOST, '0.0.0.0');
    assert.ok(env.PUBLIC_URL, 'PUBLIC_URL set');
    assert.ok(!('LINK_SECRETS' in env) && !('ADMIN_TOKEN' in env), 'no secrets committed in compose');
    assert.ok((app.ports ?? []).some((p) => p.endsWith(`:${env.PORT}`)), 'the app port is published');
    assert.ok((app.volumes ?? []).some((v) => v.endsWith(`:${env.DATA_DIR}`)), 'DATA_DIR on a volume');
    assert.deepEqual(Object.keys(app.depends_on ?? {}).sort(), ['mailpit', 'redis']);
    assert.deepEqual(args(app.command).slice(-3), ['start', '--role', 'all']);
  });
});
