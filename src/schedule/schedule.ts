// Schedule math, pure: `now` and the zone are parameters, nothing here reads a clock.
//
// A subscriber has a local send time (HH:MM) and a frequency (daily, or weekly on an ISO weekday). Every local
// calendar date D that matches the frequency has exactly one *occurrence*: the instant the local clock in their zone
// reads D HH:MM, and the edition (period key) it delivers is derived from D — the *scheduled* date — never from the
// instant, because a DST gap can push the instant past local midnight (America/Nuuk, 23:30 on the March change
// Saturday, resolves to Sunday 00:30) and the edition must still be Saturday's.
//
// Local times that do not map to exactly one instant are resolved like RFC 5545 §3.3.5 (iCalendar), Temporal's
// default `disambiguation: 'compatible'`, java.time and luxon:
// - Nonexistent (inside a spring-forward gap): interpreted with the UTC offset in force BEFORE the gap, i.e. moved
//   forward by the gap's length: 02:30 in New York's 02:00→03:00 gap sends at 03:30 EDT; 02:15 in Lord Howe's
//   02:00→02:30 gap sends at 02:45; 00:00 in Santiago's 00:00→01:00 gap sends at 01:00. Why not clamp to the end of
//   the gap (03:00)? Shifting keeps what every calendar app shows for the same wall time, keeps subscribers' send
//   times in their order and spacing (02:15 and 02:45 do not collapse into one burst at 03:00), and equals "the
//   moment the clock would have read 02:30 had it not jumped".
// - Repeated (fall-back overlap): the FIRST occurrence (the earlier instant, daylight offset). The edition is keyed
//   by the local date, so the second pass of the same wall time is the same edition and is never sent again.
// - Two local dates resolving to one instant (only when a whole date is skipped, e.g. Pacific/Apia 2011-12-30): the
//   later date wins; the swallowed date has no edition of its own.
import { DateTime, IANAZone } from 'luxon';
import type { ScheduleSpec, SendTime, Weekday } from './spec.js';

const DAY_MS = 86_400_000;
const MINUTE_MS = 60_000;

export type Resolution = 'exact' | 'ambiguous-first' | 'gap-shifted';

/** One send of one edition. */
export interface Occurrence {
  /** The send instant (UTC). */
  at: Date;
  /** The edition: YYYY-MM-DD (daily) or YYYY-Www ISO week-year + week (weekly), of the scheduled local date. */
  period: string;
  /** The scheduled local date (YYYY-MM-DD) in the subscriber's zone. */
  localDate: string;
  /** How the local wall time mapped to the instant (for logs and tests). */
  resolution: Resolution;
}

function zoneOf(name: string): IANAZone {
  const zone = IANAZone.create(name);
  if (!zone.isValid) throw new Error(`unknown time zone: ${name}`);
  return zone;
}

// UTC offsets memoized per zone and UTC hour. Intl-backed lookups cost ~10 µs each and a tick computes a dozen per
// subscriber; an hour whose first and last millisecond share an offset has that offset throughout (no zone changes
// twice within an hour), so it is cached; an hour holding a transition (NaN) is always asked afresh. A pure memo
// of tzdata — bounded, and harmless to share between callers.
const HOUR_MS = 3_600_000;
const OFFSET_CACHE_MAX = 100_000;
const offsetCache = new Map<string, Map<number, number>>();

function offsetAt(zone: IANAZone, ms: number): number {
  let hours = offsetCache.get(zone.name);
  if (!hours) offsetCache.set(zone.name, (hours = new Map()));
  const bucket = Math.floor(ms / HOUR_MS);
  let cached = hours.get(bucket);
  if (cached === undefined) {
    const first = zone.offset(bucket * HOUR_MS);
    cached = first === zone.offset(bucket * HOUR_MS + HOUR_MS - 1) ? first : NaN;
    if (hours.size >= OFFSET_CACHE_MAX) hours.clear();
    hours.set(bucket, cached);
  }
  return Number.isNaN(cached) ? zone.offset(ms) : cached;
}

/** Days since 1970-01-01 of the local calendar date `instant` falls on in `zone`. */
function localDayNumber(zone: IANAZone, ms: number): number {
  return Math.floor((ms + offsetAt(zone, ms) * MINUTE_MS) / DAY_MS);
}

function dayNumberToIso(day: number): string {
  return new Date(day * DAY_MS).toISOString().slice(0, 10);
}

function isoToDayNumber(date: string): number {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(date);
  if (!m) throw new Error(`not a YYYY-MM-DD date: ${date}`);
  return Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])) / DAY_MS;
}

/** ISO weekday (1 = Monday … 7 = Sunday) of a day number (day 0, 1970-01-01, was a Thursday). */
function isoWeekday(day: number): Weekday {
  return (((((day + 3) % 7) + 7) % 7) + 1) as Weekday;
}

/**
 * The instant a local wall time on a local date happens in `zone`, with the rules in the header comment. Offsets
 * are sampled a day either side (as Temporal's GetPossibleEpochNanoseconds does): every real zone has at most one
 * transition within ±24 h, and no offset exceeds ±14 h.
 */
function resolveLocal(zone: IANAZone, day: number, time: SendTime): { ms: number; resolution: Resolution } {
  const naive = day * DAY_MS + (time.hour * 60 + time.minute) * MINUTE_MS;
  const before = offsetAt(zone, naive - DAY_MS);
  const after = offsetAt(zone, naive + DAY_MS);
  const candidates = (before === after ? [before] : [before, after])
    .map((o) => naive - o * MINUTE_MS)
    .filter((t) => offsetAt(zone, t) * MINUTE_MS === naive - t)
    .sort((a, b) => a - b);
  if (candidates.length > 1) return { ms: candidates[0]!, resolution: 'ambiguous-first' };
  if (candidates.length === 1) return { ms: candidates[0]!, resolution: 'exact' };
  return { ms: naive - before * MINUTE_MS, resolution: 'gap-shifted' };
}

function periodOfDay(spec: ScheduleSpec, day: number): string {
  if (spec.frequency.kind === 'daily') return dayNumberToIso(day);
  return DateTime.fromMillis(day * DAY_MS, { zone: 'utc' }).toFormat("kkkk-'W'WW");
}

function occurrenceOnDay(spec: ScheduleSpec, zone: IANAZone, day: number): Occurrence | null {
  if (spec.frequency.kind === 'weekly' && isoWeekday(day) !== spec.frequency.weekday) return null;
  const { ms, resolution } = resolveLocal(zone, day, spec.sendTime);
  return { at: new Date(ms), period: periodOfDay(spec, day), localDate: dayNumberToIso(day), resolution };
}

/** The occurrence scheduled on a local date (YYYY-MM-DD), or null when a weekly spec does not send that day. */
export function occurrenceOn(spec: ScheduleSpec, localDate: string): Occurrence | null {
  return occurrenceOnDay(spec, zoneOf(spec.timezone), isoToDayNumber(localDate));
}

// Weekly specs send every 7th day; 16 days covers that plus the day either side the searches start from.
const SEARCH_DAYS = 16;

/** The first occurrence strictly after `after`. */
export function nextOccurrence(spec: ScheduleSpec, after: Date): Occurrence {
  const zone = zoneOf(spec.timezone);
  const t = after.getTime();
  // Start a day early: yesterday's send may have been pushed past midnight by a gap.
  const first = localDayNumber(zone, t) - 1;
  for (let day = first; day < first + SEARCH_DAYS; day++) {
    const occ = occurrenceOnDay(spec, zone, day);
    if (!occ || occ.at.getTime() <= t) continue;
    const swallowing = occurrenceOnDay(spec, zone, day + 1); // a skipped date: the later date wins
    return swallowing && swallowing.at.getTime() === occ.at.getTime() ? swallowing : occ;
  }
  throw new Error(`no send instant within ${SEARCH_DAYS} days after ${after.toISOString()} for ${spec.timezone}`);
}

/** The latest occurrence at or before `atOrBefore` — what a late tick sends (one edition, not one per missed period). */
export function latestOccurrence(spec: ScheduleSpec, atOrBefore: Date): Occurrence {
  const zone = zoneOf(spec.timezone);
  const t = atOrBefore.getTime();
  // A send is never earlier than its scheduled local date (gaps only push forward), so start on today's date.
  const first = localDayNumber(zone, t);
  for (let day = first; day > first - SEARCH_DAYS; day--) {
    const occ = occurrenceOnDay(spec, zone, day);
    if (occ && occ.at.getTime() <= t) return occ;
  }
  throw new Error(`no send instant within ${SEARCH_DAYS} days before ${atOrBefore.toISOString()} for ${spec.timezone}`);
}

/** The first send instant strictly after `after`. */
export function nextSendAt(spec: ScheduleSpec, after: Date): Date {
  return nextOccurrence(spec, after).at;
}

/** The latest send instant at or before `atOrBefore`. */
export function latestSendAt(spec: ScheduleSpec, atOrBefore: Date): Date {
  return latestOccurrence(spec, atOrBefore).at;
}

/**
 * The edition a send at `instant` belongs to: YYYY-MM-DD (daily) or YYYY-Www (weekly, ISO week-year), in the
 * subscriber's zone. For a send instant this is the occurrence's scheduled date (right even when a gap pushed the
 * send past midnight); for any other instant it is simply the local calendar date / ISO week it falls in.
 */
export function periodKey(spec: ScheduleSpec, instant: Date): string {
  const zone = zoneOf(spec.timezone);
  const t = instant.getTime();
  const day = localDayNumber(zone, t);
  const today = occurrenceOnDay(spec, zone, day);
  if (today && today.at.getTime() === t) return today.period;
  const yesterday = occurrenceOnDay(spec, zone, day - 1);
  if (yesterday && yesterday.at.getTime() === t) return yesterday.period;
  return periodOfDay(spec, day);
}

/** Every occurrence in (from, to]: what an ideal tick would send over that window. For tests and previews. */
export function occurrencesBetween(spec: ScheduleSpec, from: Date, to: Date, limit = 10_000): Occurrence[] {
  const out: Occurrence[] = [];
  let cursor = from;
  while (out.length < limit) {
    const occ = nextOccurrence(spec, cursor);
    if (occ.at.getTime() > to.getTime()) break;
    out.push(occ);
    cursor = occ.at;
  }
  return out;
}

/** The local calendar date (YYYY-MM-DD) of `instant` in `zone`. */
export function localDateIn(zone: string, instant: Date): string {
  return dayNumberToIso(localDayNumber(zoneOf(zone), instant.getTime()));
}

/** Calendar arithmetic on YYYY-MM-DD dates (no zone involved). */
export function addDays(date: string, days: number): string {
  return dayNumberToIso(isoToDayNumber(date) + days);
}
