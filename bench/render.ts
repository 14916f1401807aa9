// Benchmark section "render": per-recipient cost of the compiled digest template (MJML compiled once, a strict
// Handlebars fill per recipient) beside a full MJML compile per recipient — same views, same run. Also checks that
// both paths produce the same HTML (modulo whitespace), so the speed-up is not bought with a different email.
// Standalone: `node bin/run-ts.js bench/render.ts [--recipients N]`; bench/run.ts merges it under `render`.
// (render.shareOfSendCpu, the render step's share of a real send's CPU, comes from the delivery section.)
//
// What is timed (all per recipient, median of interleaved rounds, JIT warm on both sides):
// - mjmlPerRecipientMs: the slow path — fill the MJML source with Handlebars, run MJML on it (fullMjmlRenderer).
// - compiledPerRecipientMs (the headline, like for like): the work that REPLACES that MJML compile — the email HTML
//   for the same view from the compiled template (templates.digestHtml). speedup = mjml / compiled.
// - digestPerRecipientMs (digestSpeedup): the whole templates.digest() a send calls — the HTML as UTF-8 bytes for
//   the transport, the plain-text part (its own template) and the Gmail size-budget check. The MJML path has none
//   of these: the conservative figure.
// - viewBuildPerRecipientMs: building the view model (cleaned text, safe links, labels; selection excluded), which
//   both paths need.
// The views are REALISTIC, not one view repeated: 400 recipients with different topic choices, keywords, time zones
// and send histories, their papers picked from the fixture's 30 by the real selection (selectPapers).
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { selectPapers } from '../src/digest/select.js';
import { compileTemplates, fullMjmlRenderer } from '../src/mail/render.js';
import { buildDigestView, type DigestView, type SelectedPaper } from '../src/mail/view-model.js';
import { normalizeEntries } from '../src/papers/normalize.js';
import type { Subscriber } from '../src/subscribers/subscriber.js';
import { FIXTURES, readFixture } from '../test/helpers/fixtures.js';
import { median } from './common.js';

export interface RenderBenchOptions {
  templatesDir?: string;
  /** Recipients rendered with the compiled template (default 5000). */
  recipients?: number;
  /** Recipients rendered with a full MJML compile each (default 110: it is slow). */
  mjmlRecipients?: number;
  /** Most papers per digest (subscriber maxPapers, default 10; the fixture holds 30). */
  papersPerDigest?: number;
}

export interface RenderBenchResult {
  compiledPerRecipientMs: number;
  mjmlPerRecipientMs: number;
  speedup: number;
  digestPerRecipientMs: number;
  digestSpeedup: number;
  compileOnceMs: number;
  viewBuildPerRecipientMs: number;
  recipientsCompiled: number;
  recipientsMjml: number;
  distinctViews: number;
  papersPerDigest: number;
  htmlBytes: number;
  sameHtml: boolean;
}

const BENCH_DIR = dirname(fileURLToPath(import.meta.url));
const PUBLIC_URL = 'https://digest.example.org';
const round = (n: number, digits = 4) => Number(n.toFixed(digits));
const normalize = (html: string) => html.replace(/>\s+</g, '><').replace(/\s+/g, ' ').trim();

const TOPIC_SETS = [
  ['llm', 'reasoning'], ['agents', 'code'], ['multimodal', 'vision', 'video'], ['efficiency', 'training', 'llm'],
  ['generation', 'vision'], ['rl', 'agents', 'reasoning'], ['evaluation', 'llm'], [], // [] = every trending paper
];
const ZONES = ['Europe/Berlin', 'America/New_York', 'Asia/Kolkata', 'Australia/Lord_Howe', 'UTC'];

function subscriberFor(i: number, maxPapers: number): Subscriber {
  return {
    id: `bench-${i}`,
    email: `reader${i}@example.org`,
    status: 'active',
    pausedUntil: null,
    timezone: ZONES[i % ZONES.length]!,
    sendTime: { hour: 8, minute: 0 },
    frequency: { kind: 'daily' },
    topics: TOPIC_SETS[i % TOPIC_SETS.length]!,
    includeKeywords: i % 3 === 0 ? ['benchmark'] : [],
    excludeKeywords: [],
    followAuthors: [],
    followOrgs: [],
    minUpvotes: 0,
    maxPapers,
    createdAt: '2026-07-01T00:00:00.000Z',
    confirmedAt: '2026-07-01T00:00:00.000Z',
    unsubscribedAt: null,
    tokenVersion: 1,
    bounceCount: 0,
  };
}

/**
 * Time several paths in alternating rounds (A, B, C, A, B, C, …) and return each one's median per-call time (ms).
 * Alternating makes all see the same machine: the host is shared, and a busy neighbour must not favour one side.
 */
async function interleavedMedians(rounds: number, paths: { calls: number; fn: (i: number) => unknown }[]): Promise<number[]> {
  const times = paths.map(() => [] as number[]);
  const next = paths.map(() => 0);
  for (let r = 0; r < rounds; r++) {
    for (const [k, p] of paths.entries()) {
      const t0 = performance.now();
      for (let c = 0; c < p.calls; c++) {
        const r = p.fn(next[k]!++);
        if (r instanceof Promise) await r; // only MJML's compile is asynchronous; a fill is not charged a turn
      }
      times[k]!.push((performance.now() - t0) / p.calls);
    }
  }
  return times.map((xs) => median(xs));
}

export async function benchRender(opts: RenderBenchOptions = {}): Promise<RenderBenchResult> {
  const templatesDir = opts.templatesDir ?? join(BENCH_DIR, '..', 'templates');
  const recipients = opts.recipients ?? 5000;
  const mjmlRecipients = opts.mjmlRecipients ?? 110;
  const maxPapers = opts.papersPerDigest ?? 10;
  const { papers } = normalizeEntries(JSON.parse(readFixture(FIXTURES.api)) as unknown[], { fallbackDay: '2026-07-31' });
  if (papers.length === 0) throw new Error('no papers in the fixture');
  const now = new Date('2026-07-31T06:00:00Z');

  // A pool of distinct recipients' views, built outside the timed loops and cycled through: a send job holds one
  // view at a time, so a heap holding every recipient's view would only measure the GC. Each recipient's selection
  // is the real one (topics, keywords, zone) minus a few papers "already sent" to them, so ranks and reason lines
  // differ between recipients who share papers.
  const selections = Array.from({ length: Math.min(recipients, 400) }, (_, i) => {
    const sub = subscriberFor(i, maxPapers);
    const sentIds = new Set(papers.filter((_p, k) => (k * 7 + i) % 11 === 0).map((p) => p.id));
    return { sub, i, selected: selectPapers({ subscriber: sub, papers, sentIds, now, lookbackDays: 3, cap: 25 }) };
  }).filter((s) => s.selected.length > 0);
  const buildView = ({ sub, i, selected }: { sub: Subscriber; i: number; selected: SelectedPaper[] }): DigestView => {
    const token = `tok-${i}`;
    return buildDigestView({
      subscriber: sub,
      selected,
      period: '2026-07-31',
      links: { preferences: `${PUBLIC_URL}/preferences/${token}`, unsubscribe: `${PUBLIC_URL}/unsubscribe/${token}`, archive: `${PUBLIC_URL}/archive/${token}` },
      now,
      publicUrl: PUBLIC_URL,
    });
  };
  // Warm (luxon, regexes, the per-paper memo a worker keeps warm across its jobs) before timing the build.
  for (const s of selections) buildView(s);
  let t0 = performance.now();
  const views = selections.map(buildView);
  const viewBuildPerRecipientMs = (performance.now() - t0) / views.length;

  t0 = performance.now();
  const templates = await compileTemplates(templatesDir);
  const compileOnceMs = performance.now() - t0;
  const full = fullMjmlRenderer(templatesDir);

  // Warm every path up (JIT, lazy requires) before timing: the MJML side gets enough calls to be steady too.
  for (let i = 0; i < 3000; i++) {
    templates.digestHtml(views[i % views.length]!);
    templates.digest(views[i % views.length]!);
  }
  for (let i = 0; i < 150; i++) await full('digest', views[i % views.length]!);

  const rounds = 11;
  const perRound = (n: number) => Math.max(1, Math.floor(n / rounds));
  const view = (i: number) => views[i % views.length]!;
  const [compiledPerRecipientMs, digestPerRecipientMs, mjmlPerRecipientMs] = (await interleavedMedians(rounds, [
    { calls: perRound(recipients), fn: (i) => templates.digestHtml(view(i)) },
    { calls: perRound(recipients), fn: (i) => templates.digest(view(i)) },
    { calls: perRound(mjmlRecipients), fn: (i) => full('digest', view(i)) },
  ])) as [number, number, number];

  // Same email both ways, for a spread of recipients (not just one); digest() sends exactly digestHtml's UTF-8 here.
  let sameHtml = true;
  for (const v of views.filter((_v, i) => i % 37 === 0)) {
    const html = templates.digestHtml(v);
    sameHtml &&= templates.digest(v).html.equals(Buffer.from(html, 'utf8')) && normalize(html) === normalize(await full('digest', v));
  }
  return {
    compiledPerRecipientMs: round(compiledPerRecipientMs),
    mjmlPerRecipientMs: round(mjmlPerRecipientMs),
    speedup: round(mjmlPerRecipientMs / compiledPerRecipientMs, 1),
    digestPerRecipientMs: round(digestPerRecipientMs),
    digestSpeedup: round(mjmlPerRecipientMs / digestPerRecipientMs, 1),
    compileOnceMs: round(compileOnceMs, 1),
    viewBuildPerRecipientMs: round(viewBuildPerRecipientMs),
    recipientsCompiled: recipients,
    recipientsMjml: mjmlRecipients,
    distinctViews: views.length,
    papersPerDigest: round(views.reduce((n, v) => n + v.papers.length, 0) / views.length, 1),
    htmlBytes: templates.digest(views[0]!).html.length,
    sameHtml,
  };
}

const isMain = process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href;
if (isMain) {
  const arg = (name: string) => {
    const i = process.argv.indexOf(name);
    return i > 0 ? Number(process.argv[i + 1]) : undefined;
  };
  const result = await benchRender({ recipients: arg('--recipients'), mjmlRecipients: arg('--mjml-recipients') });
  console.log(JSON.stringify({ render: result }, null, 2));
}
