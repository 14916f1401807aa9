// The format-neutral feed document (pure): what both writers (atom.ts, json-feed.ts) render. Built from a reader's
// editions (personalFeedDoc) or from the public ranking of a topic (public-archive.ts). Papers go through the email's
// own card builder (mail/view-model-cards: cleaned text, only https links to the hosts we expect), so a feed can
// never carry markup or a link the email would not.
import { createHash } from 'node:crypto';
import { paperView, type DigestPaperView } from '../mail/view-model.js';
import type { Paper } from '../papers/paper.js';
import type { FeedbackLinks, FeedEdition } from './edition.js';
import { newestFirst } from './edition.js';
import { htmlText } from './xml.js';

export interface FeedItem {
  /** Permanent, unique id (a tag: URI). */
  id: string;
  url: string;
  title: string;
  /** ISO instant. */
  updated: string;
  published: string | null;
  /** Plain text (the summary). */
  summary: string;
  /** HTML, escaped by us: the card, the reasons and the feedback links. */
  contentHtml: string;
  authors: string[];
  tags: string[];
}

export interface FeedDoc {
  /** Permanent feed id (a tag: URI), never a capability. */
  id: string;
  title: string;
  subtitle: string;
  /** The human page this feed belongs to (Atom rel=alternate, JSON Feed home_page_url). */
  homeUrl: string;
  /** This document's own URL per format (Atom rel=self, JSON Feed feed_url). */
  atomUrl: string;
  jsonUrl: string;
  /** ISO instant: the newest item's, or `fallbackUpdated` when there is none. */
  updated: string;
  authorName: string;
  items: FeedItem[];
}

/** tag: URIs (RFC 4151) under the deployment's host: stable across URL changes of the feed itself. */
export function tagUri(publicUrl: string, specific: string): string {
  const host = new URL(publicUrl).hostname || 'localhost';
  return `tag:${host},2026:${specific}`;
}

/** An opaque, stable label for a subscriber inside feed ids: never the id itself (ids are half a capability). */
export function feedIdOf(subscriberId: string): string {
  return createHash('sha256').update(`papers-digest/feed-id/v1\0${subscriberId}`).digest('base64url').slice(0, 22);
}

function cardHtml(v: DigestPaperView, whyLines: readonly string[], feedback: FeedbackLinks | undefined): string {
  const a = (href: string, text: string) => `<a href="${htmlText(href)}">${htmlText(text)}</a>`;
  const links = [a(v.arxivUrl, 'arXiv'), v.codeUrl ? a(v.codeUrl, 'Code') : '', v.projectUrl ? a(v.projectUrl, 'Project page') : ''].filter(Boolean);
  const out = [
    v.byline ? `<p>${htmlText(v.byline)}<br>${htmlText(v.stats)}</p>` : `<p>${htmlText(v.stats)}</p>`,
    v.summaryFull ? `<p>${v.summaryIsAi ? '<em>AI summary:</em> ' : ''}${htmlText(v.summaryFull)}</p>` : '',
    `<p>${links.join(' · ')}</p>`,
    whyLines.length ? `<p><strong>Why:</strong> ${whyLines.map(htmlText).join('; ')}</p>` : '',
  ];
  if (feedback && (feedback.up || feedback.down || feedback.save)) {
    const fb = [feedback.up ? a(feedback.up, '👍 More like this') : '', feedback.down ? a(feedback.down, '👎 Less like this') : '', feedback.save ? a(feedback.save, '🔖 Save') : ''];
    out.push(`<p>${fb.filter(Boolean).join(' · ')}</p>`);
  }
  return out.filter(Boolean).join('\n');
}

/** One feed item for a paper: the card's cleaned fields, the reasons, the feedback links. */
export function paperItem(input: { id: string; paper: Paper; whyLines: string[]; updated: string; feedbackLinks?: FeedbackLinks; tags?: string[] }): FeedItem {
  const v = paperView({ paper: input.paper, reasons: [] });
  return {
    id: input.id,
    url: v.url,
    title: v.title,
    updated: input.updated,
    // The entry was first available when the edition went out (the arXiv date would reorder a reader's list).
    published: input.updated,
    summary: v.summaryFull,
    contentHtml: cardHtml(v, input.whyLines, input.feedbackLinks),
    authors: input.paper.authors.slice(0, 20),
    tags: input.tags ?? input.paper.keywords.slice(0, 10),
  };
}

export interface PersonalFeedMeta {
  publicUrl: string;
  subscriberId: string;
  atomUrl: string;
  jsonUrl: string;
  homeUrl: string;
  /** Used as `updated` when there is no edition yet (e.g. the subscriber's creation instant). */
  fallbackUpdated: string;
}

/**
 * A reader's feed: one item per paper, newest edition first, papers in digest order. Item ids are per feed,
 * edition and paper, so the same paper id can never collide across readers' feeds in an aggregator.
 */
export function personalFeedDoc(editions: readonly FeedEdition[], meta: PersonalFeedMeta): FeedDoc {
  const feedKey = feedIdOf(meta.subscriberId);
  const sorted = [...editions].sort(newestFirst);
  const items = sorted.flatMap((e) =>
    e.papers.map((p) =>
      paperItem({
        id: tagUri(meta.publicUrl, `feed/${feedKey}/${e.period}/${p.paper.id}`),
        paper: p.paper,
        whyLines: p.whyLines,
        updated: new Date(e.sentAt).toISOString(),
        ...(p.feedbackLinks ? { feedbackLinks: p.feedbackLinks } : {}),
      }),
    ),
  );
  return {
    id: tagUri(meta.publicUrl, `feed/${feedKey}`),
    title: 'Papers Digest — your papers',
    subtitle: 'The papers of your digests, with why each was picked.',
    homeUrl: meta.homeUrl,
    atomUrl: meta.atomUrl,
    jsonUrl: meta.jsonUrl,
    updated: sorted[0] ? new Date(sorted[0].sentAt).toISOString() : new Date(meta.fallbackUpdated).toISOString(),
    authorName: 'Papers Digest',
    items,
  };
}
