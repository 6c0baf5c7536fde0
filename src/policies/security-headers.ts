/**
 * Security response headers (Runway `security_headers`), built once per config into two frozen
 * lists: one for HTTPS responses (with HSTS) and one for plain HTTP (without, RFC 6797 §7.2).
 *
 * Precedence: the gateway's fixed-value headers are enforced over
 * whatever the upstream sent, but an upstream `Content-Security-Policy` is kept: CSPs carry
 * per-page nonces and hashes only the application knows; the gateway's CSP is the fallback for
 * responses that have none.
 *
 * Runway writes three of the headers as strings (`strict_transport_security`,
 * `x_content_type_options`, `x_frame_options`); they are the same headers as Portico's `hsts`,
 * `content_type_options` and `frame_options`, checked the same way, and `""` means what it
 * means in Runway (internal/middleware/securityheaders): no header, except nosniff, the default.
 * @module
 */
import type { HstsConfig, SecurityHeadersConfig } from '../config/types-policies.ts'
import type { HeaderPairs } from '../core/headers.ts'
import type { RoutePolicy } from '../core/policy.ts'




export type SecurityHeaders = (isHttps: boolean) => HeaderPairs

const ONE_YEAR = 31_536_000
// W3C Referrer Policy §3: the policy tokens; the header may list several, the last known one wins.
const REFERRER_POLICIES = new Set([
  'no-referrer',
  'no-referrer-when-downgrade',
  'same-origin',
  'origin',
  'strict-origin',
  'origin-when-cross-origin',
  'strict-origin-when-cross-origin',
  'unsafe-url',
])
const XSS_VALUES = /^(?:0|1|1; ?mode=block)$/
/** Upstream value wins for these (see the module comment). */
const UPSTREAM_WINS = new Set(['content-security-policy'])
const NONE: HeaderPairs = Object.freeze([])

function hstsValue(hsts: HstsConfig, where: string): string | null {
  if (hsts.enabled === false) return null
  const maxAge = hsts.max_age ?? ONE_YEAR
  if (!Number.isInteger(maxAge) || maxAge < 0) throw new Error(`${where}.max_age: must be a whole number of seconds >= 0`)
  const sub = hsts.include_subdomains ?? true
  if (hsts.preload === true && (!sub || maxAge < ONE_YEAR)) {
    throw new Error(`${where}.preload: preload lists accept only include_subdomains: true with max_age >= ${ONE_YEAR}`)
  }
  return `max-age=${maxAge}${sub ? '; includeSubDomains' : ''}${hsts.preload === true ? '; preload' : ''}`
}

/** RFC 6797 §6.1.1: max-age is the one required directive. */
const HSTS_MAX_AGE = /(?:^|;)\s*max-age\s*=\s*"?\d+"?\s*(?:;|$)/i

function stsValue(options: Partial<SecurityHeadersConfig>, where: string): string | null {
  const written = options.strict_transport_security
  if (written === undefined) return hstsValue(options.hsts ?? {}, `${where}.hsts`)
  const v = written.trim()
  if (v === '') return null
  if (!HSTS_MAX_AGE.test(v)) throw new Error(`${where}.strict_transport_security: needs max-age=<seconds> (RFC 6797 §6.1.1), e.g. "max-age=31536000; includeSubDomains"`)
  return v
}

function nosniffValue(options: Partial<SecurityHeadersConfig>, where: string): string | null {
  const written = options.x_content_type_options
  if (written === undefined) return options.content_type_options === false ? null : 'nosniff'
  const v = written.trim()
  // Fetch #x-content-type-options-header: nosniff is the only value a browser acts on.
  if (v !== '' && v.toLowerCase() !== 'nosniff') throw new Error(`${where}.x_content_type_options: must be nosniff (the only value browsers know)`)
  return 'nosniff'
}

function frameOption(options: Partial<SecurityHeadersConfig>, where: string): string | null {
  const written = options.x_frame_options
  if (written === undefined) return frameValue(options.frame_options, `${where}.frame_options`)
  return written.trim() === '' ? null : frameValue(written.trim() as 'DENY', `${where}.x_frame_options`)
}

function frameValue(value: SecurityHeadersConfig['frame_options'], where: string): string | null {
  if (value === false) return null
  const v = (value ?? 'DENY').toUpperCase()
  if (v !== 'DENY' && v !== 'SAMEORIGIN') {
    // ALLOW-FROM (RFC 7034 §2.1) is ignored by current browsers; CSP frame-ancestors replaced it.
    throw new Error(`${where}: must be DENY or SAMEORIGIN (use content_security_policy frame-ancestors to allow other origins)`)
  }
  return v
}

function referrerValue(value: string | false | undefined, where: string): string | null {
  if (value === false) return null
  const v = (value ?? 'no-referrer').trim()
  const policies = v.split(',').map((p) => p.trim().toLowerCase())
  const unknown = policies.find((p) => !REFERRER_POLICIES.has(p))
  if (unknown !== undefined) throw new Error(`${where}: "${unknown}" is not a referrer policy`)
  return policies.join(', ')
}

function xssValue(value: boolean | string | undefined, where: string): string | null {
  if (value === false) return null
  if (value === undefined || value === true) return '0'
  if (!XSS_VALUES.test(value.trim())) throw new Error(`${where}: must be "0", "1" or "1; mode=block"`)
  return value.trim()
}

function passthrough(value: string | undefined, where: string): string | null {
  if (value === undefined) return null
  const v = value.trim()
  if (v === '') throw new Error(`${where}: must not be empty (omit it to send nothing)`)
  return v
}

/** `where` is the config path (`security_headers`, `routes.2.security_headers`) used in errors. */
export function createSecurityHeaders(options: Partial<SecurityHeadersConfig> = {}, where = 'security_headers'): SecurityHeaders {
  if (options.enabled === false) {
    return function securityHeadersOff() {
      return NONE
    }
  }
  const hsts = stsValue(options, where)
  const candidates: [string, string | null][] = [
    ['x-content-type-options', nosniffValue(options, where)],
    ['x-frame-options', frameOption(options, where)],
    ['content-security-policy', passthrough(options.content_security_policy, `${where}.content_security_policy`)],
    ['referrer-policy', referrerValue(options.referrer_policy, `${where}.referrer_policy`)],
    ['permissions-policy', passthrough(options.permissions_policy, `${where}.permissions_policy`)],
    ['x-xss-protection', xssValue(options.xss_protection, `${where}.xss_protection`)],
  ]
  const common: [string, string][] = []
  for (const [name, value] of candidates) {
    if (value === null) continue
    try {
      // Headers rejects CR, LF and NUL: fail at load time, not on the first response.
      new Headers([[name, value]])
    } catch {
      throw new Error(`${where}: the ${name} value contains characters not allowed in a header`)
    }
    common.push([name, value])
  }
  const plain: HeaderPairs = Object.freeze(common.map((p) => Object.freeze(p)))
  const secure: HeaderPairs =
    hsts === null ? plain : Object.freeze([Object.freeze(['strict-transport-security', hsts] as const), ...plain])
  // RFC 6797 §7.2: a host must not send Strict-Transport-Security over non-secure transport.
  // `isHttps` is the client-facing scheme: behind a TLS-terminating proxy, the forwarded one.
  return function securityHeaders(isHttps: boolean): HeaderPairs {
    return isHttps ? secure : plain
  }
}

/** A route's security headers (its block, else the global one), on every answer's head. */
export function createSecurityHeadersPolicy(block: SecurityHeadersConfig | undefined, where: string): RoutePolicy | null {
  if (block === undefined || block.enabled === false) return null
  const pairsFor = createSecurityHeaders(block, where)
  return {
    name: 'security_headers',
    onResponseHead: function securityHeaders(ctx, head) {
      const h = head.headers
      for (const [name, value] of pairsFor(ctx.https)) {
        if (UPSTREAM_WINS.has(name) && h.has(name)) continue
        h.set(name, value)
      }
    },
  }
}
