// `papers-digest scrape` as an operator runs it: a child process, stdout parsed. --dry-run --json needs no Redis
// (REDIS_URL points at a closed port to prove it); a layout error exits 1; a real run stores into Redis.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import type { Paper } from '../../src/papers/paper.js';
import { PaperStore } from '../../src/papers/store.js';
import { makeKeys } from '../../src/redis/keys.js';
import { scrapeDayLabel } from '../../src/web/admin/dashboard-view.js';
import { FIXTURES, REPO_ROOT, fixturePath } from '../helpers/fixtures.js';
import { startHfServer, type HfServer } from '../helpers/hf-server.js';
import { startRedis, type TestRedis } from '../helpers/redis-server.js';

const BIN = join(REPO_ROOT, 'bin', 'papers-digest.js');
const dir = mkdtempSync(join(tmpdir(), 'pd-scrape-cli-'));

function run(args: string[], env: Record<string, string>): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [BIN, ...args],
      { cwd: REPO_ROOT, env: { PATH: process.env.PATH ?? '', DATA_DIR: join(dir, 'data'), ...env }, maxBuffer: 32 * 1024 * 1024 },
      (err, stdout, stderr) => resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    );
  });
}

let hf: HfServer;
before(async () => {
  hf = await startHfServer();
});
after(async () => {
  await hf.close();
  rmSync(dir, { recursive: true, force: true });
});

const noRedis = { REDIS_URL: 'redis://127.0.0.1:1' };

describe('papers-digest scrape (child process)', () => {
  it('--from <page fixture> --dry-run --json prints the 28 normalized papers, without Redis', async () => {
    const { code, stdout, stderr } = await run(['scrape', '--from', fixturePath(FIXTURES.page), '--dry-run', '--json'], noRedis);
    assert.equal(code, 0, stderr);
    const papers = JSON.parse(stdout) as Paper[];
    assert.equal(papers.length, 28);
    assert.equal(papers[0]!.id, '2609.31620');
    assert.equal(papers[0]!.upvotes, 110);
    assert.deepEqual(Object.keys(papers[0]!).sort(), [
      'aiSummary', 'arxivUrl', 'authors', 'comments', 'githubRepo', 'githubStars', 'id', 'keywords', 'listedOn', 'organization',
      'projectPage', 'publishedAt', 'summary', 'thumbnail', 'title', 'upvotes', 'url',
    ]);
  });

  it('--from <url> of the API reads the JSON, still without Redis', async () => {
    const { code, stdout, stderr } = await run(['scrape', '--from', `${hf.url}/api/daily_papers?limit=30`, '--dry-run', '--json'], noRedis);
    assert.equal(code, 0, stderr);
    const papers = JSON.parse(stdout) as Paper[];
    assert.equal(papers.length, 30);
    assert.equal(papers[0]!.id, '2607.23193');
  });

  it('an unreadable listing exits 1 with a message naming what was missing', async () => {
    const login = join(dir, 'login.html');
    writeFileSync(login, '<html><head><title>Log In - Hugging Face</title></head><body><form action="/login"></form></body></html>');
    const { code, stdout, stderr } = await run(['scrape', '--from', login, '--dry-run', '--json'], noRedis);
    assert.equal(code, 1);
    assert.equal(stdout, '');
    assert.match(stderr, /layout not recognized at file:.*login\.html: no DailyPapers data-props and no paper cards/);
    assert.match(stderr, /Nothing was stored/);
  });

  it('a usage error exits 2', async () => {
    const { code, stderr } = await run(['scrape', '--date', '2026-02-30', '--dry-run'], noRedis);
    assert.equal(code, 2);
    assert.match(stderr, /--date must be a real day/);
  });

  describe('without --dry-run', () => {
    let server: TestRedis;
    let redis: Redis;
    before(async () => {
      server = await startRedis();
      redis = new Redis(server.url);
    });
    after(async () => {
      await redis.quit();
      await server.stop();
    });

    it('stores the day from the listing page (HF_BASE_URL → loopback)', async () => {
      const { code, stdout, stderr } = await run(['scrape', '--source', 'page', '--date', '2026-09-28', '--json'], {
        REDIS_URL: server.url,
        REDIS_PREFIX: 't-cli',
        HF_BASE_URL: hf.url,
      });
      assert.equal(code, 0, stderr);
      const out = JSON.parse(stdout) as { status: string; stored: number; added: number };
      assert.deepEqual([out.status, out.stored, out.added], ['ok', 28, 28]);
      const store = new PaperStore(redis, makeKeys('t-cli'), () => new Date());
      const day = await store.getDay('2026-09-28');
      assert.equal(day.length, 28);
      assert.equal(day[0]!.id, '2609.31620');
    });

    it('a file import logs the days its listing held (the dashboard shows them, not "latest")', async () => {
      const { code, stderr } = await run(['scrape', '--from', fixturePath(FIXTURES.page)], { REDIS_URL: server.url, REDIS_PREFIX: 't-cli-file' });
      assert.equal(code, 0, stderr);
      const [entry] = await new PaperStore(redis, makeKeys('t-cli-file'), () => new Date()).recentScrapes(1);
      assert.ok(entry);
      assert.deepEqual([entry.source, entry.day, entry.listed, entry.papers], ['file', null, ['2026-09-28'], 28]);
      assert.equal(scrapeDayLabel(entry), '2026-09-28');
    });
  });
});
