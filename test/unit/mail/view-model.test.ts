import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  buildConfirmView,
  buildDigestView,
  buildNothingNewView,
  editionLabel,
  fitDigestView,
  paperView,
  shortenAuthors,
  webDigestView,
} from '../../../src/mail/view-model.js';
import { safeHttpsUrl, hostIs, publicHostname, cleanText } from '../../../src/mail/view-model-safety.js';
import { fixturePapers, LINKS, longPaper, NOW, PUBLIC_URL, selected, subscriber } from './render-fixtures.js';
import type { Subscriber } from '../../../src/subscribers/subscriber.js';

const SNAPSHOT = join(dirname(fileURLToPath(import.meta.url)), '__snapshots__', 'view-model.digest.json');

function digestView() {
  return buildDigestView({
    subscriber: subscriber(),
    selected: selected(fixturePapers().slice(0, 6)),
    period: '2026-09-28',
    links: LINKS,
    now: NOW,
    publicUrl: PUBLIC_URL,
    topicLabels: { llm: 'Large language models', multimodal: 'Multimodal' },
  });
}

describe('buildDigestView', () => {
  it('matches the stored snapshot (fixture papers, fixed clock); UPDATE_SNAPSHOTS=1 rewrites it', () => {
    const actual = JSON.parse(JSON.stringify(digestView()));
    if (process.env.UPDATE_SNAPSHOTS === '1' || !existsSync(SNAPSHOT)) writeFileSync(SNAPSHOT, JSON.stringify(actual, null, 2) + '\n');
    assert.deepEqual(actual, JSON.parse(readFileSync(SNAPSHOT, 'utf8')));
  });

  it('is deterministic and keeps the subject under 78 characters', () => {
    const a = digestView();
    assert.deepEqual(a, digestView());
    assert.ok(a.subject.length < 78, a.subject);
    // The digest by name and its first two titles (shortened when both do not fit), then how many more.
    assert.match(a.subject, /^Papers Digest, Mon 28 Sep: OmniScope · .+ \+4 more$/);
    assert.equal(a.dateLabel, 'Monday, 28 September 2026');
  });

  it('titles a weekly edition by the week its papers come from', () => {
    // Sent Monday 7 December 2026 (W50): its papers are from the week of 30 November (issue 11).
    assert.equal(editionLabel('2026-W50', 'weekly', NOW, 'Europe/Berlin', 1).long, 'Week of 30 November 2026');
    // Sent Friday 11 December: Monday–Thursday of that week outweigh last Friday.
    assert.equal(editionLabel('2026-W50', 'weekly', NOW, 'Europe/Berlin', 5).long, 'Week of 7 December 2026');
    // Sent Wednesday 9 December: last Wednesday–Friday (3 weekdays) outweigh this Monday–Tuesday (2).
    assert.equal(editionLabel('2026-W50', 'weekly', NOW, 'Europe/Berlin', 3).long, 'Week of 30 November 2026');
    // Sent Sunday 13 December: this week's five weekdays.
    assert.equal(editionLabel('2026-W50', 'weekly', NOW, 'Europe/Berlin', 7).long, 'Week of 7 December 2026');
  });

  it('labels weekly editions by the Monday of their ISO week, in the subscriber zone', () => {
    assert.deepEqual(editionLabel('2026-W40', 'weekly', NOW, 'Europe/Berlin'), { long: 'Week of 28 September 2026', short: 'week of 28 Sep' });
    assert.equal(editionLabel('2026-W48', 'weekly', NOW, 'America/New_York').long, 'Week of 23 November 2026');
    // Year edges: 2026 has a week 53 (it starts on Monday 28 December); 2027's week 1 starts on Monday 4 January.
    assert.equal(editionLabel('2027-W01', 'weekly', NOW, 'Asia/Tokyo').long, 'Week of 4 January 2027');
    assert.equal(editionLabel('2026-W53', 'weekly', NOW, 'UTC').long, 'Week of 28 December 2026');
    // No period key: the week `now` falls in, in the subscriber's zone (Sunday 27 in New York, Monday 28 in Berlin).
    assert.equal(editionLabel('', 'weekly', new Date('2026-09-27T23:30:00Z'), 'America/New_York').long, 'Week of 21 September 2026');
    assert.equal(editionLabel('', 'weekly', new Date('2026-09-27T23:30:00Z'), 'Europe/Berlin').long, 'Week of 28 September 2026');
    // 2026-09-27T23:30Z is already Monday 28 in Berlin but still Sunday 27 in New York.
    assert.equal(editionLabel('', 'daily', new Date('2026-09-27T23:30:00Z'), 'Europe/Berlin').long, 'Monday, 28 September 2026');
    assert.equal(editionLabel('', 'daily', new Date('2026-09-27T23:30:00Z'), 'America/New_York').long, 'Sunday, 27 September 2026');
    const weekly = buildDigestView({ subscriber: subscriber({ frequency: { kind: 'weekly', weekday: 1 } }), selected: selected(fixturePapers().slice(0, 1)), period: '2026-W40', links: LINKS, now: NOW, publicUrl: PUBLIC_URL });
    // A Monday send of W40 carries the papers of the week before: it is titled by that week.
    assert.match(weekly.subject, /^Papers Digest, week of 21 Sep: OmniScope/);
    assert.equal(weekly.dateLabel, 'Week of 21 September 2026');
    assert.equal(weekly.period, '2026-W40');
    assert.match(weekly.why, /weekly email/);
  });

  it('edition labels: memoized per (period, frequency, zone), never when they come from the clock', () => {
    const a = editionLabel('2026-09-28', 'daily', NOW, 'Europe/Berlin');
    a.long = 'tampered';
    assert.equal(editionLabel('2026-09-28', 'daily', NOW, 'Europe/Berlin').long, 'Monday, 28 September 2026', 'callers get copies');
    assert.equal(editionLabel('not-a-day', 'daily', new Date('2026-09-28T12:00:00Z'), 'UTC').long, 'Monday, 28 September 2026');
    assert.equal(editionLabel('not-a-day', 'daily', new Date('2026-09-29T12:00:00Z'), 'UTC').long, 'Tuesday, 29 September 2026', 'a clock fallback is not reused');
    assert.equal(editionLabel('', 'weekly', new Date('2026-10-06T12:00:00Z'), 'UTC').long, 'Week of 5 October 2026');
  });

  it('says why the reader gets it (topics and keywords, or everything)', () => {
    assert.equal(digestView().why, 'You get this daily email because you subscribed to Papers Digest for papers on Large language models, Multimodal, “token compression”.');
    const catalog = buildDigestView({ subscriber: subscriber({ includeKeywords: [] }), selected: [], period: '2026-09-28', links: LINKS, now: NOW, publicUrl: PUBLIC_URL });
    assert.match(catalog.why, /for papers on Language models, Multimodal\.$/, 'labels come from the topic catalog by default');
    const all = buildDigestView({ subscriber: subscriber({ topics: [], includeKeywords: [] }), selected: [], period: '2026-09-28', links: LINKS, now: NOW, publicUrl: PUBLIC_URL });
    assert.match(all.why, /every trending paper/);
  });

  it('rejects own links that do not start with PUBLIC_URL', () => {
    assert.throws(
      () => buildDigestView({ subscriber: subscriber(), selected: [], period: '2026-09-28', links: { ...LINKS, unsubscribe: 'https://evil.example/u' }, now: NOW, publicUrl: PUBLIC_URL }),
      /unsubscribe link must start with PUBLIC_URL/,
    );
  });
});

describe('paperView', () => {
  it('shortens authors to three and et al.', () => {
    assert.equal(shortenAuthors(['A', 'B', 'C', 'D']), 'A, B, C et al.');
    assert.equal(shortenAuthors(['A', ' B ', 'C']), 'A, B, C');
    assert.equal(shortenAuthors([]), '');
  });

  it('prefers the AI summary and trims at a word boundary', () => {
    const v = paperView({ paper: longPaper(1), reasons: [{ kind: 'trending' }] }, 100);
    assert.ok(v.summaryIsAi);
    assert.ok(v.summary.startsWith('aisummary'));
    assert.ok(Array.from(v.summary).length <= 100);
    assert.ok(v.summary.endsWith('…'));
    assert.ok(v.summaryFull.length > 1000);
  });

  it('drops links that are not https to expected hosts, and rebuilds paper/arXiv links from the id', () => {
    const base = longPaper(2);
    const hostile = paperView({
      paper: { ...base, url: 'javascript:alert(1)', arxivUrl: 'http://arxiv.org/abs/x', githubRepo: 'https://github.com.evil.example/x', projectPage: 'javascript:alert(1)//https://a.b' },
      reasons: [],
    });
    assert.equal(hostile.url, `https://huggingface.co/papers/${base.id}`);
    assert.equal(hostile.arxivUrl, `https://arxiv.org/abs/${base.id}`);
    assert.equal(hostile.codeUrl, null);
    assert.equal(hostile.projectUrl, null);
    for (const bad of ['http://example.org/', 'https://user:pw@example.org/', 'https://127.0.0.1/', 'https://localhost/', 'https://example.org:8443/', 'data:text/html,x', ' JAVASCRIPT:alert(1)']) {
      assert.equal(safeHttpsUrl(bad, publicHostname), null, bad);
    }
    assert.equal(safeHttpsUrl('https://proj.github.io/a"b<c>', publicHostname), 'https://proj.github.io/a%22b%3Cc%3E');
    assert.equal(safeHttpsUrl('https://huggingface.co/papers/1', hostIs('huggingface.co')), 'https://huggingface.co/papers/1');
  });

  it('cleans control and bidi characters out of scraped text', () => {
    assert.equal(cleanText('a\u0000b\u202ec\n\n d', 50), 'a b c d');
  });
});

describe('fitDigestView / webDigestView', () => {
  const view = buildDigestView({ subscriber: subscriber(), selected: selected([1, 2, 3, 4].map(longPaper)), period: '2026-09-28', links: LINKS, now: NOW, publicUrl: PUBLIC_URL });

  it('moves papers beyond `keep` to an overflow link to the web version', () => {
    const fitted = fitDigestView(view, 0, 1);
    assert.equal(fitted.papers.length, 1);
    assert.equal(fitted.papers[0]!.summary, '');
    assert.deepEqual(fitted.overflow, { count: 3, label: '3 more papers in the web version', url: LINKS.archive });
    assert.equal(fitDigestView(view, 100, 4).overflow, null);
  });

  it('web view holds every paper with its full summary and no view-in-browser link', () => {
    const web = webDigestView(fitDigestView(view, 0, 4));
    assert.equal(web.papers.length, 4);
    assert.equal(web.papers[0]!.summary, web.papers[0]!.summaryFull);
    assert.equal(web.showArchiveLink, false);
  });
});

describe('other views', () => {
  it('confirmation view checks its link and cleans labels', () => {
    const schedule = subscriber();
    const v = buildConfirmView({ confirmUrl: `${PUBLIC_URL}/confirm/t`, expiresHours: 47.6, topicsChosen: ['NLP ', ''], schedule, now: NOW, publicUrl: PUBLIC_URL });
    assert.deepEqual([v.expiresHours, v.topicsChosen, v.subject], [48, ['NLP'], 'Confirm your Papers Digest subscription']);
    assert.throws(() => buildConfirmView({ confirmUrl: 'javascript:alert(1)', expiresHours: 1, topicsChosen: [], schedule, now: NOW, publicUrl: PUBLIC_URL }), /confirm link/);
  });

  it('confirmation view: delivery time, zone, frequency and the first digest if confirmed now', () => {
    const view = (spec: Pick<Subscriber, 'timezone' | 'sendTime' | 'frequency'>, now = NOW) =>
      buildConfirmView({ confirmUrl: `${PUBLIC_URL}/confirm/t`, expiresHours: 48, topicsChosen: [], schedule: spec, now, publicUrl: PUBLIC_URL });
    // NOW is Monday 08:30 in Berlin: today's 07:30 has passed, so tomorrow's is the first.
    const daily = view({ timezone: 'Europe/Berlin', sendTime: { hour: 7, minute: 30 }, frequency: { kind: 'daily' } });
    assert.deepEqual([daily.schedule, daily.firstDigest], ['every day at 07:30 (Europe/Berlin)', 'Tuesday, 29 September 2026 at 07:30 (Europe/Berlin)']);
    const weekly = view({ timezone: 'America/New_York', sendTime: { hour: 18, minute: 0 }, frequency: { kind: 'weekly', weekday: 5 } });
    assert.deepEqual([weekly.schedule, weekly.firstDigest], ['every Friday at 18:00 (America/New_York)', 'Friday, 2 October 2026 at 18:00 (America/New_York)']);
    // Later today when it is still ahead (08:45 Berlin > 08:30 now).
    assert.equal(view({ timezone: 'Europe/Berlin', sendTime: { hour: 8, minute: 45 }, frequency: { kind: 'daily' } }).firstDigest, 'Monday, 28 September 2026 at 08:45 (Europe/Berlin)');
    // 02:30 does not exist on 8 March 2026 in New York (spring forward): the email shows when it really arrives.
    const gap = view({ timezone: 'America/New_York', sendTime: { hour: 2, minute: 30 }, frequency: { kind: 'daily' } }, new Date('2026-03-07T12:00:00Z'));
    assert.equal(gap.firstDigest, 'Sunday, 8 March 2026 at 03:30 (America/New_York)');
    // An unknown zone still gets its email, without a first-digest date.
    const odd = view({ timezone: 'Mars/Olympus', sendTime: { hour: 7, minute: 0 }, frequency: { kind: 'daily' } });
    assert.deepEqual([odd.schedule, odd.firstDigest], ['every day at 07:00 (Mars/Olympus)', null]);
  });

  it('nothing-new view dates the edition in the subscriber zone', () => {
    const v = buildNothingNewView({ subscriber: subscriber(), period: '2026-09-28', now: NOW, publicUrl: PUBLIC_URL, links: LINKS });
    assert.equal(v.dateLabel, 'Monday, 28 September 2026');
    assert.equal(v.subject, 'Nothing new in your topics for Mon 28 Sep');
  });
});
