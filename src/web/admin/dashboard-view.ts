// Pure: dashboard data → the strings and numbers the template shows. All formatting decisions live here so the
// template stays logic-free and this stays unit-testable with fixed instants.
import type { DashboardData } from '../../ops/dashboard.js';
import { barChart } from './chart.js';

export function ago(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  if (s < 90) return `${s} s`;
  const m = Math.round(s / 60);
  if (m < 90) return `${m} min`;
  const h = s / 3600;
  if (h < 48) return `${h.toFixed(h < 10 ? 1 : 0)} h`;
  return `${Math.round(h / 24)} d`;
}

const hhmm = (d: Date) => d.toISOString().slice(11, 16);
const stamp = (d: Date) => `${d.toISOString().slice(0, 10)} ${hhmm(d)} UTC`;

/** Order and colour of ledger states; unknown states still show, after these. */
const STATE_ORDER: { state: string; tone: string; label: string }[] = [
  { state: 'sent', tone: 'good', label: 'sent' },
  { state: 'claimed', tone: 'info', label: 'sending' },
  { state: 'sending', tone: 'info', label: 'sending' },
  { state: 'retrying', tone: 'warn', label: 'retrying' },
  { state: 'pending', tone: 'info', label: 'pending' },
  { state: 'failed', tone: 'bad', label: 'failed' },
  { state: 'unknown', tone: 'warn', label: 'unknown' },
  { state: 'suppressed', tone: 'muted', label: 'suppressed' },
  { state: 'skipped', tone: 'muted', label: 'skipped' },
];

function stateRows(counts: Record<string, number>) {
  const known = STATE_ORDER.filter((s) => counts[s.state]).map((s) => ({ ...s, count: counts[s.state]! }));
  const extra = Object.keys(counts)
    .filter((k) => !STATE_ORDER.some((s) => s.state === k))
    .map((state) => ({ state, tone: 'muted', label: state, count: counts[state]! }));
  return [...known, ...extra];
}

export function dashboardView(d: DashboardData) {
  const now = d.now.getTime();
  const dueNext24 = d.due.hours.reduce((a, h) => a + h.count, 0);
  const peak = d.due.hours.reduce((best, h) => (h.count > best.count ? h : best), { start: d.now, count: 0 });
  const chart = barChart(
    d.due.hours.map((h, i) => ({
      label: i % 3 === 0 ? hhmm(h.start) : '',
      value: h.count,
      title: `${hhmm(h.start)}–${hhmm(new Date(h.start.getTime() + 3_600_000))} UTC: ${h.count} digest${h.count === 1 ? '' : 's'}`,
    })),
    { ariaLabel: `Digests due per hour for the next 24 hours; ${dueNext24} in total` },
  );
  // "Today" is each subscriber's local day: sum the editions under way now (two or three dates, src/ops/periods.ts).
  const live = d.editions.filter((e) => e.live);
  const sum = (k: string) => live.reduce((a, e) => a + (e.counts[k] ?? 0), 0);
  const sentToday = sum('sent');
  const failedToday = sum('failed') + sum('unknown');
  const inLedger = live.reduce((a, e) => a + e.total, 0);
  const liveDays = live.filter((e) => !e.period.includes('W')).map((e) => e.period).sort();
  const liveSpan = liveDays.length > 1 ? `${liveDays[0]} … ${liveDays[liveDays.length - 1]!.slice(5)}` : (liveDays[0] ?? '');
  const sendQueue = d.queues?.find((q) => q.queue === 'send');
  return {
    now: stamp(d.now),
    status: {
      sending: d.settings.sendingPaused ? { tone: 'warn', text: 'Sending paused' } : { tone: 'good', text: 'Sending on' },
      scraping: d.settings.scrapingPaused ? { tone: 'warn', text: 'Scraping paused' } : { tone: 'good', text: 'Scraping on' },
      freshness: d.lastScrapeOk
        ? d.scrapeFresh
          ? { tone: 'good', text: 'Papers fresh' }
          : { tone: 'bad', text: 'Papers stale' }
        : { tone: 'bad', text: 'Never scraped' },
    },
    kpis: [
      {
        label: 'Last good scrape',
        value: d.lastScrapeOk ? `${ago(now - d.lastScrapeOk.getTime())} ago` : 'never',
        note: d.lastScrapeOk ? stamp(d.lastScrapeOk) : `fresh means within ${d.settings.freshnessHours} h`,
        tone: d.scrapeFresh ? 'good' : 'bad',
      },
      {
        label: 'Sent today',
        value: String(sentToday),
        note: `local dates ${liveSpan}: ${inLedger} in the ledger${failedToday ? `, ${failedToday} failed/unknown` : ''}`,
        tone: failedToday ? 'warn' : 'good',
      },
      { label: 'Due next 24 h', value: String(dueNext24), note: peak.count ? `busiest hour ${hhmm(peak.start)} UTC (${peak.count})` : 'nothing scheduled', tone: 'info' },
      {
        label: 'Delivery lag',
        value: d.oldestOverdueMs > 0 ? ago(d.oldestOverdueMs) : 'none',
        note: `${d.due.overdue} overdue${sendQueue ? `, ${sendQueue.waiting + sendQueue.delayed + sendQueue.prioritized} queued, ${sendQueue.active} sending` : ''}`,
        tone: d.oldestOverdueMs > d.settings.editionDeadlineMinutes * 60_000 ? 'bad' : d.oldestOverdueMs > 5 * 60_000 ? 'warn' : 'good',
      },
      { label: 'Suppressed', value: String(d.suppressed.count), note: `after ${d.settings.suppressAfterBounces} hard bounce(s)`, tone: d.suppressed.count ? 'muted' : 'good' },
    ],
    chart,
    dueNext24,
    overdue: d.due.overdue,
    scrapes: groupRepeats(d.scrapes).map(({ entry: s, repeats, firstAt }) => ({
      when: s.at ? `${ago(now - new Date(s.at).getTime())} ago` : '',
      at: s.at,
      day: scrapeDayLabel(s),
      source: s.source,
      url: s.url,
      papers: s.papers,
      status: s.status,
      tone: s.status === 'ok' ? 'good' : s.status === 'failed' ? 'bad' : 'muted',
      error: s.error ?? '',
      // The same failure (same source, day, status and error) in a row is one line with a count, not N copies.
      repeats: repeats > 1 ? `×${repeats} since ${firstAt ? `${ago(now - new Date(firstAt).getTime())} ago` : 'earlier'}` : '',
    })),
    editions: d.editions.map((e) => ({
      period: e.period,
      total: e.total,
      where: e.where,
      live: e.live,
      states: stateRows(e.counts),
      // What to do about failures, right where they show (unknown ones are never retried: they may have arrived).
      retry: e.counts.failed ? `papers-digest retry-failed --period ${e.period}` : '',
    })),
    queues: (d.queues ?? []).map((q) => ({ ...q, tone: q.failed ? 'bad' : 'muted' })),
    queuesUnavailable: d.queues === null,
    schedulers: (d.schedulers ?? []).map((s) => ({
      id: s.id,
      queue: s.queue,
      present: s.present,
      rule: s.pattern ? `${s.pattern}${s.tz ? ` (${s.tz})` : ''}` : s.every ? `every ${Math.round(s.every / 1000)} s` : '—',
      next: s.next ? `${stamp(s.next)} (in ${ago(s.next.getTime() - now)})` : '—',
    })),
    suppressed: { count: d.suppressed.count, rows: d.suppressed.rows.map((r) => ({ ...r, at: r.at ? r.at.replace('T', ' ').slice(0, 16) : '' })) },
  };
}

/**
 * Which day a scrape line is about: the day asked for; else the days the listing turned out to hold (a file
 * import: "2025-08-21"; the latest listing: "latest: 2025-08-21"); 'latest' only when nothing was stored to say more.
 */
export function scrapeDayLabel(s: { day: string | null; listed?: string[]; source: string }): string {
  if (s.day) return s.day;
  const listed = s.listed ?? [];
  if (listed.length === 0) return 'latest';
  const span = listed.length === 1 ? listed[0]! : `${listed[0]} … ${listed.at(-1)} (${listed.length} days)`;
  return s.source === 'file' ? span : `latest: ${span}`;
}

/** Consecutive scrape entries (newest first) that say the same thing, folded into one with a count. */
export function groupRepeats<T extends { at: string; source: string; url: string; day: string | null; status: string; error?: string }>(
  entries: readonly T[],
): { entry: T; repeats: number; firstAt: string }[] {
  const out: { entry: T; repeats: number; firstAt: string }[] = [];
  for (const e of entries) {
    const last = out.at(-1);
    const same = last && last.entry.status !== 'ok' && last.entry.status === e.status && last.entry.source === e.source && last.entry.url === e.url && last.entry.day === e.day && (last.entry.error ?? '') === (e.error ?? '');
    if (same) {
      last.repeats++;
      last.firstAt = e.at;
    } else out.push({ entry: e, repeats: 1, firstAt: e.at });
  }
  return out;
}
