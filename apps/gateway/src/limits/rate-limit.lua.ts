/*
 * The rate limiter's Redis scripts, as strings because the gateway ships as one esbuild bundle.
 *
 * Algorithm: a sliding window log. Each admitted request is a sorted-set member scored by its
 * admission time (Redis `TIME`, so every replica shares one clock); a window counts the members
 * younger than `windowMs`. Tokens are a second log whose members carry their token count in a hash
 * (with a running `total`), so a settlement can change one reservation in place. A log is exact —
 * never more than the limit in ANY window of `windowMs`, not just per fixed minute — at the cost of
 * one member per request, which at RPM/TPM scale is small.
 *
 * Key layout (all keys of one check share a `{hash tag}`, so the script also runs on a cluster):
 *   <base>:rq  ZSET member -> admitted at (ms)           requests log
 *   <base>:tk  ZSET member -> reserved at (ms)           tokens log
 *   <base>:th  HASH member -> tokens, plus `total`      tokens per reservation (members contain ':')
 * Every key expires `windowMs` after its newest write, when it would be empty anyway.
 */

const COMMON = `
local function now_ms()
  local t = redis.call('TIME')
  return tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
end

-- Drops the token reservations that have left the window and takes them off the total.
local function prune_tokens(zkey, hkey, cutoff)
  local expired = redis.call('ZRANGEBYSCORE', zkey, '-inf', cutoff)
  if #expired > 0 then
    local freed = 0
    for i = 1, #expired, 500 do
      local chunk = {}
      for j = i, math.min(i + 499, #expired) do chunk[#chunk + 1] = expired[j] end
      local values = redis.call('HMGET', hkey, unpack(chunk))
      for k = 1, #chunk do freed = freed + (tonumber(values[k]) or 0) end
      redis.call('HDEL', hkey, unpack(chunk))
    end
    redis.call('ZREMRANGEBYSCORE', zkey, '-inf', cutoff)
    redis.call('HINCRBY', hkey, 'total', -freed)
  end
  if redis.call('ZCARD', zkey) == 0 then
    redis.call('DEL', hkey)
    return 0
  end
  return tonumber(redis.call('HGET', hkey, 'total')) or 0
end

-- Until the newest member leaves the window (0 when the log is empty).
local function reset_ms(zkey, now, window)
  local newest = redis.call('ZRANGE', zkey, -1, -1, 'WITHSCORES')
  if #newest == 0 then return 0 end
  return tonumber(newest[2]) + window - now
end
`;

/**
 * KEYS: requests log, tokens log, tokens hash.
 * ARGV: windowMs, rpm (0 = not limited), tpm (0 = not limited), estimated tokens, member.
 * Returns: allowed (1/0), limited (0 none, 1 requests, 2 tokens), retry after ms (-1 none, -2 never:
 * the estimate alone exceeds the TPM), requests counted, requests reset ms, tokens counted, tokens
 * reset ms. A refusal writes nothing.
 */
export const ADMIT_SCRIPT = `${COMMON}
local rq, tk, th = KEYS[1], KEYS[2], KEYS[3]
local window = tonumber(ARGV[1])
local rpm = tonumber(ARGV[2])
local tpm = tonumber(ARGV[3])
local need = tonumber(ARGV[4])
local member = ARGV[5]
local now = now_ms()
local cutoff = now - window

local count, total = 0, 0
if rpm > 0 then
  redis.call('ZREMRANGEBYSCORE', rq, '-inf', cutoff)
  count = redis.call('ZCARD', rq)
end
if tpm > 0 then total = prune_tokens(tk, th, cutoff) end

local limited, retry = 0, -1
if rpm > 0 and count >= rpm then
  limited = 1
  -- the slot that frees first for this request is the (count - rpm + 1)-th oldest
  local slot = redis.call('ZRANGE', rq, count - rpm, count - rpm, 'WITHSCORES')
  retry = tonumber(slot[2]) + window - now
end
if tpm > 0 and need > tpm then
  limited, retry = 2, -2
elseif tpm > 0 and total + need > tpm then
  if limited == 0 then limited = 2 end
  -- oldest reservations leave first: when have enough of them gone for this one to fit?
  local excess = total + need - tpm
  local freed, start, at = 0, 0, nil
  while at == nil do
    local batch = redis.call('ZRANGE', tk, start, start + 199, 'WITHSCORES')
    if #batch == 0 then at = now + window break end
    local members = {}
    for i = 1, #batch, 2 do members[#members + 1] = batch[i] end
    local values = redis.call('HMGET', th, unpack(members))
    for i = 1, #members do
      freed = freed + (tonumber(values[i]) or 0)
      if freed >= excess then at = tonumber(batch[2 * i]) break end
    end
    start = start + 200
  end
  local wait = at + window - now
  if wait > retry then retry = wait end
end

if limited == 0 then
  if rpm > 0 then
    redis.call('ZADD', rq, now, member)
    redis.call('PEXPIRE', rq, window)
    count = count + 1
  end
  if tpm > 0 and need > 0 then
    redis.call('ZADD', tk, now, member)
    redis.call('HSET', th, member, need)
    total = redis.call('HINCRBY', th, 'total', need)
    redis.call('PEXPIRE', tk, window)
    redis.call('PEXPIRE', th, window)
  end
end

local rq_reset, tk_reset = 0, 0
if rpm > 0 then rq_reset = reset_ms(rq, now, window) end
if tpm > 0 then tk_reset = reset_ms(tk, now, window) end
return { limited == 0 and 1 or 0, limited, retry, count, rq_reset, total, tk_reset }
`;

/**
 * Replaces a reservation's tokens with the real usage (0 = give them all back).
 * KEYS: tokens log, tokens hash. ARGV: windowMs, member, reserved tokens, actual tokens.
 * A reservation that has already left the window (the request outlived it) is not in the log any
 * more: only the overrun beyond the estimate is charged, as a new entry at now.
 */
export const SETTLE_SCRIPT = `${COMMON}
local tk, th = KEYS[1], KEYS[2]
local window = tonumber(ARGV[1])
local member = ARGV[2]
local reserved = tonumber(ARGV[3])
local actual = tonumber(ARGV[4])
local now = now_ms()
prune_tokens(tk, th, now - window)

local current = redis.call('HGET', th, member)
if current then
  if actual > 0 then
    redis.call('HSET', th, member, actual)
  else
    redis.call('ZREM', tk, member)
    redis.call('HDEL', th, member)
  end
  redis.call('HINCRBY', th, 'total', actual - tonumber(current))
  if redis.call('ZCARD', tk) == 0 then redis.call('DEL', th) end
elseif actual > reserved then
  local overrun = member .. ':overrun'
  redis.call('ZADD', tk, now, overrun)
  redis.call('HSET', th, overrun, actual - reserved)
  redis.call('HINCRBY', th, 'total', actual - reserved)
  redis.call('PEXPIRE', tk, window)
  redis.call('PEXPIRE', th, window)
end
return 1
`;
