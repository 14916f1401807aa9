// Parse Prometheus text exposition into `name{labels}` → value, enough to assert on scraped metrics.
export function parsePrometheus(text: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const line of text.split('\n')) {
    if (!line || line.startsWith('#')) continue;
    const m = /^([a-zA-Z_:][\w:]*(?:\{[^}]*\})?) (\S+)/.exec(line);
    if (m) out.set(m[1]!, Number(m[2]));
  }
  return out;
}

/** Sum of every series of `name` whose label text contains `match` (e.g. across pd_instance). */
export function sumSeries(m: Map<string, number>, name: string, match = ''): number {
  let sum = 0;
  for (const [k, v] of m) if ((k === name || k.startsWith(`${name}{`)) && k.includes(match)) sum += v;
  return sum;
}
