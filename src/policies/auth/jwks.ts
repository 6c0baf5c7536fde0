/**
 * Verification keys for JWT auth: which JWK may verify which `alg`, and a cached JWK Set
 * (RFC 7517 §5) behind `jwks_url`. The set is refreshed in the background once older than the
 * refresh interval (on the next lookup: no timers, so it runs on Workers too), re-fetched on an
 * unknown `kid` at most once per `minRefetchIntervalMs` (a flood of made-up kids costs one
 * fetch per window, concurrent misses share it), and kept as is while the endpoint is down or
 * answers garbage: an outage of the identity provider must not log every client out.
 * @module
 */
import { base64url, importJWK, type JWK, type JWSHeaderParameters } from 'jose'

/** RFC 7518 §3.1, RFC 8037 §3.1 (EdDSA) and RFC 9864 §2.2 (Ed25519). `none` is never one of them. */
export const SUPPORTED_ALGORITHMS: readonly string[] = ['HS256', 'HS384', 'HS512', 'RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512', 'ES256', 'ES384', 'ES512', 'EdDSA', 'Ed25519']

const CURVE: Record<string, string> = { ES256: 'P-256', ES384: 'P-384', ES512: 'P-521', EdDSA: 'Ed25519', Ed25519: 'Ed25519' }
const PRIVATE_MEMBERS = ['d', 'p', 'q', 'dp', 'dq', 'qi', 'oth', 'k']
const MAX_JWKS_CHARS = 512 * 1024
const MAX_KEYS = 100

export function isHmac(alg: string): boolean {
  return alg.startsWith('HS')
}

/** The JWK `kty` an algorithm needs (RFC 7518 §6.1). */
export function keyTypeOf(alg: string): 'oct' | 'RSA' | 'EC' | 'OKP' {
  return isHmac(alg) ? 'oct' : alg.startsWith('RS') || alg.startsWith('PS') ? 'RSA' : alg.startsWith('ES') ? 'EC' : 'OKP'
}

/** One non-extractable HMAC key per HS alg, imported once. */
export function importHmacKey(secret: Uint8Array<ArrayBuffer>, alg: string): Promise<CryptoKey> {
  return crypto.subtle.importKey('raw', secret, { name: 'HMAC', hash: `SHA-${alg.slice(2)}` }, false, ['verify'])
}

/**
 * The key a JWK gives for verifying `alg`, or null when it may not verify it: RFC 7517 §4.2
 * `use` must be "sig", §4.3 `key_ops` must include "verify", §4.4 `alg` must match, the key
 * type and curve must be the algorithm's, RSA moduli ≥ 2048 bits (RFC 7518 §3.3). An
 * asymmetric JWK carrying private members is refused: whoever published it leaked it. `oct`
 * keys only when `symmetric` (never from a key set fetched over the network).
 */
export async function keyFromJwk(jwk: JWK, alg: string, symmetric = false): Promise<CryptoKey | null> {
  const kty = keyTypeOf(alg)
  if (jwk.use !== undefined && jwk.use !== 'sig') return null
  if (jwk.key_ops !== undefined && !(Array.isArray(jwk.key_ops) && jwk.key_ops.includes('verify'))) return null
  if ((jwk.alg !== undefined && jwk.alg !== alg) || jwk.kty !== kty) return null
  if (CURVE[alg] !== undefined && jwk.crv !== CURVE[alg]) return null
  try {
    if (kty === 'oct') return symmetric && typeof jwk.k === 'string' ? await importHmacKey(Uint8Array.from(base64url.decode(jwk.k)), alg) : null
    if (PRIVATE_MEMBERS.some((m) => m in jwk)) return null
    const pub: JWK = kty === 'RSA' ? { kty, n: jwk.n, e: jwk.e } : { kty, crv: jwk.crv, x: jwk.x, ...(kty === 'EC' ? { y: jwk.y } : {}) }
    const key = await importJWK(pub, alg, { extractable: false })
    if (!(key instanceof CryptoKey)) return null
    if (kty === 'RSA' && (key.algorithm as RsaHashedKeyAlgorithm).modulusLength < 2048) return null
    return key
  } catch {
    return null
  }
}

/**
 * A key set fetched in clear text can be swapped in transit, so `https:` is required; plain
 * `http:` only to a loopback host (local identity providers, tests).
 */
export function checkKeyUrl(url: string, what: string): URL {
  let u: URL
  try {
    u = new URL(url)
  } catch {
    throw new Error(`${what}: "${url}" is not an absolute URL`)
  }
  const loopback = u.hostname === 'localhost' || u.hostname === '[::1]' || /^127(\.\d{1,3}){3}$/.test(u.hostname)
  if (u.protocol !== 'https:' && !(u.protocol === 'http:' && loopback)) {
    throw new Error(`${what}: "${url}" must use https (plain http only for a loopback host)`)
  }
  return u
}

export type JwksErrorCode = 'jwks_key_unknown' | 'jwks_kid_required' | 'jwks_unavailable'

export class JwksError extends Error {
  readonly code: JwksErrorCode
  constructor(code: JwksErrorCode, message: string) {
    super(message)
    this.name = 'JwksError'
    this.code = code
  }
}

export interface JwksCacheOptions {
  url: string
  fetch: typeof fetch
  /** The verifier's allow-list; keys usable only for other algorithms are ignored. HS* never comes from a key set. */
  algorithms?: readonly string[]
  /** Background refresh once the set is this old (default 1 h). */
  refreshIntervalMs?: number
  /** At most one fetch per this window, however many unknown kids arrive (default 10 s). */
  minRefetchIntervalMs?: number
  /** Whole fetch, body included (default 5 s). */
  timeoutMs?: number
  /** Milliseconds since the epoch (default Date.now). */
  now?: () => number
}

/** `keys`: usable (kid, alg) entries in the current set. */
export interface JwksStats { fetches: number; failures: number; keys: number; lastSuccessAt: number | null; lastError: string | null }

/** A jose key resolver (`compactVerify(token, resolver)`) with the cache's state attached. */
export interface JwksResolver {
  (header: JWSHeaderParameters): Promise<CryptoKey>
  stats(): JwksStats
  /** Fetches now (or joins the fetch in flight); never rejects, failures land in stats(). */
  refresh(): Promise<void>
}

/** `byKid` is keyed `${alg} ${kid}`. */
interface KeySet { byKid: Map<string, CryptoKey>; byAlg: Map<string, CryptoKey[]>; size: number }

function duration(value: number | undefined, fallback: number, what: string): number {
  if (value === undefined) return fallback
  if (!Number.isFinite(value) || value < 0) throw new Error(`${what} must be a duration ≥ 0, got ${value}`)
  return value
}

export function createJwksCache(options: JwksCacheOptions): JwksResolver {
  const url = checkKeyUrl(options.url, 'jwks_url').href
  const doFetch = options.fetch
  const now = options.now ?? Date.now
  const refreshIntervalMs = duration(options.refreshIntervalMs, 3_600_000, 'jwks_refresh_interval')
  const minRefetchMs = duration(options.minRefetchIntervalMs, 10_000, 'minRefetchIntervalMs')
  const timeoutMs = duration(options.timeoutMs, 5_000, 'timeoutMs')
  const algorithms = (options.algorithms ?? SUPPORTED_ALGORITHMS).filter((a) => !isHmac(a))
  const stats: JwksStats = { fetches: 0, failures: 0, keys: 0, lastSuccessAt: null, lastError: null }
  let keys: KeySet = { byKid: new Map(), byAlg: new Map(), size: 0 }
  let attemptedAt = Number.NEGATIVE_INFINITY
  let inFlight: Promise<void> | null = null

  async function load(): Promise<KeySet> {
    const res = await doFetch(url, {
      headers: { accept: 'application/jwk-set+json, application/json' },
      signal: AbortSignal.timeout(timeoutMs),
    })
    if (!res.ok) {
      await res.body?.cancel()
      throw new Error(`HTTP ${res.status}`)
    }
    const text = await res.text()
    if (text.length > MAX_JWKS_CHARS) throw new Error('key set larger than 512 KiB')
    const doc: unknown = JSON.parse(text)
    const list = typeof doc === 'object' && doc !== null ? (doc as { keys?: unknown }).keys : undefined
    if (!Array.isArray(list)) throw new Error('not a JWK Set (RFC 7517 §5: no "keys" array)')
    const set: KeySet = { byKid: new Map(), byAlg: new Map(), size: 0 }
    for (const jwk of list.slice(0, MAX_KEYS)) {
      if (typeof jwk !== 'object' || jwk === null) continue
      for (const alg of algorithms) {
        const key = await keyFromJwk(jwk as JWK, alg)
        if (key === null) continue
        const kid = (jwk as JWK).kid
        if (typeof kid === 'string' && !set.byKid.has(`${alg} ${kid}`)) set.byKid.set(`${alg} ${kid}`, key)
        set.byAlg.set(alg, [...(set.byAlg.get(alg) ?? []), key])
        set.size++
      }
    }
    // An empty or wholly unusable set is treated as garbage: the keys we have stay in service.
    if (set.size === 0) throw new Error('no usable signing key in the set')
    return set
  }

  function refresh(): Promise<void> {
    if (inFlight !== null) return inFlight
    attemptedAt = now()
    stats.fetches++
    inFlight = load()
      .then(
        (set) => {
          keys = set
          stats.keys = set.size
          stats.lastSuccessAt = now()
          stats.lastError = null
        },
        (err: unknown) => {
          stats.failures++
          stats.lastError = err instanceof Error ? err.message : String(err)
        },
      )
      .finally(() => {
        inFlight = null
      })
    return inFlight
  }

  function find(alg: string, kid: string | undefined): CryptoKey | undefined {
    if (kid !== undefined) return keys.byKid.get(`${alg} ${kid}`)
    const candidates = keys.byAlg.get(alg)
    // Without a kid, trying every key would let one token cost N signature checks; ask for a kid instead.
    if (candidates !== undefined && candidates.length > 1) {
      throw new JwksError('jwks_kid_required', `the key set holds ${candidates.length} ${alg} keys and the token names no kid`)
    }
    return candidates?.[0]
  }

  async function resolveJwksKey(header: JWSHeaderParameters): Promise<CryptoKey> {
    const alg = String(header.alg)
    const kid = typeof header.kid === 'string' ? header.kid : undefined
    const t = now()
    const stale = stats.lastSuccessAt !== null && t - stats.lastSuccessAt >= refreshIntervalMs
    if (stale && inFlight === null && t - attemptedAt >= minRefetchMs) void refresh()
    const cached = find(alg, kid)
    if (cached !== undefined) return cached
    if (inFlight !== null) await inFlight
    else if (t - attemptedAt >= minRefetchMs) await refresh()
    const fresh = find(alg, kid)
    if (fresh !== undefined) return fresh
    if (stats.lastSuccessAt === null) throw new JwksError('jwks_unavailable', `key set unavailable: ${stats.lastError ?? 'not fetched yet'}`)
    throw new JwksError('jwks_key_unknown', `no ${alg} key${kid === undefined ? '' : ' with that kid'} in the key set`)
  }

  return Object.assign(resolveJwksKey, { stats: () => ({ ...stats }), refresh })
}

const WELL_KNOWN = '/.well-known/openid-configuration'

/**
 * OpenID Connect Discovery 1.0 §4: the issuer's `/.well-known/openid-configuration` names the
 * key set in `jwks_uri`. Given an issuer, §4.3 requires the document's `issuer` to be the same
 * string (a document for another issuer must not supply our keys).
 */
export async function discoverJwksUrl(issuerOrDiscoveryUrl: string, doFetch: typeof fetch, timeoutMs = 5_000): Promise<string> {
  const direct = checkKeyUrl(issuerOrDiscoveryUrl, 'issuer').pathname.endsWith(WELL_KNOWN)
  const url = direct ? issuerOrDiscoveryUrl : issuerOrDiscoveryUrl.replace(/\/+$/, '') + WELL_KNOWN
  const res = await doFetch(url, { headers: { accept: 'application/json' }, signal: AbortSignal.timeout(timeoutMs) })
  if (!res.ok) {
    await res.body?.cancel()
    throw new Error(`OIDC discovery ${url}: HTTP ${res.status}`)
  }
  let doc: { issuer?: unknown; jwks_uri?: unknown }
  try {
    doc = (await res.json()) as typeof doc
  } catch {
    throw new Error(`OIDC discovery ${url}: the answer is not JSON`)
  }
  if (!direct && doc.issuer !== issuerOrDiscoveryUrl) {
    throw new Error(`OIDC discovery ${url}: issuer is ${JSON.stringify(doc.issuer)}, expected "${issuerOrDiscoveryUrl}"`)
  }
  if (typeof doc.jwks_uri !== 'string') throw new Error(`OIDC discovery ${url}: no jwks_uri`)
  return checkKeyUrl(doc.jwks_uri, 'jwks_uri').href
}
