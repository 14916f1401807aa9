// Rendering: every email template compiled ONCE (compileTemplates, at start-up), then filled per recipient.
// MJML runs once per template and leaves the Handlebars placeholders in its HTML; Handlebars compiles that HTML
// (strict, known helpers only) and each recipient costs one fill. A broken template (MJML strict validation,
// Handlebars syntax, or a placeholder the view does not provide) throws here, at start-up, with every problem
// listed — never at send time.
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Subscriber } from '../subscribers/subscriber.js';
import { compileHbs, compileMjml, createHbs, expandIncludes, TemplateError, type Fill } from './templates-compile.js';
import {
  buildAlreadySubscribedView,
  buildConfirmView,
  buildDigestView,
  buildNothingNewView,
  fitDigestView,
  SUMMARY_STEPS,
  webDigestView,
  type AlreadySubscribedView,
  type CommonView,
  type ConfirmView,
  type DigestView,
  type NothingNewView,
} from './view-model.js';

export { TemplateError };

export interface RenderedMail {
  subject: string;
  html: string;
  text: string;
}

export interface RenderedDigest {
  subject: string;
  /** The HTML part as UTF-8 bytes: what the transport sends, and what the size budget counts. */
  html: Buffer;
  text: string;
  /** Papers in this email; the others (papersWebOnly) are behind the overflow link in the web version. */
  papersShown: number;
  papersWebOnly: number;
}

export interface Templates {
  /** The email: trimmed to the HTML budget (summaries first, then overflow papers to the web version). */
  digest(view: DigestView): RenderedDigest;
  /**
   * The email HTML for exactly this view, no budget trimming: the per-recipient work that replaces a full MJML
   * compile (the benchmark's headline figure; digest() adds the bytes, the text part and the budget check).
   */
  digestHtml(view: DigestView): string;
  /** The archive / view-in-browser page: every paper, untrimmed summaries, no budget. */
  digestWebView(view: DigestView): string;
  confirmation(view: ConfirmView): RenderedMail;
  alreadySubscribed(view: AlreadySubscribedView): RenderedMail;
  nothingNew(view: NothingNewView): RenderedMail;
  readonly htmlBudgetBytes: number;
}

/** Gmail clips messages whose HTML exceeds 102 KB; stay clear of it. */
export const DEFAULT_HTML_BUDGET_BYTES = 98_000;

/** Template names: `<name>.mjml` + `<name>.txt.hbs` in the templates directory. */
export const TEMPLATE_NAMES = ['digest', 'confirm', 'already-subscribed', 'nothing-new'] as const;
export type TemplateName = (typeof TEMPLATE_NAMES)[number];

interface CompiledPair<V> {
  html: Fill<V>;
  text: Fill<V>;
}

export interface CompileOptions {
  htmlBudgetBytes?: number;
}

async function compilePair<V>(dir: string, name: TemplateName, hbs: ReturnType<typeof createHbs>): Promise<CompiledPair<V>> {
  const mjmlFile = join(dir, `${name}.mjml`);
  const textFile = join(dir, `${name}.txt.hbs`);
  for (const f of [mjmlFile, textFile]) if (!existsSync(f)) throw new TemplateError(name, [`missing file ${f}`]);
  const html = await compileMjml(`${name}.mjml`, expandIncludes(mjmlFile, dir), dir);
  return {
    html: compileHbs<V>(hbs, `${name}.mjml`, html, 'html'),
    text: compileHbs<V>(hbs, `${name}.txt.hbs`, expandIncludes(textFile, dir), 'text'),
  };
}

/** Compile every email template (MJML runs here, once per template) and check each against sample views. */
export async function compileTemplates(templatesDir: string, opts: CompileOptions = {}): Promise<Templates> {
  const dir = resolve(templatesDir);
  const hbs = createHbs();
  const [digest, confirm, already, nothing] = await Promise.all([
    compilePair<DigestView>(dir, 'digest', hbs),
    compilePair<ConfirmView>(dir, 'confirm', hbs),
    compilePair<AlreadySubscribedView>(dir, 'already-subscribed', hbs),
    compilePair<NothingNewView>(dir, 'nothing-new', hbs),
  ]);
  const templates = templatesFrom({ digest, confirm, already, nothing }, opts.htmlBudgetBytes ?? DEFAULT_HTML_BUDGET_BYTES);
  // Strict templates throw on a placeholder the view lacks: filling every shape once now moves that failure to
  // the start-up, not the first send.
  fillSamples(templates, sampleViews());
  return templates;
}

interface Pairs {
  digest: CompiledPair<DigestView>;
  confirm: CompiledPair<ConfirmView>;
  already: CompiledPair<AlreadySubscribedView>;
  nothing: CompiledPair<NothingNewView>;
}

function templatesFrom(t: Pairs, budget: number): Templates {
  const mail = <V extends CommonView>(pair: CompiledPair<V>, view: V): RenderedMail => ({ subject: view.subject, html: pair.html(view), text: pair.text(view) });

  const digest = (view: DigestView): RenderedDigest => {
    const attempt = (v: DigestView) => {
      const html = Buffer.from(t.digest.html(v), 'utf8');
      return { v, html, fits: html.length <= budget };
    };
    const all = view.papers.length;
    // The common case: the view as built fits (no trimmed copies of the view are made).
    let best: ReturnType<typeof attempt> | null = attempt(view);
    if (!best.fits) best = null;
    // 1) Trim summaries progressively, every paper kept (the view as built was the first step).
    for (let s = 1; !best && s < SUMMARY_STEPS.length; s++) {
      const a = attempt(fitDigestView(view, SUMMARY_STEPS[s]!, all));
      if (a.fits) best = a;
    }
    // 2) Still over: keep the shortest summaries and move papers from the end to the web version (binary search
    //    for the most papers that fit; the overflow link itself is in every candidate).
    if (!best) {
      const shortest = SUMMARY_STEPS[SUMMARY_STEPS.length - 1]!;
      let lo = 0;
      let hi = all - 1;
      while (lo <= hi) {
        const mid = (lo + hi) >> 1;
        const a = attempt(fitDigestView(view, shortest, mid));
        if (a.fits) {
          best = a;
          lo = mid + 1;
        } else hi = mid - 1;
      }
    }
    if (!best) throw new Error(`digest HTML exceeds the ${budget}-byte budget even without papers: the template is too large`);
    const shown = best.v.papers.length;
    return { subject: best.v.subject, html: best.html, text: t.digest.text(best.v), papersShown: shown, papersWebOnly: all - shown };
  };

  return {
    digest,
    digestHtml: (view) => t.digest.html(view),
    digestWebView: (view) => t.digest.html(webDigestView(view)),
    confirmation: (view) => mail(t.confirm, view),
    alreadySubscribed: (view) => mail(t.already, view),
    nothingNew: (view) => mail(t.nothing, view),
    htmlBudgetBytes: budget,
  };
}

/** The MJML sources (partials spliced in, placeholders intact), for comparisons and the benchmark. */
export function templateSources(templatesDir: string): Record<TemplateName, string> {
  const dir = resolve(templatesDir);
  return Object.fromEntries(TEMPLATE_NAMES.map((n) => [n, expandIncludes(join(dir, `${n}.mjml`), dir)])) as Record<TemplateName, string>;
}

/**
 * The slow path the compiled templates replace: fill the MJML source with Handlebars, then run MJML on it, per
 * recipient. Used by the equivalence test and the benchmark only.
 */
export function fullMjmlRenderer(templatesDir: string): (name: TemplateName, view: object) => Promise<string> {
  const dir = resolve(templatesDir);
  const hbs = createHbs();
  const sources = templateSources(dir);
  const fills = Object.fromEntries(TEMPLATE_NAMES.map((n) => [n, compileHbs<object>(hbs, n, sources[n], 'html')])) as Record<TemplateName, Fill<object>>;
  return (name, view) => compileMjml(name, fills[name](view), dir);
}

const SAMPLE_URL = 'https://digest.example.org';

interface Samples {
  digest: DigestView;
  confirm: ConfirmView;
  already: AlreadySubscribedView;
  nothing: NothingNewView;
}

/**
 * Complete sample views, filled once at start so a placeholder that names a missing field fails at start-up rather
 * than on the first send. The digest has a paper with every optional field and one with none.
 */
function sampleViews(): Samples {
  const sub: Subscriber = {
    id: 'sample',
    email: 'sample@example.org',
    status: 'active',
    pausedUntil: null,
    timezone: 'UTC',
    sendTime: { hour: 8, minute: 0 },
    frequency: { kind: 'daily' },
    topics: ['sample'],
    includeKeywords: ['sample'],
    excludeKeywords: [],
    followAuthors: [],
    followOrgs: [],
    minUpvotes: 0,
    maxPapers: 10,
    createdAt: '2026-01-01T00:00:00.000Z',
    confirmedAt: '2026-01-01T00:00:00.000Z',
    unsubscribedAt: null,
    tokenVersion: 1,
    bounceCount: 0,
  };
  const links = { preferences: `${SAMPLE_URL}/p`, unsubscribe: `${SAMPLE_URL}/u`, archive: `${SAMPLE_URL}/a`, readingList: `${SAMPLE_URL}/r` };
  const feedback = (id: string) => `${SAMPLE_URL}/f/${id}`;
  const paper = {
    id: '2601.00001',
    title: 'Sample <&> "title"',
    summary: 'Sample summary.',
    authors: ['A', 'B', 'C', 'D'],
    publishedAt: null,
    listedOn: '2026-01-01',
    upvotes: 1,
    comments: 1,
    url: 'https://huggingface.co/papers/2601.00001',
    arxivUrl: 'https://arxiv.org/abs/2601.00001',
    githubRepo: 'https://github.com/a/b',
    githubStars: 1,
    projectPage: 'https://example.org/',
    organization: { name: 'o', fullname: 'Org' },
    thumbnail: null,
    keywords: [],
    aiSummary: 'AI sample.',
  };
  const bare = { ...paper, id: '2601.00002', authors: [], aiSummary: null, githubRepo: null, projectPage: null, organization: null };
  const now = new Date('2026-01-01T08:00:00Z');
  const selected = [
    { paper, reasons: [{ kind: 'trending' as const }] },
    { paper: bare, reasons: [] },
  ];
  return {
    digest: buildDigestView({ subscriber: sub, selected, period: '2026-01-01', links, feedback, now, publicUrl: SAMPLE_URL }),
    confirm: buildConfirmView({ confirmUrl: `${SAMPLE_URL}/c`, expiresHours: 48, topicsChosen: ['Sample'], schedule: sub, now, publicUrl: SAMPLE_URL }),
    already: buildAlreadySubscribedView({ preferencesUrl: `${SAMPLE_URL}/p`, publicUrl: SAMPLE_URL }),
    nothing: buildNothingNewView({ subscriber: sub, period: '2026-01-01', now, publicUrl: SAMPLE_URL, links }),
  };
}

/** Every template filled with the samples: every digest shape (as built, with overflow, empty, web view). */
function fillSamples(t: Templates, s: Samples): void {
  try {
    // …and a digest without feedback links or reading list (a preview): the optional parts stay optional.
    const bare = { ...s.digest, links: { ...s.digest.links, readingList: null }, papers: s.digest.papers.map((p) => ({ ...p, feedback: null })) };
    for (const v of [s.digest, fitDigestView(s.digest, 0, 1), fitDigestView(s.digest, 0, 0), bare]) t.digest(v);
    t.digestWebView(s.digest);
    t.confirmation(s.confirm);
    t.alreadySubscribed(s.already);
    t.nothingNew(s.nothing);
  } catch (err) {
    if (err instanceof TemplateError) throw err;
    throw new TemplateError('sample fill', [(err as Error).message]);
  }
}
