// View models for the subscriber pages (pure): what each template gets. Form views are built either from a
// stored subscriber or — after a refused post — from what the person typed, so nothing they entered is lost.
import { DateTime } from 'luxon';
import { canonicalZone } from '../subscribers/timezone.js';
import type { Frequency, SendTime } from '../schedule/spec.js';
import type { Subscriber } from '../subscribers/subscriber.js';
import { field, LIMITS, WEEKDAYS, type FieldErrors, type FormBody } from './forms.js';

export interface TopicInfo {
  id: string;
  label: string;
  description: string;
}

/** Every IANA zone the runtime knows, sorted; computed once per app. */
export function zoneList(): string[] {
  const zones = new Set<string>(['UTC']);
  for (const z of Intl.supportedValuesOf('timeZone')) {
    const c = canonicalZone(z);
    if (c) zones.add(c);
  }
  return [...zones].sort();
}

/**
 * Canonical zone → the other names ICU gives it. Browsers report their zone as ICU's (CLDR's legacy) name —
 * Chromium says Asia/Calcutta, Europe/Kiev, America/Buenos_Aires — while the select offers current IANA names;
 * without these aliases app.js could not prefill the zone for India, Ukraine or Argentina and left UTC.
 * Pure memo of a runtime constant.
 */
let aliasMemo: Map<string, string[]> | null = null;
export function zoneAliases(): ReadonlyMap<string, string[]> {
  if (!aliasMemo) {
    aliasMemo = new Map();
    for (const z of Intl.supportedValuesOf('timeZone')) {
      const c = canonicalZone(z);
      if (!c || c === z) continue;
      aliasMemo.set(c, [...(aliasMemo.get(c) ?? []), z]);
    }
  }
  return aliasMemo;
}

export const hhmm = (t: SendTime) => `${String(t.hour).padStart(2, '0')}:${String(t.minute).padStart(2, '0')}`;

export function describeFrequency(f: Frequency): string {
  return f.kind === 'daily' ? 'every day' : `every ${WEEKDAYS[f.weekday - 1]!.label}`;
}

export function describeSchedule(s: Pick<Subscriber, 'timezone' | 'sendTime' | 'frequency'>): string {
  return `${describeFrequency(s.frequency)} at ${hhmm(s.sendTime)} (${s.timezone})`;
}

export function describeTopics(ids: readonly string[], catalog: readonly TopicInfo[]): string {
  if (ids.length === 0) return 'All topics (the top papers of the day)';
  return ids.map((id) => catalog.find((t) => t.id === id)?.label ?? id).join(', ');
}

export function summaryView(s: Subscriber, catalog: readonly TopicInfo[]) {
  const kw = [
    s.includeKeywords.length ? `also: ${s.includeKeywords.join(', ')}` : '',
    s.excludeKeywords.length ? `never: ${s.excludeKeywords.join(', ')}` : '',
  ].filter(Boolean);
  return { topics: describeTopics(s.topics, catalog), schedule: describeSchedule(s), filters: kw.join(' · ') };
}

export interface FormSource {
  topics: readonly string[];
  timezone: string;
  time: string;
  frequency: 'daily' | 'weekly';
  weekday: number;
  includeKeywords?: string;
  excludeKeywords?: string;
  followAuthors?: string;
  followOrgs?: string;
  minUpvotes?: string;
  maxPapers?: string;
  seedPapers?: string;
}

/** The seed papers ("papers like these") a subscriber gave, as arXiv ids. */
export function seedsOf(s: Subscriber): string[] {
  return s.seedPapers ?? [];
}

/** Names for a form field: comma-separated, or "; " when a name holds a comma (forms.ts listSeparator). */
export function joinList(items: readonly string[]): string {
  return items.join(items.some((i) => i.includes(',')) ? '; ' : ', ');
}

export function sourceFromSubscriber(s: Subscriber): FormSource {
  return {
    topics: s.topics,
    timezone: s.timezone,
    time: hhmm(s.sendTime),
    frequency: s.frequency.kind,
    weekday: s.frequency.kind === 'weekly' ? s.frequency.weekday : 1,
    includeKeywords: s.includeKeywords.join(', '),
    excludeKeywords: s.excludeKeywords.join(', '),
    followAuthors: joinList(s.followAuthors),
    followOrgs: joinList(s.followOrgs),
    minUpvotes: String(s.minUpvotes),
    maxPapers: String(s.maxPapers),
    seedPapers: seedsOf(s).join('\n'),
  };
}

/** What the person posted, clipped, for re-rendering a refused form. */
export function sourceFromBody(body: FormBody): FormSource {
  const str = (n: string, max = LIMITS.field) => (field(body, n) ?? '').slice(0, max);
  const topics = body.topics === undefined ? [] : (Array.isArray(body.topics) ? body.topics : [body.topics]).filter((t): t is string => typeof t === 'string');
  return {
    topics,
    timezone: str('timezone', 64),
    time: str('time', 8),
    frequency: field(body, 'frequency') === 'weekly' ? 'weekly' : 'daily',
    weekday: Number(field(body, 'weekday')) || 1,
    includeKeywords: str('includeKeywords'),
    excludeKeywords: str('excludeKeywords'),
    followAuthors: str('followAuthors', LIMITS.field * 4),
    followOrgs: str('followOrgs', LIMITS.field * 4),
    minUpvotes: str('minUpvotes', 12),
    maxPapers: str('maxPapers', 12),
    seedPapers: str('seedPapers', LIMITS.field * 4),
  };
}

export function formView(src: FormSource, opts: { catalog: readonly TopicInfo[]; zones: readonly string[]; errors?: FieldErrors; detectZone?: boolean }) {
  const errors = opts.errors ?? {};
  const zones = opts.zones.includes(src.timezone) || !src.timezone ? opts.zones : [src.timezone, ...opts.zones];
  const order = ['form', 'email', 'topics', 'timezone', 'time', 'frequency', 'seedPapers', 'includeKeywords', 'excludeKeywords', 'followAuthors', 'followOrgs', 'minUpvotes', 'maxPapers'];
  return {
    topics: opts.catalog.map((t) => ({ ...t, checked: src.topics.includes(t.id) })),
    zoneGroups: groupZones(zones, src.timezone),
    detectZone: opts.detectZone ?? false,
    time: src.time,
    weekly: src.frequency === 'weekly',
    weekdays: WEEKDAYS.map((w) => ({ ...w, selected: w.value === src.weekday })),
    includeKeywords: src.includeKeywords ?? '',
    excludeKeywords: src.excludeKeywords ?? '',
    followAuthors: src.followAuthors ?? '',
    followOrgs: src.followOrgs ?? '',
    minUpvotes: src.minUpvotes ?? '0',
    maxPapers: src.maxPapers ?? '10',
    seedPapers: src.seedPapers ?? '',
    openMore: ['includeKeywords', 'excludeKeywords', 'followAuthors', 'followOrgs', 'minUpvotes', 'maxPapers'].some((k) => errors[k]),
    errors,
    errorList: order.filter((k) => errors[k]).map((k) => ({ field: k, message: errors[k] })),
  };
}

/** Zones grouped by region for <optgroup>s ("America" → "America/Argentina/Buenos Aires", …); UTC first on its own. */
export function groupZones(zones: readonly string[], selected: string) {
  const groups = new Map<string, { value: string; label: string; selected: boolean; aliases: string }[]>();
  const aliases = zoneAliases();
  for (const z of zones) {
    const slash = z.indexOf('/');
    const region = slash > 0 ? z.slice(0, slash) : 'Other';
    const label = z.replace(/_/g, ' ');
    if (!groups.has(region)) groups.set(region, []);
    groups.get(region)!.push({ value: z, label, selected: z === selected, aliases: (aliases.get(z) ?? []).join(' ') });
  }
  const other = groups.get('Other') ?? [];
  groups.delete('Other');
  return [{ label: 'Universal', zones: other }, ...[...groups].sort(([a], [b]) => a.localeCompare(b)).map(([label, zs]) => ({ label, zones: zs }))].filter(
    (g) => g.zones.length > 0,
  );
}

export interface Change {
  label: string;
  from: string;
  to: string;
}

/** A person-readable list of what differs between two versions of a subscriber. */
export function describeChanges(before: Subscriber, after: Subscriber, catalog: readonly TopicInfo[]): Change[] {
  const out: Change[] = [];
  const add = (label: string, from: string, to: string) => {
    if (from !== to) out.push({ label, from, to });
  };
  const kw = (l: string[]) => (l.length ? l.join(', ') : 'none');
  add('Status', statusLabel(before), statusLabel(after));
  add('Topics', describeTopics(before.topics, catalog), describeTopics(after.topics, catalog));
  add('How often', describeFrequency(before.frequency), describeFrequency(after.frequency));
  add('Time', hhmm(before.sendTime), hhmm(after.sendTime));
  add('Time zone', before.timezone, after.timezone);
  add('Also include', kw(before.includeKeywords), kw(after.includeKeywords));
  add('Never include', kw(before.excludeKeywords), kw(after.excludeKeywords));
  add('Authors you follow', kw(before.followAuthors), kw(after.followAuthors));
  add('Organizations you follow', kw(before.followOrgs), kw(after.followOrgs));
  add('Minimum upvotes', String(before.minUpvotes), String(after.minUpvotes));
  add('Papers per digest', String(before.maxPapers), String(after.maxPapers));
  add('Papers like these', kw(seedsOf(before)), kw(seedsOf(after)));
  return out;
}

export function statusLabel(s: Pick<Subscriber, 'status' | 'pausedUntil'>): string {
  switch (s.status) {
    case 'active':
      return 'Active';
    case 'paused':
      return s.pausedUntil ? `Paused until ${s.pausedUntil}` : 'Paused';
    case 'pending':
      return 'Waiting for confirmation';
    case 'unsubscribed':
      return 'Unsubscribed';
    case 'bouncing':
      return 'Stopped: your mailbox refused our email';
  }
}

/** "on Monday 3 March at 08:00 (Europe/Paris)" — or a plain fallback when no instant is known. */
export function describeInstant(at: Date | null, zone: string): string {
  if (!at) return 'at your chosen time';
  return `on ${DateTime.fromJSDate(at, { zone }).toFormat("cccc d LLLL 'at' HH:mm")} (${zone})`;
}

export function pauseOptions(selected = 4) {
  return LIMITS.pauseWeeks.map((w) => ({ value: w, label: w === 1 ? '1 week' : `${w} weeks`, selected: w === selected }));
}
