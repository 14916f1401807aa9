// The subscriber store's Lua scripts, registered on its connection (defineCommand: EVALSHA with a transparent EVAL
// fallback, also inside pipelines). Each keeps the record, the email index, the all-set and the due index in step
// in one atomic step; see store.ts for who calls which.
import type { Redis } from 'ioredis';

// KEYS: email index, record, all-set, due index. ARGV: email, id, created ms, due ms or '', then field/value pairs.
// Returns the existing id when the email is taken (nothing written), '' when created.
const CREATE_LUA = `
local existing = redis.call('HGET', KEYS[1], ARGV[1])
if existing then return existing end
redis.call('HSET', KEYS[2], unpack(ARGV, 5))
redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
redis.call('ZADD', KEYS[3], ARGV[3], ARGV[2])
if ARGV[4] ~= '' then redis.call('ZADD', KEYS[4], ARGV[4], ARGV[2]) end
return ''`;

// KEYS: record, email index, due index. ARGV: id, expected rev, old email, new email, due ms or '', the due entry
// as read ('' when absent), then field/value pairs. Returns 'ok', 'missing', 'conflict' (rev or due entry moved on,
// e.g. the tick advanced it: re-read) or 'email-taken'. The record is replaced whole (fields at their default are
// not stored, so a field going back to its default must go).
const WRITE_LUA = `
local rev = redis.call('HGET', KEYS[1], 'rev')
if not rev then return 'missing' end
if rev ~= ARGV[2] then return 'conflict' end
local due = redis.call('ZSCORE', KEYS[3], ARGV[1])
if (due or '') ~= ARGV[6] then return 'conflict' end
if ARGV[3] ~= ARGV[4] then
  local owner = redis.call('HGET', KEYS[2], ARGV[4])
  if owner and owner ~= ARGV[1] then return 'email-taken' end
  if redis.call('HGET', KEYS[2], ARGV[3]) == ARGV[1] then redis.call('HDEL', KEYS[2], ARGV[3]) end
  redis.call('HSET', KEYS[2], ARGV[4], ARGV[1])
end
redis.call('DEL', KEYS[1])
redis.call('HSET', KEYS[1], unpack(ARGV, 7))
if ARGV[5] == '' then redis.call('ZREM', KEYS[3], ARGV[1]) else redis.call('ZADD', KEYS[3], ARGV[5], ARGV[1]) end
return 'ok'`;

// KEYS: record, email index, all-set, due index. ARGV: id. 1 when removed.
const REMOVE_LUA = `
local email = redis.call('HGET', KEYS[1], 'email')
if not email then return 0 end
if redis.call('HGET', KEYS[2], email) == ARGV[1] then redis.call('HDEL', KEYS[2], email) end
redis.call('DEL', KEYS[1])
redis.call('ZREM', KEYS[3], ARGV[1])
redis.call('ZREM', KEYS[4], ARGV[1])
return 1`;

// The tick's advance, compare-and-set in one call: ARGV holds triples (member, expected score, new score or '' to
// remove). An entry moves only if it still holds the score the tick read, so a concurrent writer (a preferences
// change, another tick) is never overwritten. Returns one character per triple: '1' moved, '0' left alone.
const ADVANCE_DUE_LUA = `
local won = {}
for i = 1, #ARGV, 3 do
  local cur = redis.call('ZSCORE', KEYS[1], ARGV[i])
  if cur and tonumber(cur) == tonumber(ARGV[i + 1]) then
    if ARGV[i + 2] == '' then
      redis.call('ZREM', KEYS[1], ARGV[i])
    else
      redis.call('ZADD', KEYS[1], ARGV[i + 2], ARGV[i])
    end
    won[#won + 1] = '1'
  else
    won[#won + 1] = '0'
  end
end
return table.concat(won)`;

// The tick's read: the fields it schedules by, for every record in KEYS, in ONE reply string — records joined by
// \30 (record separator), fields by \31 (unit separator): status, pausedUntil, timezone, sendTime, frequency; an
// empty record where the key is gone. (One string decodes in microseconds; 1,000 HGETALL replies of 40 strings each
// cost the tick more Node CPU than everything else it does.) None of the fields can hold a control character: the
// preferences validator and the codec write only statuses, dates, IANA zone names, HH:MM and frequency words.
const DUE_FIELDS_LUA = `
local out = {}
for i = 1, #KEYS do
  local v = redis.call('HMGET', KEYS[i], 'status', 'pausedUntil', 'timezone', 'sendTime', 'frequency')
  if v[1] then
    out[i] = v[1] .. '\\31' .. (v[2] or '') .. '\\31' .. (v[3] or '') .. '\\31' .. (v[4] or '') .. '\\31' .. (v[5] or '')
  else
    out[i] = ''
  end
end
return table.concat(out, '\\30')`;

export type ScriptedRedis = Redis & {
  pdSubCreate(...args: (string | number)[]): Promise<string>;
  pdSubWrite(...args: (string | number)[]): Promise<string>;
  pdSubRemove(...args: (string | number)[]): Promise<number>;
  pdSubAdvanceDue(...args: (string | number)[]): Promise<string>;
  pdSubDueFields(numberOfKeys: number, ...keys: string[]): Promise<string>;
};

/** The connection with the scripts registered (once per connection; registering again is harmless). */
export function withSubscriberScripts(redis: Redis): ScriptedRedis {
  const r = redis as ScriptedRedis;
  if (typeof r.pdSubCreate !== 'function') {
    redis.defineCommand('pdSubCreate', { numberOfKeys: 4, lua: CREATE_LUA });
    redis.defineCommand('pdSubWrite', { numberOfKeys: 3, lua: WRITE_LUA });
    redis.defineCommand('pdSubRemove', { numberOfKeys: 4, lua: REMOVE_LUA });
    redis.defineCommand('pdSubAdvanceDue', { numberOfKeys: 1, lua: ADVANCE_DUE_LUA });
    redis.defineCommand('pdSubDueFields', { lua: DUE_FIELDS_LUA }); // key count given per call
  }
  return r;
}
