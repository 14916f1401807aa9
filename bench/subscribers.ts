// Subscriber-side costs: topic matching per (paper × subscriber) — cold (first look at a paper) and memoized (the
// same day's papers across many subscribers, the tick/send case) — and CSV import throughput into a real
// redis-server this bench starts (validation + pipelined Lua writes), plus a no-op re-import (idempotency path).
import { Redis } from 'ioredis';
import { makeKeys } from '../src/redis/keys.js';
import { importSubscribers } from '../src/subscribers/csv-import.js';
import { SubscriberStore } from '../src/subscribers/store.js';
import { matchPaper, type MatchablePaper, type MatchPrefs } from '../src/papers/topics.js';
import { FIXTURES, readFixture } from '../test/helpers/fixtures.js';
import { startRedis } from '../test/helpers/redis-server.js';

interface RawEntry {
  paper: { title: string; summary: string; authors: { name: string }[] };
}

const PREFS: MatchPrefs[] = [
  { topics: ['llm', 'agents', 'rl'], includeKeywords: ['diffusion'], excludeKeywords: ['medical'], followAuthors: ['Bing Yan'] },
  { topics: ['3d', 'video', 'generation', 'robotics', 'vision'], includeKeywords: [], excludeKeywords: [] },
  { topics: [], includeKeywords: [], excludeKeywords: ['survey'] },
  { topics: ['efficiency', 'training', 'theory'], includeKeywords: ['mixture of experts', 'KV cache'], excludeKeywords: [] },
];

function csv(rows: number): string {
  const zones = ['Europe/Berlin', 'US/Eastern', 'Asia/Calcutta', 'UTC', 'America/Sao_Paulo'];
  const topics = ['llm;agents', 'rl', '', '3d;video', 'efficiency;training;theory'];
  let s = 'email,timezone,send_time,frequency,topics,include_keywords,exclude_keywords\n';
  for (let i = 0; i < rows; i++) {
    s += `user${i}@example.org,${zones[i % 5]},${String(i % 24).padStart(2, '0')}:${String(i % 60).padStart(2, '0')},${i % 3 ? 'daily' : 'weekly:fri'},${topics[i % 5]},"diffusion;world model",survey\n`;
  }
  return s;
}

async function* chunks(text: string, size = 64 * 1024) {
  for (let i = 0; i < text.length; i += size) yield text.slice(i, i + size);
}

export async function benchSubscribers(opts: { subscribers?: number } = {}) {
  const raw = JSON.parse(readFixture(FIXTURES.api)) as RawEntry[];
  const base: MatchablePaper[] = raw.map((e) => ({ title: e.paper.title, summary: e.paper.summary, keywords: [], aiSummary: null, authors: e.paper.authors.map((a) => a.name), organization: null }));
  const measure = (fresh: boolean, rounds: number) => {
    let papers = base;
    let n = 0;
    let included = 0;
    const t0 = performance.now();
    for (let r = 0; r < rounds; r++) {
      if (fresh) papers = base.map((p) => ({ ...p })); // new objects: no per-paper memo
      for (const p of papers) {
        for (const pr of PREFS) {
          if (matchPaper(p, pr).included) included++;
          n++;
        }
      }
    }
    if (included === 0) throw new Error('match bench: nothing matched');
    return ((performance.now() - t0) * 1000) / n;
  };
  measure(true, 20);
  const coldMicros = measure(true, 200);
  const memoMicros = measure(false, 3000);

  const rows = opts.subscribers ?? 10_000;
  const text = csv(rows);
  const server = await startRedis();
  const redis = new Redis(server.url);
  try {
    const store = new SubscriberStore(redis, makeKeys('bench'), () => new Date('2026-09-28T12:00:00Z'));
    let t0 = performance.now();
    const first = await importSubscribers(store, chunks(text), { confirmed: true, update: false });
    const importMs = performance.now() - t0;
    t0 = performance.now();
    const again = await importSubscribers(store, chunks(text), { confirmed: true, update: false });
    const reimportMs = performance.now() - t0;
    if (first.created !== rows || again.unchanged !== rows) throw new Error('import bench: unexpected counts');
    return {
      matchMicrosPerPaperSubscriber: { cold: coldMicros, memoized: memoMicros, papers: base.length, profiles: PREFS.length },
      csvImport: { rows, ms: importMs, rowsPerSecond: (rows / importMs) * 1000, reimportNoopMs: reimportMs },
    };
  } finally {
    await redis.quit();
    await server.stop();
  }
}
