// The SMTP adapter: a small pool of nodemailer SMTPConnections (maxConnections open at once, each reused for up to
// maxMessages messages). We pool nodemailer's connection class ourselves instead of using its pool transport for
// one reason: exactly-once delivery needs to know whether the message data had been handed to the server when a
// connection died. nodemailer's pool reports a drop before MAIL FROM and a drop after the final "." the same way
// ("Connection closed unexpectedly", command CONN); here every failure is tagged `dataSent` — true once the whole
// message went into the DATA stream — and the classifier (smtp-errors.ts) turns that into `unknown`, never resent.
import { connect as netConnect, type Socket } from 'node:net';
import { Readable } from 'node:stream';
import SMTPConnection from 'nodemailer/lib/smtp-connection';
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

/** Where and how to connect, and the credentials to log in with (null: the relay takes us without AUTH). */
export interface SmtpTarget {
  options: SMTPConnection.Options & { host: string; port: number };
  auth: SMTPConnection.AuthenticationCredentials | null;
}

export function parseSmtpUrl(url: string): SmtpTarget {
  const u = new URL(url);
  const secure = u.protocol === 'smtps:';
  const opts: SmtpTarget['options'] = {
    host: u.hostname.replace(/^\[(.*)\]$/, '$1'),
    port: u.port ? Number(u.port) : secure ? 465 : 587,
    secure,
  };
  const auth = u.username || u.password ? { user: decodeURIComponent(u.username), pass: decodeURIComponent(u.password) } : null;
  // A few query flags operators need in practice: ?ignoreTLS=true, ?requireTLS=true, ?tls.rejectUnauthorized=false
  const q = u.searchParams;
  if (q.get('ignoreTLS') === 'true') opts.ignoreTLS = true;
  if (q.get('requireTLS') === 'true') opts.requireTLS = true;
  if (q.get('tls.rejectUnauthorized') === 'false') opts.tls = { rejectUnauthorized: false };
  return { options: opts, auth };
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
  private readonly connOpts: SmtpTarget['options'];
  private readonly auth: SmtpTarget['auth'];
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
    const target = parseSmtpUrl(opts.url);
    this.auth = target.auth;
    this.connOpts = {
      ...target.options,
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
      // beforeSend runs once the server has accepted the envelope and said 354, right before the first byte of the
      // message data is written: a failure (or a crash) before that point leaves nothing "maybe delivered".
      const response = await this.sendOn(slot, built.envelope, built.raw, opts.beforeSend);
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

  private sendOn(slot: Slot, envelope: { from: string; to: string[] }, raw: Buffer, beforeData?: () => Promise<void>): Promise<string> {
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
      // and the terminating "." follows. From here on a lost connection means "maybe delivered". The first read is
      // the moment the data is about to go: beforeData runs then; if it refuses, the connection is dropped before
      // any byte of the message (the server never sees the final ".", so nothing is delivered) and its error is ours.
      let started = false;
      const body = new Readable({
        read() {
          if (started) return;
          started = true;
          (beforeData ? beforeData() : Promise.resolve()).then(
            () => {
              this.push(raw);
              this.push(null);
            },
            (err: unknown) => {
              fail(err as SmtpSendFailure);
              slot.dead = true;
              this.destroy();
              slot.conn.close();
            },
          );
        },
      });
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
      let ready = false;
      const failEarly = (err: Error) => {
        if (ready) return;
        ready = true;
        this.opening -= 1;
        reject(err);
      };
      // The TCP connection is ours, handed to nodemailer through its documented `connection` option (it upgrades it
      // to TLS itself for smtps://): that is how we turn Nagle off. The message body and the final "." go out as
      // separate writes; with Nagle on, the second waits for a delayed ACK (~40 ms per message on Linux).
      tcpConnect(this.connOpts.host, this.connOpts.port, this.connOpts.connectionTimeout ?? 15_000).then((socket) => {
        const conn = new SMTPConnection({ ...this.connOpts, connection: socket });
        const slot: Slot = { conn, messages: 0, busy: true, dead: false, abort: null };
        const onDeath = (err: SmtpSendFailure | null) => {
          slot.dead = true;
          this.slots.delete(slot);
          if (!ready) {
            socket.destroy();
            failEarly(err ?? new Error('SMTP connection closed before it was ready'));
            return;
          }
          // A send waiting on this connection hears about it here, one turn later: when the server ends the session
          // with a reply (421 at MAIL FROM), nodemailer closes first and then hands the send its real error; that
          // one must win over this generic loss.
          setImmediate(() => {
            slot.abort?.(err ?? Object.assign(new Error('Connection closed unexpectedly'), { code: 'ECONNECTION', command: 'CONN' }));
            if (!slot.busy) this.pump();
          });
        };
        conn.on('error', (err) => onDeath(err as SmtpSendFailure));
        conn.on('end', () => onDeath(null));
        conn.connect((err) => {
          if (err) return onDeath(err as SmtpSendFailure);
          const done = () => {
            if (ready) return;
            ready = true;
            this.opening -= 1;
            this.slots.add(slot);
            resolve(slot);
          };
          // Credentials in SMTP_URL mean the relay wants them: log in, and fail loudly (EAUTH) when it refuses or
          // offers no AUTH at all, rather than send unauthenticated.
          if (this.auth) conn.login(this.auth, (e) => (e ? onDeath(e as SmtpSendFailure) : done()));
          else done();
        });
      }, (err: Error) => failEarly(err));
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

/** A TCP connection with Nagle off, or the connection error (ECONNECTION, ETIMEDOUT) after `timeoutMs`. */
function tcpConnect(host: string, port: number, timeoutMs: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = netConnect({ host, port, noDelay: true });
    const timer = setTimeout(() => {
      socket.destroy();
      reject(Object.assign(new Error(`Connection timeout (${host}:${port})`), { code: 'ETIMEDOUT', command: 'CONN' }));
    }, timeoutMs);
    socket.once('connect', () => {
      clearTimeout(timer);
      socket.removeAllListeners('error');
      resolve(socket);
    });
    socket.once('error', (err: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      // ESOCKET, as nodemailer names a socket that could not be opened (the message keeps the cause: ECONNREFUSED…).
      reject(Object.assign(err, { code: 'ESOCKET', command: 'CONN' }));
    });
  });
}
