// Admin page templates (templates/admin/*.hbs), compiled once when the admin routes are registered, filled per
// request. A private Handlebars instance: no global helpers or partials shared with other modules.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import Handlebars from 'handlebars';

export const ADMIN_TEMPLATES_DIR = fileURLToPath(new URL('../../../templates/admin/', import.meta.url));

const PAGES = ['layout', 'dashboard', 'settings', 'outbox', 'outbox-message', 'suppressions'] as const;
export type AdminPage = Exclude<(typeof PAGES)[number], 'layout'>;

export interface AdminViews {
  render(page: AdminPage, view: object, layout: { title: string; now: string; outboxOn: boolean }): string;
  css: string;
}

export function compileAdminViews(dir = ADMIN_TEMPLATES_DIR): AdminViews {
  const hb = Handlebars.create();
  const compiled = Object.fromEntries(
    PAGES.map((p) => [p, hb.compile(readFileSync(`${dir}${p}.hbs`, 'utf8'), { strict: false, noEscape: false })]),
  ) as Record<(typeof PAGES)[number], HandlebarsTemplateDelegate>;
  const css = readFileSync(`${dir}admin.css`, 'utf8');
  return {
    css,
    render(page, view, layout) {
      const body = compiled[page](view);
      return compiled.layout({ ...layout, body, nav: { [page]: true } });
    },
  };
}
