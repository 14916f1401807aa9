// The personal and topic feeds, rendered from real archive papers and read back by a real feed parser (feedsmith),
// checked against what RFC 4287 and JSON Feed 1.1 require; hostile text must not break either document.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseAtomFeed, parseJsonFeed } from 'feedsmith';
import { renderAtom } from '../../../src/feeds/atom.js';
import type { FeedEdition } from '../../../src/feeds/edition.js';
import { etagOf, httpDate, isNotModified } from '../../../src/feeds/http-cache.js';
import { personalFeedDoc } from '../../../src/feeds/feed-doc.js';
import { JSON_FEED_VERSION, renderJsonFeed } from '../../../src/feeds/json-feed.js';
import { topicFeedDoc, topOfDay } from '../../../src/feeds/public-archive.js';
import { editionInstant } from '../../../src/feeds/ledger-source.js';
import { archiveDay } from '../../helpers/archive-days.js';

const BASE = 'https://digest.example.org';
/** feedsmith gives Atom text constructs as {value, type}. */
const txt = (x: unknown): string => (typeof x === 'string' ? x : ((x as { value?: string } | undefined)?.value ?? ''));
const SUB = 'Abcdefgh12345678XYZ_-w';
const [d1, d2] = ['2026-08-20', '2026-08-21'];
const day1 = archiveDay(d1);
const day2 = archiveDay(d2);

function editions(): FeedEdition[] {
  return [
    { period: d1, sentAt: '2026-08-20T07:00:03.000Z', papers: day1.slice(0, 3).map((paper) => ({ paper, whyLines: ['Agents (“tool use”)'] })) },
    {
      period: d2,
      sentAt: '2026-08-21T07:00:05.000Z',
      papers: day2.slice(0, 4).map((paper) => ({ paper, whyLines: ['trending today'], feedbackLinks: { up: `${BASE}/feedback/tok-up`, save: `${BASE}/feedback/tok-save` } })),
    },
  ];
}

const meta = { publicUrl: BASE, subscriberId: SUB, atomUrl: `${BASE}/feed/TOKEN.atom`, jsonUrl: `${BASE}/feed/TOKEN.json`, homeUrl: `${BASE}/feed/TOKEN`, fallbackUpdated: '2026-08-01T00:00:00Z' };

/** RFC 3339 date-time, as both formats require. */
const RFC3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/;

/** The JSON Feed 1.1 rules a reader depends on (https://jsonfeed.org/version/1.1). */
function jsonFeedProblems(feed: Record<string, unknown>): string[] {
  const p: string[] = [];
  if (feed.version !== 'https://jsonfeed.org/version/1.1') p.push('version must be the 1.1 URL');
  if (typeof feed.title !== 'string' || !feed.title) p.push('title is required');
  for (const k of ['home_page_url', 'feed_url']) if (typeof feed[k] !== 'string' || !/^https?:\/\//.test(feed[k])) p.push(`${k} should be an absolute URL`);
  if (!Array.isArray(feed.authors) || feed.authors.some((a: { name?: unknown }) => typeof a.name !== 'string')) p.push('authors is an array of {name}');
  if ('author' in feed) p.push('1.1 uses authors, not author');
  if (!Array.isArray(feed.items)) return [...p, 'items is required'];
  const ids = new Set<string>();
  for (const [i, it] of (feed.items as Record<string, unknown>[]).entries()) {
    if (typeof it.id !== 'string' || !it.id) p.push(`item ${i}: id must be a non-empty string`);
    else if (ids.has(it.id)) p.push(`item ${i}: duplicate id`);
    else ids.add(it.id);
    if (typeof it.content_html !== 'string' && typeof it.content_text !== 'string') p.push(`item ${i}: content_html or content_text is required`);
    for (const k of ['date_published', 'date_modified']) if (k in it && !RFC3339.test(String(it[k]))) p.push(`item ${i}: ${k} is not RFC 3339`);
    if ('url' in it && !/^https:\/\//.test(String(it.url))) p.push(`item ${i}: url`);
  }
  return p;
}

describe('personal feed', () => {
  it('Atom: parses, and has the ids, dates and links RFC 4287 requires, newest edition first', () => {
    const xml = renderAtom(personalFeedDoc(editions(), meta));
    const feed = parseAtomFeed(xml);
    assert.match(feed.id ?? '', /^tag:digest\.example\.org,2026:feed\//);
    assert.equal(feed.updated, '2026-08-21T07:00:05.000Z');
    assert.ok(feed.links?.some((l) => l.rel === 'self' && l.href === meta.atomUrl));
    assert.ok(feed.links?.some((l) => l.rel === 'alternate' && l.href === meta.homeUrl));
    assert.ok(feed.authors?.[0]?.name, 'a feed-level author covers every entry');
    const entries = feed.entries ?? [];
    assert.equal(entries.length, 7);
    assert.deepEqual(entries.map((e) => e.links?.find((l) => l.rel === 'alternate')?.href), [...day2.slice(0, 4), ...day1.slice(0, 3)].map((p) => `https://huggingface.co/papers/${p.id}`));
    assert.equal(new Set(entries.map((e) => e.id)).size, 7, 'entry ids are unique');
    for (const e of entries) {
      assert.match(e.id ?? '', /^tag:/);
      assert.match(e.updated ?? '', RFC3339);
      assert.ok(txt(e.title));
    }
    assert.match(txt(entries[0]!.content), /Why:<\/strong> trending today/);
    assert.match(txt(entries[0]!.content), /href="https:\/\/digest\.example\.org\/feedback\/tok-up"/);
    assert.match(txt(entries[6]!.content), /Agents \(“tool use”\)/);
    assert.ok(!xml.includes(SUB), 'the subscriber id never appears in the feed');
  });

  it('JSON Feed 1.1: parses and keeps the spec', () => {
    const body = renderJsonFeed(personalFeedDoc(editions(), meta));
    const raw = JSON.parse(body) as Record<string, unknown>;
    assert.deepEqual(jsonFeedProblems(raw), []);
    assert.equal(raw.version, JSON_FEED_VERSION);
    const feed = parseJsonFeed(body);
    assert.equal(feed.items?.length, 7);
    assert.equal(feed.feed_url, meta.jsonUrl);
    assert.equal(feed.items?.[0]?.url, `https://huggingface.co/papers/${day2[0]!.id}`);
    assert.ok(!body.includes(SUB));
  });

  it('an empty feed is still valid, dated by the fallback', () => {
    const doc = personalFeedDoc([], meta);
    assert.equal(parseAtomFeed(renderAtom(doc)).updated, '2026-08-01T00:00:00.000Z');
    assert.deepEqual(jsonFeedProblems(JSON.parse(renderJsonFeed(doc)) as Record<string, unknown>), []);
  });

  it('hostile scraped text cannot break out of either document', () => {
    const evil = { ...day1[0]!, title: 'A <script>alert(1)</script> & ]]> \u0001\u0008 title', summary: '<img src=x onerror=alert(1)> "quoted" \uFFFF', authors: ['O\'Brien <x@y>'], keywords: ['a"b'] };
    const eds: FeedEdition[] = [{ period: d1, sentAt: '2026-08-20T07:00:00Z', papers: [{ paper: evil, whyLines: ['<b>bold</b>'] }] }];
    const xml = renderAtom(personalFeedDoc(eds, meta));
    const entry = parseAtomFeed(xml).entries?.[0];
    assert.ok(entry);
    assert.match(txt(entry.title), /A <script>alert\(1\)<\/script> & ]]>/, 'the title is text, decoded back exactly (control characters dropped)');
    assert.doesNotMatch(txt(entry.content), /<script|<img|<b>/, 'the HTML content holds only our own markup');
    const json = parseJsonFeed(renderJsonFeed(personalFeedDoc(eds, meta)));
    assert.doesNotMatch(json.items?.[0]?.content_html ?? '', /<script|<img|<b>/);
  });
});

describe('topic feed and public ranking', () => {
  it('ranks a topic by upvotes with no personal signal, and lists each paper once across days', () => {
    const top = topOfDay(day2, d2, null, 5);
    assert.equal(top.length, 5);
    const ups = top.map((s) => s.paper.upvotes);
    assert.deepEqual(ups, [...ups].sort((a, b) => b - a));
    const doc = topicFeedDoc({ publicUrl: BASE, topicId: null, days: [{ day: d1, papers: day1 }, { day: d2, papers: day2 }], fallbackUpdated: new Date('2026-01-01T00:00:00Z') });
    const feed = parseAtomFeed(renderAtom(doc));
    assert.equal(feed.entries?.length, 10);
    assert.equal(new Set(feed.entries?.map((e) => e.id)).size, 10);
    assert.equal(feed.updated, `${d2}T00:00:00.000Z`);
    assert.ok(feed.links?.some((l) => l.rel === 'self' && l.href === `${BASE}/topics/all/feed.atom`));
  });
});

describe('conditional GET', () => {
  it('If-None-Match wins over If-Modified-Since; dates compare to the second', () => {
    const etag = etagOf('body');
    const lm = httpDate('2026-08-21T07:00:05.678Z');
    assert.equal(lm, 'Fri, 21 Aug 2026 07:00:05 GMT');
    assert.equal(isNotModified({ 'if-none-match': etag }, etag, lm), true);
    assert.equal(isNotModified({ 'if-none-match': `W/${etag}` }, etag, lm), true);
    assert.equal(isNotModified({ 'if-none-match': '"other"', 'if-modified-since': lm }, etag, lm), false);
    assert.equal(isNotModified({ 'if-modified-since': lm }, etag, lm), true);
    assert.equal(isNotModified({ 'if-modified-since': 'Fri, 21 Aug 2026 07:00:04 GMT' }, etag, lm), false);
    assert.equal(isNotModified({}, etag, lm), false);
  });
});

describe('ledger edition source', () => {
  it("stamps an edition with its scheduled instant in the reader's zone (daily and weekly), never later than now", () => {
    const daily = { timezone: 'Pacific/Kiritimati', sendTime: { hour: 7, minute: 30 }, frequency: { kind: 'daily' as const } };
    const now = new Date('2026-08-25T00:00:00Z');
    assert.equal(editionInstant(daily, '2026-08-21', now).toISOString(), '2026-08-20T17:30:00.000Z', 'UTC+14: 07:30 local is the evening before in UTC');
    const weekly = { timezone: 'Europe/Berlin', sendTime: { hour: 8, minute: 0 }, frequency: { kind: 'weekly' as const, weekday: 3 as const } };
    assert.equal(editionInstant(weekly, '2026-W34', now).toISOString(), '2026-08-19T06:00:00.000Z', 'the Wednesday of ISO week 34');
    assert.equal(editionInstant(daily, '2026-08-21', new Date('2026-08-20T12:00:00Z')).toISOString(), '2026-08-20T10:00:00.000Z', 'a send time still ahead: the day start, not the future');
    assert.equal(editionInstant(daily, '2026-08-21', now).getTime(), editionInstant(daily, '2026-08-21', new Date('2026-09-01T00:00:00Z')).getTime(), 'stable as time passes');
  });
});
