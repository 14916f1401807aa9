// Slack incoming-webhook payload (pure): Block Kit, within Slack's limits — at most 50 blocks per message, a
// section's text at most 3000 characters, a header at most 150 — plus the top-level `text` Slack shows in
// notifications and where blocks cannot be rendered. One message per edition (a webhook post is all-or-nothing,
// so an edition is never half delivered).
import { charLength, clip, type ChannelEdition } from './payload.js';

export const SLACK_LIMITS = { blocks: 50, sectionText: 3000, headerText: 150, fallbackText: 3000, summary: 300 } as const;

/** Slack mrkdwn control characters (https://api.slack.com/reference/surfaces/formatting#escaping). */
export function slackEscape(s: string): string {
  return s.replace(/[&<>]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;' })[c]!);
}

/** A link whose label cannot close the <url|label> syntax early. */
function link(url: string, label: string): string {
  return `<${url.replace(/[<>|\s]/g, encodeURIComponent)}|${slackEscape(label).replace(/\|/g, '∣')}>`;
}

export interface SlackPayload {
  text: string;
  blocks: Record<string, unknown>[];
  unfurl_links: false;
  unfurl_media: false;
}

export function formatSlack(e: ChannelEdition): SlackPayload {
  const blocks: Record<string, unknown>[] = [
    { type: 'header', text: { type: 'plain_text', text: clip(`Papers Digest · ${e.label}`, SLACK_LIMITS.headerText), emoji: true } },
  ];
  // header + context at the end: the rest is for papers.
  const room = SLACK_LIMITS.blocks - 2;
  const shown = e.papers.slice(0, room);
  for (const p of shown) {
    const c = p.card;
    const links = [link(c.arxivUrl, 'arXiv'), c.codeUrl ? link(c.codeUrl, 'Code') : '', c.projectUrl ? link(c.projectUrl, 'Project') : ''].filter(Boolean).join(' · ');
    const lines = [
      `*${c.rank}. ${link(c.url, c.title)}*`,
      slackEscape([c.byline, c.stats].filter(Boolean).join(' · ')),
      c.summaryFull ? slackEscape(clip(c.summaryFull, SLACK_LIMITS.summary)) : '',
      links,
      p.whyLines.length ? `_Why: ${slackEscape(p.whyLines.join('; '))}_` : '',
    ].filter(Boolean);
    let text = lines.join('\n');
    if (charLength(text) > SLACK_LIMITS.sectionText) text = clip(text, SLACK_LIMITS.sectionText);
    blocks.push({ type: 'section', text: { type: 'mrkdwn', text } });
  }
  const more = e.papers.length - shown.length;
  const footer = [
    e.webUrl ? link(e.webUrl, 'View in browser') : '',
    more > 0 ? `${more} more paper${more === 1 ? '' : 's'} on the web page` : '',
  ].filter(Boolean);
  blocks.push({ type: 'context', elements: [{ type: 'mrkdwn', text: footer.length ? footer.join(' · ') : 'Papers Digest' }] });
  const fallback = clip(`Papers Digest · ${e.label}: ${e.papers.map((p) => p.card.title).join(' · ')}`, SLACK_LIMITS.fallbackText);
  return { text: fallback, blocks, unfurl_links: false, unfurl_media: false };
}
