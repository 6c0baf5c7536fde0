/**
 * rust-flux's named `auth_policies` and `rate_limits` (Shiva936/rust-flux src/config.rs), which
 * its routes reference by name, → Portico's one `authentication.jwt` with per-route `auth`, and a
 * `rate_limit` block on each route. What rust-flux does is read from its source (src/auth.rs,
 * src/rate_limit.rs, src/proxy.rs), since the README gives only an example.
 * @module
 */
import type { Out, Reading } from './source.ts'

export const UNKNOWN = 'is not a rust-flux setting (rust-flux ignores it too); not converted'

export interface AuthPolicy {
  name: string
  path: string
  algorithm: 'HS256' | 'RS256'
  issuer: string
  audiences: string[]
  scopes: string[]
  keyEnv: string
}

export interface RateLimitPolicy {
  name: string
  path: string
  limit: number
  burst: number
  keys: string[]
  /** Indexes of the converted routes that use it. */
  routes: number[]
}

const KEY_NAMES = new Set(['client_ip', 'jwt_subject', 'route_path'])

export function readAuthPolicies(r: Reading): Map<string, AuthPolicy> {
  const out = new Map<string, AuthPolicy>()
  for (const p of r.root.sections('auth_policies')) {
    const name = p.str('name')
    const algorithm = p.str('algorithm')
    const issuer = p.str('issuer')
    const audiences = p.strList('audiences') ?? []
    const scopes = p.strList('required_scopes') ?? []
    const keyId = p.str('key_id')
    p.rest(UNKNOWN)
    if (name === undefined || issuer === undefined || (algorithm !== 'HS256' && algorithm !== 'RS256')) {
      r.note(p.path, 'an auth policy needs name, issuer and algorithm HS256 or RS256 (rust-flux refuses it too); not converted')
      continue
    }
    // src/auth.rs get_key_for_policy: JWT_KEY_<key_id or name, upper-cased, "-" → "_">, else JWT_SECRET.
    const keyEnv = `JWT_KEY_${(keyId ?? name).toUpperCase().replaceAll('-', '_')}`
    out.set(name, { name, path: p.path, algorithm, issuer, audiences, scopes, keyEnv })
  }
  return out
}

export function readRateLimits(r: Reading): Map<string, RateLimitPolicy> {
  const out = new Map<string, RateLimitPolicy>()
  for (const p of r.root.sections('rate_limits')) {
    const name = p.str('name')
    const limit = p.num('limit_per_minute')
    const burst = p.num('burst') ?? 0
    const keys = p.strList('key') ?? []
    p.rest(UNKNOWN)
    if (name === undefined || limit === undefined) {
      r.note(p.path, 'a rate limit needs name and limit_per_minute (rust-flux refuses it too); not converted')
      continue
    }
    const bad = keys.filter((k) => !KEY_NAMES.has(k))
    if (bad.length > 0) r.note(`${p.path}.key`, `${bad.join(', ')}: not client_ip, jwt_subject or route_path (rust-flux refuses it); left out`)
    out.set(name, { name, path: p.path, limit, burst, keys: keys.filter((k) => KEY_NAMES.has(k)), routes: [] })
  }
  return out
}

const sameVerifier = (a: AuthPolicy, b: AuthPolicy) =>
  a.algorithm === b.algorithm && a.issuer === b.issuer && [...a.audiences].sort().join('\n') === [...b.audiences].sort().join('\n')

/**
 * Portico verifies JWTs with one `authentication.jwt`: the first policy a route uses. Scopes are
 * per route (`auth.scopes`), so policies that differ only in required_scopes map exactly.
 */
export function authentication(r: Reading, policies: Map<string, AuthPolicy>, used: string[]): Out | undefined {
  for (const p of policies.values()) if (!used.includes(p.name)) r.note(p.path, 'not used by any route; not converted')
  const first = used.length > 0 ? policies.get(used[0]!) : undefined
  if (first === undefined) return undefined
  const jwt: Out = { algorithm: first.algorithm, issuer: first.issuer }
  if (first.audiences.length > 0) jwt.audience = first.audiences
  // HS256 takes the shared secret, RS256 a PEM public key: both from the environment, as in rust-flux.
  // biome-ignore lint/suspicious/noTemplateCurlyInString: a Portico secret reference, expanded when the config loads.
  jwt[first.algorithm === 'HS256' ? 'secret' : 'public_key'] = '${env:JWT_SECRET}'
  r.note(
    first.path,
    `rust-flux reads this policy's key from ${first.keyEnv}, else JWT_SECRET; Portico reads the one variable named here (JWT_SECRET) and refuses to start without it: set it, or name ${first.keyEnv} instead`,
    ['authentication', 'jwt'],
  )
  return { jwt }
}

/** A route's `auth` block, with a note when its policy is not the one Portico verifies with. */
export function routeAuth(r: Reading, policy: AuthPolicy, verifier: AuthPolicy, at: (string | number)[]): Out {
  if (policy !== verifier && !sameVerifier(policy, verifier)) {
    r.note(
      policy.path,
      `Portico has one JWT verifier (authentication.jwt, from policy "${verifier.name}"); this route's policy "${policy.name}" has another algorithm, issuer or audience, so its tokens are checked against "${verifier.name}"'s`,
      at,
    )
  }
  const auth: Out = { required: true, methods: ['jwt'] }
  if (policy.scopes.length > 0) auth.scopes = policy.scopes
  return auth
}

/**
 * src/rate_limit.rs counts `limit_per_minute` per fixed 60 s window under one key built from the
 * listed parts; a sliding 1-minute window is Portico's closest count (it also smooths the
 * double burst a fixed window allows at its edge).
 */
export function routeRateLimit(r: Reading, p: RateLimitPolicy, routeIds: string[], index: number): Out | undefined {
  const at = ['routes', index, 'rate_limit']
  // Notes about the policy itself are made once, at the first route that uses it.
  const first = p.routes[0] === index
  if (p.limit <= 0) {
    if (first) r.note(p.path, 'limit_per_minute 0 refuses every request in rust-flux; Portico needs a positive rate: not converted', at)
    return undefined
  }
  const has = (k: string) => p.keys.includes(k)
  const key = has('jwt_subject') ? 'jwt_claim:sub' : 'ip'
  if (first) {
    if (p.burst > 0) {
      r.note(`${p.path}.burst`, 'rust-flux parses burst but its limiter never uses it (a count per fixed minute); the converted limit keeps that: not converted', at)
    }
    if (has('jwt_subject') && has('client_ip')) {
      r.note(`${p.path}.key`, 'Portico counts under one key: the JWT subject (the client IP when there is no token); rust-flux counted subject and IP together', [...at, 'key'])
    }
    if (!has('jwt_subject') && !has('client_ip')) {
      r.note(`${p.path}.key`, "without client_ip or jwt_subject rust-flux counts every client of the route in one bucket; this Portico version counts per client IP (Runway's `per_ip: false` is the one-bucket form)", [
        ...at,
        'key',
      ])
    }
    if (!has('route_path') && (has('client_ip') || has('jwt_subject')) && p.routes.length > 1) {
      r.note(`${p.path}.key`, `without route_path rust-flux shares one count across routes ${p.routes.map((i) => routeIds[i]).join(', ')}; Portico counts each route apart`, [...at, 'key'])
    }
  }
  return { algorithm: 'sliding_window', rate: p.limit, period: '1m', key }
}

/** Notes about every converted limit at once: where rust-flux counts, and whose address it trusts. */
export function rateLimitNotes(r: Reading, limits: Map<string, RateLimitPolicy>, at: (string | number)[]): void {
  const used = [...limits.values()].filter((p) => p.routes.length > 0)
  for (const p of limits.values()) if (p.routes.length === 0) r.note(p.path, 'not used by any route; not converted')
  if (used.length === 0) return
  r.note(
    'rate_limits',
    'rust-flux counts in Redis (REDIS_URL), shared by every instance; the converted limits count per Portico process (mode: local). For one shared count set store.type: redis, redis.address and mode: distributed',
    at,
  )
  if (used.some((p) => p.keys.includes('client_ip') || p.keys.includes('jwt_subject'))) {
    r.note(
      'rate_limits',
      "rust-flux takes the client IP from X-Forwarded-For or X-Real-IP sent by anyone; Portico uses the connection's address, and those headers only from trusted_proxies.cidrs: list your load balancer there",
      at,
    )
  }
}
