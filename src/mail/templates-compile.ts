// Template compilation, done ONCE at start: MJML (strict validation) → HTML that still holds Handlebars
// placeholders → a strict Handlebars template function, filled per recipient in microseconds. Partials are expanded
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
export async function compileMjml(name: string, source: string, templatesDir: string): Promise<string> {
  let result: MJMLParseResults;
  try {
    // fonts: {} — no web-font <link> (a remote request on every open; system fonts do).
    result = await mjml2html(source, { validationLevel: 'strict', filePath: templatesDir, keepComments: false, fonts: {}, minify: false, beautify: false });
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
 * Compile a Handlebars template now (not lazily on first use), through its public API only: strict mode (a
 * placeholder naming a field the view lacks throws instead of rendering empty) and knownHelpersOnly (no custom
 * helpers exist, so `{{title}}` compiles to a plain lookup). `{{ }}` escapes; `text` templates do not HTML-escape
 * (plain text is not HTML). The runtime keeps Handlebars' own prototype-access defaults.
 */
export function compileHbs<V>(hbs: Hbs, name: string, source: string, kind: 'html' | 'text'): Fill<V> {
  try {
    // precompile() parses and generates code eagerly, so syntax errors surface here, at start-up.
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
