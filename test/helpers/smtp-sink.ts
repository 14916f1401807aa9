// A real SMTP server in-process (smtp-server) for tests: captures every accepted message (raw MIME, the
// mailparser-parsed form and the envelope) and injects faults on demand — a 4xx/5xx reply at MAIL FROM, RCPT TO or
// after DATA, or a connection dropped after the message data arrived but before the reply (the "unknown" window).
// No TLS, no auth required: the client connects to smtp://127.0.0.1:<port> in plain text.
import { simpleParser, type ParsedMail } from 'mailparser';
import { SMTPServer, type SMTPServerSession } from 'smtp-server';

export type FaultStage = 'mail' | 'rcpt' | 'data';

export interface Fault {
  stage: FaultStage;
  /** SMTP reply code, e.g. 451 or 550. */
  code: number;
  message?: string;
  /** How many transactions get this reply (default 1). */
  times?: number;
  /** Only transactions to this recipient (case-insensitive); default any. */
  to?: string;
}

export interface CapturedMessage {
  envelope: { mailFrom: string; rcptTo: string[] };
  raw: string;
  parsed: ParsedMail;
  receivedAt: Date;
}

export interface SinkEvent {
  stage: FaultStage | 'drop' | 'accept';
  code: number | null;
  rcptTo: string[];
}

export interface SmtpSink {
  port: number;
  url: string;
  /** Accepted messages, in arrival order; each is parsed and listed here before the client gets its 250. */
  messages: CapturedMessage[];
  /** Every transaction outcome, accepted, refused or dropped — to assert "not resent". */
  events: SinkEvent[];
  /** Connections opened since start (or reset) and the most open at once. */
  connections: { opened: number; open: number; maxOpen: number };
  /** Messages whose data arrived but whose connection was dropped before the reply. */
  dropped: { envelope: { mailFrom: string; rcptTo: string[] }; raw: string }[];
  failNext(fault: Fault): void;
  /** The next DATA (optionally only to `to`) is read completely, then the socket is destroyed with no reply. */
  dropNextDuringData(opts?: { to?: string; times?: number }): void;
  /** Resolves once at least `n` messages were accepted; rejects after `timeoutMs` (default 10 s). */
  waitFor(n: number, timeoutMs?: number): Promise<CapturedMessage[]>;
  /** Messages accepted for one recipient. */
  to(address: string): CapturedMessage[];
  /** Forget captured messages, events and pending faults. */
  reset(): void;
  close(): Promise<void>;
}

export interface SinkOptions {
  /** Maximum message size in bytes (SIZE extension); default 10 MB. */
  size?: number;
  /** Parse every message with mailparser (default true). */
  parse?: boolean;
  /** Wait this long before answering an accepted DATA (widens the window in which a client can die). */
  replyDelayMs?: number;
  /** Require AUTH (PLAIN/LOGIN over the plain connection) with these credentials. */
  auth?: { user: string; pass: string };
}

interface PendingFault {
  stage: FaultStage | 'drop';
  code: number;
  message: string;
  left: number;
  to: string | null;
}

function addresses(session: SMTPServerSession) {
  const from = session.envelope.mailFrom;
  return {
    mailFrom: from ? from.address : '',
    rcptTo: session.envelope.rcptTo.map((r) => r.address),
  };
}

export async function startSmtpSink(opts: SinkOptions = {}): Promise<SmtpSink> {
  const messages: CapturedMessage[] = [];
  const events: SinkEvent[] = [];
  const dropped: SmtpSink['dropped'] = [];
  let faults: PendingFault[] = [];
  const waiters = new Set<() => void>();
  const parse = opts.parse ?? true;
  const connections = { opened: 0, open: 0, maxOpen: 0 };

  // Take the first pending fault for this stage that applies to these recipients, counting it down.
  const takeFault = (stage: PendingFault['stage'], rcpts: string[]): PendingFault | null => {
    const f = faults.find((x) => x.stage === stage && x.left > 0 && (!x.to || rcpts.some((r) => r.toLowerCase() === x.to)));
    if (!f) return null;
    f.left -= 1;
    faults = faults.filter((x) => x.left > 0);
    return f;
  };
  const refuse = (f: PendingFault) => Object.assign(new Error(f.message), { responseCode: f.code });
  const notify = () => {
    for (const w of waiters) w();
  };

  const server: SMTPServer = new SMTPServer({
    authOptional: !opts.auth,
    allowInsecureAuth: true,
    onAuth(auth, _session, cb) {
      if (opts.auth && auth.username === opts.auth.user && auth.password === opts.auth.pass) return cb(null, { user: auth.username });
      cb(Object.assign(new Error('5.7.8 Authentication credentials invalid'), { responseCode: 535 }));
    },
    disabledCommands: ['STARTTLS'],
    size: opts.size ?? 10 * 1024 * 1024,
    logger: false,
    closeTimeout: 200,
    disableReverseLookup: true,
    onConnect(_session, cb) {
      connections.opened += 1;
      connections.open += 1;
      connections.maxOpen = Math.max(connections.maxOpen, connections.open);
      cb();
    },
    onClose() {
      connections.open -= 1;
    },
    onMailFrom(address, session, cb) {
      const f = takeFault('mail', []);
      if (f) {
        events.push({ stage: 'mail', code: f.code, rcptTo: [] });
        return cb(refuse(f));
      }
      cb();
    },
    onRcptTo(address, session, cb) {
      const f = takeFault('rcpt', [address.address]);
      if (f) {
        events.push({ stage: 'rcpt', code: f.code, rcptTo: [address.address] });
        return cb(refuse(f));
      }
      cb();
    },
    onData(stream, session, cb) {
      const env = addresses(session);
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        const raw = Buffer.concat(chunks).toString('utf8');
        const drop = takeFault('drop', env.rcptTo);
        if (drop) {
          // The whole message reached us; the client never hears back. Destroy the socket without replying.
          dropped.push({ envelope: env, raw });
          events.push({ stage: 'drop', code: null, rcptTo: env.rcptTo });
          for (const conn of (server as unknown as { connections: Set<{ session: SMTPServerSession; _socket: { destroy(): void } }> }).connections) {
            if (conn.session === session) conn._socket.destroy();
          }
          notify();
          return;
        }
        const f = takeFault('data', env.rcptTo);
        if (f) {
          events.push({ stage: 'data', code: f.code, rcptTo: env.rcptTo });
          notify();
          return cb(refuse(f));
        }
        if (stream.sizeExceeded) return cb(Object.assign(new Error('message too big'), { responseCode: 552 }));
        const id = `sink-${messages.length + dropped.length + 1}`;
        events.push({ stage: 'accept', code: 250, rcptTo: env.rcptTo });
        // Reply 250 only once the message is visible in `messages`: whoever got the reply can assert on it.
        const store = (parsed: ParsedMail) => {
          messages.push({ envelope: env, raw, parsed, receivedAt: new Date() });
          notify();
          if (opts.replyDelayMs) setTimeout(() => cb(null, `OK queued as ${id}`), opts.replyDelayMs);
          else cb(null, `OK queued as ${id}`);
        };
        if (parse) {
          simpleParser(raw).then(store, (err: unknown) => {
            events.push({ stage: 'data', code: 554, rcptTo: env.rcptTo });
            cb(Object.assign(new Error(`sink could not parse the message: ${(err as Error).message}`), { responseCode: 554 }));
          });
        } else {
          store({} as ParsedMail);
        }
      });
    },
  });
  server.on('error', () => {
    // client sockets destroyed mid-transaction surface here; the test decides what matters
  });

  await new Promise<void>((resolve, reject) => {
    server.server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const addr = server.server.address();
  const port = typeof addr === 'object' && addr ? addr.port : 0;

  return {
    port,
    url: `smtp://127.0.0.1:${port}`,
    messages,
    events,
    dropped,
    connections,
    failNext(fault) {
      faults.push({ stage: fault.stage, code: fault.code, message: fault.message ?? `injected ${fault.code}`, left: fault.times ?? 1, to: fault.to?.toLowerCase() ?? null });
    },
    dropNextDuringData(o = {}) {
      faults.push({ stage: 'drop', code: 0, message: 'drop', left: o.times ?? 1, to: o.to?.toLowerCase() ?? null });
    },
    waitFor(n, timeoutMs = 10_000) {
      if (messages.length >= n) return Promise.resolve(messages);
      return new Promise((resolve, reject) => {
        const check = () => {
          if (messages.length >= n) {
            cleanup();
            resolve(messages);
          }
        };
        const timer = setTimeout(() => {
          cleanup();
          reject(new Error(`smtp sink: expected ${n} messages within ${timeoutMs} ms, got ${messages.length}`));
        }, timeoutMs);
        const cleanup = () => {
          clearTimeout(timer);
          waiters.delete(check);
        };
        waiters.add(check);
      });
    },
    to(address) {
      const a = address.toLowerCase();
      return messages.filter((m) => m.envelope.rcptTo.some((r) => r.toLowerCase() === a));
    },
    reset() {
      messages.length = 0;
      events.length = 0;
      dropped.length = 0;
      faults = [];
      connections.opened = connections.open;
      connections.maxOpen = connections.open;
    },
    close() {
      return new Promise<void>((resolve) => {
        // Pooled clients keep connections open; close them at once instead of waiting for the grace period.
        for (const conn of (server as unknown as { connections: Set<{ _socket: { destroy(): void } }> }).connections) conn._socket.destroy();
        server.close(() => resolve());
      });
    },
  };
}
