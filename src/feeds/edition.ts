// What a personal feed (and a team channel) is made of: the editions a reader was delivered, each with its papers,
// the reasons they were picked and, when the surface has them, the feedback links. The feed renderers (atom.ts,
// json-feed.ts) and the channel formatters are pure functions of these; where editions come from is a port
// (FeedEditionSource), so the route does not know the ledger's storage layout.
import type { Paper } from '../papers/paper.js';

/** Per-paper feedback capabilities (signed `feedback` links), when the edition's surface offers them. */
export interface FeedbackLinks {
  up?: string;
  down?: string;
  save?: string;
}

export interface FeedPaper {
  paper: Paper;
  /** Why the paper was picked, one line per reason, in words a person uses ("Robotics (“humanoid”)"). */
  whyLines: string[];
  feedbackLinks?: FeedbackLinks;
}

export interface FeedEdition {
  /** The ledger's period key: YYYY-MM-DD (daily) or YYYY-Www (weekly). */
  period: string;
  /** ISO instant of the edition: its scheduled send instant (ledger-source.ts), stable across polls. */
  sentAt: string;
  papers: FeedPaper[];
}

/**
 * The port the feed route and the editions page read through: a subscriber's delivered editions, newest first,
 * at most `limit`. Implemented over the delivery ledger's compact edition record (ledger-source.ts).
 */
export interface FeedEditionSource {
  editions(subscriberId: string, limit: number): Promise<FeedEdition[]>;
}

/** Newest first by sentAt, then period (stable). */
export function newestFirst(a: FeedEdition, b: FeedEdition): number {
  return a.sentAt < b.sentAt ? 1 : a.sentAt > b.sentAt ? -1 : a.period < b.period ? 1 : a.period > b.period ? -1 : 0;
}
