// Loopback HTTP servers that behave like Slack's and Discord's incoming webhooks (and a generic receiver): they
// check payloads against the platform's documented limits (answering 400 the way the platform does), and answer
// whatever a test scripts next — 429 with Retry-After, 5xx, 404/410 — recording every request.
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface Scripted {
  status: number;
  headers?: Record<string, string>;
  body?: string;
}

export interface Received {
  path: string;
  headers: IncomingHttpHeaders;
  body: string;
}

export interface WebhookServer {
  url(path: string): string;
  received: Received[];
  /** Answers for the next requests, in order; after them: the platform's success (or its validation error). */
  script(...answers: Scripted[]): void;
  close(): Promise<void>;
}

type Validate = (body: unknown) => string | null;

const chars = (s: unknown) => (typeof s === 'string' ? [...s].length : 0);

/** Slack Block Kit limits: 50 blocks; section text 3000; header text 150; a message needs text or blocks. */
export const slackValidate: Validate = (b) => {
  const p = b as { text?: string; blocks?: { type: string; text?: { text: string }; elements?: { text: string }[] }[] };
  if (!p.text && !p.blocks) return 'no_text';
  if ((p.blocks?.length ?? 0) > 50) return 'invalid_blocks';
  for (const blk of p.blocks ?? []) {
    if (blk.type === 'section' && chars(blk.text?.text) > 3000) return 'invalid_blocks';
    if (blk.type === 'header' && chars(blk.text?.text) > 150) return 'invalid_blocks';
  }
  return null;
};

/** Discord limits: 10 embeds; 6000 characters across embeds; title 256; description 4096; footer 2048; content 2000. */
export const discordValidate: Validate = (b) => {
  const p = b as { content?: string; embeds?: { title?: string; description?: string; footer?: { text?: string } }[] };
  if (!p.content && !p.embeds?.length) return 'Cannot send an empty message';
  if (chars(p.content) > 2000) return 'content: Must be 2000 or fewer in length.';
  const embeds = p.embeds ?? [];
  if (embeds.length > 10) return 'embeds: Must be 10 or fewer in length.';
  let total = 0;
  for (const e of embeds) {
    if (chars(e.title) > 256) return 'embeds.title: Must be 256 or fewer in length.';
    if (chars(e.description) > 4096) return 'embeds.description: Must be 4096 or fewer in length.';
    if (chars(e.footer?.text) > 2048) return 'embeds.footer.text: Must be 2048 or fewer in length.';
    total += chars(e.title) + chars(e.description) + chars(e.footer?.text);
  }
  return total > 6000 ? 'embeds: Embed size exceeds maximum size of 6000' : null;
};

async function start(kind: 'slack' | 'discord' | 'generic', validate: Validate): Promise<WebhookServer> {
  const received: Received[] = [];
  const queue: Scripted[] = [];
  const server: Server = createServer((req, res) => {
    const parts: Buffer[] = [];
    req.on('data', (c: Buffer) => parts.push(c));
    req.on('end', () => {
      const body = Buffer.concat(parts).toString('utf8');
      received.push({ path: req.url ?? '', headers: req.headers, body });
      const next = queue.shift();
      if (next) {
        res.writeHead(next.status, next.headers ?? {});
        res.end(next.body ?? '');
        return;
      }
      let parsed: unknown;
      try {
        parsed = JSON.parse(body);
      } catch {
        res.writeHead(400).end(kind === 'discord' ? '{"code":50109,"message":"The request body contains invalid JSON."}' : 'invalid_payload');
        return;
      }
      const problem = validate(parsed);
      if (problem) {
        res.writeHead(400, { 'content-type': kind === 'discord' ? 'application/json' : 'text/plain' });
        res.end(kind === 'discord' ? JSON.stringify({ code: 50035, message: 'Invalid Form Body', errors: problem }) : problem);
        return;
      }
      // Slack answers 200 "ok"; Discord 204 without ?wait=true.
      if (kind === 'discord') res.writeHead(204).end();
      else res.writeHead(200, { 'content-type': 'text/plain' }).end('ok');
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return {
    url: (path) => `http://127.0.0.1:${port}${path}`,
    received,
    script: (...answers) => queue.push(...answers),
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}

export const startSlackServer = () => start('slack', slackValidate);
export const startDiscordServer = () => start('discord', discordValidate);
export const startGenericReceiver = () => start('generic', () => null);
