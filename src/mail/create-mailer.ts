// Chooses the transport: SMTP (pooled) when SMTP_URL is set, else the outbox under DATA_DIR/outbox. The DKIM key
// is read here, at start, so a missing or unreadable key file stops the start-up instead of failing every send.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Config } from '../config.js';
import type { Logger } from '../log.js';
import type { Mailer } from './mailer.js';
import type { DkimKey } from './mime.js';
import { OutboxMailer } from './outbox-mailer.js';
import { SmtpMailer } from './smtp-mailer.js';

export interface MailerOptions {
  clock?: () => Date;
  maxConnections?: number;
  maxMessages?: number;
}

export function outboxDir(config: Pick<Config, 'dataDir'>): string {
  return join(config.dataDir, 'outbox');
}

export function loadDkim(config: Pick<Config, 'dkim'>): DkimKey | null {
  if (!config.dkim) return null;
  let privateKey: string;
  try {
    privateKey = readFileSync(config.dkim.privateKeyFile, 'utf8');
  } catch (err) {
    throw new Error(`DKIM_PRIVATE_KEY_FILE: cannot read ${config.dkim.privateKeyFile} (${(err as Error).message})`, { cause: err });
  }
  if (!/-----BEGIN [A-Z ]*PRIVATE KEY-----/.test(privateKey)) {
    throw new Error(`DKIM_PRIVATE_KEY_FILE: ${config.dkim.privateKeyFile} does not hold a PEM private key`);
  }
  return { domainName: config.dkim.domainName, keySelector: config.dkim.keySelector, privateKey };
}

export function createMailer(config: Config, log: Logger, opts: MailerOptions = {}): Mailer {
  const clock = opts.clock ?? (() => new Date());
  const dkim = loadDkim(config);
  const mlog = log.child({ mod: 'mail' });
  if (!config.smtpUrl) {
    return new OutboxMailer({
      dir: outboxDir(config),
      clock,
      dkim,
      retentionDays: config.outboxRetentionDays,
      onPrune: (removed, err) => {
        if (err) mlog.warn({ err }, 'outbox: pruning old messages failed');
        else if (removed) mlog.info({ removed, retentionDays: config.outboxRetentionDays }, 'outbox: removed old messages');
      },
    });
  }
  const q = new URL(config.smtpUrl).searchParams;
  const num = (v: string | null) => (v && /^\d+$/.test(v) ? Number(v) : undefined);
  return new SmtpMailer({
    url: config.smtpUrl,
    clock,
    dkim,
    log: mlog,
    maxConnections: opts.maxConnections ?? num(q.get('maxConnections')) ?? 5,
    maxMessages: opts.maxMessages ?? num(q.get('maxMessages')) ?? 100,
    name: new URL(config.publicUrl).hostname,
  });
}
