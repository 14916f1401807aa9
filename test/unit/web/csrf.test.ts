// Signed double-submit CSRF: the form token is an HMAC of the browser's cookie value; every configured link key
// verifies (rotation), nothing else does.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { createCsrf, CSRF_COOKIE } from '../../../src/web/csrf.js';

const K1 = { kid: 'k1', secret: 'first-secret-with-enough-entropy-0123456789' };
const K2 = { kid: 'k2', secret: 'second-secret-with-enough-entropy-abcdefghij' };

function fakeReq(cookies: Record<string, string> = {}) {
  return { cookies } as unknown as FastifyRequest;
}
function fakeReply() {
  const set: { name: string; value: string; opts: Record<string, unknown> }[] = [];
  const reply = { setCookie: (name: string, value: string, opts: Record<string, unknown>) => set.push({ name, value, opts }) } as unknown as FastifyReply;
  return { reply, set };
}

describe('csrf', () => {
  it('sets an HttpOnly SameSite=Lax cookie once and verifies its own token', () => {
    const csrf = createCsrf({ secrets: [K1], secure: true });
    const req = fakeReq();
    const { reply, set } = fakeReply();
    const token = csrf.issue(req, reply);
    assert.equal(set.length, 1);
    assert.equal(set[0]!.name, CSRF_COOKIE);
    assert.deepEqual(set[0]!.opts, { path: '/', httpOnly: true, sameSite: 'lax', secure: true });
    assert.equal(csrf.issue(req, reply), token, 'same token for the rest of the request');
    assert.equal(set.length, 1);
    assert.ok(csrf.verify(fakeReq({ [CSRF_COOKIE]: set[0]!.value }), token));
  });

  it('refuses a missing, foreign or tampered token, and a missing cookie', () => {
    const csrf = createCsrf({ secrets: [K1], secure: false });
    const a = fakeReply();
    const b = fakeReply();
    const ta = csrf.issue(fakeReq(), a.reply);
    const tb = csrf.issue(fakeReq(), b.reply);
    const cookieA = fakeReq({ [CSRF_COOKIE]: a.set[0]!.value });
    assert.equal(csrf.verify(cookieA, undefined), false);
    assert.equal(csrf.verify(cookieA, tb), false);
    assert.equal(csrf.verify(cookieA, ta.slice(0, -1) + (ta.endsWith('A') ? 'B' : 'A')), false);
    assert.equal(csrf.verify(cookieA, ['x']), false);
    assert.equal(csrf.verify(fakeReq(), ta), false);
  });

  it('keeps open forms valid across a key rotation (old key still verifies)', () => {
    const before = createCsrf({ secrets: [K1], secure: false });
    const r = fakeReply();
    const token = before.issue(fakeReq(), r.reply);
    const after = createCsrf({ secrets: [K2, K1], secure: false });
    assert.ok(after.verify(fakeReq({ [CSRF_COOKIE]: r.set[0]!.value }), token));
    const removed = createCsrf({ secrets: [K2], secure: false });
    assert.equal(removed.verify(fakeReq({ [CSRF_COOKIE]: r.set[0]!.value }), token), false);
  });
});
