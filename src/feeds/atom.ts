// Atom 1.0 (RFC 4287) writer, pure. What the RFC requires and readers rely on: feed id/title/updated, an author
// (feed level, so every entry has one), rel="self" and rel="alternate" links; per entry id/title/updated, an
// alternate link and a summary or content. Ids are tag: URIs that never change; `updated` is an RFC 3339 instant.
import type { FeedDoc } from './feed-doc.js';
import { xmlAttr, xmlText } from './xml.js';

export const ATOM_TYPE = 'application/atom+xml; charset=utf-8';

export function renderAtom(doc: FeedDoc): string {
  const lines = [
    '<?xml version="1.0" encoding="utf-8"?>',
    '<feed xmlns="http://www.w3.org/2005/Atom">',
    `  <id>${xmlText(doc.id)}</id>`,
    `  <title>${xmlText(doc.title)}</title>`,
    `  <subtitle>${xmlText(doc.subtitle)}</subtitle>`,
    `  <updated>${xmlText(doc.updated)}</updated>`,
    `  <link rel="self" type="application/atom+xml" href="${xmlAttr(doc.atomUrl)}"/>`,
    `  <link rel="alternate" type="text/html" href="${xmlAttr(doc.homeUrl)}"/>`,
    `  <author><name>${xmlText(doc.authorName)}</name></author>`,
    `  <generator>papers-digest</generator>`,
  ];
  for (const item of doc.items) {
    lines.push(
      '  <entry>',
      `    <id>${xmlText(item.id)}</id>`,
      `    <title type="text">${xmlText(item.title)}</title>`,
      `    <updated>${xmlText(item.updated)}</updated>`,
      ...(item.published ? [`    <published>${xmlText(item.published)}</published>`] : []),
      `    <link rel="alternate" type="text/html" href="${xmlAttr(item.url)}"/>`,
      ...item.authors.map((a) => `    <author><name>${xmlText(a)}</name></author>`),
      ...item.tags.map((t) => `    <category term="${xmlAttr(t)}"/>`),
      `    <summary type="text">${xmlText(item.summary.slice(0, 1000))}</summary>`,
      `    <content type="html">${xmlText(item.contentHtml)}</content>`,
      '  </entry>',
    );
  }
  lines.push('</feed>', '');
  return lines.join('\n');
}
