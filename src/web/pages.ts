// Server-rendered pages: every Handlebars template under templates/pages is compiled ONCE when the web app is
// built (a broken template fails the start, not a visitor's request), then filled per request. `{{ }}` escapes
// everything; the only triple-stash is the layout's `{{{body}}}`, which holds a page this module rendered (and
// so escaped) itself. An isolated Handlebars environment keeps helpers/partials out of the global instance.
import { readFileSync, readdirSync } from 'node:fs';
import { basename, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Handlebars from 'handlebars';

export const PAGE_NAMES = [
  'subscribe',
  'check-inbox',
  'confirm',
  'confirmed',
  'preferences',
  'unsubscribe',
  'unsubscribed',
  'message',
  'confirm-action',
  'feedback',
  'reading-list',
  'reset-learned',
] as const;
export type PageName = (typeof PAGE_NAMES)[number];

export interface Pages {
  /** The full HTML document: `view` fills the page, `title` goes into <title>. */
  render(name: PageName, title: string, view: object): string;
}

export function defaultPagesDir(): string {
  return fileURLToPath(new URL('../../templates/pages', import.meta.url));
}

export function compilePages(dir: string = defaultPagesDir()): Pages {
  const hbs = Handlebars.create();
  hbs.registerHelper('eq', (a: unknown, b: unknown) => a === b);
  const partialsDir = join(dir, 'partials');
  for (const file of readdirSync(partialsDir).filter((f) => f.endsWith('.hbs'))) {
    hbs.registerPartial(basename(file, '.hbs'), readFileSync(join(partialsDir, file), 'utf8'));
  }
  const compile = (name: string) => {
    const source = readFileSync(join(dir, `${name}.hbs`), 'utf8');
    // Handlebars compiles lazily on first call: render once with an empty view so syntax errors surface now.
    const tpl = hbs.compile(source);
    tpl({});
    return tpl;
  };
  const layout = compile('layout');
  const pages = new Map(PAGE_NAMES.map((n) => [n, compile(n)] as const));
  return {
    render(name, title, view) {
      const page = pages.get(name);
      if (!page) throw new Error(`unknown page ${name}`);
      return layout({ title, body: page(view) });
    },
  };
}
