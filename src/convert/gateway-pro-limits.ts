/**
 * gateway-pro's per-route `rate_limit` (token bucket or sliding window, keyed by IP, user or API
 * key, optionally counted in Redis) and per-backend `circuit_breaker` → Portico's route blocks.
 * @module
 */
import type { Out, Reading, Section } from './source.ts'

export const UNKNOWN = "is not in gateway-pro's documented config (its README); not converted"

export interface State {
  r: Reading
  out: Out
  redis?: { url: string; path: string }
}

type At = (...path: (string | number)[]) => (string | number)[]

/** `key_by` → Portico's limit key. gateway-pro has no authentication, so user and key arrive in headers. */
const KEYS: Record<string, { key: string; header?: string }> = {
  ip: { key: 'ip' },
  user: { key: 'header:X-User-ID', header: 'X-User-ID' },
  api_key: { key: 'header:X-API-Key', header: 'X-API-Key' },
}

export function rateLimit(s: State, rl: Section, out: Out, at: At): void {
  const o: Out = {}
  const algorithm = rl.str('algorithm') ?? 'token_bucket'
  if (algorithm !== 'token_bucket' && algorithm !== 'sliding_window') {
    s.r.note(`${rl.path}.algorithm`, `"${algorithm}" is not token_bucket or sliding_window; token_bucket is used`, at('rate_limit'))
  }
  o.algorithm = algorithm === 'sliding_window' ? 'sliding_window' : 'token_bucket'
  const rate = rl.num('rate')
  if (rate === undefined || rate <= 0) {
    s.r.note(rl.path, 'a rate limit needs a positive rate (tokens per second); rate limit not converted')
    rl.rest(UNKNOWN)
    return
  }
  Object.assign(o, { rate, period: '1s' })
  const burst = rl.num('burst')
  if (burst !== undefined) {
    if (o.algorithm === 'sliding_window') s.r.note(`${rl.path}.burst`, "Portico's sliding window counts `rate` per period and has no burst; not converted", at('rate_limit'))
    else if (Number.isInteger(burst) && burst >= 0) o.burst = burst
    else s.r.note(`${rl.path}.burst`, 'must be a whole number; not converted', at('rate_limit'))
  }
  const keyBy = rl.str('key_by') ?? 'ip'
  const key = KEYS[keyBy]
  if (key === undefined) s.r.note(`${rl.path}.key_by`, `"${keyBy}" is not ip, user or api_key; the client IP is used`, at('rate_limit', 'key'))
  else if (key.header !== undefined) {
    s.r.note(
      `${rl.path}.key_by`,
      `gateway-pro's README does not say where "${keyBy}" is read from (it has no authentication); the ${key.header} header is used, and the client IP when a request lacks it`,
      at('rate_limit', 'key'),
    )
  }
  o.key = key?.key ?? 'ip'
  const redisUrl = rl.str('redis_url')
  if (redisUrl !== undefined && distributed(s, redisUrl, `${rl.path}.redis_url`, at)) o.mode = 'distributed'
  rl.rest(UNKNOWN, at('rate_limit'))
  out.rate_limit = o
}

/** `redis://[:password@]host:port[/db]` → Portico's shared store; false when it cannot be used. */
function distributed(s: State, url: string, path: string, at: At): boolean {
  const u = URL.canParse(url) ? new URL(url) : null
  if (url.includes('${')) {
    const why = "is expanded from the environment, and Portico's redis block takes address, password and db apart: set redis.address, store.type: redis and mode: distributed for a shared count"
    s.r.note(path, `${why}; the limit counts in memory (per Portico process)`, at('rate_limit'))
    return false
  }
  if (u === null || (u.protocol !== 'redis:' && u.protocol !== 'rediss:') || u.hostname === '') {
    s.r.note(path, `"${url}" is not a redis:// URL with a host; the limit counts in memory (per Portico process)`, at('rate_limit'))
    return false
  }
  if (s.redis !== undefined) {
    if (s.redis.url !== url) s.r.note(path, `Portico has one shared store; this limit counts in the Redis of ${s.redis.path} instead`, at('rate_limit', 'mode'))
    return true
  }
  const redis: Out = { address: `${u.hostname}:${u.port || '6379'}` }
  if (u.password !== '') redis.password = decodeURIComponent(u.password)
  const db = u.pathname.replace(/^\//, '')
  if (/^\d+$/.test(db)) redis.db = Number(db)
  if (u.protocol === 'rediss:') redis.tls = true
  s.out.store = { type: 'redis' }
  s.out.redis = redis
  s.redis = { url, path }
  return true
}

export function circuitBreaker(s: State, cb: Section, out: Out, at: At): void {
  const o: Out = {}
  const threshold = cb.num('failure_threshold')
  const min = cb.num('min_requests')
  const open = cb.duration('open_duration_seconds', 's')
  const half = cb.num('half_open_requests')
  // gateway-pro's failure_threshold is a percentage of failed requests (README: "trip if ≥50% fail").
  if (threshold !== undefined) {
    if (threshold > 0 && threshold <= 100) o.error_rate_threshold = threshold / 100
    else s.r.note(`${cb.path}.failure_threshold`, 'a percentage from 1 to 100 was expected; not converted', at('circuit_breaker'))
  }
  if (min !== undefined && Number.isInteger(min) && min >= 1) {
    o.min_requests = min
    // Portico also opens on N failures in a row; N = min_requests is 100 % of min_requests requests, which trips gateway-pro too.
    o.failure_threshold = min
  } else if (min !== undefined) s.r.note(`${cb.path}.min_requests`, 'a whole number from 1 was expected; not converted', at('circuit_breaker'))
  if (open !== undefined) o.timeout = open
  if (half !== undefined && Number.isInteger(half) && half >= 1) o.max_requests = half
  else if (half !== undefined) s.r.note(`${cb.path}.half_open_requests`, 'a whole number from 1 was expected; not converted', at('circuit_breaker'))
  s.r.note(
    cb.path,
    "gateway-pro keeps one breaker per backend; Portico's circuit_breaker is one per route, so failures of one backend can open it for all of them (outlier_detection ejects single backends). The failure rate is counted over circuit_breaker.window (default 10s), which gateway-pro's README does not give",
    at('circuit_breaker'),
  )
  cb.rest(UNKNOWN, at('circuit_breaker'))
  out.circuit_breaker = o
}
