// Pure pieces of the operator surface: auth header checks, the SVG chart, the settings form parser, the MIME
// reader behind the outbox browser, masking, relative times and edition eligibility.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { expectsEdition } from '../../../src/ops/edition-status.js';
import { maskEmail } from '../../../src/util/redact.js';
import { DEFAULT_SETTINGS } from '../../../src/settings/schema.js';
import { checkAuthorization } from '../../../src/web/admin/auth.js';
import { axisLabel, barChart, niceMax } from '../../../src/web/admin/chart.js';
import { groupRepeats, scrapeDayLabel } from '../../../src/web/admin/dashboard-view.js';
import { ago } from '../../../src/web/admin/dashboard-view.js';
import { readMime } from '../../../src/web/admin/mime-read.js';
import { parseSettingsForm } from '../../../src/web/admin/settings-form.js';

const TOKEN = 'a-long-admin-token-0123456789abcdef';
const b64 = (s: string) => Buffer.from(s).toString('base64');

describe('checkAuthorization', () => {
  it('accepts the token as bearer or as the basic password with any user, nothing else', () => {
    assert.equal(checkAuthorization(`Bearer ${TOKEN}`, TOKEN), 'bearer');
    assert.equal(checkAuthorization(`bearer   ${TOKEN}`, TOKEN), 'bearer');
    assert.equal(checkAuthorization(`Basic ${b64(`anyone:${TOKEN}`)}`, TOKEN), 'basic');
    assert.equal(checkAuthorization(`Basic ${b64(`:${TOKEN}`)}`, TOKEN), 'basic');
    for (const bad of [undefined, '', 'Bearer', `Bearer ${TOKEN} `.trim() + 'x', `Basic ${b64(TOKEN)}`, `Basic ${b64(`u:${TOKEN}x`)}`, `Digest ${TOKEN}`, `Bearer ${TOKEN.toUpperCase()}`]) {
      assert.equal(checkAuthorization(bad, TOKEN), null, String(bad));
    }
  });
});

describe('barChart', () => {
  it('rounds the axis to a readable maximum', () => {
    assert.deepEqual([0, 1, 3, 7, 10, 11, 80, 101, 4500].map(niceMax), [1, 1, 5, 10, 10, 20, 100, 200, 5000]);
  });
  it('labels the y-axis with whole counts only (no 0.5 or 2.5 grid line)', () => {
    const labels = (v: number) => [...barChart([{ label: 'a', value: v, title: 't' }], { ariaLabel: 'x' }).matchAll(/class="chart-axis"[^>]*text-anchor="end"[^>]*>([^<]+)</g)].map((m) => m[1]);
    assert.deepEqual(labels(5), ['0', '5']);
    assert.deepEqual(labels(1), ['0', '1']);
    assert.deepEqual(labels(7), ['0', '5', '10']);
    assert.equal(axisLabel(50), '50');
  });
  it('draws one bar per value, escapes titles, and uses no inline style or script', () => {
    const svg = barChart([{ label: '07:00', value: 3, title: '<b>3</b> & more' }, { label: '', value: 0, title: 'none' }], { ariaLabel: 'due "per" hour' });
    assert.equal((svg.match(/<rect /g) ?? []).length, 2);
    assert.match(svg, /<title>&lt;b&gt;3&lt;\/b&gt; &amp; more<\/title>/);
    assert.match(svg, /aria-label="due &quot;per&quot; hour"/);
    assert.match(svg, /chart-bar chart-bar-zero/);
    assert.doesNotMatch(svg, /style=|<script/);
  });
});

describe('parseSettingsForm', () => {
  it('returns a typed patch when every field is valid', () => {
    const r = parseSettingsForm({ _csrf: 'x', scrapePattern: ' 0 * * * * ', sendRatePerSecond: '40', sendingPaused: 'true', stalePolicy: 'skip' }, DEFAULT_SETTINGS);
    assert.deepEqual(r, { ok: true, patch: { scrapePattern: '0 * * * *', sendRatePerSecond: 40, sendingPaused: true, stalePolicy: 'skip' } });
  });
  it('names each bad field and refuses unknown ones', () => {
    const r = parseSettingsForm({ scrapePattern: 'every day', scrapeTimezone: 'Nowhere/City', sendConcurrency: 'x', tickEverySeconds: '5', stalePolicy: 'maybe', hack: '1' }, DEFAULT_SETTINGS);
    assert.equal(r.ok, false);
    if (r.ok) return;
    assert.deepEqual(Object.keys(r.errors).sort(), ['scrapePattern', 'scrapeTimezone', 'sendConcurrency', 'stalePolicy', 'tickEverySeconds']);
    assert.match(r.errors.sendConcurrency!, /must be a number/);
    assert.match(r.errors.tickEverySeconds!, />=10/);
    assert.deepEqual(r.general, ['unknown setting(s): hack']);
  });
});

describe('readMime', () => {
  it('decodes headers and the text and HTML parts of a multipart message', () => {
    const raw = [
      'From: Papers Digest <digest@example.org>',
      'To: r@example.net',
      'Subject: =?UTF-8?Q?Your_papers_=E2=80=94_today?=',
      'Content-Type: multipart/alternative; boundary="--b1"',
      '',
      '----b1',
      'Content-Type: text/plain; charset=utf-8',
      'Content-Transfer-Encoding: quoted-printable',
      '',
      'Hello =C3=BCber long line that is=',
      ' soft-wrapped',
      '----b1',
      'Content-Type: text/html; charset=utf-8',
      'Content-Transfer-Encoding: base64',
      '',
      Buffer.from('<p>Hello <b>über</b></p>').toString('base64'),
      '----b1--',
      '',
    ].join('\r\n');
    const m = readMime(raw);
    assert.equal(m.subject, 'Your papers — today');
    assert.equal(m.text.trim(), 'Hello über long line that is soft-wrapped');
    assert.equal(m.html, '<p>Hello <b>über</b></p>');
    assert.equal(m.headers.find((h) => h.name === 'To')?.value, 'r@example.net');
  });
});

describe('small formatters', () => {
  it('masks addresses and formats durations', () => {
    assert.equal(maskEmail('jane.doe@example.org'), 'j***@example.org');
    assert.equal(maskEmail('nonsense'), '***');
    assert.deepEqual([5_000, 600_000, 5_400_000, 36 * 3_600_000, 72 * 3_600_000].map(ago), ['5 s', '10 min', '1.5 h', '36 h', '3 d']);
  });
  it('knows which subscribers expect an edition of a period', () => {
    const sub = { status: 'active' as const, frequency: { kind: 'daily' as const }, timezone: 'Europe/Paris', sendTime: { hour: 8, minute: 0 }, createdAt: '2026-11-01T00:00:00Z' };
    assert.equal(expectsEdition(sub, '2026-11-28'), true);
    assert.equal(expectsEdition(sub, '2026-10-28'), false, 'before they subscribed');
    assert.equal(expectsEdition(sub, '2026-W48'), false, 'daily subscribers have no weekly period');
    assert.equal(expectsEdition({ ...sub, frequency: { kind: 'weekly', weekday: 1 } }, '2026-W48'), true);
    assert.equal(expectsEdition({ ...sub, status: 'paused' }, '2026-11-28'), false);
  });
});

describe('recent scrapes', () => {
  it('folds the same failure repeated in a row into one line with a count', () => {
    const url = `https://huggingface.co/api/daily_papers?${'x'.repeat(200)}`;
    const fail = (at: string) => ({ at, source: 'api', url, day: null, papers: 0, status: 'failed', error: `GET ${url}: ECONNREFUSED` });
    const ok = { at: '2026-12-06T08:00:00Z', source: 'api', url, day: null, papers: 30, status: 'ok' };
    const entries = [...Array.from({ length: 8 }, (_, i) => fail(`2026-12-06T09:${String(50 - i).padStart(2, '0')}:00Z`)), ok, ok];
    const grouped = groupRepeats(entries);
    assert.deepEqual(grouped.map((g) => [g.entry.status, g.repeats]), [['failed', 8], ['ok', 1], ['ok', 1]], 'successes stay one per line');
    assert.equal(grouped[0]!.firstAt, '2026-12-06T09:43:00Z');
  });
  it('names the days a file import or the latest listing held, not "latest"', () => {
    assert.equal(scrapeDayLabel({ day: null, listed: ['2025-08-21'], source: 'file' }), '2025-08-21');
    assert.equal(scrapeDayLabel({ day: null, listed: ['2025-08-19', '2025-08-20', '2025-08-21'], source: 'file' }), '2025-08-19 … 2025-08-21 (3 days)');
    assert.equal(scrapeDayLabel({ day: null, listed: ['2026-12-04'], source: 'api' }), 'latest: 2026-12-04');
    assert.equal(scrapeDayLabel({ day: '2026-12-04', listed: ['2026-12-04'], source: 'api' }), '2026-12-04');
    assert.equal(scrapeDayLabel({ day: null, source: 'api' }), 'latest', 'a failed run stored nothing to say more');
  });
});
