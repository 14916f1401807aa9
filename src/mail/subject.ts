// The digest's subject line, pure: it names the digest and its first two papers, each shortened, so a reader can
// tell editions apart in an inbox list — instead of one title cut mid-word.
//   "Papers Digest, Mon 28 Sep: OmniScope · Sparse Mixtures at Scale +8 more"
import { truncate } from './view-model-safety.js';

const SEPARATOR = ' · ';

/**
 * A title's short name: the part before a colon when it is a name ("OmniScope: a unified …" → "OmniScope"), else
 * the title itself. Titles arrive cleaned (one line, no control characters).
 */
export function shortTitle(title: string): string {
  const colon = title.indexOf(':');
  if (colon >= 3 && colon <= 48) {
    const head = title.slice(0, colon).trim();
    if (head.length >= 3) return head;
  }
  return title;
}

/**
 * Subject ≤ `max` characters (code points): "Papers Digest, <edition>: <first> · <second> +N more". Full titles when both
 * fit; else the longer one by its short name, then both; then each cut to its share of the room.
 */
export function digestSubject(edition: string, titles: readonly string[], max: number): string {
  const prefix = `Papers Digest, ${edition}`;
  if (titles.length === 0) return truncate(prefix, max);
  const head = `${prefix}: `;
  const more = titles.length > 2 ? ` +${titles.length - 2} more` : '';
  const room = max - head.length - more.length;
  const [a, b] = titles.slice(0, 2) as [string, string | undefined];
  if (b === undefined || room < 24) return head + truncate(len(a) <= room ? a : shortTitle(a), room) + more;
  const space = room - SEPARATOR.length;
  const longer = len(a) >= len(b) ? 'a' : 'b';
  const tries: [string, string][] = [[a, b]];
  tries.push(longer === 'a' ? [shortTitle(a), b] : [a, shortTitle(b)]);
  tries.push([shortTitle(a), shortTitle(b)]);
  for (const [x, y] of tries) if (len(x) + len(y) <= space) return head + x + SEPARATOR + y + more;
  const [x, y] = tries[2]!;
  // Share the room: the shorter title keeps what it needs (up to half), the other takes the rest.
  const half = Math.floor(space / 2);
  const wx = len(x) <= half ? len(x) : len(y) <= half ? space - len(y) : half;
  return head + truncate(x, wx) + SEPARATOR + truncate(y, space - wx) + more;
}

function len(s: string): number {
  return [...s].length;
}
