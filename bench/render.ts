// Benchmark section "render": per-recipient cost of the compiled digest template (MJML compiled once, Handlebars
// fill per recipient) beside a full MJML compile per recipient — same views, same run. Also checks that both
// paths produce the same HTML (modulo whitespace), so the speed-up is not bought with a different email.
// Standalone: `node bin/run-ts.js bench/render.ts [--recipients N]`; bench/run.ts merges it under `render`.
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { compileTemplates, fullMjmlRenderer } from '../src/mail/render.js';
import { buildDigestView, type DigestView } from '../src/mail/view-model.js';
import { normalizeEntries } from '../src/papers/normalize.js';
import type { Subscriber } from '../src/subscribers/subscriber.js';
import { FIXTURES, readFixture } from '../test/helpers/fixtures.js';

export interface RenderBenchOptions {
  templatesDir?: string;
  /** Recipients rendered with the compiled template (default 5000). */
  recipients?: number;
  /** Recipients rendered with a full MJML compile each (default 70: it is slow). */
  mjmlRecipients?: number;
  /** Papers per digest (default 10, the fixture holds 30). */
  papersPerDigest?: number;
}

export interface RenderBenchResult {
  compiledPerRecipientMs: number;
  mjmlPerRecipientMs: number;
  speedup: number;
  compileOnceMs: number;
  viewBuildPerRecipientMs: number;
  recipientsCompiled: number;
  recipientsMjml: number;
  papersPerDigest: number;
  htmlBytes: number;
  sameHtml: boolean;
}

const BENCH_DIR = dirname(fileURLToPath(import.meta.url));
const PUBLIC_URL = 'https://digest.example.org';
const round = (n: number, digits = 4) => Number(n.toFixed(digits));
const normalize = (html: string) => html.replace(/>\s+</g, '><').replace(/\s+/g, ' ').trim();

function subscriberFor(i: number): Subscriber {
  const zones = ['Europe/Berlin', 'America/New_York', 'Asia/Kolkata', 'Australia/Lord_Howe', 'UTC'];
  return {
    id: `bench-${i}`,
    email: `reader${i}@example.org`,
    status: 'active',
    pausedUntil: null,
    timezone: zones[i % zones.length]!,
    sendTime: { hour: 8, minute: 0 },
    frequency: { kind: 'daily' },
    topics: ['llm', 'multimodal'],
    includeKeywords: [],
    excludeKeywords: [],
    followAuthors: [],
    followOrgs: [],
    minUpvotes: 0,
    maxPapers: 25,
    createdAt: '2026-07-01T00:00:00.000Z',
    confirmedAt: '2026-07-01T00:00:00.000Z',
    unsubscribedAt: null,
    tokenVersion: 1,
    bounceCount: 0,
  };
}

/**
 * Time two paths in alternating rounds (A, B, A, B, …) and return each one's median per-call time (ms). Alternating
 * makes both see the same machine: the host is shared, and a busy neighbour must not favour one side of the ratio.
 */
function interleavedMedians(rounds: number, a: { calls: number; fn: (i: number) => unknown }, b: { calls: number; fn: (i: number) => unknown }): [number, number] {
  const times: [number[], number[]] = [[], []];
  let ia = 0;
  let ib = 0;
  for (let r = 0; r < rounds; r++) {
    let t0 = performance.now();
    for (let k = 0; k < a.calls; k++) a.fn(ia++);
    times[0].push((performance.now() - t0) / a.calls);
    t0 = performance.now();
    for (let k = 0; k < b.calls; k++) b.fn(ib++);
    times[1].push((performance.now() - t0) / b.calls);
  }
  const median = (xs: number[]) => xs.sort((x, y) => x - y)[Math.floor(xs.length / 2)]!;
  return [median(times[0]), median(times[1])];
}

export async function benchRender(opts: RenderBenchOptions = {}): Promise<RenderBenchResult> {
  const templatesDir = opts.templatesDir ?? join(BENCH_DIR, '..', 'templates');
  const recipients = opts.recipients ?? 5000;
  const mjmlRecipients = opts.mjmlRecipients ?? 70;
  const perDigest = opts.papersPerDigest ?? 10;
  const { papers } = normalizeEntries(JSON.parse(readFixture(FIXTURES.api)) as unknown[], { fallbackDay: '2026-07-31' });
  if (papers.length === 0) throw new Error('no papers in the fixture');

  // A pool of distinct views (different papers, zones and links), built outside the timed loops and cycled through:
  // a send job holds one view at a time, so a heap holding every recipient's view would only measure the GC.
  const buildView = (i: number): DigestView => {
    const start = i % papers.length;
    const chosen = Array.from({ length: perDigest }, (_, k) => papers[(start + k) % papers.length]!);
    const token = `tok-${i}`;
    return buildDigestView({
      subscriber: subscriberFor(i),
      selected: chosen.map((paper) => ({ paper, reasons: [{ kind: 'topic', topicId: 'llm', topicLabel: 'Large language models', phrase: 'language model' }] })),
      period: '2026-07-31',
      links: { preferences: `${PUBLIC_URL}/preferences/${token}`, unsubscribe: `${PUBLIC_URL}/unsubscribe/${token}`, archive: `${PUBLIC_URL}/archive/${token}` },
      now: new Date('2026-07-31T06:00:00Z'),
      publicUrl: PUBLIC_URL,
    });
  };
  let t0 = performance.now();
  const views = Array.from({ length: Math.min(recipients, 300) }, (_, i) => buildView(i));
  const viewBuildPerRecipientMs = (performance.now() - t0) / views.length;

  t0 = performance.now();
  const templates = compileTemplates(templatesDir);
  const compileOnceMs = performance.now() - t0;
  const full = fullMjmlRenderer(templatesDir);

  // Warm both paths up (JIT, lazy requires) before timing.
  for (let i = 0; i < 200; i++) templates.digest(views[i % views.length]!);
  for (let i = 0; i < 5; i++) full('digest', views[i % views.length]!);

  // The compiled path does more than the MJML path here (text part and budget check too): the ratio is conservative.
  const rounds = 7;
  const [compiledPerRecipientMs, mjmlPerRecipientMs] = interleavedMedians(
    rounds,
    { calls: Math.max(1, Math.floor(recipients / rounds)), fn: (i) => templates.digest(views[i % views.length]!) },
    { calls: Math.max(1, Math.floor(mjmlRecipients / rounds)), fn: (i) => full('digest', views[i % views.length]!) },
  );

  const sample = views[0]!;
  const sameHtml = normalize(templates.digest(sample).html) === normalize(full('digest', sample));
  return {
    compiledPerRecipientMs: round(compiledPerRecipientMs),
    mjmlPerRecipientMs: round(mjmlPerRecipientMs),
    speedup: round(mjmlPerRecipientMs / compiledPerRecipientMs, 1),
    compileOnceMs: round(compileOnceMs, 1),
    viewBuildPerRecipientMs: round(viewBuildPerRecipientMs),
    recipientsCompiled: recipients,
    recipientsMjml: mjmlRecipients,
    papersPerDigest: perDigest,
    htmlBytes: templates.digest(sample).htmlBytes,
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
