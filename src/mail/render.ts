// Rendering: every email template compiled ONCE (compileTemplates, at start-up), then filled per recipient.
// A broken template (MJML strict validation, Handlebars syntax, or a placeholder the view does not provide)
// throws here, at start-up, with every problem listed — never at send time.
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Subscriber } from '../subscribers/subscriber.js';
import { compileFastBytes, type FillBytes } from './templates-bytes.js';
import { compileFast, compileHbs, compileMjml, createHbs, expandIncludes, TemplateError, type Fill } from './templates-compile.js';
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

export interface RenderedDigest extends RenderedMail {
  /** Papers in this email; the others (papersWebOnly) are behind the overflow link in the web version. */
  papersShown: number;
  papersWebOnly: number;
  /** UTF-8 size of `html`. */
  readonly htmlBytes: number;
  /**
   * The HTML as contiguous UTF-8 bytes, what the send path hands to the transport (`html` is decoded from it on
   * first read, for callers that want a string).
   */
  readonly htmlBuffer: Buffer;
}

export interface Templates {
  /** The email: trimmed to the HTML budget (summaries first, then overflow papers to the web version). */
  digest(view: DigestView): RenderedDigest;
  /**
   * The email HTML for exactly this view, no budget trimming: the per-recipient work that replaces a full MJML
   * compile (the benchmark's headline figure; digest() adds the text part and the budget check).
   */
  digestHtml(view: DigestView): string;
  /** digestHtml as one contiguous UTF-8 Buffer (static text and shared cards encoded once: templates-bytes.ts). */
  digestHtmlBytes(view: DigestView): Buffer;
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

export interface CompiledPair<V> {
  html: Fill<V>;
  text: Fill<V>;
  /** The HTML as UTF-8 bytes; Buffer.from(html(view)) when the template has no fast byte path. */
  bytes: FillBytes<V>;
}

export interface CompileOptions {
  htmlBudgetBytes?: number;
}

/**
 * Each template twice from the same sources: STRICT (a placeholder naming a missing field throws; filled with
 * sample views at start-up only) and FAST (per recipient; `list` names the loop whose items are cached, see
 * compileFast). compileTemplates checks at start that both give the same output for the sample views.
 */
function compilePair<V extends object>(dir: string, name: TemplateName, hbs: ReturnType<typeof createHbs>, list?: string): { strict: CompiledPair<V>; fast: CompiledPair<V> } {
  const mjmlFile = join(dir, `${name}.mjml`);
  const textFile = join(dir, `${name}.txt.hbs`);
  for (const f of [mjmlFile, textFile]) if (!existsSync(f)) throw new TemplateError(name, [`missing file ${f}`]);
  const html = compileMjml(`${name}.mjml`, expandIncludes(mjmlFile, dir), dir);
  const text = expandIncludes(textFile, dir);
  const strictHtml = compileHbs<V>(hbs, `${name}.mjml`, html, 'html');
  const fastHtml = compileFast<V>(hbs, `${name}.mjml`, html, 'html', list);
  const encode = (fill: Fill<V>): FillBytes<V> => (view) => Buffer.from(fill(view), 'utf8');
  return {
    strict: { html: strictHtml, text: compileHbs<V>(hbs, `${name}.txt.hbs`, text, 'text'), bytes: encode(strictHtml) },
    fast: {
      html: fastHtml,
      text: compileFast<V>(hbs, `${name}.txt.hbs`, text, 'text', list),
      bytes: list ? compileFastBytes<V>(hbs, `${name}.mjml`, html, list, fastHtml) : encode(fastHtml),
    },
  };
}

interface Pairs {
  digest: CompiledPair<DigestView>;
  confirm: CompiledPair<ConfirmView>;
  already: CompiledPair<AlreadySubscribedView>;
  nothing: CompiledPair<NothingNewView>;
}

export function compileTemplates(templatesDir: string, opts: CompileOptions = {}): Templates {
  const dir = resolve(templatesDir);
  const hbs = createHbs();
  const budget = opts.htmlBudgetBytes ?? DEFAULT_HTML_BUDGET_BYTES;
  const digest = compilePair<DigestView>(dir, 'digest', hbs, 'papers');
  const confirm = compilePair<ConfirmView>(dir, 'confirm', hbs);
  const already = compilePair<AlreadySubscribedView>(dir, 'already-subscribed', hbs);
  const nothing = compilePair<NothingNewView>(dir, 'nothing-new', hbs);
  const strict = templatesFrom({ digest: digest.strict, confirm: confirm.strict, already: already.strict, nothing: nothing.strict }, budget);
  const fast = templatesFrom({ digest: digest.fast, confirm: confirm.fast, already: already.fast, nothing: nothing.fast }, budget);
  const samples = sampleViews();
  const expected = fillSamples(strict, samples, 'sample fill');
  // Twice: the second fill serves the digest cards from the per-card cache.
  for (let pass = 0; pass < 2; pass++) {
    const got = fillSamples(fast, samples, 'sample fill (per-recipient templates)');
    const i = got.findIndex((g, k) => g !== expected[k]);
    if (i >= 0) throw new TemplateError('sample fill', [`the per-recipient fill differs from the strict fill (sample output ${i}): a bug in src/mail/templates-compile.ts`]);
  }
  return fast;
}

/**
 * A rendered digest. A class, not an object literal with a `get htmlBytes()` closure: a getter closure per object
 * gives every object its own hidden class (map), allocated in old space — per recipient, that filled the old
 * generation and cost more garbage collection than the whole fill.
 */
class Digest implements RenderedDigest {
  #html: string | null = null;
  constructor(
    readonly subject: string,
    readonly htmlBuffer: Buffer,
    readonly text: string,
    readonly papersShown: number,
    readonly papersWebOnly: number,
  ) {}

  /** Decoded on first read only: the send path uses htmlBuffer and never pays for it. */
  get html(): string {
    return (this.#html ??= this.htmlBuffer.toString('utf8'));
  }

  get htmlBytes(): number {
    return this.htmlBuffer.length;
  }
}

function templatesFrom(t: Pairs, budget: number): Templates {
  const mail = <V extends CommonView>(pair: CompiledPair<V>, view: V): RenderedMail => ({ subject: view.subject, html: pair.html(view), text: pair.text(view) });

  const digest = (view: DigestView): RenderedDigest => {
    const attempt = (v: DigestView) => {
      const html = t.digest.bytes(v);
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
    return new Digest(best.v.subject, best.html, t.digest.text(best.v), best.v.papers.length, all - best.v.papers.length);
  };

  return {
    digest,
    digestHtml: (view) => t.digest.html(view),
    digestHtmlBytes: (view) => t.digest.bytes(view),
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
export function fullMjmlRenderer(templatesDir: string): (name: TemplateName, view: object) => string {
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
 * Complete sample views: filled once by the strict templates at start, so a placeholder that names a missing field
 * fails at start-up rather than on the first send; and by the per-recipient templates, which must agree. The digest
 * has a paper with every optional field and one with none.
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
  const links = { preferences: `${SAMPLE_URL}/p`, unsubscribe: `${SAMPLE_URL}/u`, archive: `${SAMPLE_URL}/a` };
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
    digest: buildDigestView({ subscriber: sub, selected, period: '2026-01-01', links, now, publicUrl: SAMPLE_URL }),
    confirm: buildConfirmView({ confirmUrl: `${SAMPLE_URL}/c`, expiresHours: 48, topicsChosen: ['Sample'], schedule: sub, now, publicUrl: SAMPLE_URL }),
    already: buildAlreadySubscribedView({ preferencesUrl: `${SAMPLE_URL}/p`, publicUrl: SAMPLE_URL }),
    nothing: buildNothingNewView({ subscriber: sub, period: '2026-01-01', now, publicUrl: SAMPLE_URL, links }),
  };
}

/** Every template filled with the samples (every digest shape: as built, with overflow, empty, web view). */
function fillSamples(t: Templates, s: Samples, what: string): string[] {
  try {
    const out: string[] = [];
    for (const v of [s.digest, fitDigestView(s.digest, 0, 1), fitDigestView(s.digest, 0, 0)]) {
      const d = t.digest(v);
      // d.html is decoded from the bytes fill: equal to the strict string only if the bytes are its UTF-8.
      out.push(d.html, d.text, t.digestHtml(v), t.digestHtmlBytes(v).toString('utf8'));
    }
    out.push(t.digestWebView(s.digest));
    for (const m of [t.confirmation(s.confirm), t.alreadySubscribed(s.already), t.nothingNew(s.nothing)]) out.push(m.html, m.text);
    return out;
  } catch (err) {
    if (err instanceof TemplateError) throw err;
    throw new TemplateError(what, [(err as Error).message]);
  }
}
