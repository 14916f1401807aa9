// Channel formatters within each platform's limits, on the largest edition a reader can get (25 papers, real
// archive text, lengthened), and the masking of webhook URLs.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { maskWebhookUrl, checkWebhookUrl } from '../../../src/feeds/channels/channel.js';
import { discordEmbedChars, formatDiscord, DISCORD_LIMITS } from '../../../src/feeds/channels/discord.js';
import { channelEdition } from '../../../src/feeds/channels/payload.js';
import { formatSlack, SLACK_LIMITS } from '../../../src/feeds/channels/slack.js';
import { signWebhook, verifyWebhook, webhookBody } from '../../../src/feeds/channels/webhook.js';
import { archiveDay } from '../../helpers/archive-days.js';
import { discordValidate, slackValidate } from '../../helpers/webhook-servers.js';

const papers = [...archiveDay('2026-08-20'), ...archiveDay('2026-08-21')].slice(0, 25);
const long = papers.map((p, i) => ({ ...p, title: `${p.title} ${'— a very long title '.repeat(i % 3 === 0 ? 20 : 1)}`, aiSummary: null, summary: p.summary.repeat(3) }));
const big = channelEdition({ period: '2026-08-21', sentAt: '2026-08-21T07:00:00Z', papers: long.map((paper) => ({ paper, whyLines: ['Agents (“tool use”)', 'you follow Jane <Doe>'] })) }, 'Friday, 21 August 2026', 'https://digest.example.org/topics/agents/2026-08-21');
const small = channelEdition({ period: '2026-08-21', sentAt: '2026-08-21T07:00:00Z', papers: papers.slice(0, 3).map((paper) => ({ paper, whyLines: ['trending today'] })) }, 'Friday, 21 August 2026', null);

describe('Slack blocks', () => {
  it('fit Slack\'s limits for the largest edition and carry every paper', () => {
    const p = formatSlack(big);
    assert.equal(slackValidate(p), null);
    assert.ok(p.blocks.length <= SLACK_LIMITS.blocks);
    assert.equal(p.blocks.filter((b) => b.type === 'section').length, 25);
    const text = JSON.stringify(p.blocks);
    assert.match(text, /you follow Jane &lt;Doe&gt;/, 'mrkdwn control characters are escaped');
    assert.match(text, /View in browser/);
  });
});

describe('Discord embeds', () => {
  it('fit Discord\'s limits (10 embeds, 6000 characters, title 256, content 2000) in one message', () => {
    const p = formatDiscord(big);
    assert.equal(discordValidate(p), null);
    assert.equal(p.embeds.length, DISCORD_LIMITS.embeds);
    assert.ok(discordEmbedChars(p.embeds) <= DISCORD_LIMITS.total);
    assert.ok(p.embeds.every((e) => [...e.title].length <= 256));
    // The 15 papers past the tenth are linked in the content.
    assert.match(p.content, /11\. \[/);
    assert.ok([...p.content].length <= DISCORD_LIMITS.content);
    assert.deepEqual(p.allowed_mentions, { parse: [] });
  });

  it('keep summaries when they fit', () => {
    const p = formatDiscord(small);
    assert.equal(p.embeds.length, 3);
    assert.ok(p.embeds.every((e) => e.description.split('\n').length >= 3));
  });
});

describe('generic webhook', () => {
  it('signs "<timestamp>.<body>" with HMAC-SHA256 and the receiver check refuses tampering and replays', () => {
    const body = JSON.stringify(webhookBody(small));
    const sig = signWebhook('s3cret-s3cret-s3cret', 1_790_000_000, body);
    assert.match(sig, /^v1=[0-9a-f]{64}$/);
    const now = new Date(1_790_000_010_000);
    assert.equal(verifyWebhook('s3cret-s3cret-s3cret', { timestamp: '1790000000', signature: sig }, body, now), true);
    assert.equal(verifyWebhook('s3cret-s3cret-s3cret', { timestamp: '1790000000', signature: sig }, body.replace('"rank":1', '"rank":2'), now), false);
    assert.equal(verifyWebhook('other-secret-other', { timestamp: '1790000000', signature: sig }, body, now), false);
    assert.equal(verifyWebhook('s3cret-s3cret-s3cret', { timestamp: '1790000000', signature: sig }, body, new Date(1_790_000_400_000)), false, 'older than 5 minutes');
  });
});

describe('webhook URLs', () => {
  it('are masked to scheme, host and structure', () => {
    assert.equal(maskWebhookUrl('https://hooks.slack.com/services/T0001/B0002/XXXXXXXXXXXXXXXXXXXXXXXX'), 'https://hooks.slack.com/services/T…/…/****');
    assert.equal(maskWebhookUrl('https://discord.com/api/webhooks/123456789/abcDEF-token'), 'https://discord.com/api/webhooks/1…/****');
    assert.equal(maskWebhookUrl('https://example.org/hook?token=abc'), 'https://example.org/****');
    assert.equal(maskWebhookUrl('not a url'), '****');
  });

  it('must be https, or http on loopback only', () => {
    assert.equal(checkWebhookUrl('https://hooks.slack.com/services/T/B/x'), null);
    assert.equal(checkWebhookUrl('http://127.0.0.1:9000/hook'), null);
    assert.match(checkWebhookUrl('http://example.org/hook') ?? '', /https/);
    assert.match(checkWebhookUrl('https://user:pw@example.org/') ?? '', /password/);
  });
});
