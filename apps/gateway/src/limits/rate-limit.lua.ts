/*
 * The rate limiter's Redis scripts, as strings because the gateway ships as one esbuild bundle.
 *
 * Algorithm: the sliding window of slices described in `limit-backend.ts` (and run in memory by
 * `memory-limiter.ts`, with the same answers). One HASH per key, `<base>:sw`, holds a request
 * counter `r<slice>` and a token counter `t<slice>` for each live slice; the clock is Redis `TIME`,
 * so every replica shares one. A check reads at most 2 × 21 live fields (plus the few a previous
 * check left behind, which it deletes): its cost does not depend on the limit or on the key's
 * traffic. The hash expires one window and one slice after its newest write, when it would count
 * nothing anyway.
 */

/** Both scripts: KEYS[1] the key's counters hash; ARGV[1] slice ms, ARGV[2] slices per window. */
const COMMON = `
local key = KEYS[1]
local g = tonumber(ARGV[1])
local n = tonumber(ARGV[2])

local function now_ms()
  local t = redis.call('TIME')
  return tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
end
`;

/**
 * KEYS: the key's counters hash.
 * ARGV: slice ms, slices per window, rpm (0 = not limited), tpm (0 = not limited), estimated tokens.
 * Returns: allowed (1/0), limited (0 none, 1 requests, 2 tokens), retry after ms (-1 none, -2 never:
 * the estimate alone exceeds the TPM), requests counted, requests reset ms, tokens counted, tokens
 * reset ms, the slice counted in. A refusal writes nothing (but drops fields that left the window).
 */
export const ADMIT_SCRIPT = `${COMMON}
local rpm = tonumber(ARGV[3])
local tpm = tonumber(ARGV[4])
local need = tonumber(ARGV[5])
local now = now_ms()
local cur = math.floor(now / g)
local oldest = cur - n

-- live counters by slice offset (0 = oldest .. n = current); stale fields are dropped
local rq, tk = {}, {}
for i = 0, n do rq[i] = 0 tk[i] = 0 end
local count, total = 0, 0
local stale = {}
local fields = redis.call('HGETALL', key)
for i = 1, #fields, 2 do
  local f = fields[i]
  local s = tonumber(string.sub(f, 2))
  local v = tonumber(fields[i + 1])
  if s == nil or s < oldest or s > cur then
    stale[#stale + 1] = f
  elseif string.byte(f, 1) == 114 then
    rq[s - oldest] = rq[s - oldest] + v
    count = count + v
  else
    tk[s - oldest] = tk[s - oldest] + v
    total = total + v
  end
end
if #stale > 0 then redis.call('HDEL', key, unpack(stale)) end

-- when, the oldest slices leaving first, enough of one counter is freed (the end of that slice)
local function free_at(counts, excess)
  local freed = 0
  for i = 0, n do
    freed = freed + counts[i]
    if freed >= excess then return (oldest + i + n + 1) * g end
  end
  return (cur + n + 1) * g
end

local limited, retry = 0, -1
if rpm > 0 and count + 1 > rpm then
  limited = 1
  retry = free_at(rq, count + 1 - rpm) - now
end
if tpm > 0 and need > tpm then
  limited, retry = 2, -2
elseif tpm > 0 and total + need > tpm then
  if limited == 0 then limited = 2 end
  local wait = free_at(tk, total + need - tpm) - now
  if wait > retry then retry = wait end
end

if limited == 0 then
  if rpm > 0 then
    redis.call('HINCRBY', key, 'r' .. cur, 1)
    rq[n] = rq[n] + 1
    count = count + 1
  end
  if tpm > 0 and need > 0 then
    redis.call('HINCRBY', key, 't' .. cur, need)
    tk[n] = tk[n] + need
    total = total + need
  end
  if (rpm > 0) or (tpm > 0 and need > 0) then redis.call('PEXPIRE', key, (n + 1) * g) end
end

-- until the newest non-empty slice leaves the window (0 when all are empty)
local function reset_ms(counts)
  for i = n, 0, -1 do
    if counts[i] > 0 then return (oldest + i + n + 1) * g - now end
  end
  return 0
end
local rq_reset, tk_reset = 0, 0
if rpm > 0 then rq_reset = reset_ms(rq) end
if tpm > 0 then tk_reset = reset_ms(tk) end
return { limited == 0 and 1 or 0, limited, retry, count, rq_reset, total, tk_reset, cur }
`;

/**
 * Replaces a reservation's tokens with the real usage (0 = give them all back).
 * KEYS: the key's counters hash. ARGV: slice ms, slices per window, the admission's slice, reserved
 * tokens, actual tokens. A reservation whose slice has left the window (the request outlived it) is
 * not counted any more: only the overrun beyond the estimate is charged, in the current slice.
 */
export const SETTLE_SCRIPT = `${COMMON}
local slice = tonumber(ARGV[3])
local reserved = tonumber(ARGV[4])
local actual = tonumber(ARGV[5])
local delta = actual - reserved
if delta == 0 then return 1 end
local cur = math.floor(now_ms() / g)
if slice >= cur - n and slice <= cur then
  local field = 't' .. slice
  local held = tonumber(redis.call('HGET', key, field)) or 0
  if held + delta > 0 then
    redis.call('HINCRBY', key, field, delta)
    redis.call('PEXPIRE', key, (n + 1) * g)
  elseif held > 0 then
    redis.call('HDEL', key, field)
  end
elseif delta > 0 then
  redis.call('HINCRBY', key, 't' .. cur, delta)
  redis.call('PEXPIRE', key, (n + 1) * g)
end
return 1
`;
