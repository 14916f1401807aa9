// The delivery ledger's Lua scripts, registered once per connection (defineCommand: EVALSHA, with a transparent
// EVAL fallback after a script flush). Each claim, marker, settle and fold is ONE script call.
//
// Keys of every script, in this order: the per-edition hash (in flight; or a final entry of the legacy layout),
// the period's detailed index as the previous layout kept it (one hash for the whole period), the subscriber's
// edition record, the period's counters, the period's failed set, and the subscriber's bucket of the period's
// detailed index (one small hash per ~64 subscribers: it stays listpack-encoded, ≈ 30 B per entry instead of ≈ 77).
// Rules they share:
// - The per-edition hash, when present, wins over the record (it is in flight, reopened, or legacy).
// - The record's index (edition-record.ts) says whether a period is settled; the scripts never parse its body.
// - Per-period views: until the retention sweep has aggregated a period, its detailed index is updated — the
//   whole-period hash if the period began before the upgrade (it stays there, so nobody is counted twice), else the
//   subscriber's bucket; once aggregated, its counters (and failed set) are.
import type { Redis } from 'ioredis';

/**
 * What a bucket of the detailed index stores per subscriber: the state's position in this list, one digit (listpack
 * keeps it as a one-byte integer: ≈ 4 B less per subscriber and day than the name). The whole-period hash of the
 * previous layout holds names; readers accept both.
 */
export const INDEX_STATE_CODES = ['claimed', 'sending', 'retrying', 'sent', 'failed', 'unknown', 'suppressed', 'skipped'] as const;

const COMMON = `
local CODES = {${INDEX_STATE_CODES.map((st, i) => `${st} = '${i}'`).join(', ')}}
local STATES = {'sent', 'failed', 'unknown', 'suppressed', 'skipped'}
local function recstate(rec, code, wk)
  if not rec or #rec < 4 then return nil end
  local n = string.byte(rec, 4)
  for i = 0, n - 1 do
    local p = 5 + i * 3
    local c = string.byte(rec, p) * 256 + string.byte(rec, p + 1)
    local f = string.byte(rec, p + 2)
    if c == code and math.floor(f / 128) == wk then return STATES[(f % 8) + 1] end
  end
  return nil
end
local function recseq(rec)
  if not rec or #rec < 4 then return -1 end
  return string.byte(rec, 2) * 256 + string.byte(rec, 3)
end
local function isfinal(st)
  return st == 'sent' or st == 'failed' or st == 'unknown' or st == 'suppressed' or st == 'skipped'
end
-- KEYS[2] the period's whole index (previous layout), KEYS[4] counters, KEYS[5] failed set, KEYS[6] the bucket
local function setstate(sub, new, prior, ttl)
  if redis.call('EXISTS', KEYS[2]) == 1 then
    redis.call('HSET', KEYS[2], sub, new)
    redis.call('HDEL', KEYS[6], sub)
  elseif redis.call('EXISTS', KEYS[4]) == 0 then
    redis.call('HSET', KEYS[6], sub, CODES[new])
    redis.call('EXPIRE', KEYS[6], ttl)
  else
    if prior then redis.call('HINCRBY', KEYS[4], prior, -1) end
    redis.call('HINCRBY', KEYS[4], new, 1)
    if prior == 'failed' then redis.call('SREM', KEYS[5], sub) end
    if new == 'failed' then redis.call('SADD', KEYS[5], sub) end
  end
end
`;

// KEYS 7 tombs, 8 periods. ARGV: owner, nowMs, leaseMs, subscriberId, ttlSeconds, nowIso, periodCode, weekly, period
// -> {'done', state} | {'busy', until} | {'unknown'} | {'claimed', attempts, record}
const CLAIM = `${COMMON}
local st = redis.call('HGET', KEYS[1], 'state')
local now = tonumber(ARGV[2])
if isfinal(st) then return {'done', st} end
local rec = redis.call('GET', KEYS[3])
if not st then
  local rs = recstate(rec, tonumber(ARGV[7]), tonumber(ARGV[8]))
  if rs then return {'done', rs} end
end
if st == 'claimed' or st == 'sending' then
  local lease = tonumber(redis.call('HGET', KEYS[1], 'leaseUntil') or '0')
  local owner = redis.call('HGET', KEYS[1], 'owner')
  if lease > now and owner ~= ARGV[1] then
    return {'busy', tostring(lease)}
  end
  if st == 'sending' then
    redis.call('HSET', KEYS[1], 'state', 'unknown', 'error', 'owner lost after the sending marker; not resent', 'updatedAt', ARGV[6])
    redis.call('HDEL', KEYS[1], 'owner', 'leaseUntil')
    setstate(ARGV[4], 'unknown', st, tonumber(ARGV[5]))
    redis.call('SADD', KEYS[7], ARGV[9] .. '|' .. ARGV[4])
    return {'unknown'}
  end
end
local attempts = redis.call('HINCRBY', KEYS[1], 'attempts', 1)
redis.call('HSET', KEYS[1], 'state', 'claimed', 'owner', ARGV[1], 'leaseUntil', tostring(now + tonumber(ARGV[3])), 'updatedAt', ARGV[6])
redis.call('EXPIRE', KEYS[1], tonumber(ARGV[5]))
setstate(ARGV[4], 'claimed', st, tonumber(ARGV[5]))
redis.call('ZADD', KEYS[8], 'NX', tonumber(ARGV[7]), ARGV[9])
return {'claimed', tostring(attempts), rec or ''}
`;

// ARGV: owner, nowMs, leaseMs, subscriberId, nowIso, ttl. Only the current owner may mark.
const MARK_SENDING = `${COMMON}
if redis.call('HGET', KEYS[1], 'state') ~= 'claimed' or redis.call('HGET', KEYS[1], 'owner') ~= ARGV[1] then
  return 0
end
redis.call('HSET', KEYS[1], 'state', 'sending', 'sendingAt', ARGV[5], 'leaseUntil', tostring(tonumber(ARGV[2]) + tonumber(ARGV[3])), 'updatedAt', ARGV[5])
setstate(ARGV[4], 'sending', 'claimed', tonumber(ARGV[6]))
return 1
`;

// KEYS: entry. ARGV: owner, nowMs, leaseMs. The owner extends its lease while it works; 0 = not ours any more.
const RENEW = `
local st = redis.call('HGET', KEYS[1], 'state')
if (st ~= 'claimed' and st ~= 'sending') or redis.call('HGET', KEYS[1], 'owner') ~= ARGV[1] then return 0 end
redis.call('HSET', KEYS[1], 'leaseUntil', tostring(tonumber(ARGV[2]) + tonumber(ARGV[3])))
return 1
`;

// Release for a retry (state 'retrying', stays in the hash). ARGV: owner, subscriberId, nowIso, ttl, field/value…
const RELEASE = `${COMMON}
local st = redis.call('HGET', KEYS[1], 'state')
if (st ~= 'claimed' and st ~= 'sending') or redis.call('HGET', KEYS[1], 'owner') ~= ARGV[1] then
  return 0
end
redis.call('HSET', KEYS[1], 'state', 'retrying', 'updatedAt', ARGV[3])
for i = 5, #ARGV, 2 do redis.call('HSET', KEYS[1], ARGV[i], ARGV[i + 1]) end
redis.call('HDEL', KEYS[1], 'owner', 'leaseUntil', 'sendingAt')
setstate(ARGV[2], 'retrying', st, tonumber(ARGV[4]))
return 1
`;

// Settle finally: the record replaced (compare-and-set on its seq), the per-edition hash deleted, the views updated.
// ARGV: owner ('' = not owner-checked: a delivery, or folding a final hash), subscriberId, state, expectedSeq,
//       record, recordTtl, indexTtl, periodCode, weekly. -> 1 done, 0 not the owner, -1 the record changed: retry.
const FINISH = `${COMMON}
local st = redis.call('HGET', KEYS[1], 'state')
if ARGV[1] ~= '' then
  if (st ~= 'claimed' and st ~= 'sending') or redis.call('HGET', KEYS[1], 'owner') ~= ARGV[1] then return 0 end
end
local rec = redis.call('GET', KEYS[3])
if recseq(rec) ~= tonumber(ARGV[4]) then return -1 end
local prior = st
if not prior then prior = recstate(rec, tonumber(ARGV[8]), tonumber(ARGV[9])) end
redis.call('SET', KEYS[3], ARGV[5], 'EX', tonumber(ARGV[6]))
redis.call('DEL', KEYS[1])
if prior ~= ARGV[3] then setstate(ARGV[2], ARGV[3], prior, tonumber(ARGV[7])) end
return 1
`;

// An operator's retry: a failed edition (legacy hash, or the record) becomes 'retrying' in a per-edition hash.
// ARGV: subscriberId, nowIso, periodCode, weekly, ttl. -> 1 reopened, 0 not failed.
const REOPEN = `${COMMON}
local st = redis.call('HGET', KEYS[1], 'state')
if st then
  if st ~= 'failed' then return 0 end
elseif recstate(redis.call('GET', KEYS[3]), tonumber(ARGV[3]), tonumber(ARGV[4])) ~= 'failed' then
  return 0
end
redis.call('HSET', KEYS[1], 'state', 'retrying', 'updatedAt', ARGV[2], 'reopenedAt', ARGV[2])
redis.call('HDEL', KEYS[1], 'owner', 'leaseUntil')
redis.call('EXPIRE', KEYS[1], tonumber(ARGV[5]))
setstate(ARGV[1], 'retrying', 'failed', tonumber(ARGV[5]))
return 1
`;

// A quiet-day skip re-opened for another look (papers arrived later in its window). ARGV as REOPEN.
const REOPEN_QUIET = `${COMMON}
if redis.call('EXISTS', KEYS[1]) == 1 then return 0 end
if recstate(redis.call('GET', KEYS[3]), tonumber(ARGV[3]), tonumber(ARGV[4])) ~= 'skipped' then return 0 end
redis.call('HSET', KEYS[1], 'state', 'retrying', 'updatedAt', ARGV[2], 'reason', 'quiet-day-recheck')
redis.call('EXPIRE', KEYS[1], tonumber(ARGV[5]))
setstate(ARGV[1], 'retrying', 'skipped', tonumber(ARGV[5]))
return 1
`;

// The reason dictionary: KEYS byJson, byId; ARGV reason JSONs -> their ids, new ones numbered 1, 2, …
const REASON_IDS = `
local out = {}
for i = 1, #ARGV do
  local id = redis.call('HGET', KEYS[1], ARGV[i])
  if not id then
    id = redis.call('HLEN', KEYS[2]) + 1
    redis.call('HSET', KEYS[2], id, ARGV[i])
    redis.call('HSET', KEYS[1], ARGV[i], id)
  end
  out[i] = tonumber(id)
end
return out
`;

type Arg = string | number | Buffer;
export type LedgerRedis = Redis & {
  pdEdClaimBuffer(...args: Arg[]): Promise<Buffer[]>;
  pdEdMarkSending(...args: Arg[]): Promise<number>;
  pdEdRenew(...args: Arg[]): Promise<number>;
  pdEdRelease(...args: Arg[]): Promise<number>;
  pdEdFinish(...args: Arg[]): Promise<number>;
  pdEdReopen(...args: Arg[]): Promise<number>;
  pdEdReopenQuiet(...args: Arg[]): Promise<number>;
  pdEdReasonIds(...args: Arg[]): Promise<number[]>;
};

/** The connection with the ledger's scripts registered (once per connection; registering again is harmless). */
export function withLedgerScripts(redis: Redis): LedgerRedis {
  const r = redis as LedgerRedis;
  if (typeof r.pdEdFinish !== 'function') {
    redis.defineCommand('pdEdClaim', { numberOfKeys: 8, lua: CLAIM });
    redis.defineCommand('pdEdMarkSending', { numberOfKeys: 6, lua: MARK_SENDING });
    redis.defineCommand('pdEdRenew', { numberOfKeys: 1, lua: RENEW });
    redis.defineCommand('pdEdRelease', { numberOfKeys: 6, lua: RELEASE });
    redis.defineCommand('pdEdFinish', { numberOfKeys: 6, lua: FINISH });
    redis.defineCommand('pdEdReopen', { numberOfKeys: 6, lua: REOPEN });
    redis.defineCommand('pdEdReopenQuiet', { numberOfKeys: 6, lua: REOPEN_QUIET });
    redis.defineCommand('pdEdReasonIds', { numberOfKeys: 2, lua: REASON_IDS });
  }
  return r;
}
