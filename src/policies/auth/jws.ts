/**
 * The JWS signature layer of JWT verification (RFC 7515 compact form): strict base64url, header
 * rules (no embedded keys, no unknown `crit`), the algorithm allow-list, then jose with the key
 * the resolver picks. Every refusal is one of a fixed set of 401 outcomes, prepared once.
 * @module
 */
import { compactVerify, decodeProtectedHeader, errors, type JWSHeaderParameters } from 'jose'
import { JwksError } from './jwks.ts'

export type JwtFailure = { ok: false; status: 401 | 403; code: string; message: string; wwwAuthenticate: string }

export type KeyResolver = (header: JWSHeaderParameters) => CryptoKey | Promise<CryptoKey>

export const REALM = 'Bearer realm="portico"'
const MESSAGES = {
  jwt_malformed: 'token is malformed',
  jwt_algorithm_refused: 'token algorithm is not allowed',
  jwt_header_refused: 'token header carries a key or an unsupported critical parameter',
  jwt_key_unknown: 'no key matches the token',
  jwt_key_unavailable: 'signing keys are unavailable',
  jwt_signature_invalid: 'token signature is invalid',
  jwt_expired: 'token has expired',
  jwt_not_yet_valid: 'token is not yet valid',
  jwt_issued_in_future: 'token is issued in the future',
  jwt_issuer_invalid: 'token issuer is not accepted',
  jwt_audience_invalid: 'token audience is not accepted',
  jwt_claims_invalid: 'token claims are invalid',
} as const
export type JwtFailureCode = keyof typeof MESSAGES
export const FAILURES = Object.fromEntries(
  Object.entries(MESSAGES).map(([code, message]) => {
    const wwwAuthenticate = `${REALM}, error="invalid_token", error_description="${message}"`
    return [code, Object.freeze({ ok: false, status: 401, code, message, wwwAuthenticate })]
  }),
) as Record<JwtFailureCode, JwtFailure>
export const MISSING: JwtFailure = Object.freeze({ ok: false, status: 401, code: 'jwt_missing', message: 'bearer token required', wwwAuthenticate: REALM })

/** Thrown inside the verification path; turned into a JwtFailure once. */
export class TokenRefused extends Error {
  readonly code: JwtFailureCode
  constructor(code: JwtFailureCode) {
    super(MESSAGES[code])
    this.name = 'TokenRefused'
    this.code = code
  }
}

const MAX_TOKEN = 16_384
const B64URL = /^[A-Za-z0-9_-]*$/
const B64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_'
/** RFC 7515 §4.1.2/4.1.3/4.1.5/4.1.6: a key, or where to fetch one, named by the token itself. */
const KEY_PARAMS = ['jwk', 'jku', 'x5u', 'x5c']

/**
 * RFC 7515 §2 base64url without padding, and RFC 4648 §3.5: the unused bits of the last
 * character are zero. Lenient decoders (atob) skip whitespace and stray bits, which would let
 * one signature stand for several token strings.
 */
function canonicalB64url(s: string): boolean {
  if (!B64URL.test(s) || s.length % 4 === 1) return false
  const last = B64.indexOf(s[s.length - 1] ?? 'A')
  return s.length % 4 === 2 ? (last & 0x0f) === 0 : s.length % 4 === 3 ? (last & 0x03) === 0 : true
}

/** The signature layer: compact form only, strict base64url, header rules, allow-list, then jose with the key `getKey` picks. */
export async function verifyJws(token: string, getKey: KeyResolver, algorithms: readonly string[]): Promise<{ header: JWSHeaderParameters; payload: Uint8Array }> {
  const parts = token.split('.')
  if (token.length > MAX_TOKEN || parts.length !== 3 || !parts.every(canonicalB64url)) throw new TokenRefused('jwt_malformed')
  let header: JWSHeaderParameters
  try {
    header = decodeProtectedHeader(token) as JWSHeaderParameters
  } catch {
    throw new TokenRefused('jwt_malformed')
  }
  if (typeof header.alg !== 'string' || (header.kid !== undefined && typeof header.kid !== 'string')) throw new TokenRefused('jwt_malformed')
  if (KEY_PARAMS.some((p) => p in header)) throw new TokenRefused('jwt_header_refused')
  // RFC 7515 §4.1.11: a crit extension we do not understand is refused, and we understand none
  // (b64 would switch to RFC 7797 unencoded payloads, which JWTs never use).
  if ('crit' in header || 'b64' in header) throw new TokenRefused('jwt_header_refused')
  if (!algorithms.includes(header.alg)) throw new TokenRefused('jwt_algorithm_refused')
  try {
    const { payload } = await compactVerify(token, (h) => getKey(h), { algorithms: [...algorithms] })
    return { header, payload }
  } catch (err) {
    throw refusal(err)
  }
}

export function refusal(err: unknown): TokenRefused {
  if (err instanceof TokenRefused) return err
  if (err instanceof JwksError) return new TokenRefused(err.code === 'jwks_unavailable' ? 'jwt_key_unavailable' : 'jwt_key_unknown')
  if (err instanceof errors.JOSEAlgNotAllowed || err instanceof errors.JOSENotSupported) return new TokenRefused('jwt_algorithm_refused')
  if (err instanceof errors.JWSInvalid) return new TokenRefused('jwt_malformed')
  // A signature mismatch, or a key that cannot verify this alg (jose's key-type check): same answer.
  return new TokenRefused('jwt_signature_invalid')
}
