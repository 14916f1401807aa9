// What the schedule math (schedule.ts) needs to know about a delivery: a local send time, a frequency and a zone.
// Subscribers, channels and previews all have one; nothing here knows who they belong to.

/** ISO weekday: 1 = Monday … 7 = Sunday (luxon's numbering). */
export type Weekday = 1 | 2 | 3 | 4 | 5 | 6 | 7;

export type Frequency = { kind: 'daily' } | { kind: 'weekly'; weekday: Weekday };

export interface SendTime {
  hour: number; // 0–23, local
  minute: number; // 0–59, local
}

export interface ScheduleSpec {
  timezone: string; // canonical IANA zone
  sendTime: SendTime;
  frequency: Frequency;
}
