/**
 * CORS (Runway `cors`) answered at the edge: preflights never reach the upstream, and actual
 * responses take their Access-Control-* fields from tables built once here. Origins are matched
 * the way browsers serialize them (RFC 6454 §6.2): scheme and host case-insensitive, port exact.
 * @module
 */
import type { CorsConfig } from '../config/types-policies.ts'
import type { RoutePolicy } from '../core/policy.ts'
import { type HeaderPairs, mergeVary } from '../core/headers.ts'



export interface Cors {
  /** The answer to a CORS preflight (204 or 403), or null when the request is not one. */
  preflight(request: Request): Response | null
  /** Fields for an actual response (the cors policy's response hook applies them). */
  headersFor(request: Request): HeaderPairs
  /** The origin is one the config admits (a WebSocket handshake is refused otherwise: handlers/websocket.ts). */
  allows(origin: string): boolean
}

const DEFAULT_METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE']
// RFC 9110 §5.6.2: method and field names are tokens.
const TOKEN = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/
// Fetch #concept-method-normalize: only these six are upper-cased by browsers; `patch` stays as sent.
const NORMALIZED_METHODS = new Set(['DELETE', 'GET', 'HEAD', 'OPTIONS', 'POST', 'PUT'])
// A serialized origin (lowercased): no path, query, fragment, userinfo, comma or space. Checked
// before patterns so `.*` inside a pattern can never swallow `https://evil.com/x.example.com`.
const ORIGIN_SHAPE = /^[a-z][a-z0-9+.-]*:\/\/(?:[a-z0-9_-]+(?:\.[a-z0-9_-]+)*|\[[0-9a-f:.]+\])(?::\d{1,5})?$/
// A pattern that accepts this made-up origin accepts any origin: a wildcard in disguise.
const WILDCARD_PROBE = 'https://portico-wildcard-probe.invalid'
// Fetch #cors-preflight-fetch: `*` in Allow-Headers never covers Authorization.
const NON_WILDCARD_HEADER = 'authorization'
// Every CORS response field; upstream copies are dropped so the gateway's answer is the only one.
const CORS_RESPONSE_FIELDS = [
  'access-control-allow-origin',
  'access-control-allow-credentials',
  'access-control-allow-methods',
  'access-control-allow-headers',
  'access-control-expose-headers',
  'access-control-max-age',
]
// Fetch #cors-protocol-and-http-caches: a response that depends on Origin must say so, also when
// the request had none, or a cache may hand a CORS-less copy to a cross-origin caller.
const VARY_ACTUAL: HeaderPairs = Object.freeze([Object.freeze(['vary', 'Origin'] as const)])
const VARY_PREFLIGHT: [string, string] = ['vary', 'Origin, Access-Control-Request-Method, Access-Control-Request-Headers']
const NONE: HeaderPairs = Object.freeze([])

function canonicalOrigin(entry: string, where: string): string {
  // The URL parser accepts `*` in a host, so `https://*.example.com` would be an exact origin
  // that never matches: refuse it instead of failing silently.
  if (entry.includes('*')) {
    throw new Error(`${where}: "${entry}": wildcards go in allow_origin_patterns (e.g. "https://[a-z0-9-]+\\.example\\.com")`)
  }
  let url: URL | null = null
  try {
    url = new URL(entry.trim())
  } catch {
    // reported below
  }
  const originOnly = url !== null && url.host !== '' && url.username === '' && url.password === '' &&
    url.search === '' && url.hash === '' && (url.pathname === '' || url.pathname === '/')
  if (url === null || !originOnly) {
    throw new Error(`${where}: "${entry}" is not an origin (scheme://host[:port], no path)`)
  }
  // URL lowercases special-scheme hosts and drops default ports; opaque hosts (capacitor://) are not.
  return `${url.protocol}//${url.host}`.toLowerCase()
}

function tokens(list: readonly string[], where: string, what: string): string[] {
  return list.map((raw, i) => {
    const t = raw.trim()
    if (t !== '*' && !TOKEN.test(t)) throw new Error(`${where}.${i}: "${raw}" is not a valid ${what}`)
    return t
  })
}

/** `where` is the config path (`cors`, `routes.2.cors`) used in error messages. */
export function createCors(options: Partial<CorsConfig>, where = 'cors'): Cors {
  if (options.enabled === false) {
    return {
      preflight: function corsOff() {
        return null
      },
      headersFor: function corsHeadersOff() {
        return NONE
      },
      allows: () => true,
    }
  }
  const credentials = options.allow_credentials === true
  const exact = new Set<string>()
  let anyOrigin = false
  let allowNull = false
  for (const [i, entry] of (options.allow_origins ?? []).entries()) {
    const e = entry.trim()
    if (e === '*') anyOrigin = true
    else if (e.toLowerCase() === 'null') allowNull = true
    else exact.add(canonicalOrigin(e, `${where}.allow_origins.${i}`))
  }
  const patterns = (options.allow_origin_patterns ?? []).map((p, i) => {
    try {
      return new RegExp(`^(?:${p})$`, 'i')
    } catch (err) {
      const why = err instanceof Error ? err.message : String(err)
      throw new Error(`${where}.allow_origin_patterns.${i}: "${p}" is not a valid regular expression (${why})`)
    }
  })
  if (!anyOrigin && !allowNull && exact.size === 0 && patterns.length === 0) {
    throw new Error(`${where}.allow_origins: no origin is allowed; list origins or patterns (or "*" for any origin)`)
  }
  if (credentials) {
    // Fetch #cors-protocol-and-credentials: `*` is never honoured with credentials, and echoing any
    // origin with credentials would let every site read a user's authenticated responses.
    if (anyOrigin) throw new Error(`${where}: allow_credentials cannot be combined with "*" in allow_origins; list the origins`)
    const wide = patterns.findIndex((re) => re.test(WILDCARD_PROBE))
    if (wide !== -1) {
      throw new Error(`${where}.allow_origin_patterns.${wide}: matches any origin, which allow_credentials forbids`)
    }
  }

  const methods = tokens(options.allow_methods ?? DEFAULT_METHODS, `${where}.allow_methods`, 'method').map((m) =>
    NORMALIZED_METHODS.has(m.toUpperCase()) ? m.toUpperCase() : m,
  )
  const headers = options.allow_headers === undefined ? null : tokens(options.allow_headers, `${where}.allow_headers`, 'header name')
  const expose = tokens(options.expose_headers ?? [], `${where}.expose_headers`, 'header name')
  for (const [key, list] of [['allow_methods', methods], ['allow_headers', headers ?? []], ['expose_headers', expose]] as const) {
    if (credentials && list.includes('*')) {
      throw new Error(`${where}.${key}: "*" is a literal name, not a wildcard, when allow_credentials is true; list the names`)
    }
  }
  const maxAge = options.max_age
  if (maxAge !== undefined && (!Number.isInteger(maxAge) || maxAge < 0)) {
    throw new Error(`${where}.max_age: must be a whole number of seconds >= 0`)
  }

  const anyMethod = methods.includes('*')
  const methodSet = new Set(methods)
  const anyHeader = headers?.includes('*') ?? false
  const headerSet = new Set((headers ?? []).map((h) => h.toLowerCase()))

  // Everything except Allow-Origin (and reflected Allow-Headers) is fixed per config.
  const actualTail: [string, string][] = []
  if (credentials) actualTail.push(['access-control-allow-credentials', 'true'])
  if (expose.length > 0) actualTail.push(['access-control-expose-headers', expose.join(', ')])
  actualTail.push(['vary', 'Origin'])
  const preflightTail: [string, string][] = []
  if (credentials) preflightTail.push(['access-control-allow-credentials', 'true'])
  preflightTail.push(['access-control-allow-methods', methods.join(', ')])
  if (headers !== null && headers.length > 0) preflightTail.push(['access-control-allow-headers', headers.join(', ')])
  if (maxAge !== undefined) preflightTail.push(['access-control-max-age', String(maxAge)])
  preflightTail.push(VARY_PREFLIGHT)
  const wildcardActual: HeaderPairs = Object.freeze([['access-control-allow-origin', '*'] as const, ...actualTail])

  function originAllowed(origin: string): boolean {
    const key = origin.toLowerCase()
    // RFC 6454 §7.1: `null` comes from sandboxes, data: and file: documents, which any site can
    // create, so it must be named explicitly; neither `*` nor a pattern ever admits it.
    if (key === 'null') return allowNull
    if (anyOrigin || exact.has(key)) return true
    if (patterns.length === 0 || !ORIGIN_SHAPE.test(key)) return false
    for (const re of patterns) if (re.test(key)) return true
    return false
  }

  // The browser compares Allow-Origin byte for byte with its own serialization (Fetch #cors-check),
  // so an allowed origin is echoed exactly as sent; `*` only without credentials (checked above).
  const allowOriginValue = (origin: string): string => (anyOrigin && origin.toLowerCase() !== 'null' ? '*' : origin)

  /** Returns the Allow-Headers value to send, '' when none is needed, or null to refuse. */
  function checkRequestedHeaders(requested: string | null): string | null {
    if (requested === null || requested.trim() === '') return ''
    const names = requested.split(',').map((h) => h.trim().toLowerCase()).filter((h) => h !== '')
    for (const name of names) {
      if (!TOKEN.test(name)) return null
      if (headers === null) continue
      if (headerSet.has(name)) continue
      if (anyHeader && name !== NON_WILDCARD_HEADER) continue
      return null
    }
    return headers === null ? names.join(', ') : ''
  }

  return {
    preflight: function corsPreflight(request: Request): Response | null {
      // Fetch #cors-preflight-request: OPTIONS carrying Origin and Access-Control-Request-Method.
      if (request.method !== 'OPTIONS') return null
      const origin = request.headers.get('origin')
      const method = request.headers.get('access-control-request-method')
      if (origin === null || method === null) return null
      const allowHeaders = checkRequestedHeaders(request.headers.get('access-control-request-headers'))
      if (!originAllowed(origin) || !(anyMethod || methodSet.has(method.trim())) || allowHeaders === null) {
        // No Allow-Origin: the browser fails the preflight and the upstream is never asked.
        return new Response(null, { status: 403, headers: [VARY_PREFLIGHT] })
      }
      const out: [string, string][] = [['access-control-allow-origin', allowOriginValue(origin)], ...preflightTail]
      if (allowHeaders !== '') out.push(['access-control-allow-headers', allowHeaders])
      return new Response(null, { status: 204, headers: out })
    },
    allows: originAllowed,
    headersFor: function corsHeaders(request: Request): HeaderPairs {
      const origin = request.headers.get('origin')
      if (origin === null || !originAllowed(origin)) return VARY_ACTUAL
      if (anyOrigin && origin.toLowerCase() !== 'null') return wildcardActual
      return [['access-control-allow-origin', origin], ...actualTail]
    },
  }
}

/**
 * A route's CORS (its block, else the global one): its request hook answers preflights, so they
 * never reach auth, limits or the upstream; its response hook replaces the upstream's CORS
 * fields on every other answer, the gateway's own errors included (a browser can read a 401).
 */
export function createCorsPolicy(block: CorsConfig | undefined, where: string): RoutePolicy | null {
  if (block === undefined || block.enabled === false) return null
  const cors = createCors(block, where)
  return {
    name: 'cors',
    onRequest: function corsPreflight(ctx) {
      return cors.preflight(ctx.request) ?? undefined
    },
    onResponseHead: function corsHeaders(ctx, head) {
      const h = head.headers
      for (const name of CORS_RESPONSE_FIELDS) h.delete(name)
      for (const [name, value] of cors.headersFor(ctx.request)) {
        if (name === 'vary') mergeVary(h, value)
        else h.set(name, value)
      }
    },
  }
}
