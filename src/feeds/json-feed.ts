// JSON Feed 1.1 (https://jsonfeed.org/version/1.1) writer, pure: version URL, title, home_page_url, feed_url,
// authors (1.1 replaces 1.0's `author`), language; items with a unique string id, url, title, content_html,
// summary, date_published / date_modified (RFC 3339), authors, tags.
import type { FeedDoc } from './feed-doc.js';

export const JSON_FEED_TYPE = 'application/feed+json; charset=utf-8';
export const JSON_FEED_VERSION = 'https://jsonfeed.org/version/1.1';

export function renderJsonFeed(doc: FeedDoc): string {
  const feed = {
    version: JSON_FEED_VERSION,
    title: doc.title,
    description: doc.subtitle,
    home_page_url: doc.homeUrl,
    feed_url: doc.jsonUrl,
    authors: [{ name: doc.authorName }],
    language: 'en',
    items: doc.items.map((i) => ({
      id: i.id,
      url: i.url,
      title: i.title,
      content_html: i.contentHtml,
      summary: i.summary.slice(0, 1000),
      date_published: i.published ?? i.updated,
      date_modified: i.updated,
      ...(i.authors.length ? { authors: i.authors.map((name) => ({ name })) } : {}),
      ...(i.tags.length ? { tags: i.tags } : {}),
    })),
  };
  return JSON.stringify(feed);
}
