// `npm run bench`: runs every benchmark section (or those named with --only a,b) and prints one JSON document
// to stdout (and to --out file.json), with a human-readable table on stderr. Sections are plain async functions
// in bench/<name>.ts returning a JSON-able object; add yours to SECTIONS with a one-line edit.
// Options reach every section: --subscribers N (sections that scale with the subscriber count use it), --runs N,
// --due N (the tick section: subscribers due at once).
import { writeFileSync } from 'node:fs';
import { availableParallelism, cpus } from 'node:os';

export interface BenchOptions {
  subscribers?: number;
  runs?: number;
  days?: number;
  /** Subscribers due at once for the tick section (`--due N`). */
  due?: number;
}

type Section = (opts: BenchOptions) => Promise<object>;

/**
 * Each section's result lands at the top level of the JSON under the section's name (`render.speedup`), except
 * sections marked `merge`, whose result already holds top-level keys (delivery → `delivery.*`, `render.shareOfSendCpu`,
 * `memory.*`, `redis.*`), merged in deeply.
 */
const SECTIONS: Record<string, { run: Section; merge?: boolean }> = {
  scrape: { run: async (o) => (await import('./scrape.js')).benchScrape(o.runs ? { runs: o.runs } : {}) },
  render: { run: async (o) => (await import('./render.js')).benchRender(o.subscribers ? { recipients: o.subscribers } : {}) },
  subscribers: { run: async (o) => (await import('./subscribers.js')).benchSubscribers(o.subscribers ? { subscribers: o.subscribers } : {}) },
  tick: { run: async (o) => (await import('./tick.js')).benchTick(o.due ? { due: o.due } : {}) },
  delivery: { run: async (o) => (await import('./delivery.js')).benchDelivery(o.subscribers ? { subscribers: o.subscribers } : {}), merge: true },
  relevance: { run: async (o) => (await import('./relevance.js')).benchRelevance(o.runs ? { runs: o.runs } : {}) },
  steady: { run: async (o) => (await import('./steady.js')).benchSteady({ ...(o.subscribers ? { subscribers: o.subscribers } : {}), ...(o.days ? { days: o.days } : {}) }) },
};

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(name);
  return i > 0 ? process.argv[i + 1] : undefined;
}

function flatten(prefix: string, value: unknown, out: [string, string][]): void {
  if (value && typeof value === 'object' && !Array.isArray(value)) {
    for (const [k, v] of Object.entries(value)) flatten(prefix ? `${prefix}.${k}` : k, v, out);
  } else {
    out.push([prefix, typeof value === 'number' ? value.toLocaleString('en-US', { maximumFractionDigits: 3 }) : JSON.stringify(value)]);
  }
}

/** Deep merge (objects only): delivery adds `render.shareOfSendCpu` beside the render section's own figures. */
function mergeInto(target: Record<string, unknown>, source: Record<string, unknown>): void {
  for (const [k, v] of Object.entries(source)) {
    const cur = target[k];
    if (cur && v && typeof cur === 'object' && typeof v === 'object' && !Array.isArray(cur) && !Array.isArray(v)) {
      mergeInto(cur as Record<string, unknown>, v as Record<string, unknown>);
    } else target[k] = v;
  }
}

async function main(): Promise<number> {
  const only = arg('--only')?.split(',').map((s) => s.trim()).filter(Boolean);
  const unknown = (only ?? []).filter((s) => !SECTIONS[s]);
  if (unknown.length) {
    process.stderr.write(`unknown section(s): ${unknown.join(', ')} (known: ${Object.keys(SECTIONS).join(', ')})\n`);
    return 2;
  }
  const opts: BenchOptions = {};
  if (arg('--subscribers')) opts.subscribers = Number(arg('--subscribers'));
  if (arg('--runs')) opts.runs = Number(arg('--runs'));
  if (arg('--days')) opts.days = Number(arg('--days'));
  if (arg('--due')) opts.due = Number(arg('--due'));
  const result: Record<string, unknown> = {
    at: new Date().toISOString(),
    node: process.version,
    platform: `${process.platform}/${process.arch}`,
    cpus: availableParallelism(),
    cpuModel: cpus()[0]?.model ?? 'unknown',
    options: opts,
  };
  let failed = false;
  for (const [name, section] of Object.entries(SECTIONS)) {
    if (only && !only.includes(name)) continue;
    process.stderr.write(`bench: ${name}…\n`);
    const t0 = performance.now();
    let value: object;
    try {
      value = await section.run(opts);
    } catch (err) {
      failed = true;
      value = { error: (err as Error).message };
    }
    if (section.merge && !('error' in value)) mergeInto(result, value as Record<string, unknown>);
    else result[name] = value;
    const rows: [string, string][] = [];
    flatten('', value, rows);
    const width = Math.max(...rows.map(([k]) => k.length));
    process.stderr.write(`\n${name} (${((performance.now() - t0) / 1000).toFixed(1)} s)\n${rows.map(([k, v]) => `  ${k.padEnd(width)}  ${v}`).join('\n')}\n\n`);
  }
  const json = JSON.stringify(result, null, 2);
  process.stdout.write(json + '\n');
  const out = arg('--out');
  if (out) writeFileSync(out, json + '\n');
  return failed ? 1 : 0;
}

process.exitCode = await main();
