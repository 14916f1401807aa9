import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  applyPreferencesPatch,
  DEFAULT_PREFERENCES,
  formatFrequency,
  LIMITS,
  parsePaperRef,
  parseFrequency,
  PreferencesError,
  validatePauseUntil,
  validatePreferences,
} from '../../../src/subscribers/preferences.js';
import { canonicalZone } from '../../../src/subscribers/timezone.js';
import { normalizeEmail } from '../../../src/subscribers/email.js';

function issues(fn: () => unknown): Record<string, string> {
  try {
    fn();
  } catch (err) {
    assert.ok(err instanceof PreferencesError, String(err));
    return Object.fromEntries(err.issues.map((i) => [i.field, i.message]));
  }
  assert.fail('expected a PreferencesError');
}

describe('canonicalZone', () => {
  it('resolves backward links and legacy names to current IANA names', () => {
    const cases: [string, string][] = [
      ['US/Eastern', 'America/New_York'],
      ['us/pacific', 'America/Los_Angeles'],
      ['Asia/Calcutta', 'Asia/Kolkata'],
      ['Asia/Kolkata', 'Asia/Kolkata'],
      ['Europe/Kiev', 'Europe/Kyiv'],
      ['Europe/Kyiv', 'Europe/Kyiv'],
      ['Asia/Saigon', 'Asia/Ho_Chi_Minh'],
      ['America/Buenos_Aires', 'America/Argentina/Buenos_Aires'],
      ['GB', 'Europe/London'],
      ['Etc/UTC', 'UTC'],
      ['UTC', 'UTC'],
      ['Australia/Lord_Howe', 'Australia/Lord_Howe'],
      [' Europe/Berlin ', 'Europe/Berlin'],
    ];
    for (const [input, want] of cases) assert.equal(canonicalZone(input), want, input);
  });

  it('refuses what is not a zone', () => {
    for (const bad of ['', 'Mars/Olympus_Mons', '+05:00', 'Europe/Berlin\nX', 'a'.repeat(100), '../etc/passwd', 'Europe/Berlin; DROP']) {
      assert.equal(canonicalZone(bad), null, bad);
    }
  });
});

describe('normalizeEmail', () => {
  it('trims and lowercases the whole address, IDN domains to punycode', () => {
    assert.deepEqual(normalizeEmail('  Ann.Lee+digest@Example.ORG '), { ok: true, email: 'ann.lee+digest@example.org' });
    assert.deepEqual(normalizeEmail('bob@bücher.de'), { ok: true, email: 'bob@xn--bcher-kva.de' });
  });

  it('refuses header injection, lists, display names and junk', () => {
    const bad = ['ann@example.org\r\nBcc: all@x.org', 'ann@example.org\nX', 'a@x.org,b@x.org', 'a@x.org; b@x.org', 'Ann <ann@example.org>',
      '"ann"@example.org', 'ann@example', 'ann', '@example.org', 'ann@@example.org', 'a b@example.org', 'ann@-x.org', 'ann@x..org',
      '.ann@x.org', `${'a'.repeat(65)}@x.org`, `a@${'b'.repeat(250)}.org`, '', 'ann@example.org (Ann)'];
    for (const b of bad) assert.equal(normalizeEmail(b).ok, false, JSON.stringify(b));
    assert.equal(normalizeEmail(42).ok, false);
  });
});

describe('preferences validation', () => {
  it('accepts form and CSV spellings and canonicalizes them', () => {
    const p = validatePreferences({
      timezone: 'US/Eastern',
      sendTime: '7:05',
      frequency: 'weekly:Friday',
      topics: 'llm; Agents;llm',
      includeKeywords: 'diffusion, world  model',
      excludeKeywords: ['survey'],
      followAuthors: 'Doe, Jane; Ann Lee',
      minUpvotes: '5',
      maxPapers: 12,
    });
    assert.equal(p.timezone, 'America/New_York');
    assert.deepEqual(p.sendTime, { hour: 7, minute: 5 });
    assert.deepEqual(p.frequency, { kind: 'weekly', weekday: 5 });
    assert.deepEqual(p.topics, ['llm', 'agents']);
    assert.deepEqual(p.includeKeywords, ['diffusion', 'world model']);
    assert.deepEqual(p.followAuthors, ['Doe, Jane', 'Ann Lee']);
    assert.equal(p.minUpvotes, 5);
    assert.equal(p.maxPapers, 12);
    assert.deepEqual(p.followOrgs, []);
  });

  it('defaults: UTC, 07:00, daily, everything, 10 papers', () => {
    assert.deepEqual(validatePreferences({}), DEFAULT_PREFERENCES);
  });

  it('reports every bad field with a message of its own', () => {
    const got = issues(() =>
      validatePreferences({
        timezone: 'Mars/Base',
        sendTime: '24:00',
        frequency: 'weekly',
        topics: ['llm', 'astrology'],
        includeKeywords: ['x'.repeat(61)],
        excludeKeywords: Array.from({ length: 31 }, (_, i) => `kw${i}`),
        followAuthors: ['Ann\r\nBcc: x'],
        followOrgs: 'a'.repeat(101),
        minUpvotes: -1,
        maxPapers: 26,
        status: 'active',
      }),
    );
    assert.match(got.timezone!, /Mars\/Base.*not a known time zone/);
    assert.match(got.sendTime!, /HH:MM/);
    assert.match(got.frequency!, /weekly:<mon/);
    assert.match(got.topics!, /unknown topic “astrology”; choose from .*llm/);
    assert.match(got.includeKeywords!, /2–60 characters/);
    assert.match(got.excludeKeywords!, /at most 30 keywords/);
    assert.match(got.followAuthors!, /line breaks/);
    assert.match(got.followOrgs!, /2–100 characters/);
    assert.match(got.minUpvotes!, /0 to 10000/);
    assert.match(got.maxPapers!, /1 to 25/);
    assert.match(got.status!, /not a preference/);
  });

  it('takes topics as a person writes them and stores catalog ids, once, in order', () => {
    assert.deepEqual(validatePreferences({ topics: ['Reinforcement learning', 'LLMs', 'rl', 'Safety & alignment'] }).topics, ['rl', 'llm', 'safety-alignment']);
    assert.deepEqual(validatePreferences({ topics: 'Computer vision; RAG, machine translation' }).topics, ['vision', 'retrieval', 'multilingual']);
    assert.deepEqual(validatePreferences({ topics: 'llm rl' }).topics, ['llm', 'rl'], 'ids separated by spaces, as older clients send them');
    assert.throws(() => validatePreferences({ topics: ['Computer vision', 'astrology'] }), /unknown topic “astrology”/);
    assert.throws(() => validatePreferences({ topics: 'llm astrology' }), /unknown topic “llm astrology”/);
  });

  it('refuses markup in keywords and names, as the web form does (the CLI and CSV import use these rules)', () => {
    const got = issues(() => validatePreferences({ includeKeywords: ['<script>alert(1)</script>'], followAuthors: ['<b>Eve</b>'] }));
    assert.match(got.includeKeywords!, /must not contain < or >/);
    assert.match(got.followAuthors!, /must not contain < or >/);
  });

  it('refuses a keyword that is both included and excluded', () => {
    assert.match(issues(() => validatePreferences({ includeKeywords: ['RAG'], excludeKeywords: ['rag'] })).excludeKeywords!, /both included and excluded/);
  });

  it('a patch is validated whole: one bad field refuses everything and the input is untouched', () => {
    const current = { ...DEFAULT_PREFERENCES, topics: ['llm'] };
    const snapshot = structuredClone(current);
    assert.throws(() => applyPreferencesPatch(current, { topics: ['agents'], maxPapers: 0 }), PreferencesError);
    assert.deepEqual(current, snapshot);
    const ok = applyPreferencesPatch(current, { topics: ['agents'], maxPapers: 5, timezone: 'UTC' });
    assert.deepEqual(ok.changes, [
      { field: 'topics', from: ['llm'], to: ['agents'] },
      { field: 'maxPapers', from: 10, to: 5 },
    ]);
  });

  it('frequency round-trips its text form', () => {
    for (const f of ['daily', 'weekly:mon', 'weekly:sun']) assert.equal(formatFrequency(parseFrequency(f)!), f);
    assert.equal(parseFrequency('weekly:funday'), null);
    assert.equal(parseFrequency('hourly'), null);
  });

  it('pause end dates must be after today (subscriber zone) and within a year', () => {
    const now = new Date('2026-09-28T23:30:00Z'); // already 29 Sept in Tokyo
    assert.equal(validatePauseUntil('2026-09-29', 'UTC', now), '2026-09-29');
    assert.match(issues(() => validatePauseUntil('2026-09-29', 'Asia/Tokyo', now)).pausedUntil!, /after today/);
    assert.match(issues(() => validatePauseUntil('2026-02-30', 'UTC', now)).pausedUntil!, /real calendar date/);
    assert.match(issues(() => validatePauseUntil('2028-01-01', 'UTC', now)).pausedUntil!, /within 366 days/);
    assert.match(issues(() => validatePauseUntil('next week', 'UTC', now)).pausedUntil!, /YYYY-MM-DD/);
  });
});

describe('seed papers', () => {
  it('accepts arXiv ids and huggingface.co/papers or arxiv.org links, normalized to ids, deduped', () => {
    const p = validatePreferences({
      seedPapers: '2509.01234\narXiv:2410.24164v2, https://huggingface.co/papers/2504.16054 https://arxiv.org/abs/2509.01234v3\nhttps://arxiv.org/pdf/2501.00001v1.pdf',
    });
    assert.deepEqual(p.seedPapers, ['2509.01234', '2410.24164', '2504.16054', '2501.00001']);
    assert.equal(parsePaperRef('www.arxiv.org/abs/2509.0123'), '2509.0123');
    assert.equal(parsePaperRef('https://example.com/papers/2509.01234'), null);
  });

  it('refuses what is not a paper, and more than the cap, naming it', () => {
    assert.throws(() => validatePreferences({ seedPapers: ['2509.01234', 'not-a-paper'] }), /seedPapers: “not-a-paper” is not an arXiv id/);
    const many = Array.from({ length: LIMITS.seedPapers + 1 }, (_, i) => `2509.${String(10000 + i)}`);
    assert.throws(() => validatePreferences({ seedPapers: many }), /at most 20 seed papers/);
  });
});
