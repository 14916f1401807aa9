// Pages of the public archive and the personal feed pages, compiled once when the app is built (like pages.ts,
// in their own isolated Handlebars environment, sharing the page partials). Their layout differs from the
// subscriber pages' in what a shared link needs: Open Graph tags, a canonical URL, feed autodiscovery, and being
// indexable (public pages) — while capability pages stay `noindex` and carry no canonical or OG URL.
import { readFileSync, readdirSync } from 'node:fs';
import { basename, join } from 'node:path';
import Handlebars from 'handlebars';
import { defaultPagesDir } from './pages.js';

export const PUBLIC_PAGE_NAMES = ['topic', 'topics-index', 'feed-view', 'my-feed', 'editions'] as const;
export type PublicPageName = (typeof PUBLIC_PAGE_NAMES)[number];

export interface OpenGraph {
  title: string;
  description: string;
  /** Absolute, public URL (never a capability). */
  url: string;
  image?: string | null;
}

export interface LayoutView {
  title: string;
  description?: string;
  /** Public pages only. */
  og?: OpenGraph;
  /** Capability pages: keep out of search engines. */
  noindex?: boolean;
  alternates?: { type: string; title: string; href: string }[];
}

export interface PublicPages {
  render(name: PublicPageName, layout: LayoutView, view: object): string;
}

export function compilePublicPages(dir: string = defaultPagesDir()): PublicPages {
  const hbs = Handlebars.create();
  hbs.registerHelper('eq', (a: unknown, b: unknown) => a === b);
  const partialsDir = join(dir, 'partials');
  for (const file of readdirSync(partialsDir).filter((f) => f.endsWith('.hbs'))) {
    hbs.registerPartial(basename(file, '.hbs'), readFileSync(join(partialsDir, file), 'utf8'));
  }
  const compile = (name: string) => {
    const tpl = hbs.compile(readFileSync(join(dir, `${name}.hbs`), 'utf8'));
    tpl({}); // Handlebars compiles lazily: fail at start, not on a visitor's request
    return tpl;
  };
  const layout = compile('public-layout');
  const pages = new Map(PUBLIC_PAGE_NAMES.map((n) => [n, compile(n)] as const));
  return {
    render(name, view, body) {
      return layout({ ...view, body: pages.get(name)!(body) });
    },
  };
}
