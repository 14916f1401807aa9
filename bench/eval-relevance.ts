// npm run eval:relevance -- --readers <file.json> --from YYYY-MM-DD --days N --out eval.json [--set key=value]…
// Replays listed days of the Hugging Face archive (../shared/fixtures/hf-archive/days) through the real send job:
// papers stored by PaperStore, each reader's digest selected, ranked, rendered and recorded in the delivery ledger
// by runSendJob, with an injected clock and a private redis-server. After each digest the reader gives 👍 to each
// shown paper in `relevant` and 👎 to each other shown paper, through ReaderStore (the feedback path). The baseline
// runs the same readers in the same run with learning and feedback off and `relevanceRanking: 'upvotes'`
// (filters plus upvotes: the behaviour before issue 9). See eval/README.md for the figures and their definitions.
import { writeFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { Redis } from 'ioredis';
import { DeliveryLedger } from '../src/digest/ledger.js';
import { runSendJob, type SendDeps } from '../src/digest/send.js';
import { silentLogger } from '../src/log.js';
import { compileTemplates } from '../src/mail/render.js';
import { createMetrics } from '../src/metrics/metrics.js';
import type { Paper } from '../src/papers/paper.js';
import { matchPaper } from '../src/papers/topics.js';
import { PaperStore } from '../src/papers/store.js';
import { TOPICS } from '../src/papers/topics.js';
import { makeKeys } from '../src/redis/keys.js';
import { ReaderStore } from '../src/relevance/reader-store.js';
import { buildIdf, paperVector } from '../src/relevance/terms.js';
import { addDays } from '../src/schedule/schedule.js';
import { coerceSettingValue, DEFAULT_SETTINGS, SettingsError, validateSettings, type Settings } from '../src/settings/schema.js';
import { validatePreferences, type Preferences } from '../src/subscribers/preferences.js';
import type { Subscriber } from '../src/subscribers/subscriber.js';
import { startRedis } from '../test/helpers/redis-server.js';
import { archiveDays, loadArchiveDay } from './archive-days.js';
import { emptyMetrics, lossesOf, meanLosses, meanOf, scoreDigest, type Losses, type Metrics as Figures } from './eval-metrics.js';
import { parseReadersFile, ReadersFileError, type ReaderSpec } from './eval-readers-file.js';
import { cpuMicros } from './common.js';
import { scoreAsADigest } from './relevance.js';

type Mode = 'learned' | 'baseline';
const MODES: Mode[] = ['learned', 'baseline'];

function usage(msg: string): never {
  process.stderr.write(`${msg}\nusage: npm run eval:relevance -- --readers <file.json> --from YYYY-MM-DD --days N --out eval.json [--set key=value]… [--quiet]\n`);
  process.exit(2);
}

export interface EvalOptions {
  readers: ReaderSpec[];
  from: string;
  days: number;
  progress?: (line: string) => void;
  settings?: Partial<Settings>;
  /** Called after each digest (debugging the learner). */
  inspect?: (e: { reader: string; mode: Mode; day: string; shown: string[]; candidates: string[]; relevantCandidates: string[]; subscriberId: string }, readers: ReaderStore) => Promise<void> | void;
}

export interface ReaderResult {
  name: string;
  daysScored: number;
  learned: Figures;
  baseline: Figures;
  /** Where the learned ranking's nDCG@10 is lost (eval-metrics.ts lossesOf), over the same days. */
  losses: Losses;
  /** How the readers file's preferences were read where they were not this project's own (eval-readers-file.ts). */
  notes?: string[];
}

export interface EvalResult {
  from: string;
  days: string[];
  scoredDays: string[];
  readers: number;
  mean: { learned: Figures; baseline: Figures };
  ratioNdcg10: number;
  perReader: ReaderResult[];
  /** Means over the scored readers of their `losses`. */
  losses: Losses;
  timing: { personalScoreMicrosPer60: number; vectorsMicrosPer60: number };
  /** Size of each reader's stored model (the readerModel key, JSON) after the run, in bytes. */
  modelBytes: { mean: number; max: number };
  /** The settings that differ from the defaults in this run (`--set`); {} = the defaults. */
  settings: Partial<Settings>;
}

export async function runEval(opts: EvalOptions): Promise<EvalResult> {
  const progress = opts.progress ?? (() => {});
  const all = archiveDays();
  const days = all.filter((d) => d >= opts.from).slice(0, opts.days);
  if (days.length === 0) throw new Error(`no listed days on or after ${opts.from} in the archive`);
  const settings: Settings = { ...DEFAULT_SETTINGS, ...opts.settings };
  const lookback = settings.lookbackDays;
  // Papers of the replayed days and the window days before the first.
  const loadDays = all.filter((d) => d >= addDays(days[0]!, -(lookback + 4)) && d <= days[days.length - 1]!);
  const byDay = new Map(loadDays.map((d) => [d, loadArchiveDay(d)] as const));
  const readers = opts.readers.map((r, i) => ({ ...r, index: i, relevant: new Set(r.relevant), prefs: validatePreferences(r.preferences) }));

  const server = await startRedis();
  const redis = new Redis(server.url, { maxRetriesPerRequest: 2 });
  try {
    let now = new Date(`${days[0]}T00:00:00Z`);
    const clock = () => now;
    const keys = makeKeys('eval');
    const log = silentLogger();
    const papers = new PaperStore(redis, keys, clock);
    const ledger = new DeliveryLedger(redis, keys, clock);
    const readerStore = new ReaderStore({ redis, keys, papers, clock, log });
    const templates = await compileTemplates(fileURLToPath(new URL('../templates', import.meta.url)));
    const subs = new Map<string, Subscriber>();
    const subId = (mode: Mode, i: number) => `eval-${mode}-${String(i).padStart(4, '0')}`;
    for (const r of readers) {
      for (const mode of MODES) {
        const id = subId(mode, r.index);
        subs.set(id, {
          ...r.prefs, id, email: `reader-${mode}-${r.index}@eval.invalid`, status: 'active', pausedUntil: null, timezone: 'UTC',
          sendTime: { hour: 8, minute: 0 }, frequency: { kind: 'daily' }, createdAt: now.toISOString(), confirmedAt: now.toISOString(),
          unsubscribedAt: null, tokenVersion: 0, bounceCount: 0,
        });
      }
    }
    const baseDeps = {
      clock,
      log,
      config: { publicUrl: 'https://digest.example', mailFrom: 'Papers Digest <digest@example.org>', mailReplyTo: undefined, listUnsubscribeMailto: undefined },
      linkSecrets: [{ kid: 'k1', secret: 'eval-secret-eval-secret-eval-secret!' }],
      subscribers: { get: async (id: string) => subs.get(id) ?? null, recordBounce: async () => {} },
      suppression: { has: async () => false, add: async () => {} },
      papers,
      templates,
      mailer: { send: async (m: { messageId: string }) => ({ messageId: m.messageId, response: '250 eval' }) },
      ledger,
      metrics: createMetrics(),
      topicLabels: Object.fromEntries(TOPICS.map((t) => [t.id, t.label])),
    } as unknown as Omit<SendDeps, 'settings'>;
    const deps: Record<Mode, SendDeps> = {
      learned: { ...baseDeps, readers: readerStore, settings: () => settings },
      baseline: { ...baseDeps, settings: () => ({ ...settings, relevanceRanking: 'upvotes' }) },
    };

    // Days before the first replayed one fill the first window (as if scraped then).
    for (const d of loadDays.filter((d) => d < days[0]!)) await store(papers, d, byDay.get(d)!, (t) => (now = t));
    // Seed papers: stored as if scraped when they were listed, so setSeeds finds them (others stay pending).
    const seedIds = new Set(readers.flatMap((r) => r.prefs.seedPapers ?? []));
    if (seedIds.size) await storeSeeds(papers, seedIds, all, (t) => (now = t));
    for (const r of readers) if (r.prefs.seedPapers?.length) await readerStore.setSeeds(subId('learned', r.index), r.prefs.seedPapers);

    const scoreFrom = Math.floor(days.length / 3);
    const perDay = new Map<string, Record<Mode, Figures[]>>(readers.map((r) => [r.name + r.index, { learned: [], baseline: [] }]));
    const lossesPerDay = new Map<string, Losses[]>(readers.map((r) => [r.name + r.index, []]));
    const started = Date.now();
    for (const [i, day] of days.entries()) {
      await store(papers, day, byDay.get(day)!, (t) => (now = t));
      now = new Date(`${day}T08:00:00Z`);
      const windowPapers = windowOf(byDay, day, lookback);
      const byId = new Map(windowPapers.map((p) => [p.id, p]));
      for (const r of readers) {
        for (const mode of MODES) {
          const id = subId(mode, r.index);
          const sent = await ledger.sentPaperIds(id);
          const candidates = new Set(windowPapers.filter((p) => !sent.has(p.id)).map((p) => p.id));
          const out = await runSendJob(deps[mode], { id: `digest-${id}-${day}`, data: { subscriberId: id, period: day, dueAt: now.toISOString() }, attemptsMade: 0, attempts: 3 });
          const entry = out.kind === 'sent' ? await ledger.get(id, day) : null;
          const shown = entry?.paperIds ?? [];
          if (i >= scoreFrom) {
            const fig = scoreDigest(shown, candidates, r.relevant);
            if (fig) perDay.get(r.name + r.index)![mode].push(fig);
            if (fig && mode === 'learned') lossesPerDay.get(r.name + r.index)!.push(lossesOf(shown, candidates, r.relevant, (pid) => insideFilters(r.prefs, byId.get(pid)))!);
          }
          if (opts.inspect) await opts.inspect({ reader: r.name, mode, day, shown, candidates: [...candidates], relevantCandidates: [...candidates].filter((c) => r.relevant.has(c)), subscriberId: id }, readerStore);
          if (mode === 'learned') for (const pid of shown) await readerStore.mark(id, pid, r.relevant.has(pid) ? 'like' : 'dislike', true);
        }
      }
      progress(`day ${i + 1}/${days.length} ${day}${i >= scoreFrom ? ' (scored)' : ' (warm-up)'} · ${readers.length} readers · ${((Date.now() - started) / 1000).toFixed(1)} s`);
    }

    const perReader: ReaderResult[] = readers.map((r) => {
      const f = perDay.get(r.name + r.index)!;
      return {
        name: r.name,
        daysScored: f.learned.length,
        learned: meanOf(f.learned),
        baseline: meanOf(f.baseline),
        losses: meanLosses(lossesPerDay.get(r.name + r.index)!),
        ...(r.notes?.length ? { notes: r.notes } : {}),
      };
    });
    const scored = perReader.filter((r) => r.daysScored > 0);
    const losses = meanLosses(scored.map((r) => r.losses));
    const mean = { learned: meanOf(scored.map((r) => r.learned)), baseline: meanOf(scored.map((r) => r.baseline)) };
    const sizes = await Promise.all(readers.map((r) => redis.strlen(keys.readerModel(subId('learned', r.index)))));
    const modelBytes = { mean: Math.round(sizes.reduce((a, b) => a + b, 0) / Math.max(1, sizes.length)), max: Math.max(0, ...sizes) };
    const timing = await timePersonalScoring(readerStore, readers.map((r) => subId('learned', r.index)), windowOf(byDay, days[days.length - 1]!, lookback), settings.relevanceDiscoverMin);
    return {
      from: days[0]!,
      days,
      scoredDays: days.slice(scoreFrom),
      readers: readers.length,
      mean,
      ratioNdcg10: mean.baseline.ndcg10 > 0 ? round(mean.learned.ndcg10 / mean.baseline.ndcg10) : 0,
      perReader,
      losses,
      timing,
      modelBytes,
      settings: { ...opts.settings },
    };
  } finally {
    await redis.quit().catch(() => {});
    await server.stop();
  }
}

/** Whether the reader's own filters bring this paper (topics, keywords or a follow; no exclude keyword). */
function insideFilters(prefs: Preferences, paper: Paper | undefined): boolean {
  return paper !== undefined && matchPaper(paper, prefs).included;
}

function windowOf(byDay: Map<string, Paper[]>, day: string, lookback: number): Paper[] {
  return [...byDay].filter(([d]) => d <= day && d >= addDays(day, -(lookback - 1))).flatMap(([, ps]) => ps);
}

async function store(papers: PaperStore, day: string, list: Paper[], setNow: (t: Date) => void): Promise<void> {
  setNow(new Date(`${day}T06:00:00Z`));
  if (list.length) await papers.replaceDay(day, list, { source: 'api', url: `archive:${day}` } as never);
}

async function storeSeeds(papers: PaperStore, ids: Set<string>, all: string[], setNow: (t: Date) => void): Promise<void> {
  const left = new Set(ids);
  for (const d of all) {
    if (left.size === 0) break;
    const found = loadArchiveDay(d).filter((p) => left.has(p.id));
    if (found.length === 0) continue;
    setNow(new Date(`${d}T06:00:00Z`));
    await papers.replaceDays(new Map([[d, found]]), { source: 'api', url: `archive:${d}` } as never, null, { rebuild: false });
    for (const p of found) left.delete(p.id);
  }
}

/**
 * Cost of the personal model per digest, in µs of CPU time for a window of 60 candidates:
 * - `personalScoreMicrosPer60`: what a digest asks of one reader's model once the window's paper vectors exist (they
 *   are built once per candidate pool and shared by every reader's job in a worker: the send job's candidate cache):
 *   bench/relevance.ts scoreAsADigest. `npm run bench -- --only relevance` measures the same on a full-size model
 *   with nothing else in the loop, the steadier figure;
 * - `vectorsMicrosPer60`: building those vectors (IDF + TF-IDF) for a new pool, once per worker and scrape.
 */
async function timePersonalScoring(readers: ReaderStore, ids: string[], window: Paper[], discoverMin: number): Promise<{ personalScoreMicrosPer60: number; vectorsMicrosPer60: number }> {
  const models = (await Promise.all(ids.map((id) => readers.peekModel(id)))).filter((m) => m !== null);
  const pool = window.slice(0, 60);
  if (models.length === 0 || pool.length === 0) return { personalScoreMicrosPer60: 0, vectorsMicrosPer60: 0 };
  const reps = 30;
  let vectorsMicros = 0;
  let scoreMicros = 0;
  let n = 0;
  for (let rep = 0; rep < reps; rep++) {
    const papers = pool.map((p) => ({ ...p })); // new objects: nothing memoized
    const t0 = cpuMicros();
    const idf = buildIdf(papers);
    for (const p of papers) paperVector(p, idf);
    if (rep > 0) vectorsMicros += cpuMicros() - t0;
    scoreAsADigest(models[0]!, papers, discoverMin); // the pool's vectors, memoized as the send job's candidate cache does
    const t2 = cpuMicros();
    for (const model of models) scoreAsADigest(model, papers, discoverMin);
    if (rep > 0) {
      scoreMicros += cpuMicros() - t2;
      n += models.length;
    }
  }
  return { personalScoreMicrosPer60: Math.round(scoreMicros / Math.max(1, n)), vectorsMicrosPer60: Math.round(vectorsMicros / (reps - 1)) };
}


/**
 * `--set key=value` (repeatable): settings to evaluate instead of the defaults, e.g. ranking weights an operator
 * wants to measure before setting them live. Checked like the live settings; a bad one is refused with its reason.
 */
export function settingOverrides(pairs: readonly string[]): Partial<Settings> {
  const out: Record<string, unknown> = {};
  for (const pair of pairs) {
    const eq = pair.indexOf('=');
    if (eq <= 0) throw new SettingsError([`--set ${JSON.stringify(pair)}: expected key=value, e.g. --set relevancePersonalWeight=2`]);
    const key = pair.slice(0, eq).trim();
    out[key] = coerceSettingValue(key, pair.slice(eq + 1).trim());
  }
  validateSettings({ ...DEFAULT_SETTINGS, ...out });
  return out as Partial<Settings>;
}

const round = (x: number) => Math.round(x * 1000) / 1000;

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      readers: { type: 'string' },
      from: { type: 'string' },
      days: { type: 'string' },
      out: { type: 'string' },
      set: { type: 'string', multiple: true },
      quiet: { type: 'boolean', default: false },
    },
  });
  if (!values.readers) usage('--readers is required');
  if (!values.from || !/^\d{4}-\d{2}-\d{2}$/.test(values.from)) usage('--from YYYY-MM-DD is required');
  const days = Number(values.days ?? '30');
  if (!Number.isInteger(days) || days < 1) usage('--days must be a whole number ≥ 1');
  let text: string;
  try {
    text = await readFile(resolve(values.readers), 'utf8');
  } catch (err) {
    usage(`--readers ${values.readers}: cannot read it (${(err as NodeJS.ErrnoException).code ?? String(err)})`);
  }
  let readers: ReaderSpec[];
  try {
    readers = parseReadersFile(JSON.parse(text));
  } catch (err) {
    if (err instanceof SyntaxError) usage(`--readers ${values.readers}: not JSON (${err.message})`);
    if (err instanceof ReadersFileError) usage(err.message);
    throw err;
  }
  for (const r of readers) for (const note of r.notes ?? []) process.stderr.write(`reader “${r.name}”: ${note}\n`);
  const first = archiveDays().find((d) => d >= values.from!);
  if (!first) usage(`--from ${values.from}: the archive has no listed day on or after it (it ends ${archiveDays().at(-1) ?? 'empty'})`);
  let overrides: Partial<Settings>;
  try {
    overrides = settingOverrides(values.set ?? []);
  } catch (err) {
    usage(err instanceof SettingsError ? err.message : String(err));
  }
  const result = await runEval({
    readers,
    from: values.from,
    days,
    settings: overrides,
    progress: values.quiet ? undefined : (line) => process.stderr.write(`${line}\n`),
  });
  const json = JSON.stringify(result, null, 2);
  if (values.out) writeFileSync(resolve(values.out), `${json}\n`);
  const f = (m: Figures) => `nDCG@10 ${m.ndcg10.toFixed(3)} · P@1 ${m.p1.toFixed(3)} · MRR ${m.mrr.toFixed(3)} · P@5 ${m.p5.toFixed(3)} · shown ${m.shownPrecision.toFixed(3)} · recall ${m.recall.toFixed(3)}`;
  process.stderr.write(`learned : ${f(result.mean.learned)}\nbaseline: ${f(result.mean.baseline)}\nratio nDCG@10 ${result.ratioNdcg10} · personal scoring ${result.timing.personalScoreMicrosPer60} µs per reader per 60 candidates (+ ${result.timing.vectorsMicrosPer60} µs once per candidate pool for the vectors) · model ${result.modelBytes.mean} bytes per reader (max ${result.modelBytes.max})\n`);
  const lost = result.losses;
  process.stderr.write(
    `where learned nDCG@10 is lost: ${Math.max(0, lost.sortedNdcg10 - result.mean.learned.ndcg10).toFixed(3)} to order (the shown papers sorted perfectly: ${lost.sortedNdcg10.toFixed(3)}), the rest to relevant papers not shown; ${(lost.outsideShare * 100).toFixed(1)} % of relevant candidates match none of the reader's filters\n`,
  );
  const unscored = result.perReader.filter((r) => r.daysScored === 0).map((r) => r.name);
  const scored = result.perReader.length - unscored.length;
  if (scored === 0) {
    process.stderr.write(`no reader had a relevant candidate on a scored day: the means above are 0 and say nothing (try more --days or another --from)\n`);
  } else if (unscored.length) {
    process.stderr.write(`means over ${scored} of ${result.perReader.length} readers; no relevant candidate on any scored day for: ${unscored.join(', ')}\n`);
  }
  if (!values.out) process.stdout.write(`${json}\n`);
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main().catch((err: unknown) => {
    process.stderr.write(`eval failed: ${(err as Error).stack ?? String(err)}\n`);
    process.exit(1);
  });
}

export { emptyMetrics };
