// The relevance evaluation's figures for one digest, pure (definitions in eval/README.md).
export interface Metrics {
  ndcg10: number;
  p1: number;
  mrr: number;
  p5: number;
  shownPrecision: number;
  recall: number;
}

export const METRIC_NAMES = ['ndcg10', 'p1', 'mrr', 'p5', 'shownPrecision', 'recall'] as const satisfies readonly (keyof Metrics)[];

export function emptyMetrics(): Metrics {
  return { ndcg10: 0, p1: 0, mrr: 0, p5: 0, shownPrecision: 0, recall: 0 };
}

/**
 * Figures for one digest: `shown` in order, `candidates` = the day's window (papers the reader had not been sent),
 * `relevant` = the reader's labels. Null when no candidate is relevant (the day is left out).
 */
export function scoreDigest(shown: readonly string[], candidates: ReadonlySet<string>, relevant: ReadonlySet<string>): Metrics | null {
  let relevantCandidates = 0;
  for (const id of candidates) if (relevant.has(id)) relevantCandidates++;
  if (relevantCandidates === 0) return null;
  const rel = shown.map((id) => (relevant.has(id) ? 1 : 0));
  let dcg = 0;
  rel.slice(0, 10).forEach((g, i) => (dcg += g / Math.log2(i + 2)));
  let idcg = 0;
  for (let i = 0; i < Math.min(10, relevantCandidates); i++) idcg += 1 / Math.log2(i + 2);
  const first = rel.indexOf(1);
  const hits = rel.reduce((a: number, b) => a + b, 0);
  return {
    ndcg10: idcg > 0 ? dcg / idcg : 0,
    p1: rel[0] === 1 ? 1 : 0,
    mrr: first >= 0 ? 1 / (first + 1) : 0,
    p5: rel.slice(0, 5).reduce((a: number, b) => a + b, 0) / 5,
    shownPrecision: shown.length ? hits / shown.length : 0,
    recall: hits / relevantCandidates,
  };
}

export function meanOf(list: readonly Metrics[]): Metrics {
  const out = emptyMetrics();
  if (list.length === 0) return out;
  for (const m of list) for (const k of METRIC_NAMES) out[k] += m[k];
  for (const k of METRIC_NAMES) out[k] = Math.round((out[k] / list.length) * 1000) / 1000;
  return out;
}

/**
 * Where a digest's nDCG@10 is lost (the learned ranking's diagnostics): `sortedNdcg10` is the figure of the same
 * shown papers sorted relevant-first (what is lost to order is the difference from the digest's own), and
 * `outsideShare` the share of the day's relevant candidates that match none of the reader's filters (no order of
 * the papers the filters bring reaches them). Null when no candidate is relevant.
 */
export interface Losses {
  sortedNdcg10: number;
  outsideShare: number;
}

export function lossesOf(shown: readonly string[], candidates: ReadonlySet<string>, relevant: ReadonlySet<string>, insideFilters: (id: string) => boolean): Losses | null {
  const sorted = [...shown].sort((a, b) => Number(relevant.has(b)) - Number(relevant.has(a)));
  const f = scoreDigest(sorted, candidates, relevant);
  if (!f) return null;
  let rel = 0;
  let outside = 0;
  for (const id of candidates) {
    if (!relevant.has(id)) continue;
    rel++;
    if (!insideFilters(id)) outside++;
  }
  return { sortedNdcg10: f.ndcg10, outsideShare: outside / rel };
}

export function meanLosses(list: readonly Losses[]): Losses {
  const n = Math.max(1, list.length);
  const r = (x: number) => Math.round((x / n) * 1000) / 1000;
  return { sortedNdcg10: r(list.reduce((a, l) => a + l.sortedNdcg10, 0)), outsideShare: r(list.reduce((a, l) => a + l.outsideShare, 0)) };
}
