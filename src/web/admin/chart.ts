// A server-rendered SVG bar chart (no script, no inline style: the CSP forbids both). Pure: data in, markup out.
// Presentation attributes (fill, font-size) are not styles, so they pass `style-src 'self'`; colours come from
// classes in admin.css so the chart follows the page's palette.
export interface Bar {
  label: string; // under the bar (may be '' to thin the axis)
  value: number;
  title: string; // hover tooltip
}

function esc(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

/** Round the axis maximum up to 1, 2 or 5 × 10^n so the grid lines fall on readable numbers. */
export function niceMax(v: number): number {
  if (v <= 0) return 1;
  const p = 10 ** Math.floor(Math.log10(v));
  for (const m of [1, 2, 5, 10]) if (v <= m * p) return m * p;
  return 10 * p;
}

/** Grid values: whole numbers as they are (barChart only draws whole grid values: it charts counts). */
export function axisLabel(v: number): string {
  return Number.isInteger(v) ? String(v) : v.toFixed(1);
}

export function barChart(bars: Bar[], opts: { width?: number; height?: number; ariaLabel: string }): string {
  const width = opts.width ?? 1000;
  const height = opts.height ?? 210;
  const pad = { top: 12, right: 8, bottom: 26, left: 44 };
  const plotW = width - pad.left - pad.right;
  const plotH = height - pad.top - pad.bottom;
  const max = niceMax(Math.max(0, ...bars.map((b) => b.value)));
  const step = bars.length ? plotW / bars.length : plotW;
  const barW = Math.max(2, step * 0.72);
  const y = (v: number) => pad.top + plotH - (v / max) * plotH;
  const parts: string[] = [];
  parts.push(
    `<svg class="chart" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${width} ${height}" width="100%" role="img" aria-label="${esc(opts.ariaLabel)}">`,
  );
  // Counts are whole: a middle grid line that would fall between two counts (0.5 on a 0–1 axis, 2.5 on 0–5) is left out.
  for (const g of [0, 0.5, 1].filter((f) => Number.isInteger(max * f))) {
    const gy = y(max * g).toFixed(1);
    parts.push(`<line class="chart-grid" x1="${pad.left}" x2="${width - pad.right}" y1="${gy}" y2="${gy}"/>`);
    parts.push(`<text class="chart-axis" x="${pad.left - 6}" y="${gy}" text-anchor="end" dominant-baseline="middle" font-size="11">${axisLabel(max * g)}</text>`);
  }
  bars.forEach((b, i) => {
    const x = pad.left + i * step + (step - barW) / 2;
    const top = y(b.value);
    const h = Math.max(b.value > 0 ? 1.5 : 0, pad.top + plotH - top);
    parts.push(
      `<rect class="chart-bar${b.value === 0 ? ' chart-bar-zero' : ''}" x="${x.toFixed(1)}" y="${(pad.top + plotH - h).toFixed(1)}" width="${barW.toFixed(1)}" height="${h.toFixed(1)}" rx="2"><title>${esc(b.title)}</title></rect>`,
    );
    if (b.label) {
      parts.push(`<text class="chart-axis" x="${(x + barW / 2).toFixed(1)}" y="${height - 8}" text-anchor="middle" font-size="11">${esc(b.label)}</text>`);
    }
  });
  parts.push('</svg>');
  return parts.join('');
}
