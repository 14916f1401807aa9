import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  CONFIRM_TTL_MS,
  isCurrentVersion,
  signToken,
  subscriberLinks,
  verifyToken,
  type TokenClaims,
} from '../../../src/links/signed-links.js';

const K1 = { kid: 'k1', secret: 'Zq8vN3pL0xR7tW2yB5mC9dF4gH6jK1sA' };
const K2 = { kid: 'k2', secret: 'Pp4oI9uY8tR2eW1qA7sD3fG6hJ5kL0zX' };
const NOW = new Date('2026-09-28T10:00:00Z');
const SUB = 'hT3kR9xLq2VbN8wZ0cYd4A';

const claims = (over: Partial<TokenClaims> = {}): TokenClaims => ({
  purpose: 'preferences',
  subscriberId: SUB,
  tokenVersion: 3,
  expiresAt: null,
  ...over,
});

/** Rebuild a token with a changed payload but the original MAC: what a forger without the key can do. */
function tamper(token: string, edit: (fields: string[]) => void): string {
  const raw = Buffer.from(token, 'base64url');
  const payload = raw.subarray(0, raw.length - 32).toString('utf8').split('.');
  edit(payload);
  return Buffer.concat([Buffer.from(payload.join('.'), 'utf8'), raw.subarray(raw.length - 32)]).toString('base64url');
}

describe('signed links', () => {
  it('round-trips every purpose and never contains the email or a separator', () => {
    for (const purpose of ['confirm', 'preferences', 'unsubscribe'] as const) {
      const t = signToken(claims({ purpose }), [K1]);
      assert.match(t, /^[A-Za-z0-9_-]+$/);
      const v = verifyToken(t, purpose, [K1], NOW);
      assert.ok(v.ok);
      assert.equal(v.subscriberId, SUB);
      assert.equal(v.tokenVersion, 3);
      assert.equal(v.kid, 'k1');
    }
    const a = signToken(claims({ purpose: 'archive', period: '2026-W39' }), [K1]);
    const v = verifyToken(a, 'archive', [K1], NOW);
    assert.ok(v.ok && v.period === '2026-W39');
    const links = subscriberLinks('https://d.example/', { id: SUB, tokenVersion: 0 }, [K1], NOW);
    for (const url of [links.confirm, links.preferences, links.unsubscribe, links.archive('2026-09-28')]) {
      assert.ok(!url.includes('@'));
      assert.ok(url.startsWith('https://d.example/'));
      assert.ok(!url.includes('//', 10), url);
    }
  });

  it('detects tampering with each field', () => {
    const t = signToken(claims({ purpose: 'archive', period: '2026-09-28', expiresAt: new Date('2030-01-01T00:00:00Z') }), [K1]);
    const edits: [string, (f: string[]) => void][] = [
      ['purpose', (f) => (f[1] = 'u')],
      ['subscriber id', (f) => (f[2] = 'AAAAAAAAAAAAAAAAAAAAAA')],
      ['token version', (f) => (f[3] = '4')],
      ['expiry', (f) => (f[4] = (Number.parseInt(f[4]!, 36) + 86400).toString(36))],
      ['kid', (f) => (f[5] = 'k2')],
      ['period', (f) => (f[6] = '2026-09-29')],
    ];
    for (const [name, edit] of edits) {
      const r = verifyToken(tamper(t, edit), 'archive', [K1, K2], NOW);
      assert.equal(r.ok, false, name);
      assert.equal(!r.ok && r.reason, 'bad-signature', name);
    }
    // flipping a MAC bit
    const raw = Buffer.from(t, 'base64url');
    raw[raw.length - 1]! ^= 1;
    assert.deepEqual(verifyToken(raw.toString('base64url'), 'archive', [K1], NOW), { ok: false, reason: 'bad-signature' });
  });

  it('refuses a token used for another purpose', () => {
    const t = signToken(claims({ purpose: 'preferences' }), [K1]);
    assert.deepEqual(verifyToken(t, 'unsubscribe', [K1], NOW), { ok: false, reason: 'wrong-purpose' });
  });

  it('confirm links expire after 48 h; preferences and unsubscribe links never do', () => {
    const links = subscriberLinks('https://d.example', { id: SUB, tokenVersion: 1 }, [K1], NOW);
    const tok = (url: string) => url.split('/').pop()!;
    const justBefore = new Date(NOW.getTime() + CONFIRM_TTL_MS - 1000);
    const after = new Date(NOW.getTime() + CONFIRM_TTL_MS);
    assert.ok(verifyToken(tok(links.confirm), 'confirm', [K1], justBefore).ok);
    assert.deepEqual(verifyToken(tok(links.confirm), 'confirm', [K1], after), { ok: false, reason: 'expired' });
    const tenYears = new Date(NOW.getTime() + 10 * 365 * 86400_000);
    assert.ok(verifyToken(tok(links.preferences), 'preferences', [K1], tenYears).ok);
    assert.ok(verifyToken(tok(links.unsubscribe), 'unsubscribe', [K1], tenYears).ok);
    assert.ok(verifyToken(tok(links.archive('2026-W39')), 'archive', [K1], tenYears).ok);
  });

  it('feedback links: one token per (subscriber, paper), the kind in the query, expiring 30 days after the edition', () => {
    const links = subscriberLinks('https://d.example', { id: SUB, tokenVersion: 1 }, [K1], NOW, { period: '2026-09-28' });
    const like = new URL(links.feedback('2609.01234', 'like'));
    assert.equal(like.pathname.split('/')[1], 'feedback');
    assert.equal(like.search, '?do=like');
    assert.equal(new URL(links.feedback('2609.01234', 'save')).pathname, like.pathname, 'the kinds share one token');
    assert.notEqual(new URL(links.feedback('2609.09999')).pathname, like.pathname, 'another paper, another token');
    const tok = like.pathname.split('/')[2]!;
    const v = verifyToken(tok, 'feedback', [K1], NOW);
    assert.ok(v.ok && v.scope === '2609.01234' && v.subscriberId === SUB);
    // The edition's day ends 2026-09-29 00:00 UTC; +1 day for zones ahead of UTC; +30 days.
    assert.equal(v.ok && v.expiresAt?.toISOString(), '2026-10-30T00:00:00.000Z');
    assert.ok(verifyToken(tok, 'feedback', [K1], new Date('2026-10-29T23:59:59Z')).ok);
    assert.deepEqual(verifyToken(tok, 'feedback', [K1], new Date('2026-10-30T00:00:00Z')), { ok: false, reason: 'expired' });
    assert.deepEqual(verifyToken(tok, 'preferences', [K1], NOW), { ok: false, reason: 'wrong-purpose' });
    // The same period gives the same tokens whenever they are signed (the email and its web view agree).
    const later = subscriberLinks('https://d.example', { id: SUB, tokenVersion: 1 }, [K1], new Date('2026-10-10T00:00:00Z'), { period: '2026-09-28' });
    assert.equal(later.feedback('2609.01234', 'like'), like.href);
    // A weekly edition: week 40 of 2026 ends Sunday 4 October.
    const weekly = subscriberLinks('https://d.example', { id: SUB, tokenVersion: 1 }, [K1], NOW, { period: '2026-W40' });
    const wv = verifyToken(new URL(weekly.feedback('2609.01234')).pathname.split('/')[2]!, 'feedback', [K1], NOW);
    assert.equal(wv.ok && wv.expiresAt?.toISOString(), '2026-11-05T00:00:00.000Z');
    // The reading list never expires.
    const rl = verifyToken(links.readingList.split('/').pop()!, 'reading-list', [K1], new Date(NOW.getTime() + 10 * 365 * 86400_000));
    assert.ok(rl.ok && rl.expiresAt === null);
  });

  it('revocation: a bumped token version no longer matches', () => {
    const t = signToken(claims({ tokenVersion: 3 }), [K1]);
    const v = verifyToken(t, 'preferences', [K1], NOW);
    assert.ok(v.ok);
    assert.equal(isCurrentVersion(v, { tokenVersion: 3 }), true);
    assert.equal(isCurrentVersion(v, { tokenVersion: 4 }), false);
  });

  it('rotation: newest key signs, old kid still verifies, removed kid fails', () => {
    const old = signToken(claims(), [K1]);
    const rotated = [K2, K1];
    const fresh = signToken(claims(), rotated);
    const vFresh = verifyToken(fresh, 'preferences', rotated, NOW);
    assert.ok(vFresh.ok && vFresh.kid === 'k2');
    assert.ok(verifyToken(old, 'preferences', rotated, NOW).ok);
    assert.deepEqual(verifyToken(old, 'preferences', [K2], NOW), { ok: false, reason: 'unknown-key' });
    // same kid, different secret (a replaced key) fails too
    assert.deepEqual(verifyToken(old, 'preferences', [{ kid: 'k1', secret: K2.secret }], NOW), { ok: false, reason: 'bad-signature' });
  });

  it('refuses truncated, padded and garbage tokens without throwing', () => {
    const t = signToken(claims(), [K1]);
    const bad = ['', 'abc', t.slice(0, -1), t.slice(0, -5), t.slice(5), t + 'A', t + '=', `${t}.x`, 'x'.repeat(1000), '%00'.repeat(30),
      Buffer.from('1.p.' + SUB + '.3..k1.').toString('base64url'), 'A'.repeat(120), t.replace(/[A-Za-z]/, '-')];
    for (const b of bad) {
      const r = verifyToken(b, 'preferences', [K1], NOW);
      assert.equal(r.ok, false, b.slice(0, 40));
    }
    assert.equal(verifyToken(undefined as unknown as string, 'preferences', [K1], NOW).ok, false);
  });

  it('refuses to sign claims that could not round-trip', () => {
    assert.throws(() => signToken(claims(), []), /no link secret/);
    assert.throws(() => signToken(claims({ subscriberId: 'a.b' }), [K1]), /subscriberId/);
    assert.throws(() => signToken(claims({ tokenVersion: -1 }), [K1]), /tokenVersion/);
    assert.throws(() => signToken(claims({ purpose: 'archive' }), [K1]), /period/);
    assert.throws(() => signToken(claims({ period: '2026-09-28' }), [K1]), /only archive/);
  });

  it('scopes feedback links to one paper and feed links to one feed key version', () => {
    const t = signToken(claims({ purpose: 'feedback', scope: '2509.01234', expiresAt: new Date('2026-11-01T00:00:00Z') }), [K1]);
    const v = verifyToken(t, 'feedback', [K1], NOW);
    assert.ok(v.ok && v.scope === '2509.01234');
    // A forger cannot move the link to another paper: the scope is inside the MAC.
    const moved = tamper(t, (f) => {
      f.splice(6, f.length - 6, '2509', '09999');
    });
    assert.deepEqual(verifyToken(moved, 'feedback', [K1], NOW), { ok: false, reason: 'bad-signature' });
    assert.deepEqual(verifyToken(t, 'feedback', [K1], new Date('2026-11-02T00:00:00Z')), { ok: false, reason: 'expired' });
    assert.deepEqual(verifyToken(t, 'reading-list', [K1], NOW), { ok: false, reason: 'wrong-purpose' });
    const feed = signToken(claims({ purpose: 'feed', scope: '2' }), [K1]);
    const fv = verifyToken(feed, 'feed', [K1], NOW);
    assert.ok(fv.ok && fv.scope === '2');
    for (const purpose of ['reading-list', 'data-export', 'editions'] as const) {
      const r = verifyToken(signToken(claims({ purpose }), [K1]), purpose, [K1], NOW);
      assert.ok(r.ok && r.scope === undefined, purpose);
    }
    assert.throws(() => signToken(claims({ purpose: 'feedback' }), [K1]), /paper id/);
    assert.throws(() => signToken(claims({ purpose: 'feed', scope: 'x' }), [K1]), /feed key version/);
    assert.throws(() => signToken(claims({ purpose: 'editions', scope: '1' }), [K1]), /no scope/);
  });
});
