// Discord webhook payload (pure), within Discord's documented limits: at most 10 embeds per message and 6000
// characters across all of a message's embed titles, descriptions, field names/values, footers and author names;
// embed title 256, description 4096, footer 2048; message content 2000. One message per edition (a webhook post
// is all-or-nothing): the first 10 papers as embeds, descriptions shortened until the total fits, any further
// papers as links in the content.
import { charLength, clip, type ChannelEdition } from './payload.js';

export const DISCORD_LIMITS = { embeds: 10, total: 6000, title: 256, description: 4096, footer: 2048, content: 2000, username: 80 } as const;

const BLUE = 0x1d4ed8;

/** Discord markdown control characters, backslash-escaped; mentions neutralised (also blocked by allowed_mentions). */
export function discordEscape(s: string): string {
  return s.replace(/([\\*_~`|>#[\]()-])/g, '\\$1').replace(/@/g, '@\u200b');
}

export interface DiscordEmbed {
  title: string;
  url: string;
  description: string;
  color: number;
  footer?: { text: string };
}

export interface DiscordPayload {
  username: string;
  content: string;
  embeds: DiscordEmbed[];
  allowed_mentions: { parse: [] };
}

/** The characters Discord counts toward the 6000 total of one message. */
export function discordEmbedChars(embeds: readonly DiscordEmbed[]): number {
  return embeds.reduce((n, e) => n + charLength(e.title) + charLength(e.description) + charLength(e.footer?.text ?? ''), 0);
}

function description(p: ChannelEdition['papers'][number], summaryChars: number): string {
  const c = p.card;
  const links = [`[arXiv](${c.arxivUrl})`, c.codeUrl ? `[Code](${c.codeUrl})` : '', c.projectUrl ? `[Project](${c.projectUrl})` : ''].filter(Boolean).join(' · ');
  return [
    discordEscape([c.byline, c.stats].filter(Boolean).join(' · ')),
    summaryChars > 0 && c.summaryFull ? discordEscape(clip(c.summaryFull, summaryChars)) : '',
    links,
    p.whyLines.length ? `*Why: ${discordEscape(p.whyLines.join('; '))}*` : '',
  ]
    .filter(Boolean)
    .join('\n');
}

export function formatDiscord(e: ChannelEdition): DiscordPayload {
  const shown = e.papers.slice(0, DISCORD_LIMITS.embeds);
  const build = (summaryChars: number) =>
    shown.map((p) => ({
      title: clip(`${p.card.rank}. ${p.card.title}`, DISCORD_LIMITS.title),
      url: p.card.url,
      description: clip(description(p, summaryChars), DISCORD_LIMITS.description),
      color: BLUE,
    }));
  let embeds: DiscordEmbed[] = [];
  // Longest summaries that fit the 6000-character total; without any summary 10 embeds always fit (title ≤ 256 +
  // byline/links/why lines of a few hundred characters each), and a last resort clips descriptions hard.
  for (const chars of [400, 280, 180, 100, 0]) {
    embeds = build(chars);
    if (discordEmbedChars(embeds) <= DISCORD_LIMITS.total) break;
  }
  if (discordEmbedChars(embeds) > DISCORD_LIMITS.total) {
    const per = Math.floor(DISCORD_LIMITS.total / Math.max(1, embeds.length)) - 1;
    embeds = embeds.map((x) => ({ ...x, title: clip(x.title, Math.min(DISCORD_LIMITS.title, Math.floor(per / 3))), description: clip(x.description, per - Math.min(DISCORD_LIMITS.title, Math.floor(per / 3))) }));
  }
  const rest = e.papers.slice(shown.length);
  const head = `**Papers Digest · ${discordEscape(e.label)}**${e.webUrl ? ` — [view in browser](<${e.webUrl}>)` : ''}`;
  let content = head;
  for (const p of rest) {
    const line = `\n${p.card.rank}. [${discordEscape(clip(p.card.title, 120))}](<${p.card.url}>)`;
    if (charLength(content + line) > DISCORD_LIMITS.content - 40) {
      content += `\n…and ${rest.length - rest.indexOf(p)} more on the web page`;
      break;
    }
    content += line;
  }
  return { username: 'Papers Digest', content: clip(content, DISCORD_LIMITS.content), embeds, allowed_mentions: { parse: [] } };
}
