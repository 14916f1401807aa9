// The public, shareable page of one day's papers (src/web public archive: /topics/<id>/<YYYY-MM-DD>): no capability
// and nothing personal, so a reader's "Share" link and a channel's "view in browser" link can point there.

/** `/topics/<first topic, else all>/<day>` under publicUrl, for a daily period; null for a weekly one. */
export function publicDayUrl(publicUrl: string, topics: readonly string[], period: string): string | null {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(period)) return null;
  return `${publicUrl.replace(/\/+$/, '')}/topics/${encodeURIComponent(topics[0] ?? 'all')}/${period}`;
}
