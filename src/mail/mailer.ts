// The mail port, owned by its consumer (the send job and the confirmation flow). Adapters: SMTP (nodemailer pool)
// and the outbox (.eml files under DATA_DIR/outbox), chosen in the composition root.
export interface OutgoingMessage {
  to: string;
  from: string;
  replyTo?: string | null;
  subject: string;
  /** A Buffer is UTF-8 bytes, handed to nodemailer as they are (the digest: no rope to flatten and encode per send). */
  html: string | Buffer;
  text: string;
  /** Deterministic, with angle brackets: <digest-<period>-<sub>@<domain>> */
  messageId: string;
  /** Extra headers: List-Unsubscribe, List-Unsubscribe-Post, List-Id, … */
  headers: Record<string, string>;
}

export interface SendResult {
  messageId: string;
  /** The server's final reply line, e.g. "250 2.0.0 OK queued as 1234" (or "outbox: <file>"). */
  response: string;
}

export interface SendOptions {
  /**
   * Called once the transport is about to hand this message's DATA over (SMTP: the envelope accepted and the
   * server's 354 received, not one byte of the message written yet), as late as possible. Rejecting aborts the
   * send with that error and the message is not delivered. The send job sets its ledger's 'sending' marker here, so
   * "maybe delivered" (`unknown`) means the message data was handed to the socket.
   */
  beforeSend?: () => Promise<void>;
}

export interface Mailer {
  readonly kind: 'smtp' | 'outbox';
  /** Human description for the banner, without credentials. */
  readonly describe: string;
  /** How many messages it can hand over at once (the SMTP pool size); undefined = no limit of its own. */
  readonly parallelism?: number;
  send(msg: OutgoingMessage, opts?: SendOptions): Promise<SendResult>;
  verify(): Promise<void>;
  close(): Promise<void>;
}
