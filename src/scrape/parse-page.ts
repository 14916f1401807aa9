// The Hugging Face listing page (daily, weekly or monthly view) → papers (pure). Parsed by structure, not by
// the particulars of one capture: the data comes from the `data-props` JSON of the element whose data-target is
// DailyPapers (any tag; `dateString` or the older `date`); when that is missing or unparseable, from the paper
// cards, found as the largest element around each link to /papers/<arxiv-id> that holds no other paper's link
// (an <article> in every layout seen so far). Anything else is a ScrapeLayoutError naming what was missing.
import * as cheerio from 'cheerio';
import type { AnyNode, Element } from 'domhandler';
import { dayOf, normalizeEntries, normalizeId } from '../papers/normalize.js';
import { cleanText, cleanUrl, parseCount } from '../papers/text.js';
import { ScrapeLayoutError } from './errors.js';
import type { ParsedListing, ParseOptions } from './listing.js';

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

const PAPER_HREF = /^(?:https?:\/\/[^/]+)?\/papers\/(\d{4}\.\d{4,5}(?:v\d+)?)\/?(?:[?#].*)?$/;
const ORG_HREF = /^(?:https?:\/\/[^/]+)?\/([A-Za-z0-9][\w.-]{0,95})\/?$/;
const NOT_ORGS = new Set(['papers', 'login', 'join', 'models', 'datasets', 'spaces', 'docs', 'blog', 'pricing', 'settings',
  'collections', 'posts', 'organizations', 'enterprise', 'search', 'notifications', 'new', 'learn', 'chat', 'tasks']);

interface PropsResult {
  entries: unknown[] | null;
  props: Obj | null;
  problem: string | null;
}

function looksLikeEntries(v: unknown): v is unknown[] {
  return Array.isArray(v) && (v.length === 0 || v.some((e) => isObj(e) && (isObj(e.paper) || ('id' in e && 'title' in e))));
}

/** Find and decode the DailyPapers data-props. */
function readProps($: cheerio.CheerioAPI): PropsResult {
  const candidates = $('[data-target="DailyPapers"][data-props]').toArray();
  // Tolerate a renamed hydration target: any data-props whose JSON holds a `dailyPapers` list.
  if (candidates.length === 0) {
    for (const el of $('[data-props]').toArray()) if ((el.attribs['data-props'] ?? '').includes('dailyPapers')) candidates.push(el);
  }
  if (candidates.length === 0) return { entries: null, props: null, problem: 'no DailyPapers data-props' };
  let problem = '';
  for (const el of candidates) {
    let props: unknown;
    try {
      props = JSON.parse(el.attribs['data-props'] ?? '');
    } catch (err) {
      problem = `DailyPapers data-props is not valid JSON (${(err as Error).message})`;
      continue;
    }
    if (!isObj(props)) {
      problem = 'DailyPapers data-props is not a JSON object';
      continue;
    }
    if (looksLikeEntries(props.dailyPapers)) return { entries: props.dailyPapers, props, problem: null };
    const other = Object.values(props).find((v) => Array.isArray(v) && v.length > 0 && looksLikeEntries(v));
    if (other) return { entries: other as unknown[], props, problem: null };
    problem = `DailyPapers data-props has no dailyPapers list (keys: ${Object.keys(props).slice(0, 12).join(', ')})`;
  }
  return { entries: null, props: null, problem };
}

function ownText($: cheerio.CheerioAPI, el: Element): string {
  return $(el)
    .contents()
    .toArray()
    .filter((n: AnyNode) => n.type === 'text')
    .map((n) => $(n).text())
    .join('');
}

function paperIdOf(href: string | undefined): string | null {
  if (!href) return null;
  const m = PAPER_HREF.exec(href.trim());
  return m ? normalizeId(m[1]) : null;
}

/** Paper cards in document order: for each paper id, the largest element around its link holding no other paper. */
function findCards($: cheerio.CheerioAPI): { id: string; card: Element }[] {
  const cards = new Map<string, Element>();
  const memo = new Map<Element, Set<string>>(); // several links share each ancestor: compute each once
  const idsUnder = (el: Element) => {
    const known = memo.get(el);
    if (known) return known;
    const ids = new Set<string>();
    memo.set(el, ids);
    for (const a of $(el).find('a[href]').toArray()) {
      const id = paperIdOf(a.attribs.href);
      if (id) ids.add(id);
    }
    return ids;
  };
  for (const a of $('a[href]').toArray()) {
    const id = paperIdOf(a.attribs.href);
    if (!id) continue;
    const existing = cards.get(id);
    if (existing && existing.tagName === 'article') continue;
    let card: Element = a;
    const article = $(a).closest('article')[0] as Element | undefined;
    if (article && idsUnder(article).size === 1) {
      card = article;
    } else {
      for (let p = card.parent; p && p.type === 'tag' && !['body', 'html'].includes((p as Element).tagName); p = p.parent) {
        const ids = idsUnder(p as Element);
        if (ids.size !== 1) break;
        card = p as Element;
      }
    }
    if (!existing || (card.tagName === 'article' && existing.tagName !== 'article')) cards.set(id, card);
  }
  return [...cards].map(([id, card]) => ({ id, card }));
}

/** One card → a flat paper record for normalizeEntry (numbers read from the card's text, not from class names). */
function readCard($: cheerio.CheerioAPI, id: string, card: Element): Obj {
  const $card = $(card);
  const paperLinks = $card.find('a[href]').toArray().filter((a) => paperIdOf(a.attribs.href) === id);
  if (card.tagName === 'a') paperLinks.unshift(card);
  const inPaperLink = (el: Element) => paperLinks.some((a) => a === el || $(el).closest('a')[0] === a);
  const heading = $card.find('h1, h2, h3, h4, h5, h6').first();
  let title = heading.length ? cleanText(heading.text()) : '';
  if (!title) {
    for (const a of paperLinks) {
      if ((a.attribs.href ?? '').includes('#')) continue;
      const t = cleanText($(a).text());
      if (t.length > title.length && parseCount(t) === null) title = t;
    }
  }
  // Upvotes: a bare number in the card that is not inside a link to the paper (those hold the GitHub star count
  // and the comment count) nor inside a link elsewhere (a stars badge pointing at GitHub). Preferred: one that
  // sits in the vote control (a checkbox, button or label, or something named upvote/like); else the first.
  let upvotes: number | null = null;
  let fallbackCount: number | null = null;
  for (const node of $card.find('*').toArray()) {
    if (node.type !== 'tag') continue;
    const el = node as Element;
    if (inPaperLink(el)) continue;
    const n = parseCount(cleanText(ownText($, el)));
    if (n === null) continue;
    const link = $(el).closest('a[href]')[0] as Element | undefined;
    const inOtherLink = link && !/\/login|\/join/.test(link.attribs.href ?? '');
    const control = $(el).closest('button, label, [role="checkbox"], [role="button"], [class*="upvote" i], [aria-label*="upvote" i], [title*="upvote" i]');
    const voteBox = control.length > 0 || $(el).parent().find('input[type="checkbox"]').length > 0 || $(el).siblings('input[type="checkbox"]').length > 0;
    if (voteBox) {
      upvotes = n;
      break;
    }
    if (!inOtherLink && fallbackCount === null) fallbackCount = n;
  }
  upvotes ??= fallbackCount;
  let comments = 0;
  for (const a of paperLinks) {
    if (/#community\b|#comments?\b|#discussion/.test(a.attribs.href ?? '')) comments = parseCount(cleanText($(a).text())) ?? comments;
  }
  let organization: Obj | null = null;
  for (const a of $card.find('a[href]').toArray()) {
    const m = ORG_HREF.exec((a.attribs.href ?? '').trim());
    if (!m || NOT_ORGS.has(m[1]!.toLowerCase()) || paperIdOf(a.attribs.href)) continue;
    // "Submitted by <a href=/user>" names a person, not the paper's organization.
    if (/submitted\s+by/i.test(cleanText($(a).parent().text()))) continue;
    const img = $(a).find('img[alt]').first().attr('alt');
    organization = { name: m[1], fullname: cleanText($(a).text()) || cleanText(img) || m[1] };
    break;
  }
  let thumbnail: string | null = null;
  for (const a of paperLinks) {
    const src = $(a)
      .find('img[src]')
      .toArray()
      .map((i) => i.attribs.src ?? '')
      .find((s) => s && !/avatar/i.test(s));
    if (src) {
      thumbnail = cleanUrl(src, 'https://huggingface.co');
      break;
    }
  }
  return { id, title, upvotes: upvotes ?? 0, numComments: comments, organization, thumbnail };
}

/** The day in a listing URL: `/papers/date/YYYY-MM-DD`, or the older `/papers?date=YYYY-MM-DD`. */
function dayFromUrl(u: string | undefined): string | null {
  const m = u ? /\/papers(?:\/date\/|\/?\?(?:[^#]*&)?date=)(\d{4}-\d{2}-\d{2})/.exec(u) : null;
  return m ? m[1]! : null;
}

function periodFromUrl(u: string | undefined): string | null {
  const m = u ? /\/papers\/(date|week|month)\//.exec(u) : null;
  return m ? ({ date: 'day', week: 'week', month: 'month' } as Record<string, string>)[m[1]!]! : null;
}

function looksTruncated(html: string): boolean {
  return !/<\/(html|body)>/i.test(html.slice(-4096));
}

export function parseListingPage(html: string, opts: ParseOptions): ParsedListing {
  const $ = cheerio.load(html);
  const warnings: string[] = [];
  const props = readProps($);
  const cards = findCards($);
  const ogUrl = $('meta[property="og:url"]').attr('content') ?? $('link[rel="canonical"]').attr('href');
  const propDay = props.props ? (dayOf(props.props.dateString) ?? dayOf(props.props.date)) : null;
  const pageDay = propDay ?? dayFromUrl(ogUrl) ?? dayFromUrl(opts.url);
  const periodType = (props.props && typeof props.props.periodType === 'string' ? props.props.periodType : null) ?? periodFromUrl(ogUrl) ?? periodFromUrl(opts.url);
  const ctx = { pageDay, requestedDay: opts.requestedDay ?? null, fallbackDay: opts.today };
  const titleHint = () => {
    const t = cleanText($('title').first().text()).slice(0, 80);
    return t ? ` (page title: "${t}")` : '';
  };

  if (props.entries && !(props.entries.length === 0 && cards.length > 0)) {
    const { papers, rejected } = normalizeEntries(props.entries, ctx);
    if (props.entries.length > 0 && papers.length === 0) {
      throw new ScrapeLayoutError(opts.url, `DailyPapers data-props holds ${props.entries.length} entries but none has a paper id and title`);
    }
    if (cards.length > 0 && cards.length !== props.entries.length) {
      warnings.push(`card count (${cards.length}) differs from data-props count (${props.entries.length}); using data-props`);
    }
    // More cards than JSON entries: the JSON is probably not the whole listing, so it must not replace a stored day.
    const incomplete = cards.length > props.entries.length;
    return { source: 'page', via: 'props', papers, pageDay, periodType, rejected, warnings, ...(incomplete ? { incomplete } : {}) };
  }
  if (props.entries) warnings.push(`data-props list is empty but the page shows ${cards.length} cards; using the cards`);
  else if (props.problem) warnings.push(props.problem);
  if (cards.length === 0) {
    throw new ScrapeLayoutError(opts.url, `${props.problem ?? 'no DailyPapers data-props'} and no paper cards (links to /papers/<arxiv-id>)${titleHint()}`);
  }
  // Without the JSON, a cut-off page would silently shrink the day's list: refuse it.
  if (looksTruncated(html)) throw new ScrapeLayoutError(opts.url, `page is truncated (no closing </body> or </html>) and has no DailyPapers data-props`);
  // A week or month page mixes days, and cards do not say which day each paper is from: filing them all under one
  // day would put a week of papers into that day's digest. Only the JSON can place them.
  if (periodType === 'week' || periodType === 'month') {
    throw new ScrapeLayoutError(opts.url, `${periodType} page without readable DailyPapers data-props (${props.problem ?? 'empty list'}): its cards do not say which day each paper is from`);
  }
  const { papers, rejected } = normalizeEntries(cards.map(({ id, card }) => readCard($, id, card)), ctx);
  if (papers.length === 0) throw new ScrapeLayoutError(opts.url, `found ${cards.length} paper links but no card with a title`);
  // Cards carry no day of their own: without one from the page or the caller, `today` is only a guess.
  if (!pageDay && !opts.requestedDay) warnings.push(`the page does not say which day it lists; papers filed under ${opts.today} (give the day, e.g. --date)`);
  return { source: 'page', via: 'cards', papers, pageDay, periodType, rejected, warnings };
}
