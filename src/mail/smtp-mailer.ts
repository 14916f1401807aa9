// The SMTP adapter: a small pool of nodemailer SMTPConnections (maxConnections open at once, each reused for up to
// maxMessages messages). We pool nodemailer's connection class ourselves instead of using its pool transport for
// one reason: exactly-once delivery needs to know whether the message data had been handed to the server when a
// connection died. nodemailer's pool reports a drop before MAIL FROM and a drop after the final "." the same way
// ("Connection closed unexpectedly", command CONN); here every failure is tagged `dataSent` — true once the whole
// message went into the DATA stream — and the classifier (smtp-errors.ts) turns that into `unknown`, never resent.
import { Readable } from 'node:stream';
import SMTPConnection from 'nodemailer/lib/smtp-connection/index.js';
import type { Logger } from '../log.js';
import type { Mailer, OutgoingMessage, SendOptions, SendResult } from './mailer.js';
import { createMimeBuilder, type DkimKey, type MimeBuilder } from './mime.js';

export interface SmtpMailerOptions {
  url: string;
  maxConnections?: number;
  maxMessages?: number;
  dkim?: DkimKey | null;
  clock: () => Date;
  log: Logger;
  /** Socket inactivity bound (ms); a reply that never comes after DATA becomes `unknown` after this. */
  socketTimeoutMs?: number;
  /** Our HELO/EHLO name. */
  name?: string;
}

/** Failure details the classifier reads. `dataSent` = the full message was written into the DATA stream. */
export interface SmtpSendFailure extends Error {
  code?: string;
  command?: string;
  response?: string;
  responseCode?: number;
  dataSent?: boolean;
}

interface Slot {
  conn: SMTPConnection;
  messages: number;
  busy: boolean;
  dead: boolean;
  /** Fails the in-flight send when the connection dies without calling the send callback. */
  abort: ((err: SmtpSendFailure) => void) | null;
}

export function parseSmtpUrl(url: string): SMTPConnection.Options {
  const u = new URL(url);
  const secure = u.protocol === 'smtps:';
  const opts: SMTPConnection.Options = {
    host: u.hostname,
    port: u.port ? Number(u.port) : secure ? 465 : 587,
    secure,
  };
  if (u.username || u.password) {
    opts.auth = { user: decodeURIComponent(u.username), pass: decodeURIComponent(u.password) };
  }
  // A few query flags operators need in practice: ?ignoreTLS=true, ?requireTLS=true, ?tls.rejectUnauthorized=false
  const q = u.searchParams;
  if (q.get('ignoreTLS') === 'true') opts.ignoreTLS = true;
  if (q.get('requireTLS') === 'true') opts.requireTLS = true;
  if (q.get('tls.rejectUnauthorized') === 'false') opts.tls = { rejectUnauthorized: false };
  return opts;
}

export function redactSmtpUrl(url: string): string {
  const u = new URL(url);
  if (u.password) u.password = '***';
  return `${u.protocol}//${u.username ? `${u.username}${u.password ? ':***' : ''}@` : ''}${u.host}`;
}

export class SmtpMailer implements Mailer {
  readonly kind = 'smtp' as const;
  readonly describe: string;
  private readonly build: MimeBuilder;
  private readonly connOpts: SMTPConnection.Options;
  private readonly maxConnections: number;
  private readonly maxMessages: number;
  /** The pool size: the send role caps its local concurrency from it. */
  get parallelism(): number {
    return this.maxConnections;
  }
  private readonly slots = new Set<Slot>();
  private readonly waiting: ((slot: Slot | Error) => void)[] = [];
  private opening = 0;
  private closed = false;
  private readonly log: Logger;

  constructor(opts: SmtpMailerOptions) {
    this.connOpts = {
      ...parseSmtpUrl(opts.url),
      ...(opts.name ? { name: opts.name } : {}),
      connectionTimeout: 15_000,
      greetingTimeout: 15_000,
      socketTimeout: opts.socketTimeoutMs ?? 60_000,
      logger: false,
    };
    this.maxConnections = opts.maxConnections ?? 5;
    this.maxMessages = opts.maxMessages ?? 100;
    this.build = createMimeBuilder({ dkim: opts.dkim ?? null, clock: opts.clock });
    this.log = opts.log;
    this.describe = `SMTP ${redactSmtpUrl(opts.url)} (pool ${this.maxConnections}×${this.maxMessages}${opts.dkim ? `, DKIM ${opts.dkim.keySelector}._domainkey.${opts.dkim.domainName}` : ''})`;
  }

  async send(msg: OutgoingMessage, opts: SendOptions = {}): Promise<SendResult> {
    const built = await this.build(msg);
    const slot = await this.acquire();
    let ok = false;
    try {
      if (opts.beforeSend) {
        try {
          await opts.beforeSend();
        } catch (err) {
          ok = !slot.dead; // nothing was sent on this connection: it stays usable
          throw err;
        }
      }
      const response = await this.sendOn(slot, built.envelope, built.raw);
      ok = true;
      return { messageId: msg.messageId, response };
    } finally {
      this.release(slot, ok);
    }
  }

  /** Open one connection and say EHLO (and AUTH): proves the server and credentials work. */
  async verify(): Promise<void> {
    const slot = await this.open();
    this.drop(slot, true);
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const w of this.waiting.splice(0)) w(new Error('mailer closed'));
    for (const s of this.slots) {
      if (!s.busy) this.drop(s, true);
    }
    // Busy connections are closed by release() when their send finishes (the worker waits for those jobs first).
  }

  private sendOn(slot: Slot, envelope: { from: string; to: string[] }, raw: Buffer): Promise<string> {
    return new Promise<string>((resolve, reject) => {
      let dataSent = false;
      let settled = false;
      const fail = (err: SmtpSendFailure) => {
        if (settled) return;
        settled = true;
        slot.abort = null;
        err.dataSent = dataSent;
        reject(err);
      };
      slot.abort = fail;
      // nodemailer pipes this stream into DATA only after the server's 354; 'end' means every byte is written
      // and the terminating "." follows. From here on a lost connection means "maybe delivered".
      const body = Readable.from([raw]);
      body.once('end', () => {
        dataSent = true;
      });
      slot.conn.send(envelope, body, (err, info) => {
        if (err) return fail(err as SmtpSendFailure);
        if (settled) return;
        settled = true;
        slot.abort = null;
        slot.messages += 1;
        resolve(String(info.response ?? ''));
      });
    });
  }

  private acquire(): Promise<Slot> {
    if (this.closed) return Promise.reject(new Error('mailer closed'));
    for (const s of this.slots) {
      if (!s.busy && !s.dead) {
        s.busy = true;
        return Promise.resolve(s);
      }
    }
    if (this.slots.size + this.opening < this.maxConnections) return this.open();
    return new Promise<Slot>((resolve, reject) => {
      this.waiting.push((s) => (s instanceof Error ? reject(s) : resolve(s)));
    });
  }

  private release(slot: Slot, ok: boolean): void {
    slot.busy = false;
    // After any failure the connection's state is uncertain (nodemailer's pool does the same): start afresh.
    if (!ok || slot.dead || slot.messages >= this.maxMessages || this.closed) this.drop(slot, ok && !slot.dead);
    this.pump();
  }

  /** Hand an idle connection (or a new one) to the next waiter. */
  private pump(): void {
    while (this.waiting.length) {
      const idle = [...this.slots].find((s) => !s.busy && !s.dead);
      if (idle) {
        idle.busy = true;
        this.waiting.shift()!(idle);
        continue;
      }
      if (this.slots.size + this.opening < this.maxConnections) {
        const waiter = this.waiting.shift()!;
        this.open().then(
          (s) => waiter(s),
          (err: Error) => {
            waiter(err);
            this.pump();
          },
        );
        continue;
      }
      return;
    }
  }

  /** A new connection, already marked busy for its caller (so no other caller can take it meanwhile). */
  private open(): Promise<Slot> {
    this.opening += 1;
    return new Promise<Slot>((resolve, reject) => {
      const conn = new SMTPConnection(this.connOpts);
      const slot: Slot = { conn, messages: 0, busy: true, dead: false, abort: null };
      let ready = false;
      const onDeath = (err: SmtpSendFailure | null) => {
        slot.dead = true;
        this.slots.delete(slot);
        if (!ready) {
          ready = true;
          this.opening -= 1;
          reject(err ?? new Error('SMTP connection closed before it was ready'));
          return;
        }
        // A send waiting on this connection hears about it here (nodemailer reports the loss as an 'error' event).
        slot.abort?.(err ?? Object.assign(new Error('Connection closed unexpectedly'), { code: 'ECONNECTION', command: 'CONN' }));
        if (!slot.busy) this.pump();
      };
      conn.on('error', (err) => onDeath(err as SmtpSendFailure));
      conn.on('end', () => onDeath(null));
      conn.connect((err) => {
        if (err) return onDeath(err as SmtpSendFailure);
        // The message body and the final "." go out as separate writes; with Nagle on, the second waits for a
        // delayed ACK (~40 ms per message on Linux). Replies are tiny anyway.
        (conn as unknown as { _socket?: { setNoDelay?(v: boolean): void } })._socket?.setNoDelay?.(true);
        const done = () => {
          if (ready) return;
          ready = true;
          this.opening -= 1;
          this.slots.add(slot);
          resolve(slot);
        };
        if (this.connOpts.auth && (conn as SMTPConnection & { allowsAuth?: boolean }).allowsAuth) {
          conn.login(this.connOpts.auth as SMTPConnection.AuthenticationCredentials, (e) => (e ? onDeath(e as SmtpSendFailure) : done()));
        } else {
          done();
        }
      });
    });
  }

  private drop(slot: Slot, polite: boolean): void {
    slot.dead = true;
    this.slots.delete(slot);
    try {
      if (polite) slot.conn.quit();
      else slot.conn.close();
    } catch (err) {
      this.log.debug({ err }, 'closing an SMTP connection failed');
    }
  }
}
