// The outbox adapter, the embedded default when SMTP_URL is unset: every message becomes one .eml file under
// DATA_DIR/outbox — the exact RFC 5322 bytes SMTP would have carried — written atomically (temp file + rename, so a
// reader never sees half a message). The admin outbox browser lists and shows them (listOutbox / readOutbox).
import { randomBytes } from 'node:crypto';
import { mkdir, open, readdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Mailer, OutgoingMessage, SendOptions, SendResult } from './mailer.js';
import { createMimeBuilder, type DkimKey, type MimeBuilder } from './mime.js';

export interface OutboxMailerOptions {
  dir: string;
  clock: () => Date;
  dkim?: DkimKey | null;
  /** Delete messages older than this many days (checked at most hourly, after a send); 0 keeps everything. */
  retentionDays?: number;
  /** Told how many old messages a prune removed, or why it failed. */
  onPrune?: (removed: number, err?: unknown) => void;
}

const PRUNE_EVERY_MS = 3_600_000;

/** `20261128T074501Z-digest-2026-11-28-abc@example.org.eml`: sorts by time; the Message-ID says what it is. */
export function outboxFileName(at: Date, messageId: string): string {
  const stamp = at.toISOString().replace(/[-:]/g, '').replace(/\.\d{3}Z$/, 'Z');
  const id = messageId.replace(/^<|>$/g, '').replace(/[^A-Za-z0-9_.@-]/g, '_').slice(0, 180);
  return `${stamp}-${id}.eml`;
}

const NAME_RE = /^[0-9]{8}T[0-9]{6}Z-[A-Za-z0-9_.@-]+\.eml$/;

export class OutboxMailer implements Mailer {
  readonly kind = 'outbox' as const;
  readonly describe: string;
  private readonly build: MimeBuilder;
  private ready: Promise<unknown> | null = null;
  private lastPrune = 0;
  private pruning: Promise<void> | null = null;

  constructor(private readonly opts: OutboxMailerOptions) {
    this.build = createMimeBuilder({ dkim: opts.dkim ?? null, clock: opts.clock });
    this.describe = `outbox (.eml files in ${opts.dir}) — set SMTP_URL to send real mail`;
  }

  async send(msg: OutgoingMessage, opts: SendOptions = {}): Promise<SendResult> {
    const built = await this.build(msg);
    await (this.ready ??= mkdir(this.opts.dir, { recursive: true }));
    await opts.beforeSend?.();
    const name = outboxFileName(this.opts.clock(), msg.messageId);
    const tmp = join(this.opts.dir, `.${name}.${randomBytes(4).toString('hex')}.tmp`);
    await writeFile(tmp, built.raw, { flag: 'wx' });
    await rename(tmp, join(this.opts.dir, name));
    this.maybePrune();
    return { messageId: msg.messageId, response: `outbox: ${name}` };
  }

  /**
   * The outbox is the embedded default: left alone on a busy install it would grow without bound (~35 KB per
   * digest). Old files go in the background, at most hourly; a send never waits for it.
   */
  private maybePrune(): void {
    const days = this.opts.retentionDays ?? 0;
    const now = this.opts.clock().getTime();
    if (days <= 0 || this.pruning || now - this.lastPrune < PRUNE_EVERY_MS) return;
    this.lastPrune = now;
    this.pruning = pruneOutbox(this.opts.dir, new Date(now - days * 86_400_000))
      .then((removed) => this.opts.onPrune?.(removed))
      .catch((err: unknown) => this.opts.onPrune?.(0, err))
      .finally(() => {
        this.pruning = null;
      });
  }

  async verify(): Promise<void> {
    await mkdir(this.opts.dir, { recursive: true });
  }

  async close(): Promise<void> {
    await this.pruning;
  }
}

/** Delete outbox messages written before `before` (by the time in their names). Returns how many went. */
export async function pruneOutbox(dir: string, before: Date): Promise<number> {
  const cutoff = outboxFileName(before, '').slice(0, 16); // yyyymmddThhmmssZ: names sort by time
  let names: string[];
  try {
    names = await readdir(dir);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return 0;
    throw err;
  }
  let removed = 0;
  for (const name of names) {
    if (!NAME_RE.test(name) || name.slice(0, 16) >= cutoff) continue;
    await rm(join(dir, name), { force: true });
    removed++;
  }
  return removed;
}

export interface OutboxEntry {
  name: string;
  size: number;
  at: string; // ISO, file modification time
  subject: string | null;
  to: string | null;
  messageId: string | null;
}

/** Read a header from the first bytes of a message (unfolded; encoded-words left as they are). */
function headerValue(head: string, name: string): string | null {
  const re = new RegExp(`^${name}:[ \\t]*(.*(?:\\r?\\n[ \\t].*)*)`, 'im');
  const m = re.exec(head);
  return m ? m[1]!.replace(/\r?\n[ \t]+/g, ' ').trim() : null;
}

/** Newest first. Reads only the first 16 KB of each file for its headers. */
export async function listOutbox(dir: string, opts: { limit?: number } = {}): Promise<OutboxEntry[]> {
  let names: string[];
  try {
    names = (await readdir(dir)).filter((n) => NAME_RE.test(n));
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw err;
  }
  names.sort().reverse();
  const out: OutboxEntry[] = [];
  for (const name of names.slice(0, opts.limit ?? 100)) {
    const path = join(dir, name);
    const fh = await open(path, 'r').catch(() => null);
    if (!fh) continue; // removed meanwhile
    try {
      const st = await fh.stat();
      const buf = Buffer.alloc(Math.min(16_384, st.size));
      await fh.read(buf, 0, buf.length, 0);
      const head = buf.toString('utf8').split(/\r?\n\r?\n/)[0] ?? '';
      out.push({
        name,
        size: st.size,
        at: st.mtime.toISOString(),
        subject: headerValue(head, 'Subject'),
        to: headerValue(head, 'To'),
        messageId: headerValue(head, 'Message-ID'),
      });
    } finally {
      await fh.close();
    }
  }
  return out;
}

/** One message's raw bytes; null when the name is not an outbox file (no path tricks) or it is gone. */
export async function readOutbox(dir: string, name: string): Promise<{ name: string; raw: string; size: number } | null> {
  if (!NAME_RE.test(name)) return null;
  const path = join(dir, name);
  try {
    const [raw, st] = await Promise.all([readFile(path, 'utf8'), stat(path)]);
    return { name, raw, size: st.size };
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw err;
  }
}
