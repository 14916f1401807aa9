// Template compilation, done ONCE at start: MJML (strict validation) → HTML that still holds Handlebars
// placeholders → a Handlebars template function filled per recipient in microseconds. Partials are expanded
// textually (`<mj-include path="partials/x.mjml" />`) BEFORE anything else, so the compiled-once path and the
// full-MJML-per-recipient path (used by tests and the benchmark to prove equivalence) see the same source.
// MJML's own mj-include is not used: it resolves after Handlebars would run, so partials would stay unfilled.
import { readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import Handlebars from 'handlebars';
import mjml2html from 'mjml';
import type { MJMLParseResults } from 'mjml-core';

export type Hbs = typeof Handlebars;
export type Fill<V> = (view: V) => string;
type Program = hbs.AST.Program;

export class TemplateError extends Error {
  constructor(
    readonly template: string,
    readonly problems: string[],
  ) {
    super(`template ${template} is broken:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'TemplateError';
  }
}

const INCLUDE = /<mj-include\s+path="([^"]+)"\s*\/>/g;

/** Read a template and splice its partials in (recursively, relative to the including file; cycles rejected). */
export function expandIncludes(file: string, root: string, seen: string[] = []): string {
  const abs = resolve(file);
  if (seen.includes(abs)) throw new TemplateError(relative(root, file), [`include cycle: ${[...seen, abs].map((s) => relative(root, s)).join(' → ')}`]);
  let source: string;
  try {
    source = readFileSync(abs, 'utf8');
  } catch (err) {
    const where = seen.length ? relative(root, seen[seen.length - 1]!) : relative(root, abs);
    throw new TemplateError(where, [`cannot read ${relative(root, abs)}: ${(err as Error).message}`]);
  }
  return source.replace(INCLUDE, (_m, path: string) => expandIncludes(join(dirname(abs), path), root, [...seen, abs]).trim());
}

/** A private Handlebars environment (no module singleton: helpers registered here affect nobody else). */
export function createHbs(): Hbs {
  return Handlebars.create();
}

/**
 * MJML → HTML with strict validation. Throws TemplateError listing every MJML error (tag, line, message).
 * The output still holds every `{{…}}` placeholder: MJML leaves text inside mj-text / mj-raw / attributes alone.
 */
export function compileMjml(name: string, source: string, templatesDir: string): string {
  let result: MJMLParseResults;
  try {
    // fonts: {} — no web-font <link> (a remote request on every open; system fonts do). mjml 4 is synchronous
    // (the installed @types describe mjml 5's Promise); a Promise here means mjml 5 got installed.
    const out: unknown = mjml2html(source, { validationLevel: 'strict', filePath: templatesDir, keepComments: false, fonts: {}, minify: false, beautify: false });
    if (typeof (out as { then?: unknown }).then === 'function') throw new Error('mjml returned a Promise: mjml 4 (synchronous) is required');
    result = out as MJMLParseResults;
  } catch (err) {
    const details = (err as { errors?: { formattedMessage?: string; message?: string }[] }).errors;
    const problems = details?.length ? details.map((e) => e.formattedMessage ?? e.message ?? String(e)) : [(err as Error).message];
    throw new TemplateError(name, problems);
  }
  if (result.errors.length) throw new TemplateError(name, result.errors.map((e) => e.formattedMessage));
  return collapseLayoutWhitespace(result.html);
}

/**
 * Drop MJML's pretty-printing (a newline and indentation between two tags): ~15% fewer bytes against Gmail's
 * 102 KB clip and less to copy per recipient. Whitespace without a newline is left alone: between inline
 * elements (`</a> <span>`) it is visible. Templates therefore keep inline runs on one line.
 */
export function collapseLayoutWhitespace(html: string): string {
  return html.replace(/>[ \t]*\r?\n\s*</g, '><');
}

/**
 * Compile a Handlebars template now (not lazily on first use), in strict mode: a placeholder naming a field the
 * view lacks throws instead of rendering empty. `text` templates do not HTML-escape (plain text is not HTML).
 */
export function compileHbs<V>(hbs: Hbs, name: string, source: string, kind: 'html' | 'text'): Fill<V> {
  try {
    // precompile() parses and generates code eagerly, so syntax errors surface here, at start-up.
    // knownHelpersOnly: no custom helpers exist, so `{{title}}` compiles to a plain lookup (no helper check).
    const options = { strict: true, knownHelpersOnly: true, noEscape: kind === 'text' };
    hbs.precompile(source, options);
    const fill = hbs.compile(source, options);
    return (view: V) => {
      try {
        return fill(view);
      } catch (err) {
        // Strict mode: a placeholder naming a field the view lacks. Say which template.
        throw new TemplateError(name, [(err as Error).message]);
      }
    };
  } catch (err) {
    throw new TemplateError(name, [(err as Error).message]);
  }
}

// ---- The per-recipient fill -------------------------------------------------------------------------------------
// Strict mode is for start-up: every strict lookup goes through a checking function (container.strict), which
// costs more than the rest of the fill. compileTemplates() fills the STRICT functions with sample views at start
// (a missing field throws there), then uses these FAST functions per recipient and checks at start that both give
// the same output. Fast = non-strict, `assumeObjects` (a path through null still throws, as in strict mode),
// `knownHelpersOnly` and `data: false` (no @index frames per loop item). Escaping is unchanged: `{{ }}` escapes.
export const FAST = { knownHelpersOnly: true, assumeObjects: true, data: false } as const;

/**
 * Runtime options that skip Handlebars' per-call set-up. A root template call normally merges and wraps every
 * helper and builds its prototype-access tables anew (~0.5 µs and garbage per call, more than the fill of a card);
 * with `partial: true` (RuntimeOptions; the path Handlebars uses to invoke partials) it takes them from here, built
 * once per environment. The tables are what Handlebars 4.7 builds for no options (createProtoAccessControl({}):
 * prototype properties and methods denied). Helpers are passed unwrapped, which only the `lookup` helper would
 * notice (it is not used, and a template using it fails the start-up equality check in compileTemplates).
 * test/unit/mail/render-cache.test.ts checks these fills against plain strict ones, sections and @data included.
 */
export function runtimeOptions(env: Hbs): Handlebars.RuntimeOptions {
  const properties = Object.assign(Object.create(null) as Record<string, boolean>, { ['__proto__']: false });
  const methods = Object.assign(Object.create(null) as Record<string, boolean>, {
    constructor: false,
    __defineGetter__: false,
    __defineSetter__: false,
    __lookupGetter__: false,
    __lookupSetter__: false,
  });
  // As a root call does: the two "missing" helpers live in hooks (`{{#flag}}…{{/flag}}` sections call one).
  const { helperMissing, blockHelperMissing, ...helpers } = env.helpers;
  return {
    partial: true,
    helpers,
    partials: {},
    decorators: {},
    hooks: { helperMissing, blockHelperMissing },
    protoAccessControl: { properties: { whitelist: properties, defaultValue: undefined }, methods: { whitelist: methods, defaultValue: undefined } },
  } as Handlebars.RuntimeOptions;
}

/** `fill` called with prepared runtime options; a template reading `@data` gets its own data frame per call. */
export function withRuntime<V>(fill: Handlebars.TemplateDelegate<V>, rt: Handlebars.RuntimeOptions, data: boolean): Fill<V> {
  return data ? (view: V) => fill(view, { ...rt, data: { root: view } }) : (view: V) => fill(view, rt);
}

/** True when the template reads `@something` (@first, @index, @root…). */
export function usesData(node: unknown): boolean {
  if (Array.isArray(node)) return node.some(usesData);
  if (!node || typeof node !== 'object') return false;
  if ((node as { type?: string }).type === 'PathExpression' && (node as { data?: boolean }).data) return true;
  return Object.entries(node).some(([k, v]) => k !== 'loc' && usesData(v));
}

/** A template split at its top-level `{{#each <list>}}…{{/each}}` (see splitLoop). */
export interface LoopSplit {
  /** The whole template with the loop block replaced by a call to the helper named `LOOP_HELPER`. */
  outer: Program;
  item: Program;
}

/** The helper that stands in for the split `{{#each}}` (registered in compileFast's own environment only). */
export const LOOP_HELPER = 'pd-cached-each';

/**
 * Split `source` at its one top-level `{{#each <list>}}` block: the template with the block replaced by a call to
 * LOOP_HELPER (same argument), and the loop body. null when there is no such block (or more than one), when it has
 * `{{else}}`, block params or a hash, or when its body reaches outside the item (`../x`, `@index`, `@root`,
 * partials, decorators): then the body's output depends on more than the item, and filling it once per item for
 * reuse (compileFast) would be wrong.
 * The parse applies Handlebars' whitespace control to the WHOLE template first (standalone `{{#each}}` lines are
 * stripped as in the unsplit template); the parts are compiled with `ignoreStandalone` so nothing is stripped twice.
 */
export function splitLoop(hbs: Hbs, source: string, list: string): LoopSplit | null {
  const ast = hbs.parse(source);
  const isLoop = (st: hbs.AST.Statement): st is hbs.AST.BlockStatement => {
    const b = st as hbs.AST.BlockStatement;
    return b.type === 'BlockStatement' && b.path.original === 'each' && b.params.length === 1 && (b.params[0] as hbs.AST.PathExpression).original === list;
  };
  const at = ast.body.findIndex(isLoop);
  if (at < 0 || ast.body.findIndex((st, i) => i > at && isLoop(st)) >= 0) return null;
  const block = ast.body[at] as hbs.AST.BlockStatement;
  if (block.inverse || block.hash || block.program.blockParams?.length || !selfContained(block.program)) return null;
  const call = {
    type: 'MustacheStatement',
    path: { type: 'PathExpression', data: false, depth: 0, parts: [LOOP_HELPER], original: LOOP_HELPER, loc: block.loc },
    params: block.params,
    escaped: true, // the helper returns a SafeString: its text was escaped by the item template
    strip: { open: false, close: false },
    loc: block.loc,
  } as unknown as hbs.AST.MustacheStatement;
  return { outer: { ...ast, body: [...ast.body.slice(0, at), call, ...ast.body.slice(at + 1)] }, item: block.program };
}

/** True when nothing in the node reads outside its own context: no `../`, no `@data`, no partials or decorators. */
function selfContained(node: unknown): boolean {
  if (Array.isArray(node)) return node.every(selfContained);
  if (!node || typeof node !== 'object') return true;
  const n = node as { type?: string; depth?: number; data?: boolean; blockParams?: string[] };
  if (n.type === 'PathExpression' && (n.depth! > 0 || n.data)) return false;
  if (n.type && /Partial|Decorator/.test(n.type)) return false;
  if (n.blockParams?.length) return false;
  return Object.entries(node).every(([k, v]) => k === 'loc' || selfContained(v));
}

/**
 * The per-recipient fill (non-strict: see FAST above). With `list`, the template is split at its `{{#each list}}`
 * loop and each item's filled body is cached per item OBJECT, for FROZEN items only: a frozen object of primitives
 * cannot change, so its filled body cannot go stale, and splitLoop guarantees the body reads nothing but the item.
 * The view models hand out one frozen object per (paper, rank, summary length, reason) and share it between
 * recipients (src/mail/view-model-cards.ts), so a fleet fills each card once, not once per recipient. Items that are not
 * frozen are filled every time. Without a usable loop (splitLoop null) the whole template is filled per call.
 */
export function compileFast<V extends object>(hbs: Hbs, name: string, source: string, kind: 'html' | 'text', list?: string): Fill<V> {
  const noEscape = kind === 'text';
  const named = <T>(fill: (v: T) => string): Fill<T> => (v: T) => {
    try {
      return fill(v);
    } catch (err) {
      throw new TemplateError(name, [(err as Error).message]);
    }
  };
  try {
    const whole = withRuntime(hbs.compile<V>(source, { ...FAST, noEscape }), runtimeOptions(hbs), usesData(hbs.parse(source)));
    const split = list ? splitLoop(hbs, source, list) : null;
    if (!split) return named(whole);
    // One root call per fill (each root call of a Handlebars template merges and wraps every helper and builds its
    // access-control tables anew): the loop runs inside the outer template, as a helper of a private environment.
    const env = createHbs();
    const compileOpts = { ...FAST, noEscape, ignoreStandalone: true, knownHelpers: { [LOOP_HELPER]: true } };
    const filled = new WeakMap<object, string>();
    // (itemFill is defined below, once the helper is registered; this only runs when a template is filled.)
    const itemOf = (x: unknown): string => {
      if (typeof x !== 'object' || x === null) return itemFill(x as object);
      let s = filled.get(x);
      if (s === undefined) {
        s = itemFill(x);
        if (Object.isFrozen(x)) {
          // Stored flat: a fill is a rope of ~60 pieces, which every email using the card would walk again
          // when its own rope is flattened for sending. (V8 flattens a string before running a regexp on it.)
          /^/.test(s);
          filled.set(x, s);
        }
      }
      return s;
    };
    env.registerHelper(LOOP_HELPER, (items: unknown[]) => {
      let out = '';
      for (let i = 0; i < items.length; i++) if (i in items) out += itemOf(items[i]); // holes skipped, as #each does
      return new env.SafeString(out);
    });
    const rt = runtimeOptions(env); // after registerHelper: holds the loop helper
    const itemFill = withRuntime(env.compile<object>(split.item, compileOpts), rt, usesData(split.item));
    const outer = withRuntime(env.compile<V>(split.outer, compileOpts), rt, usesData(split.outer));
    return named((view: V) => (Array.isArray((view as Record<string, unknown>)[list!]) ? outer(view) : whole(view))); // not a list: #each semantics
  } catch (err) {
    throw new TemplateError(name, [(err as Error).message]);
  }
}
