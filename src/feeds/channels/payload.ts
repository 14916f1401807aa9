// What a channel formatter gets: one edition, the papers already cleaned the way the email cleans them
// (mail/view-model-cards), plus where the reader can see it on the web (the public page of that day).
import { paperView, type DigestPaperView } from '../../mail/view-model.js';
import type { FeedEdition } from '../edition.js';

export interface ChannelPaper {
  card: DigestPaperView;
  whyLines: string[];
}

export interface ChannelEdition {
  period: string;
  /** "Monday, 28 September 2026" / "Week of 28 September 2026". */
  label: string;
  papers: ChannelPaper[];
  /** Public page of the edition's day (no capability), for a "view in browser" link. */
  webUrl: string | null;
}

export function channelEdition(edition: FeedEdition, label: string, webUrl: string | null): ChannelEdition {
  return {
    period: edition.period,
    label,
    webUrl,
    papers: edition.papers.map((p, i) => ({ card: paperView({ paper: p.paper, reasons: [] }, 420, i + 1), whyLines: p.whyLines })),
  };
}

/** Cut to `max` characters (code points), with an ellipsis when cut. */
export function clip(s: string, max: number): string {
  const chars = [...s];
  return chars.length <= max ? s : `${chars.slice(0, Math.max(0, max - 1)).join('').trimEnd()}…`;
}

export function charLength(s: string): number {
  return [...s].length;
}
