/**
 * OAuth 2.0 token introspection (RFC 7662) as an authentication method (Runway
 * `authentication.oauth`): the bearer token is POSTed to the authorization server's
 * introspection endpoint and its answer decides. Verdicts are cached by the token's SHA-256
 * digest (never the token itself) in two bounded maps — active answers until min(`cache_ttl`,
 * `exp`), inactive ones for 10 s — and concurrent lookups of one token share one request, so a
 * flood of the same token costs the server one call. When the endpoint is down, slow or answers
 * garbage the token cannot be judged and is refused (fail closed): 401 `oauth_unverifiable`.
 *
 * This method and `jwt` both read `Authorization: Bearer`, and the route's auth chain never falls
 * through: whichever of the two a route lists first judges every bearer token, the other is never
 * reached. List only one of them per route.
 * @module
 */
import type { OAuthIntrospectionOptions } from '../../config/types-auth.ts'
import { checkKeyUrl } from './jwks.ts'
import { type AuthMethod, type AuthOutcome, type AuthRefusal, refuse, sha256Hex } from './types.ts'


export interface OAuthDeps {
  fetch: typeof fetch
  /** Milliseconds since the epoch (default Date.now). */
  now?: () => number
}

/** `lastError` never holds the token or the server's answer, only what went wrong. */
export interface OAuthStats { introspections: number; failures: number; cached: number; inFlight: number; lastError: string | null }

export interface OAuthIntrospection extends AuthMethod {
  stats(): OAuthStats
}

const REALM = 'Bearer realm="portico"'
const MESSAGES = {
  oauth_token_malformed: 'token is malformed',
  oauth_token_inactive: 'token is not active',
  oauth_token_expired: 'token has expired',
  oauth_token_not_yet_valid: 'token is not yet valid',
  oauth_token_type_invalid: 'token is not an access token',
  oauth_issuer_invalid: 'token issuer is not accepted',
  oauth_audience_invalid: 'token audience is not accepted',
  oauth_unverifiable: 'token could not be verified',
} as const
type OAuthFailureCode = keyof typeof MESSAGES
const FAILURES = Object.fromEntries(
  Object.entries(MESSAGES).map(([code, message]) => [
    code,
    Object.freeze(refuse(401, code, message, `${REALM}, error="invalid_token", error_description="${message}"`)),
  ]),
) as Record<OAuthFailureCode, AuthRefusal>

const MAX_TOKEN = 16_384
const MAX_ANSWER_CHARS = 64 * 1024
const BEARER = /^bearer +(.*)$/i
/** RFC 6750 §2.1 b64token: anything else is refused before the server is asked. */
const B64TOKEN = /^[A-Za-z0-9\-._~+/]+=*$/
const SCOPE_TOKEN = /^[\x21\x23-\x5b\x5d-\x7e]+$/
const TIME_CLAIMS = ['exp', 'nbf', 'iat']

class IntrospectionError extends Error {}

/** Marks a lookup whose answer could not be had or read: never cached. */
const UNVERIFIABLE = Symbol('unverifiable')
type Claims = Record<string, unknown>
/** `claims: null`: the server said inactive. */
interface Entry { until: number; claims: Claims | null }

function fail(key: string, message: string): never {
  throw new Error(`authentication.oauth.${key}: ${message}`)
}

function duration(value: number | undefined, fallback: number, key: string, min = 0): number {
  if (value === undefined) return fallback
  if (typeof value !== 'number' || !Number.isFinite(value) || value < min) fail(key, `must be a duration ≥ ${min} ms, got ${value}`)
  return value
}

/** RFC 6749 §2.3.1: client_id and client_secret are form-urlencoded (Appendix B) before Basic (RFC 7617). */
function formEncode(s: string): string {
  return new URLSearchParams([['', s]]).toString().slice(1)
}

function basicCredentials(id: string, secret: string): string {
  // The form encoding leaves ASCII only, which is what btoa takes.
  return `Basic ${btoa(`${formEncode(id)}:${formEncode(secret)}`)}`
}

/** RFC 7519 §2 NumericDate (validated as a number when the answer was read), in milliseconds. */
function millis(v: unknown): number {
  return typeof v === 'number' ? v * 1000 : Number.NaN
}

function lookup(cache: Map<string, Entry>, key: string, t: number): Entry | undefined {
  const e = cache.get(key)
  if (e === undefined) return undefined
  cache.delete(key)
  if (e.until <= t) return undefined
  cache.set(key, e) // re-inserted: Map order is recency, the first key is the least recently used
  return e
}

function store(cache: Map<string, Entry>, key: string, entry: Entry, max: number): void {
  cache.delete(key)
  while (cache.size >= max) {
    const oldest = cache.keys().next()
    if (oldest.done) break
    cache.delete(oldest.value)
  }
  cache.set(key, entry)
}

export async function createOAuthIntrospection(options: OAuthIntrospectionOptions, deps: OAuthDeps): Promise<OAuthIntrospection> {
  const doFetch = deps.fetch // unbound on purpose: workerd's fetch throws when called as a method of another object
  const now = deps.now ?? Date.now
  if (!options.introspection_url) fail('introspection_url', 'is required (the RFC 7662 introspection endpoint)')
  const url = checkKeyUrl(options.introspection_url, 'authentication.oauth.introspection_url')
  if (url.username !== '' || url.password !== '') fail('introspection_url', 'must not carry credentials; set client_id and client_secret')
  if (!options.client_id) fail('client_id', 'is required (RFC 7662 §2.1: the introspection endpoint authenticates its caller)')
  if (!options.client_secret) fail('client_secret', 'is required (empty: an unset environment variable?)')
  const authorization = basicCredentials(options.client_id, options.client_secret)
  // options.jwks_url is deliberately not used: a JWT access token is verified locally by the
  // `jwt` method; this one asks the server about any token, opaque or not.
  const issuer = options.issuer
  if (issuer === '') fail('issuer', 'is empty')
  const audiences = options.audience === undefined ? null : new Set([options.audience].flat())
  if (audiences !== null && (audiences.size === 0 || audiences.has(''))) fail('audience', 'must name at least one non-empty audience')
  const required = options.scopes ?? []
  for (const [i, s] of required.entries()) if (typeof s !== 'string' || !SCOPE_TOKEN.test(s)) fail(`scopes.${i}`, `"${s}" is not a scope token (RFC 6749 §3.3)`)
  const scopeFailure = Object.freeze(
    refuse(403, 'oauth_scope_insufficient', 'token lacks a required scope', `Bearer error="insufficient_scope", scope="${required.join(' ')}"`),
  )
  const ttl = duration(options.cache_ttl, 60_000, 'cache_ttl')
  const negativeTtl = Math.min(duration(options.negative_cache_ttl, 10_000, 'negative_cache_ttl'), ttl)
  const timeoutMs = duration(options.timeout, 3_000, 'timeout', 1)
  const maxEntries = duration(options.max_cache_entries, 10_000, 'max_cache_entries', 1)

  // Two maps: a flood of made-up tokens fills the inactive one and cannot evict active answers.
  const active = new Map<string, Entry>()
  const inactive = new Map<string, Entry>()
  const inFlight = new Map<string, Promise<Claims | null | typeof UNVERIFIABLE>>()
  const stats = { introspections: 0, failures: 0, lastError: null as string | null }

  /** The answer's members for an active token, or null for an inactive one; throws when there is no usable answer. */
  async function introspect(token: string): Promise<Claims | null> {
    const res = await doFetch(url.href, {
      method: 'POST',
      headers: { authorization, accept: 'application/json', 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ token, token_type_hint: 'access_token' }).toString(),
      // A redirect would re-send the token and our credentials elsewhere: 3xx is a failure.
      redirect: 'manual',
      signal: AbortSignal.timeout(timeoutMs),
    })
    if (res.status !== 200) {
      await res.body?.cancel()
      throw new IntrospectionError(`introspection endpoint answered HTTP ${res.status}`)
    }
    const declared = Number(res.headers.get('content-length') ?? 0)
    if (declared > MAX_ANSWER_CHARS) {
      await res.body?.cancel()
      throw new IntrospectionError('answer larger than 64 KiB')
    }
    const text = await res.text()
    if (text.length > MAX_ANSWER_CHARS) throw new IntrospectionError('answer larger than 64 KiB')
    let doc: unknown
    try {
      doc = JSON.parse(text)
    } catch {
      throw new IntrospectionError('answer is not JSON')
    }
    if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) throw new IntrospectionError('answer is not a JSON object')
    const claims = doc as Claims
    // RFC 7662 §2.2: `active` is a boolean; absent, or anything but true, is inactive.
    if (claims.active !== true) return null
    for (const k of TIME_CLAIMS) {
      const v = claims[k]
      if (v !== undefined && (typeof v !== 'number' || !Number.isFinite(v))) throw new IntrospectionError(`"${k}" is not a NumericDate`)
    }
    return claims
  }

  function describe(err: unknown): string {
    if (err instanceof IntrospectionError) return err.message
    const e = err as { name?: string; message?: string; cause?: { code?: unknown } } | null
    if (e?.name === 'TimeoutError' || e?.name === 'AbortError') return `no answer within ${timeoutMs} ms`
    const code = typeof e?.cause?.code === 'string' ? ` (${e.cause.code})` : ''
    return `introspection endpoint unreachable: ${e?.message ?? String(err)}${code}`
  }

  async function lookupAndCache(token: string, key: string): Promise<Claims | null | typeof UNVERIFIABLE> {
    stats.introspections++
    let claims: Claims | null
    try {
      claims = await introspect(token)
    } catch (err) {
      // Not cached: the next request asks again, so a recovered endpoint is used at once.
      stats.failures++
      stats.lastError = describe(err)
      return UNVERIFIABLE
    }
    const t = now()
    const exp = claims === null ? Number.NaN : millis(claims.exp)
    const until = claims === null ? t : Math.min(t + ttl, Number.isNaN(exp) ? Number.POSITIVE_INFINITY : exp)
    if (claims !== null && until > t) store(active, key, { until, claims }, maxEntries)
    else if (negativeTtl > 0) store(inactive, key, { until: t + negativeTtl, claims }, maxEntries)
    return claims
  }

  function judge(claims: Claims | null, t: number): AuthOutcome {
    if (claims === null) return FAILURES.oauth_token_inactive
    // NaN (claim absent) fails every comparison, so an absent claim never refuses.
    if (t >= millis(claims.exp)) return FAILURES.oauth_token_expired // RFC 7662 §2.2, RFC 7519 §4.1.4
    if (t < millis(claims.nbf)) return FAILURES.oauth_token_not_yet_valid
    // ORY Hydra answers for refresh tokens too, telling them apart by `token_use`.
    if (claims.token_use !== undefined && claims.token_use !== 'access_token') return FAILURES.oauth_token_type_invalid
    if (issuer !== undefined && claims.iss !== issuer) return FAILURES.oauth_issuer_invalid
    const aud = typeof claims.aud === 'string' ? [claims.aud] : Array.isArray(claims.aud) ? claims.aud : []
    if (audiences !== null && !aud.some((a) => audiences.has(a))) return FAILURES.oauth_audience_invalid
    const scopes = typeof claims.scope === 'string' ? claims.scope.split(' ').filter((s) => s !== '') : []
    if (!required.every((s) => scopes.includes(s))) return scopeFailure
    const clientId = [claims.sub, claims.client_id, claims.username].find((v) => typeof v === 'string' && v !== '') as string | undefined
    // A copy: the cached answer must not change because a later policy edits ctx.claims.
    return { ok: true, clientId: clientId ?? null, roles: [], scopes, claims: { ...claims }, forward: [] }
  }

  return {
    name: 'oauth',
    challenge: REALM,
    forwardedHeaders: [],
    credential(request) {
      // RFC 6750 §2.1; the body (§2.2) and query (§2.3) forms are not read.
      const bearer = BEARER.exec(request.headers.get('authorization') ?? '')
      return bearer === null ? null : bearer[1]!.trim()
    },
    async verify(token) {
      if (token.length > MAX_TOKEN || !B64TOKEN.test(token)) return FAILURES.oauth_token_malformed
      const key = await sha256Hex(token)
      const hit = lookup(active, key, now()) ?? lookup(inactive, key, now())
      let claims: Claims | null
      if (hit !== undefined) {
        claims = hit.claims
      } else {
        let pending = inFlight.get(key)
        if (pending === undefined) {
          pending = lookupAndCache(token, key).finally(() => inFlight.delete(key))
          inFlight.set(key, pending)
        }
        const answer = await pending
        if (answer === UNVERIFIABLE) return FAILURES.oauth_unverifiable
        claims = answer
      }
      return judge(claims, now())
    },
    stats: () => ({ ...stats, cached: active.size + inactive.size, inFlight: inFlight.size }),
  }
}
