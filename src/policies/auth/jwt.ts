/**
 * JWT bearer authentication (Runway `authentication.jwt`). The verifier, never the token,
 * chooses the algorithm and the key (RFC 8725 §2.1, §3.1): an explicit allow-list, HS* only
 * against `secret`, asymmetric algorithms only against `public_key` / `jwks_url`, no key taken
 * from the token header. Failures are values carrying the RFC 6750 §3 challenge; no message
 * ever echoes the token.
 * @module
 */
import type { JwtOptions } from '../../config/types-auth.ts'
import { importSPKI, importX509, type JWSHeaderParameters } from 'jose'
import { cookieValue } from '../../http/cookies.ts'
import { SUPPORTED_ALGORITHMS, checkKeyUrl, createJwksCache, discoverJwksUrl, importHmacKey, isHmac, keyTypeOf } from './jwks.ts'
import { FAILURES, type JwtFailure, MISSING, REALM, TokenRefused, refusal, verifyJws } from './jws.ts'

export { type JwtFailure, type JwtFailureCode, type KeyResolver, TokenRefused, verifyJws } from './jws.ts'


export interface JwtDeps {
  fetch: typeof fetch
  /** Milliseconds since the epoch (default Date.now). */
  now?: () => number
}

export type JwtSuccess = { ok: true; claims: Record<string, unknown>; clientId: string | null; scopes: string[]; forward: [header: string, value: string][] }
export type JwtOutcome = JwtSuccess | JwtFailure

export interface JwtVerifier {
  readonly algorithms: string[]
  /** The challenge for a request without any token: `Bearer realm="portico"`. */
  readonly challenge: string
  /** See forwardedHeaderNames. */
  readonly forwardedHeaders: string[]
  /** RFC 6750 §2.1 `Authorization: Bearer` (scheme case-insensitive), then the cookie, then the query parameter. */
  extract(request: Request, url?: URL): string | null
  /** `null` (no token) answers 401 with the bare challenge (RFC 6750 §3.1: no error code). */
  verify(token: string | null): Promise<JwtOutcome>
}

const BEARER = /^bearer +(.*)$/i
const TOKEN = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/
const SCOPE_TOKEN = /^[\x21\x23-\x5b\x5d-\x7e]+$/
const FRAMING = new Set(['host', 'content-length', 'transfer-encoding', 'connection', 'upgrade', 'te', 'trailer'])
const utf8 = new TextDecoder('utf-8', { fatal: true })
const VERIFIED_TTL_MS = 30_000
const VERIFIED_MAX = 10_000

/** Lower-cased `forward_claims` header names: the gateway strips client-sent copies before forwarding. */
export function forwardedHeaderNames(options: Pick<JwtOptions, 'forward_claims'>): string[] {
  return Object.values(options.forward_claims ?? {}).map((h) => h.toLowerCase())
}

/**
 * A claim as a field value: strings as is, numbers/booleans stringified, arrays joined with ",",
 * objects as JSON. RFC 9110 §5.5: CR, LF, NUL and the other controls are dropped, so a claim
 * cannot inject a header; characters beyond Latin-1 travel as their UTF-8 bytes.
 */
export function claimHeaderValue(v: unknown): string | null {
  let s: string
  if (typeof v === 'string') s = v
  else if (typeof v === 'number' || typeof v === 'boolean') s = String(v)
  else if (Array.isArray(v)) s = v.map((x) => (typeof x === 'string' ? x : JSON.stringify(x))).join(',')
  else if (typeof v === 'object' && v !== null) s = JSON.stringify(v)
  else return null
  s = s.replace(/[\0-\x08\x0a-\x1f\x7f]/g, '').trim()
  if (!/[^\0-\xff]/.test(s)) return s
  let bytes = ''
  for (const b of new TextEncoder().encode(s)) bytes += String.fromCharCode(b)
  return bytes
}

/** RFC 8693 §4.2 `scope` is space-delimited; `scp` is an array (Okta) or a string (Entra ID). */
function scopesOf(claims: Record<string, unknown>): string[] {
  const out = new Set<string>()
  for (const v of [claims.scope, claims.scp]) {
    for (const s of typeof v === 'string' ? v.split(' ') : Array.isArray(v) ? v : []) if (typeof s === 'string' && s !== '') out.add(s)
  }
  return [...out]
}

/** RFC 7519 §2 NumericDate (seconds), in milliseconds; a present non-number is refused. */
function numericDate(v: unknown): number {
  if (v === undefined) return Number.NaN
  if (typeof v !== 'number' || !Number.isFinite(v)) throw new TokenRefused('jwt_claims_invalid')
  return v * 1000
}

function fail(where: string, message: string): never {
  throw new Error(`authentication.jwt.${where}: ${message}`)
}

function algorithmList(options: JwtOptions, secret: boolean, asymmetric: boolean): string[] {
  if (options.algorithm === undefined && secret && asymmetric) fail('algorithm', 'set it explicitly when both secret and a public key are configured')
  const list = options.algorithm === undefined ? [secret ? 'HS256' : 'RS256'] : [options.algorithm].flat()
  if (list.length === 0) fail('algorithm', 'the allow-list is empty')
  for (const alg of list) {
    if (alg.toLowerCase() === 'none') fail('algorithm', 'unsigned tokens (alg "none") are never accepted (RFC 8725 §3.2)')
    if (!SUPPORTED_ALGORITHMS.includes(alg)) fail('algorithm', `unknown algorithm "${alg}" (supported: ${SUPPORTED_ALGORITHMS.join(', ')})`)
  }
  const hs = list.filter(isHmac)
  const other = list.filter((a) => !isHmac(a))
  // RFC 8725 §2.1: HS* checked against a public key is the classic key-confusion forgery.
  if (hs.length > 0 && !secret) fail('algorithm', `${hs.join(', ')} needs secret; public_key / jwks_url only verify asymmetric algorithms`)
  if (other.length > 0 && !asymmetric) fail('algorithm', `${other.join(', ')} needs public_key or jwks_url; secret only verifies HS256/HS384/HS512`)
  if (secret && hs.length === 0) fail('secret', 'is set but no HS* algorithm is allowed')
  if (asymmetric && other.length === 0) fail('algorithm', 'a public key is configured but only HS* algorithms are allowed')
  return list
}

async function importPublicKey(pem: string, alg: string): Promise<CryptoKey> {
  const text = pem.replace(/\\n/g, '\n').trim() // a PEM passed through an env var often arrives with literal \n
  const cert = text.startsWith('-----BEGIN CERTIFICATE-----')
  if (!cert && !text.startsWith('-----BEGIN PUBLIC KEY-----')) {
    fail('public_key', text.includes('PRIVATE KEY') ? 'is a private key; configure the public key' : 'must be a PEM public key (BEGIN PUBLIC KEY) or certificate')
  }
  const key = await (cert ? importX509 : importSPKI)(text, alg, { extractable: false }).catch((err: Error) => fail('public_key', `is not a ${keyTypeOf(alg)} key usable with ${alg} (${err.message})`))
  if (keyTypeOf(alg) === 'RSA' && (key.algorithm as RsaHashedKeyAlgorithm).modulusLength < 2048) fail('public_key', 'RSA keys need at least 2048 bits (RFC 7518 §3.3)')
  // Under `deno check`, jose's types resolve to node:crypto's CryptoKey (a wider KeyUsage union).
  return key as unknown as CryptoKey
}

function duration(value: number | undefined, where: string): number | undefined {
  if (value !== undefined && (!Number.isFinite(value) || value < 0)) fail(where, `must be a duration ≥ 0, got ${value}`)
  return value
}

export async function createJwtVerifier(options: JwtOptions, deps: JwtDeps): Promise<JwtVerifier> {
  const now = deps.now ?? Date.now
  const { public_key: pem, jwks_url: jwksUrl, issuer } = options
  if (options.secret === '') fail('secret', 'is empty (an unset environment variable?)')
  const secret = options.secret === undefined ? null : new TextEncoder().encode(options.secret)
  if (pem !== undefined && jwksUrl !== undefined) fail('public_key', 'set either public_key or jwks_url, not both')
  if (jwksUrl !== undefined) checkKeyUrl(jwksUrl, 'authentication.jwt.jwks_url')
  if (secret === null && pem === undefined && jwksUrl === undefined) fail('secret', 'one of secret, public_key or jwks_url is required')
  const algorithms = algorithmList(options, secret !== null, pem !== undefined || jwksUrl !== undefined)
  const keys = new Map<string, CryptoKey>()
  for (const alg of algorithms) {
    const bits = Number(alg.slice(2))
    // RFC 7518 §3.2: an HMAC key at least as long as the hash output.
    if (secret !== null && isHmac(alg) && secret.length * 8 < bits) fail('secret', `is ${secret.length} bytes; ${alg} needs at least ${bits / 8}`)
    if (secret !== null && isHmac(alg)) keys.set(alg, await importHmacKey(secret, alg))
    else if (pem !== undefined) keys.set(alg, await importPublicKey(pem, alg))
  }
  const refreshIntervalMs = duration(options.jwks_refresh_interval, 'jwks_refresh_interval')
  // OIDC discovery (OpenID Connect Discovery 1.0 §4): a jwks_url naming the provider's
  // /.well-known/openid-configuration is resolved once, at start, to its `jwks_uri`.
  const keysUrl =
    jwksUrl !== undefined && new URL(jwksUrl).pathname.endsWith('/.well-known/openid-configuration')
      ? await discoverJwksUrl(jwksUrl, deps.fetch).catch((err: Error) => fail('jwks_url', `OIDC discovery failed: ${err.message}`))
      : jwksUrl
  const jwks = keysUrl === undefined ? null : createJwksCache({ url: keysUrl, fetch: deps.fetch, now, algorithms, refreshIntervalMs })
  const skew = duration(options.clock_skew, 'clock_skew') ?? 0
  if (issuer === '') fail('issuer', 'is empty')
  const audiences = options.audience === undefined ? null : new Set([options.audience].flat())
  if (audiences !== null && (audiences.size === 0 || audiences.has(''))) fail('audience', 'must name at least one non-empty audience')
  const required = options.required_scopes ?? []
  for (const s of required) if (!SCOPE_TOKEN.test(s)) fail('required_scopes', `"${s}" is not a scope token (RFC 6749 §3.3)`)
  const scopeFailure: JwtFailure = Object.freeze({
    ok: false, status: 403, code: 'jwt_scope_insufficient', message: 'token lacks a required scope',
    wwwAuthenticate: `Bearer error="insufficient_scope", scope="${required.join(' ')}"`,
  })
  const forwards = Object.entries(options.forward_claims ?? {}).map(([claim, header]) => {
    if (!TOKEN.test(header) || FRAMING.has(header.toLowerCase())) fail(`forward_claims.${claim}`, `"${header}" cannot carry a claim`)
    return [claim, header.toLowerCase()] as const
  })
  if (new Set(forwards.map((f) => f[1])).size !== forwards.length) fail('forward_claims', 'two claims map to the same header')
  if (options.cookie !== undefined && !TOKEN.test(options.cookie)) fail('cookie', `"${options.cookie}" is not a cookie name`)

  function keyFor(header: JWSHeaderParameters): CryptoKey | Promise<CryptoKey> {
    // HS* resolves only to the secret and anything else only to a public key, never across.
    const key = keys.get(String(header.alg))
    if (key !== undefined) return key
    if (jwks !== null && !isHmac(String(header.alg))) return jwks(header)
    throw new TokenRefused('jwt_key_unknown')
  }

  function checkClaims(payload: Uint8Array): Record<string, unknown> {
    let c: Record<string, unknown>
    try {
      c = JSON.parse(utf8.decode(payload))
    } catch {
      throw new TokenRefused('jwt_malformed')
    }
    // RFC 7519 §7.2 step 10: the claims set is a JSON object.
    if (typeof c !== 'object' || c === null || Array.isArray(c)) throw new TokenRefused('jwt_claims_invalid')
    const t = now()
    // NaN (claim absent) fails every comparison, so an absent claim never refuses.
    if (t >= numericDate(c.exp) + skew) throw new TokenRefused('jwt_expired') // RFC 7519 §4.1.4
    if (t + skew < numericDate(c.nbf)) throw new TokenRefused('jwt_not_yet_valid') // §4.1.5
    if (numericDate(c.iat) > t + skew) throw new TokenRefused('jwt_issued_in_future') // §4.1.6
    if (issuer !== undefined && c.iss !== issuer) throw new TokenRefused('jwt_issuer_invalid')
    // RFC 7519 §4.1.3: one of the token's audiences must be ours.
    const aud = typeof c.aud === 'string' ? [c.aud] : Array.isArray(c.aud) ? c.aud : []
    if (audiences !== null && !aud.some((a) => audiences.has(a))) throw new TokenRefused('jwt_audience_invalid')
    return c
  }

  // Verified tokens, remembered briefly: a client sends the same token on every request, and the
  // signature check is the costliest step (WebCrypto; ~40% of a realistic route's CPU on Node).
  // Like Envoy's jwt_cache_config: bounded, never past `exp`, at most VERIFIED_TTL_MS, and dropped
  // as soon as a new key set is fetched (a removed key stops verifying). Failures are never cached.
  const verified = new Map<string, { outcome: JwtSuccess; until: number; keys: number }>()
  // A fresh key set (JWKS refresh, rotation) invalidates every remembered verdict at once.
  const keyGeneration = () => (jwks === null ? 0 : (jwks.stats().lastSuccessAt ?? 0))
  function remember(token: string, outcome: JwtSuccess, exp: number): void {
    const t = now()
    const until = Math.min(t + VERIFIED_TTL_MS, Number.isNaN(exp) ? Number.POSITIVE_INFINITY : exp - skew)
    if (until <= t) return
    if (verified.size >= VERIFIED_MAX) verified.delete(verified.keys().next().value!)
    verified.set(token, { outcome, until, keys: keyGeneration() })
  }

  return {
    algorithms: [...algorithms],
    challenge: REALM,
    forwardedHeaders: forwards.map((f) => f[1]),
    extract(request, url) {
      const bearer = BEARER.exec(request.headers.get('authorization') ?? '')
      if (bearer !== null) return bearer[1]!.trim()
      const cookie = options.cookie === undefined ? null : cookieValue(request.headers.get('cookie'), options.cookie)
      if (cookie) return cookie
      if (options.query_param === undefined || !request.url.includes('?')) return null
      return (url ?? new URL(request.url)).searchParams.get(options.query_param) || null
    },
    async verify(token) {
      if (token === null) return MISSING
      const hit = verified.get(token)
      if (hit !== undefined) {
        if (hit.until > now() && hit.keys === keyGeneration()) return hit.outcome
        verified.delete(token)
      }
      try {
        const claims = checkClaims((await verifyJws(token, keyFor, algorithms)).payload)
        const scopes = scopesOf(claims)
        if (!required.every((s) => scopes.includes(s))) return scopeFailure
        const clientId = [claims.sub, claims.client_id, claims.azp].find((v) => typeof v === 'string' && v !== '') as string | undefined
        const forward: [string, string][] = []
        for (const [claim, header] of forwards) {
          const v = claimHeaderValue(claims[claim])
          if (v !== null) forward.push([header, v])
        }
        const outcome: JwtSuccess = { ok: true, claims, clientId: clientId ?? null, scopes, forward }
        remember(token, outcome, numericDate(claims.exp))
        return outcome
      } catch (err) {
        return FAILURES[refusal(err).code]
      }
    },
  }
}
