// The suppression list: addresses that are not mailed, whatever subscriber record they come with. An address is
// added after repeated hard bounces, so a new subscription for the same mailbox (a new id) is not mailed either.
// Owns keys.suppressed (HASH normalized email -> JSON entry); nothing else reads or writes it.
import type { Redis } from 'ioredis';
import type { Keys } from '../redis/keys.js';

export interface Suppression {
  email: string;
  /** When it was suppressed (ISO), if known. */
  at: string | null;
  /** The SMTP reply code of the last bounce, if any. */
  code: number | null;
  /** Why, for an operator ("550 5.1.1 user unknown"); addresses already masked by the SMTP error classifier. */
  reason: string;
  subscriberId: string | null;
}

export class SuppressionList {
  constructor(
    private readonly redis: Redis,
    private readonly keys: Keys,
  ) {}

  async add(email: string, entry: Omit<Suppression, 'email'>): Promise<void> {
    await this.redis.hset(this.keys.suppressed, email, JSON.stringify({ at: entry.at, code: entry.code, reason: entry.reason, subscriberId: entry.subscriberId }));
  }

  async has(email: string): Promise<boolean> {
    return (await this.redis.hexists(this.keys.suppressed, email)) === 1;
  }

  async count(): Promise<number> {
    return this.redis.hlen(this.keys.suppressed);
  }

  /** Up to `limit` entries, newest first (scanned in batches: the list can be large). */
  async list(limit: number): Promise<Suppression[]> {
    const out: Suppression[] = [];
    let cursor = '0';
    do {
      const [next, flat] = await this.redis.hscan(this.keys.suppressed, cursor, 'COUNT', 200);
      cursor = next;
      for (let i = 0; i + 1 < flat.length && out.length < limit; i += 2) out.push(decode(flat[i]!, flat[i + 1]!));
    } while (cursor !== '0' && out.length < limit);
    return out.sort((a, b) => (b.at ?? '').localeCompare(a.at ?? ''));
  }
}

function decode(email: string, raw: string): Suppression {
  try {
    const v = JSON.parse(raw) as Partial<Omit<Suppression, 'email'>>;
    return { email, at: v.at ?? null, code: typeof v.code === 'number' ? v.code : null, reason: v.reason ?? '', subscriberId: v.subscriberId ?? null };
  } catch {
    return { email, at: null, code: null, reason: raw, subscriberId: null }; // a plain-text reason (written by hand)
  }
}
