// One MIME builder for both adapters: nodemailer's own composer (via its buffering stream transport) turns an
// OutgoingMessage into RFC 5322 bytes — multipart/alternative with the text part first, the deterministic
// Message-ID, our list headers — and DKIM-signs them when configured. The SMTP adapter then sends exactly these
// bytes, and the outbox stores exactly these bytes, so what the outbox shows is what SMTP would have sent.
import nodemailer from 'nodemailer';
import type { OutgoingMessage } from './mailer.js';

export interface DkimKey {
  domainName: string;
  keySelector: string;
  privateKey: string;
}

export interface BuiltMessage {
  raw: Buffer;
  envelope: { from: string; to: string[] };
}

export type MimeBuilder = (msg: OutgoingMessage) => Promise<BuiltMessage>;

export function createMimeBuilder(opts: { dkim?: DkimKey | null; clock: () => Date }): MimeBuilder {
  const composer = nodemailer.createTransport({
    streamTransport: true,
    buffer: true,
    newline: 'windows',
    ...(opts.dkim ? { dkim: opts.dkim } : {}),
  });
  return async (msg) => {
    // A message that cannot be built will not build on a retry either: EMESSAGE is classified permanent.
    if (/[\r\n]/.test(msg.to) || /[\r\n]/.test(msg.subject)) {
      throw Object.assign(new Error('recipient and subject must not contain line breaks'), { code: 'EMESSAGE' });
    }
    const info = await composer.sendMail({
      from: msg.from,
      to: msg.to,
      ...(msg.replyTo ? { replyTo: msg.replyTo } : {}),
      subject: msg.subject,
      // Content objects (nodemailer's attachment-like form) that name their transfer encoding: nodemailer then
      // neither scans every character to choose one nor decodes a Buffer back into a string to do so.
      // Quoted-printable keeps mostly-ASCII text readable; base64 text parts score as spam.
      text: { content: msg.text, contentTransferEncoding: 'quoted-printable' },
      html: { content: msg.html, contentTransferEncoding: 'quoted-printable' },
      messageId: msg.messageId,
      date: opts.clock(),
      headers: msg.headers,
      // The message is final here: no nodemailer-added X-Mailer, no remote content fetched.
      xMailer: false,
      // Headers (subject, names) too: quoted-printable words when they need encoding.
      textEncoding: 'quoted-printable',
      disableFileAccess: true,
      disableUrlAccess: true,
    });
    const env = info.envelope as { from: string | false; to: string[] };
    return { raw: info.message as Buffer, envelope: { from: env.from || '', to: env.to } };
  };
}
