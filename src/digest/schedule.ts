// Schedule math, pure: `now` and the zone are parameters. (First version; DST edge cases are covered by the
// tests in test/unit/digest/schedule.test.ts.)
import { DateTime } from 'luxon';
import type { ScheduleSpec } from '../subscribers/subscriber.js';

function atSendTime(day: DateTime, spec: ScheduleSpec): DateTime {
  return day.set({ hour: spec.sendTime.hour, minute: spec.sendTime.minute, second: 0, millisecond: 0 });
}

/** The first send instant strictly after `after`. */
export function nextSendAt(spec: ScheduleSpec, after: Date): Date {
  const local = DateTime.fromJSDate(after, { zone: spec.timezone });
  let day = local.startOf('day');
  for (let i = 0; i < 16; i++) {
    const candidate = atSendTime(day, spec);
    const weekdayOk = spec.frequency.kind === 'daily' || candidate.weekday === spec.frequency.weekday;
    if (weekdayOk && candidate.toMillis() > after.getTime()) return candidate.toJSDate();
    day = day.plus({ days: 1 });
  }
  throw new Error('no send instant found within 16 days');
}

/** The edition a send at `instant` belongs to: local date (daily) or ISO week (weekly), in the subscriber's zone. */
export function periodKey(spec: ScheduleSpec, instant: Date): string {
  const local = DateTime.fromJSDate(instant, { zone: spec.timezone });
  return spec.frequency.kind === 'daily' ? local.toISODate()! : local.toFormat("kkkk-'W'WW");
}
