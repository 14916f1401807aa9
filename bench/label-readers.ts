// Writes eval/readers.json from eval/reader-specs.json: each reader's `relevant` list is every paper in the
// archive that matches the reader's written-down wants (eval/README.md explains the method). The labels read the
// title and the one-sentence HF `ai_summary` (or, before March 2025, the abstract's first two sentences) plus
// authors and organization for followers — never the ranker's keywords field, its topic catalog or its scores.
// Usage: node bin/run-ts.js bench/label-readers.ts [--specs eval/reader-specs.json] [--out eval/readers.json]
// (the held-out readers: --specs eval/holdout-specs.json --out eval/holdout-readers.json)
// `--audit` writes nothing: it lists, per rule, every word of the archive that the rule matches in its middle
// ("cell" inside "excellent"), where a rule can label a paper by accident (eval/README.md, "Whole words");
// `--audit --all-words` every word each rule matches, most frequent first ("document" → "documentation").
import { readFileSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import type { Paper } from '../src/papers/paper.js';
import { normalizeName } from '../src/papers/topics.js';
import { archiveDays, loadArchiveDay } from './archive-days.js';

export interface Spec {
  name: string;
  about: string;
  preferences: Record<string, unknown>;
  wants: { any?: string[]; title?: string[]; not?: string[]; authors?: string[]; orgs?: string[] };
}

function firstSentences(text: string, n: number): string {
  return text.split(/(?<=[.!?])\s+/).slice(0, n).join(' ');
}

/** The text a label reads: the title and what the paper is about in a sentence or two. */
export function labelText(p: Paper): string {
  return `${p.title}\n${p.aiSummary ?? firstSentences(p.summary, 2)}`;
}

export function wants(spec: Spec['wants'], p: Paper): boolean {
  const text = labelText(p);
  const by = (spec.authors ?? []).map(normalizeName);
  if (by.length && p.authors.some((a) => by.includes(normalizeName(a)))) return true;
  const orgs = (spec.orgs ?? []).map(normalizeName);
  if (orgs.length && p.organization && (orgs.includes(normalizeName(p.organization.name)) || orgs.includes(normalizeName(p.organization.fullname)))) return true;
  const any = (spec.any ?? []).some((re) => new RegExp(re, 'i').test(text)) || (spec.title ?? []).some((re) => new RegExp(re, 'i').test(p.title));
  if (!any) return false;
  return !(spec.not ?? []).some((re) => new RegExp(re, 'i').test(text));
}

export interface LabelledReader {
  name: string;
  about: string;
  preferences: Record<string, unknown>;
  relevant: string[];
}

/** Every paper of the archive, in listing order. */
export function archivePapers(): Paper[] {
  return archiveDays().flatMap((d) => loadArchiveDay(d));
}

/**
 * Every paper of the archive (or of `papers`, read once by a caller that labels more than one file) that each spec's
 * wants match, in the readers-file format; `papers` in the result = how many were read.
 */
export function labelReaders(specs: readonly Spec[], papers: readonly Paper[] = archivePapers()): { readers: LabelledReader[]; papers: number } {
  const relevant = specs.map(() => new Set<string>());
  for (const p of papers) {
    specs.forEach((s, i) => {
      if (wants(s.wants, p)) relevant[i]!.add(p.id);
    });
  }
  return { readers: specs.map((s, i) => ({ name: s.name, about: s.about, preferences: s.preferences, relevant: [...relevant[i]!].sort() })), papers: papers.length };
}

export interface RuleWords {
  spec: string;
  kind: 'any' | 'title' | 'not';
  rule: string;
  /** each whole word (or phrase) a match lies in → how many papers it is in */
  words: Map<string, number>;
}

/**
 * The words each rule matches, whole: a match extended to the word boundaries around it ("cell" → "excellent").
 * With `midWordOnly`, only matches that start after a letter ("chest" in "orchestration"), which is what the audit
 * lists: some are intended compounds ("medic" in "biomedical"), the others are labels by accident. `papers` are read
 * as a label reads them (labelText; `title` rules the title only).
 */
export function ruleWords(specs: readonly Spec[], papers: readonly Paper[], { midWordOnly }: { midWordOnly: boolean }): RuleWords[] {
  const out: RuleWords[] = [];
  const texts = { title: papers.map((p) => p.title), label: papers.map(labelText) };
  const wordChar = /[A-Za-z0-9-]/;
  for (const s of specs) {
    for (const kind of ['any', 'title', 'not'] as const) {
      for (const rule of s.wants[kind] ?? []) {
        const rx = new RegExp(rule, 'gi');
        const words = new Map<string, number>();
        for (const text of kind === 'title' ? texts.title : texts.label) {
          const seen = new Set<string>();
          for (const m of text.matchAll(rx)) {
            const midWord = m.index > 0 && /[A-Za-z]/.test(text[m.index - 1]!);
            if (midWordOnly && !midWord) continue;
            let from = m.index;
            let to = m.index + Math.max(1, m[0].length);
            while (from > 0 && wordChar.test(text[from - 1]!)) from--;
            while (to < text.length && wordChar.test(text[to]!)) to++;
            seen.add(text.slice(from, to).toLowerCase());
          }
          for (const w of seen) words.set(w, (words.get(w) ?? 0) + 1);
        }
        if (words.size) out.push({ spec: s.name, kind, rule, words });
      }
    }
  }
  return out;
}

function main(): void {
  const { values } = parseArgs({
    options: { specs: { type: 'string', default: 'eval/reader-specs.json' }, out: { type: 'string', default: 'eval/readers.json' }, audit: { type: 'boolean', default: false }, 'all-words': { type: 'boolean', default: false } },
  });
  const specs = JSON.parse(readFileSync(resolve(values.specs), 'utf8')) as Spec[];
  if (values.audit) {
    const papers = archivePapers();
    for (const { spec, kind, rule, words } of ruleWords(specs, papers, { midWordOnly: !values['all-words'] })) {
      const list = [...words].sort((a, b) => b[1] - a[1]).map(([w, n]) => `${w} ${n}`).join(', ');
      process.stdout.write(`${spec} · ${kind} /${rule}/: ${list}\n`);
    }
    return;
  }
  const { readers, papers } = labelReaders(specs);
  writeFileSync(resolve(values.out), `[\n${readers.map((r) => JSON.stringify(r)).join(',\n')}\n]\n`);
  for (const r of readers) process.stderr.write(`${r.name}: ${r.relevant.length} of ${papers} papers\n`);
}

if (import.meta.url === `file://${process.argv[1]}` || process.argv[1]?.endsWith('label-readers.ts')) main();
