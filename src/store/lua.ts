/**
 * The store operations as Redis Lua scripts, shared by the Redis (TCP) and Upstash (REST)
 * stores: each decision is one EVALSHA round trip and runs atomically on the server. The rate
 * arithmetic mirrors algorithms.ts exactly (the shared store suite runs both); time comes from
 * the server's TIME, so gateway processes whose clocks disagree still share one timeline.
 * State is a string of space-separated numbers (%.17g keeps doubles exact).
 * @module
 */
import type { RateDecision, RateRule } from '../core/store.ts'

export const LIMIT_SCRIPT = `
local key = KEYS[1]
local alg = ARGV[1]
local limit = tonumber(ARGV[2])
local rate = tonumber(ARGV[3])
local period = tonumber(ARGV[4])
local cost = tonumber(ARGV[5])
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + tonumber(t[2]) / 1000
local EPS = 1e-6
local raw = redis.call('GET', key)
local has = raw ~= false and raw ~= nil
local s = {}
if has then for v in string.gmatch(raw, '%S+') do s[#s + 1] = tonumber(v) end end
local function save(vals, ttl)
  local parts = {}
  for i, v in ipairs(vals) do parts[i] = string.format('%.17g', v) end
  redis.call('SET', key, table.concat(parts, ' '), 'PX', math.max(1, math.ceil(ttl)))
end
local allowed, remaining, reset, retry = 0, 0, 0, 0
if alg == 'token_bucket' then
  local per = period / rate
  local tokens = limit
  if has then tokens = math.min(limit, s[1] + math.max(0, now - s[2]) / per) end
  if tokens + EPS >= cost then
    tokens = math.max(0, tokens - cost)
    reset = math.ceil((limit - tokens) * per)
    save({tokens, now}, reset + 1)
    allowed = 1
  else
    reset = math.ceil((limit - tokens) * per)
    retry = math.max(1, math.ceil((cost - tokens) * per))
  end
  remaining = math.floor(tokens + EPS)
elseif alg == 'gcra' then
  local T = period / rate
  local tau = limit * T
  local tat = now
  if has then tat = math.max(s[1], now) end
  local nxt = tat + cost * T
  if nxt - now <= tau + EPS then
    remaining = math.max(0, math.floor((tau - (nxt - now)) / T + EPS))
    reset = math.ceil(nxt - now)
    save({nxt}, reset + 1)
    allowed = 1
  else
    remaining = math.max(0, math.floor((tau - (tat - now)) / T + EPS))
    reset = math.ceil(tat - now)
    retry = math.max(1, math.ceil(nxt - now - tau))
  end
elseif alg == 'sliding_window' then
  local w = period
  local idx = math.floor(now / w)
  local prev, curr = 0, 0
  if has then
    if s[1] == idx then prev = s[2]; curr = s[3]
    elseif s[1] == idx - 1 then prev = s[3] end
  end
  local elapsed = now - idx * w
  local est = prev * (1 - elapsed / w) + curr
  reset = math.ceil(w - elapsed)
  if est + cost <= limit + EPS then
    remaining = math.max(0, math.floor(limit - est - cost + EPS))
    save({idx, prev, curr + cost}, 2 * w - elapsed)
    allowed = 1
  else
    local wait
    if limit - curr - cost >= 0 and prev > 0 then
      wait = w * (1 - (limit - curr - cost) / prev) - elapsed
    else
      wait = w - elapsed
      if curr > 0 then wait = wait + math.max(0, w * (1 - (limit - cost) / curr)) end
    end
    remaining = math.max(0, math.floor(limit - est + EPS))
    retry = math.max(1, math.ceil(wait))
  end
else
  local count = 0
  local ttl = period
  if has then
    count = s[1]
    ttl = math.max(1, redis.call('PTTL', key))
  end
  if count + cost <= limit then
    remaining = limit - count - cost
    if has then redis.call('SET', key, string.format('%.17g', count + cost), 'KEEPTTL') else save({count + cost}, ttl) end
    allowed = 1
  else
    remaining = math.max(0, limit - count)
    retry = ttl
  end
  reset = ttl
end
return {allowed, remaining, reset, retry}
`

export const INCR_SCRIPT = `
if tonumber(ARGV[2]) > 0 then
  redis.call('SET', KEYS[1], '0', 'PX', ARGV[2], 'NX')
else
  redis.call('SET', KEYS[1], '0', 'NX')
end
return redis.call('INCRBY', KEYS[1], ARGV[1])
`

export const CAS_SCRIPT = `
local cur = redis.call('GET', KEYS[1])
if ARGV[1] == '1' then
  if cur then return 0 end
elseif cur ~= ARGV[2] then
  return 0
end
if tonumber(ARGV[4]) > 0 then
  redis.call('SET', KEYS[1], ARGV[3], 'PX', ARGV[4])
else
  redis.call('SET', KEYS[1], ARGV[3])
end
return 1
`

export function limitArgs(rule: RateRule, cost: number): string[] {
  return [rule.algorithm, String(rule.limit), String(rule.rate), String(rule.periodMs), String(cost)]
}

export function casArgs(expected: string | null, value: string, ttlMs: number): string[] {
  return [expected === null ? '1' : '0', expected ?? '', value, String(Math.max(0, Math.ceil(ttlMs)))]
}

export function toDecision(reply: unknown): RateDecision {
  const r = reply as (number | string)[]
  return { allowed: Number(r[0]) === 1, remaining: Number(r[1]), resetMs: Number(r[2]), retryAfterMs: Number(r[3]) }
}

/** SHA-1 of a script, hex (EVALSHA); Web Crypto, so it runs on every runtime. */
export async function scriptSha(script: string): Promise<string> {
  const digest = await crypto.subtle.digest('SHA-1', new TextEncoder().encode(script))
  return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, '0')).join('')
}

/** A Redis error reply saying the script cache lacks this script (flushed, restarted, failover). */
export function isNoScript(err: unknown): boolean {
  return String((err as Error)?.message ?? err).includes('NOSCRIPT')
}

/** How a Redis-protocol client runs a script on one key (ioredis over TCP, @upstash/redis over REST). */
export interface ScriptClient {
  evalsha(sha: string, key: string, args: string[]): Promise<unknown>
  eval(script: string, key: string, args: string[]): Promise<unknown>
}

/**
 * One EVALSHA per call; on NOSCRIPT (script cache flushed, restart, failover) one EVAL, which
 * also reloads the script. SHA-1s are computed once per script.
 */
export function createScriptRunner(client: ScriptClient): (script: string, key: string, args: string[]) => Promise<unknown> {
  const shas = new Map<string, Promise<string>>()
  return async function runScript(script, key, args) {
    let sha = shas.get(script)
    if (sha === undefined) {
      sha = scriptSha(script)
      shas.set(script, sha)
    }
    try {
      return await client.evalsha(await sha, key, args)
    } catch (err) {
      if (!isNoScript(err)) throw err
      return await client.eval(script, key, args)
    }
  }
}
