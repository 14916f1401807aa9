// The outbox browser (only when the outbox transport is on): a list of the .eml files the outbox mailer wrote,
// and one message at a time — headers, the text part, and the HTML part in a sandboxed iframe (sandbox="" : no
// scripts, no forms, no same-origin access), served with its own CSP that allows the email's inline styles
// and remote images but nothing else. File names are checked against a strict pattern (no path traversal).
import { readdir } from 'node:fs/promises';
import type { FastifyInstance } from 'fastify';
import { SECURITY_HEADERS } from '../app.js';
import { listOutbox, readOutbox } from '../../mail/outbox-mailer.js';
import { maskEmail } from '../../util/redact.js';
import { parseHeaders, readMime } from './mime-read.js';
import type { AdminViews } from './views.js';

export interface OutboxEntry {
  file: string;
  at: Date;
  to: string;
  subject: string;
  size: number;
}

export interface OutboxMessage {
  file: string;
  subject: string;
  headers: { name: string; value: string }[];
  html: string | null;
  text: string;
  raw: string;
}

export interface OutboxReader {
  dir: string;
  list(limit: number): Promise<{ total: number; entries: OutboxEntry[] }>;
  read(file: string): Promise<OutboxMessage | null>;
}

export const OUTBOX_FILE = /^[A-Za-z0-9][\w.@+-]*\.eml$/;

/** The email's own CSP inside the iframe: its inline styles and images, no scripts, no network beyond images. */
const MAIL_FRAME_CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src https: http: data:; font-src https: data:; frame-ancestors 'self'; sandbox";
/** The message page itself may frame our own /html route. */
const MESSAGE_PAGE_CSP = `${SECURITY_HEADERS['content-security-policy']}; frame-src 'self'`;

const SHOWN_HEADERS = ['from', 'to', 'subject', 'date', 'message-id', 'list-id', 'list-unsubscribe', 'list-unsubscribe-post'];

export function registerOutboxRoutes(
  admin: FastifyInstance,
  outbox: OutboxReader,
  views: AdminViews,
  layout: (title: string) => { title: string; now: string; outboxOn: boolean },
): void {
  const load = async (file: string) => (OUTBOX_FILE.test(file) ? outbox.read(file) : null);

  admin.get('/outbox', async (_req, reply) => {
    const { total, entries } = await outbox.list(200);
    const view = {
      dir: outbox.dir,
      total,
      more: total > entries.length,
      messages: entries.map((e) => ({ file: e.file, at: e.at.toISOString().replace('T', ' ').slice(0, 19), to: maskEmail(e.to), subject: e.subject || '(no subject)', size: `${(e.size / 1024).toFixed(1)} kB` })),
    };
    return reply.type('text/html; charset=utf-8').send(views.render('outbox', view, layout('Outbox')));
  });

  admin.get<{ Params: { file: string } }>('/outbox/:file', async (req, reply) => {
    const msg = await load(req.params.file);
    if (!msg) return reply.callNotFound();
    const view = {
      file: msg.file,
      subject: msg.subject || '(no subject)',
      headers: msg.headers.filter((h) => SHOWN_HEADERS.includes(h.name.toLowerCase())),
      hasHtml: msg.html !== null,
      text: msg.text,
    };
    reply.header('content-security-policy', MESSAGE_PAGE_CSP);
    return reply.type('text/html; charset=utf-8').send(views.render('outbox-message', view, layout(msg.subject || 'Message')));
  });

  admin.get<{ Params: { file: string } }>('/outbox/:file/html', async (req, reply) => {
    const msg = await load(req.params.file);
    if (!msg || msg.html === null) return reply.callNotFound();
    reply.header('content-security-policy', MAIL_FRAME_CSP);
    reply.header('x-frame-options', 'SAMEORIGIN');
    return reply.type('text/html; charset=utf-8').send(msg.html);
  });

  admin.get<{ Params: { file: string } }>('/outbox/:file/raw', async (req, reply) => {
    const msg = await load(req.params.file);
    if (!msg) return reply.callNotFound();
    return reply.type('text/plain; charset=utf-8').header('content-disposition', `inline; filename="${msg.file}"`).send(msg.raw);
  });
}

/** The OutboxReader over the outbox mailer's directory (src/mail/outbox-mailer.ts lists and reads it). */
export function fileOutboxReader(dir: string): OutboxReader {
  return {
    dir,
    async list(limit) {
      const [entries, names] = await Promise.all([listOutbox(dir, { limit }), readdir(dir).catch(() => [] as string[])]);
      return {
        total: Math.max(entries.length, names.filter((n) => n.endsWith('.eml')).length),
        // The listing reads headers raw: a long or non-ASCII subject comes as RFC 2047 encoded-words, decoded here.
        entries: entries.map((e) => ({ file: e.name, at: new Date(e.at), to: e.to ?? '', subject: e.subject ? (parseHeaders(`Subject: ${e.subject}`)[0]?.value ?? e.subject) : '', size: e.size })),
      };
    },
    async read(file) {
      const got = await readOutbox(dir, file);
      if (!got) return null;
      const mime = readMime(got.raw);
      return { file: got.name, subject: mime.subject, headers: mime.headers, html: mime.html, text: mime.text, raw: got.raw };
    },
  };
}
