// Benchmark section "scrape": parse time of the captured 435 KB listing page (median of many runs) beside a bare
// `cheerio.load` of the same bytes (the floor any DOM-based parser pays), the card fallback and the JSON API
// parse, and papers stored per second into a real redis-server this bench starts (one replaceDay per day of 28
// papers, as the scraper writes them, and one large batch).
// Standalone: `node bin/run-ts.js bench/scrape.ts [--runs N]`; bench/run.ts merges it under `scrape`.
import { pathToFileURL } from 'node:url';
import * as cheerio from 'cheerio';
import { Redis } from 'ioredis';
import type { Paper } from '../src/papers/paper.js';
import { PaperStore } from '../src/papers/store.js';
import { makeKeys } from '../src/redis/keys.js';
import { parseListingBody } from '../src/scrape/parse.js';
import { FIXTURES, readFixture } from '../test/helpers/fixtures.js';
import { startRedis } from '../test/helpers/redis-server.js';

export interface ScrapeBenchOptions {
  /** Timed runs per parse measurement (default 80). */
  runs?: number;
  /** Days of 28 papers written one replaceDay each (default 200). */
  storeDays?: number;
  /** Papers in the single large replaceDay (default 5000). */
  batchPapers?: number;
}

export interface Timing {
  medianMs: number;
  p90Ms: number;
  minMs: number;
  runs: number;
}

export interface ScrapeBenchResult {
  pageBytes: number;
  papersOnPage: number;
  parsePage: Timing;
  cheerioLoadOnly: Timing;
  /** parsePage.median / cheerioLoadOnly.median: what our extraction adds on top of building the DOM. */
  parseOverLoad: number;
  /** parsePage.min - cheerioLoadOnly.min: the extraction's own cost, least disturbed by machine load and GC. */
  extractionOverheadMinMs: number;
  parsePageCardFallback: Timing;
  apiBytes: number;
  parseApi: Timing;
  store: {
    days: number;
    papersPerDay: number;
    perDayPapersPerSecond: number;
    perDayMedianMs: number;
    batchPapers: number;
    batchPapersPerSecond: number;
  };
}

const round = (n: number, d = 3) => Number(n.toFixed(d));

function summarize(samples: number[]): Timing {
  samples.sort((a, b) => a - b);
  const at = (q: number) => samples[Math.min(samples.length - 1, Math.floor(q * samples.length))]!;
  return { medianMs: round(at(0.5)), p90Ms: round(at(0.9)), minMs: round(samples[0]!), runs: samples.length };
}

/**
 * Time several functions INTERLEAVED (a, b, c, a, b, c, …) so that machine load, GC and JIT state hit each of
 * them alike; timing one after the other on a shared machine makes the comparison meaningless.
 */
function timeInterleaved(fns: (() => unknown)[], runs: number, warmup = 5): Timing[] {
  for (let i = 0; i < warmup; i++) for (const fn of fns) fn();
  const samples = fns.map(() => [] as number[]);
  for (let i = 0; i < runs; i++) {
    fns.forEach((fn, j) => {
      const t0 = performance.now();
      fn();
      samples[j]!.push(performance.now() - t0);
    });
  }
  return samples.map(summarize);
}

function syntheticDay(template: Paper[], day: string, n: number, salt: string): Paper[] {
  return Array.from({ length: n }, (_, i) => {
    const t = template[i % template.length]!;
    const id = `${day.slice(2, 4)}${day.slice(5, 7)}.${salt}${String(i).padStart(4, '0')}`;
    return { ...t, id, listedOn: day, upvotes: (i * 7919) % 500, url: `https://huggingface.co/papers/${id}`, arxivUrl: `https://arxiv.org/abs/${id}` };
  });
}

export async function benchScrape(opts: ScrapeBenchOptions = {}): Promise<ScrapeBenchResult> {
  const runs = opts.runs ?? 80;
  const page = readFixture(FIXTURES.page);
  const api = readFixture(FIXTURES.api);
  const noProps = page.replace(/(data-target="DailyPapers")\s+data-props="[^"]*"/, '$1');
  const popts = { url: 'bench:page', today: '2026-09-28' };
  const parsed = parseListingBody(page, popts);

  const [cheerioLoadOnly, parsePage] = timeInterleaved([() => cheerio.load(page), () => parseListingBody(page, popts)], runs) as [Timing, Timing];
  const [parsePageCardFallback] = timeInterleaved([() => parseListingBody(noProps, popts)], Math.max(10, Math.floor(runs / 2))) as [Timing];
  const [parseApi] = timeInterleaved([() => parseListingBody(api, { url: 'bench:api', today: '2026-08-01' })], runs) as [Timing];

  const server = await startRedis();
  const redis = new Redis(server.url);
  try {
    const store = new PaperStore(redis, makeKeys('bench'), () => new Date('2026-09-28T12:00:00Z'));
    const days = opts.storeDays ?? 200;
    const perDay = parsed.papers.length;
    const base = Date.parse('2026-01-01T00:00:00Z');
    const dayList = Array.from({ length: days }, (_, i) => new Date(base + i * 86_400_000).toISOString().slice(0, 10));
    const inputs = dayList.map((d, i) => syntheticDay(parsed.papers, d, perDay, String(i % 10)));
    for (const [i, d] of dayList.slice(0, 5).entries()) await store.replaceDay(d, inputs[i]!, { source: 'bench', url: 'bench' }); // warm-up
    const each: number[] = [];
    const t0 = performance.now();
    for (const [i, d] of dayList.entries()) {
      const s = performance.now();
      await store.replaceDay(d, inputs[i]!, { source: 'bench', url: 'bench' });
      each.push(performance.now() - s);
    }
    const perDaySeconds = (performance.now() - t0) / 1000;
    each.sort((a, b) => a - b);
    const batchPapers = opts.batchPapers ?? 5000;
    const batch = syntheticDay(parsed.papers, '2027-01-01', batchPapers, '9');
    const b0 = performance.now();
    await store.replaceDay('2027-01-01', batch, { source: 'bench', url: 'bench' });
    const batchSeconds = (performance.now() - b0) / 1000;
    return {
      pageBytes: Buffer.byteLength(page),
      papersOnPage: parsed.papers.length,
      parsePage,
      cheerioLoadOnly,
      parseOverLoad: round(parsePage.medianMs / cheerioLoadOnly.medianMs, 2),
      extractionOverheadMinMs: round(parsePage.minMs - cheerioLoadOnly.minMs),
      parsePageCardFallback,
      apiBytes: Buffer.byteLength(api),
      parseApi,
      store: {
        days,
        papersPerDay: perDay,
        perDayPapersPerSecond: Math.round((days * perDay) / perDaySeconds),
        perDayMedianMs: round(each[Math.floor(each.length / 2)]!),
        batchPapers,
        batchPapersPerSecond: Math.round(batchPapers / batchSeconds),
      },
    };
  } finally {
    await redis.quit();
    await server.stop();
  }
}

const isMain = process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href;
if (isMain) {
  const i = process.argv.indexOf('--runs');
  const result = await benchScrape(i > 0 ? { runs: Number(process.argv[i + 1]) } : {});
  process.stdout.write(JSON.stringify(result, null, 2) + '\n');
}
