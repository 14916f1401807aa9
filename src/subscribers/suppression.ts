// The suppression list: addresses that are not mailed, whatever subscriber record they come with. An address is
// added after repeated hard bounces (at send time or reported by a provider's webhook) or at once after a spam
// complaint, so a new subscription for the same mailbox (a new id) is not mailed either.
// Owns keys.suppressed (HASH normalized email -> JSON entry) and keys.suppressionReleased (HASH normalized email ->
// JSON: the reader re-enabled their address once, from their preferences page); nothing else reads or writes them.
import type { Redis } from 'ioredis';
import type { Keys } from '../redis/keys.js';

/** Why an address is on the list. */
export type SuppressionKind = 'hard-bounce' | 'complaint' | 'manual';

export interface Suppression {
  email: string;
  /** When it was suppressed (ISO), if known. */
  at: string | null;
  /** The SMTP reply code of the last bounce, if any. */
  code: number | null;
  /** Why, for an operator ("550 5.1.1 user unknown"); addresses already masked. */
  reason: string;
  subscriberId: string | null;
  /** hard-bounce (SMTP or provider), complaint (spam report), manual (written by hand). */
  kind: SuppressionKind;
  /** Who reported it: `smtp` for a refusal at send time, else the webhook provider (ses, postmark, …). */
  provider: string;
  /** What the report said, for an operator: the provider's event id and type, the diagnostic (addresses masked). */
  evidence: Record<string, string> | null;
}

export type NewSuppression = Omit<Suppression, 'email' | 'kind' | 'provider' | 'evidence'> & Partial<Pick<Suppression, 'kind' | 'provider' | 'evidence'>>;

/** Outcome of a reader's own re-enable (allowed once per address). */
export type ReaderRelease = 'released' | 'not-suppressed' | 'already-used';

export class SuppressionList {
  constructor(
    private readonly redis: Redis,
    private readonly keys: Keys,
  ) {}

  async add(email: string, entry: NewSuppression): Promise<void> {
    const value: Omit<Suppression, 'email'> = {
      at: entry.at,
      code: entry.code,
      reason: entry.reason,
      subscriberId: entry.subscriberId,
      kind: entry.kind ?? 'hard-bounce',
      provider: entry.provider ?? 'smtp',
      evidence: entry.evidence ?? null,
    };
    await this.redis.hset(this.keys.suppressed, email, JSON.stringify(value));
  }

  async has(email: string): Promise<boolean> {
    return (await this.redis.hexists(this.keys.suppressed, email)) === 1;
  }

  async get(email: string): Promise<Suppression | null> {
    const raw = await this.redis.hget(this.keys.suppressed, email);
    return raw === null ? null : decode(email, raw);
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

  /** The operator's removal (CLI or admin, after an explicit confirmation). True when there was an entry. */
  async remove(email: string): Promise<boolean> {
    return (await this.redis.hdel(this.keys.suppressed, email)) === 1;
  }

  /** Whether the reader may still re-enable this address themselves (they may once). */
  async readerMayRelease(email: string): Promise<boolean> {
    return (await this.redis.hexists(this.keys.suppressionReleased, email)) === 0;
  }

  /**
   * The reader's own re-enable from their preferences page: allowed once per address (a second suppression after
   * that needs the operator). Atomic, so two confirmed POSTs at once release at most once.
   */
  async releaseByReader(email: string, at: Date): Promise<ReaderRelease> {
    const res = await this.redis.eval(RELEASE_LUA, 2, this.keys.suppressed, this.keys.suppressionReleased, email, JSON.stringify({ at: at.toISOString() }));
    return res === 1 ? 'released' : res === 0 ? 'not-suppressed' : 'already-used';
  }

  /** For "Your data": what the list holds about this address. */
  async exportFor(email: string): Promise<{ entry: Suppression | null; reenabledByYouAt: string | null }> {
    const [entry, released] = await Promise.all([this.get(email), this.redis.hget(this.keys.suppressionReleased, email)]);
    let at: string | null;
    try {
      at = released ? ((JSON.parse(released) as { at?: string }).at ?? null) : null;
    } catch {
      at = null;
    }
    return { entry, reenabledByYouAt: at };
  }

  /** The reader asked to be forgotten: every trace of the address goes. */
  async deleteFor(email: string): Promise<void> {
    await this.redis.multi().hdel(this.keys.suppressed, email).hdel(this.keys.suppressionReleased, email).exec();
  }
}

// KEYS: suppressed, released. ARGV: email, marker JSON. 1 released, 0 not suppressed, -1 already used once.
const RELEASE_LUA = `
if redis.call('HEXISTS', KEYS[1], ARGV[1]) == 0 then return 0 end
if redis.call('HEXISTS', KEYS[2], ARGV[1]) == 1 then return -1 end
redis.call('HDEL', KEYS[1], ARGV[1])
redis.call('HSET', KEYS[2], ARGV[1], ARGV[2])
return 1`;

const KINDS: readonly SuppressionKind[] = ['hard-bounce', 'complaint', 'manual'];

function decode(email: string, raw: string): Suppression {
  try {
    const v = JSON.parse(raw) as Partial<Omit<Suppression, 'email'>>;
    return {
      email,
      at: v.at ?? null,
      code: typeof v.code === 'number' ? v.code : null,
      reason: v.reason ?? '',
      subscriberId: v.subscriberId ?? null,
      kind: v.kind && KINDS.includes(v.kind) ? v.kind : 'hard-bounce',
      provider: typeof v.provider === 'string' ? v.provider : 'smtp',
      evidence: v.evidence && typeof v.evidence === 'object' ? v.evidence : null,
    };
  } catch {
    // a plain-text reason (written by hand)
    return { email, at: null, code: null, reason: raw, subscriberId: null, kind: 'manual', provider: 'operator', evidence: null };
  }
}
