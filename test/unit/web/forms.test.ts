// Form parsing for the subscriber pages (pure): what is accepted, what is refused and with which message.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parsePauseWeeks, parsePreferencesForm, parseSubscribeForm } from '../../../src/web/forms.js';
import { describeChanges, groupZones, zoneList } from '../../../src/web/views.js';
import type { Subscriber } from '../../../src/subscribers/subscriber.js';

const base = { email: 'Ann@Example.ORG', topics: ['agents'], timezone: 'US/Eastern', time: '07:30', frequency: 'weekly', weekday: '3' };

describe('subscribe form', () => {
  it('accepts a complete form, canonicalizing zone and email', () => {
    const r = parseSubscribeForm(base);
    assert.ok(r.ok);
    assert.equal(r.value.email, 'ann@example.org');
    assert.equal(r.value.timezone, 'America/New_York');
    assert.deepEqual(r.value.sendTime, { hour: 7, minute: 30 });
    assert.deepEqual(r.value.frequency, { kind: 'weekly', weekday: 3 });
  });

  it('treats no topics as "everything" and dedupes repeated ones', () => {
    const none = parseSubscribeForm({ ...base, topics: undefined });
    assert.ok(none.ok);
    assert.deepEqual(none.value.topics, []);
    const dup = parseSubscribeForm({ ...base, topics: ['agents', 'agents'] });
    assert.ok(dup.ok);
    assert.deepEqual(dup.value.topics, ['agents']);
  });

  it('reports every bad field at once', () => {
    const r = parseSubscribeForm({ email: 'x@y\r\nBcc: z@w.org', topics: ['nope'], timezone: 'Nowhere/City', time: '7pm', frequency: 'weekly', weekday: '9' });
    assert.ok(!r.ok);
    assert.deepEqual(Object.keys(r.errors).sort(), ['email', 'frequency', 'time', 'timezone', 'topics']);
    assert.match(r.errors.email!, /line breaks/);
  });

  it('refuses non-string shapes (objects, arrays where one value is expected)', () => {
    const r = parseSubscribeForm({ ...base, email: { a: 1 }, topics: [{}] });
    assert.ok(!r.ok);
    assert.ok(r.errors.email && r.errors.topics);
  });
});

describe('preferences form', () => {
  const prefs = { topics: ['robotics'], timezone: 'Europe/Paris', time: '18:00', frequency: 'daily', includeKeywords: 'MoE, Tokenizer;  tokenizer ', excludeKeywords: '', minUpvotes: '5', maxPapers: '12' };
  it('parses keywords (split, trimmed, deduped without case, kept as first typed) and numbers', () => {
    const r = parsePreferencesForm(prefs, 25);
    assert.ok(r.ok);
    assert.deepEqual(r.value.includeKeywords, ['MoE', 'Tokenizer']);
    assert.equal(r.value.minUpvotes, 5);
    assert.equal(r.value.maxPapers, 12);
  });
  it('splits names by semicolons when there are any, else by commas (an organization may hold a comma)', () => {
    const r = parsePreferencesForm({ ...prefs, includeKeywords: 'ab, cd', followOrgs: 'Alibaba, Inc.; Meta AI', followAuthors: 'Ann Lee, Bo Chen' }, 25);
    assert.ok(r.ok);
    assert.deepEqual(r.value.includeKeywords, ['ab', 'cd']);
    assert.deepEqual(r.value.followOrgs, ['Alibaba, Inc.', 'Meta AI']);
    assert.deepEqual(r.value.followAuthors, ['Ann Lee', 'Bo Chen']);
  });
  it('refuses papers per digest above the operator cap, and markup in keywords', () => {
    const r = parsePreferencesForm({ ...prefs, maxPapers: '26', excludeKeywords: '<b>x</b>' }, 25);
    assert.ok(!r.ok);
    assert.match(r.errors.maxPapers!, /from 1 to 25/);
    assert.match(r.errors.excludeKeywords!, /^Excluded keywords: .*< or >/);
  });
  it('takes its rules from the one preference validator (the CLI and CSV get the same answers)', () => {
    const r = parsePreferencesForm({ ...prefs, includeKeywords: 'x'.repeat(61), followAuthors: Array.from({ length: 51 }, (_, i) => `Author ${i}`).join('; '), minUpvotes: '-1' }, 25);
    assert.ok(!r.ok);
    assert.match(r.errors.includeKeywords!, /2–60 characters/);
    assert.match(r.errors.followAuthors!, /at most 50 author names/);
    assert.match(r.errors.minUpvotes!, /from 0 to 10000/);
    const both = parsePreferencesForm({ ...prefs, includeKeywords: 'diffusion', excludeKeywords: 'Diffusion' }, 25);
    assert.ok(!both.ok);
    assert.match(both.errors.excludeKeywords!, /both included and excluded/);
    const capped = parsePreferencesForm({ ...prefs, maxPapers: '12' }, 10);
    assert.ok(!capped.ok);
    assert.match(capped.errors.maxPapers!, /from 1 to 10/, "the operator's cap");
    const seconds = parseSubscribeForm({ ...base, time: '07:30:00' });
    assert.ok(seconds.ok && seconds.value.sendTime.minute === 30, 'a browser time input with seconds');
  });
  it('refuses an oversized keyword field', () => {
    const r = parsePreferencesForm({ ...prefs, includeKeywords: 'a,'.repeat(400) }, 25);
    assert.ok(!r.ok);
    assert.ok(r.errors.includeKeywords);
  });
  it('only offers the fixed pause menu', () => {
    assert.equal(parsePauseWeeks({ weeks: '4' }), 4);
    assert.equal(parsePauseWeeks({ weeks: '3' }), null);
    assert.equal(parsePauseWeeks({ weeks: '520' }), null);
  });
});

describe('change list', () => {
  it('names each changed field in words', () => {
    const before = {
      status: 'active', pausedUntil: null, topics: ['agents'], timezone: 'UTC', sendTime: { hour: 7, minute: 0 }, frequency: { kind: 'daily' },
      includeKeywords: [], excludeKeywords: [], followAuthors: [], followOrgs: [], minUpvotes: 0, maxPapers: 10,
    } as unknown as Subscriber;
    const after = { ...before, frequency: { kind: 'weekly', weekday: 5 }, sendTime: { hour: 9, minute: 5 } } as Subscriber;
    const catalog = [{ id: 'agents', label: 'Agents', description: '' }];
    assert.deepEqual(describeChanges(before, after, catalog), [
      { label: 'How often', from: 'every day', to: 'every Friday' },
      { label: 'Time', from: '07:00', to: '09:05' },
    ]);
  });
});

describe('time zone select', () => {
  it('offers IANA names only, each carrying the legacy names a browser may report (Asia/Calcutta)', () => {
    const zones = zoneList();
    assert.ok(zones.includes('Asia/Kolkata') && zones.includes('America/New_York'));
    assert.ok(!zones.includes('Asia/Calcutta') && !zones.includes('US/Eastern'));
    const options = groupZones(zones, 'UTC').flatMap((g) => g.zones);
    const kolkata = options.find((o) => o.value === 'Asia/Kolkata');
    assert.ok(kolkata?.aliases.split(' ').includes('Asia/Calcutta'), JSON.stringify(kolkata));
    assert.equal(options.find((o) => o.value === 'UTC')?.selected, true);
  });
});
