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
