import { describe, expect, test } from 'vitest'
import type { CorsConfig } from '../../../src/config/types-policies.ts'
import type { HeaderPairs } from '../../../src/core/headers.ts'
import { createCors } from '../../../src/policies/cors.ts'
import { testGateway } from '../../helpers/gateway-request.ts'

const URL_ = 'https://api.example.com/v1/things'

function preflight(origin: string | null, method = 'PUT', requestHeaders?: string): Request {
  const headers = new Headers({ 'access-control-request-method': method })
  if (origin !== null) headers.set('origin', origin)
  if (requestHeaders !== undefined) headers.set('access-control-request-headers', requestHeaders)
  return new Request(URL_, { method: 'OPTIONS', headers })
}

function actual(origin: string | null, method = 'GET'): Request {
  return new Request(URL_, { method, headers: origin === null ? {} : { origin } })
}

const asMap = (pairs: HeaderPairs) => new Map(pairs.map(([k, v]) => [k, v]))

function allowedOrigin(options: Partial<CorsConfig>, origin: string): string | null {
  return asMap(createCors(options).headersFor(actual(origin))).get('access-control-allow-origin') ?? null
}

describe('CORS preflight', () => {
  const cors = createCors({
    allow_origins: ['https://app.example.com'],
    allow_methods: ['GET', 'PUT'],
    allow_headers: ['Content-Type', 'Authorization'],
    max_age: 600,
  })

  test('an allowed origin gets 204 with the configured methods, headers and max-age, without asking the upstream', async () => {
    const res = cors.preflight(preflight('https://app.example.com', 'PUT', 'content-type, authorization'))!
    expect(res.status).toBe(204)
    expect(await res.text()).toBe('')
    expect(res.headers.get('access-control-allow-origin')).toBe('https://app.example.com')
    expect(res.headers.get('access-control-allow-methods')).toBe('GET, PUT')
    expect(res.headers.get('access-control-allow-headers')).toBe('Content-Type, Authorization')
    expect(res.headers.get('access-control-max-age')).toBe('600')
    expect(res.headers.get('access-control-allow-credentials')).toBeNull()
    expect(res.headers.get('vary')).toBe('Origin, Access-Control-Request-Method, Access-Control-Request-Headers')
  })

  test('a disallowed origin gets an empty 403 with no Access-Control-Allow-Origin', async () => {
    const res = cors.preflight(preflight('https://evil.example.net'))!
    expect(res.status).toBe(403)
    expect(await res.text()).toBe('')
    expect(res.headers.get('content-type')).toBeNull()
    expect(res.headers.get('access-control-allow-origin')).toBeNull()
    expect(res.headers.get('access-control-allow-methods')).toBeNull()
    expect(res.headers.get('vary')).toBe('Origin, Access-Control-Request-Method, Access-Control-Request-Headers')
  })

  test('a method or header outside the lists is refused with 403', () => {
    expect(cors.preflight(preflight('https://app.example.com', 'DELETE'))!.status).toBe(403)
    expect(cors.preflight(preflight('https://app.example.com', 'PUT', 'x-secret'))!.status).toBe(403)
  })

  test('OPTIONS without Origin or Access-Control-Request-Method, and other methods, are not preflights', () => {
    expect(cors.preflight(preflight(null))).toBeNull()
    expect(cors.preflight(new Request(URL_, { method: 'OPTIONS', headers: { origin: 'https://app.example.com' } }))).toBeNull()
    expect(cors.preflight(actual('https://app.example.com'))).toBeNull()
  })

  test('without allow_headers the requested names are reflected, and junk names are refused', () => {
    const open = createCors({ allow_origins: ['https://app.example.com'] })
    const res = open.preflight(preflight('https://app.example.com', 'PATCH', 'X-Trace-Id ,Content-Type'))!
    expect(res.status).toBe(204)
    expect(res.headers.get('access-control-allow-headers')).toBe('x-trace-id, content-type')
    expect(open.preflight(preflight('https://app.example.com', 'PATCH', 'bad name'))!.status).toBe(403)
  })

  test('"*" in allow_headers does not cover Authorization, as in browsers', () => {
    const star = createCors({ allow_origins: ['https://app.example.com'], allow_headers: ['*'] })
    expect(star.preflight(preflight('https://app.example.com', 'PUT', 'x-anything'))!.status).toBe(204)
    expect(star.preflight(preflight('https://app.example.com', 'PUT', 'authorization'))!.status).toBe(403)
  })
})

describe('CORS on actual responses', () => {
  test('an allowed origin is echoed with credentials and exposed headers', () => {
    const cors = createCors({
      allow_origins: ['https://app.example.com'],
      allow_credentials: true,
      expose_headers: ['X-Request-ID', 'RateLimit'],
    })
    expect(cors.headersFor(actual('https://app.example.com'))).toEqual([
      ['access-control-allow-origin', 'https://app.example.com'],
      ['access-control-allow-credentials', 'true'],
      ['access-control-expose-headers', 'X-Request-ID, RateLimit'],
      ['vary', 'Origin'],
    ])
  })

  test('"*" without credentials answers "*", never credentials', () => {
    const pairs = asMap(createCors({ allow_origins: ['*'] }).headersFor(actual('https://any.example.org')))
    expect(pairs.get('access-control-allow-origin')).toBe('*')
    expect(pairs.has('access-control-allow-credentials')).toBe(false)
  })

  test('Vary: Origin is on every path: allowed, refused, wildcard and no Origin at all', () => {
    const listed = createCors({ allow_origins: ['https://app.example.com'] })
    const star = createCors({ allow_origins: ['*'] })
    for (const pairs of [
      listed.headersFor(actual('https://app.example.com')),
      listed.headersFor(actual('https://evil.example.net')),
      listed.headersFor(actual(null)),
      star.headersFor(actual('https://x.example.org')),
      star.headersFor(actual('null')),
    ]) {
      expect(asMap(pairs).get('vary')).toBe('Origin')
    }
    expect(listed.headersFor(actual('https://evil.example.net'))).toEqual([['vary', 'Origin']])
  })

  test('the cors policy drops the upstream CORS fields and merges Vary on proxied answers', async () => {
    const upstream = () => new Response('x', { headers: { 'access-control-allow-origin': '*', 'access-control-allow-credentials': 'true', vary: 'Accept-Encoding' } })
    const gw = await testGateway(
      'routes: [{ id: r, path: /r, backends: [{ url: "http://up.test" }], cors: { allow_origins: ["https://app.example.com"] } }]',
      upstream,
    )
    const evil = await gw.request('/r', { headers: { origin: 'https://evil.example.net' } })
    expect(evil.headers.get('access-control-allow-origin')).toBeNull()
    expect(evil.headers.get('access-control-allow-credentials')).toBeNull()
    expect(evil.headers.get('vary')).toBe('Accept-Encoding, Origin')
    const app = await gw.request('/r', { headers: { origin: 'https://app.example.com' } })
    expect(app.headers.get('vary')).toBe('Accept-Encoding, Origin')
    expect(app.headers.get('access-control-allow-origin')).toBe('https://app.example.com')
  })

  test('the returned pairs are shared and frozen', () => {
    const pairs = createCors({ allow_origins: ['*'] }).headersFor(actual(null))
    expect(Object.isFrozen(pairs)).toBe(true)
  })
})

describe('credentials are never combined with a wildcard', () => {
  test('"*" origin with allow_credentials is a config error', () => {
    expect(() => createCors({ allow_origins: ['*'], allow_credentials: true }, 'routes.2.cors')).toThrow(
      'routes.2.cors: allow_credentials cannot be combined with "*" in allow_origins',
    )
  })

  test('a pattern that matches any origin is a wildcard in disguise', () => {
    expect(() => createCors({ allow_origin_patterns: ['https?://.*'], allow_credentials: true })).toThrow(
      'cors.allow_origin_patterns.0: matches any origin',
    )
    expect(() => createCors({ allow_origin_patterns: ['https://[a-z]+\\.example\\.com'], allow_credentials: true })).not.toThrow()
  })

  test('"*" in methods, headers or exposed headers is refused with credentials', () => {
    for (const key of ['allow_methods', 'allow_headers', 'expose_headers'] as const) {
      expect(() => createCors({ allow_origins: ['https://a.example.com'], allow_credentials: true, [key]: ['*'] })).toThrow(`cors.${key}`)
    }
  })
})

describe('origin matching', () => {
  test('patterns are anchored: a listed host as a prefix or suffix of another host does not pass', () => {
    const exact = { allow_origin_patterns: ['https://example\\.com'] }
    expect(allowedOrigin(exact, 'https://example.com')).toBe('https://example.com')
    expect(allowedOrigin(exact, 'https://example.com.evil.com')).toBeNull()
    expect(allowedOrigin(exact, 'https://evil.com.example.com')).toBeNull()
    // A bare host pattern would match inside any origin if it were not anchored.
    expect(allowedOrigin({ allow_origin_patterns: ['example\\.com'] }, 'https://evil.com.example.com')).toBeNull()
  })

  test('subdomain patterns match one label only when written so, and never a lookalike suffix', () => {
    const sub = { allow_origin_patterns: ['https://[a-z0-9-]+\\.example\\.com'] }
    expect(allowedOrigin(sub, 'https://api.example.com')).toBe('https://api.example.com')
    expect(allowedOrigin(sub, 'https://evil.com.example.com')).toBeNull()
    expect(allowedOrigin(sub, 'https://api.example.com.evil.com')).toBeNull()
    expect(allowedOrigin(sub, 'https://evilexample.com')).toBeNull()
  })

  test('alternation is anchored as a whole, not just its first and last branch', () => {
    const alt = { allow_origin_patterns: ['https://a\\.example\\.com|https://b\\.example\\.com'] }
    expect(allowedOrigin(alt, 'https://b.example.com')).toBe('https://b.example.com')
    expect(allowedOrigin(alt, 'https://a.example.com.evil.com')).toBeNull()
    expect(allowedOrigin(alt, 'https://evil.com/https://b.example.com')).toBeNull()
  })

  test('a pattern with .* cannot swallow a path, userinfo or a second origin', () => {
    const dotStar = { allow_origin_patterns: ['https://.*\\.example\\.com'] }
    expect(allowedOrigin(dotStar, 'https://deep.api.example.com')).toBe('https://deep.api.example.com')
    for (const forged of ['https://evil.com/x.example.com', 'https://evil.com#.example.com', 'https://evil.com, https://a.example.com', 'https://u@a.example.com']) {
      expect(allowedOrigin(dotStar, forged)).toBeNull()
    }
  })

  test('Origin: null passes only when "null" is listed literally', () => {
    expect(allowedOrigin({ allow_origins: ['*'] }, 'null')).toBeNull()
    expect(allowedOrigin({ allow_origin_patterns: ['.*'] }, 'null')).toBeNull()
    expect(allowedOrigin({ allow_origins: ['https://app.example.com'] }, 'null')).toBeNull()
    expect(allowedOrigin({ allow_origins: ['null'] }, 'null')).toBe('null')
    expect(createCors({ allow_origins: ['*'] }).preflight(preflight('null'))!.status).toBe(403)
  })

  test('scheme and host compare case-insensitively; the port must match exactly', () => {
    const opts = { allow_origins: ['HTTPS://App.Example.COM', 'http://localhost:3000'] }
    expect(allowedOrigin(opts, 'https://app.example.com')).toBe('https://app.example.com')
    // Echoed exactly as sent: browsers compare Allow-Origin byte for byte with what they sent.
    expect(allowedOrigin(opts, 'HTTPS://APP.EXAMPLE.COM')).toBe('HTTPS://APP.EXAMPLE.COM')
    expect(allowedOrigin(opts, 'https://app.example.com:8443')).toBeNull()
    expect(allowedOrigin(opts, 'http://app.example.com')).toBeNull()
    expect(allowedOrigin(opts, 'http://localhost:3000')).toBe('http://localhost:3000')
    expect(allowedOrigin(opts, 'http://localhost:3001')).toBeNull()
    expect(allowedOrigin(opts, 'http://localhost')).toBeNull()
    // The default port is not part of a serialized origin (RFC 6454 §6.2).
    expect(allowedOrigin({ allow_origins: ['https://app.example.com:443'] }, 'https://app.example.com')).toBe('https://app.example.com')
  })

  test('non-special schemes (mobile shells) match too', () => {
    expect(allowedOrigin({ allow_origins: ['capacitor://localhost'] }, 'capacitor://localhost')).toBe('capacitor://localhost')
  })
})

describe('CORS config errors name the entry', () => {
  test('an origin with a path, an invalid pattern, or nothing allowed', () => {
    expect(() => createCors({ allow_origins: ['https://ok.example.com', 'https://app.example.com/app'] }, 'routes.1.cors')).toThrow(
      'routes.1.cors.allow_origins.1: "https://app.example.com/app" is not an origin',
    )
    expect(() => createCors({ allow_origin_patterns: ['https://(unclosed'] })).toThrow(
      'cors.allow_origin_patterns.0: "https://(unclosed" is not a valid regular expression',
    )
    expect(() => createCors({ allow_origins: ['https://*.example.com'] })).toThrow(
      'cors.allow_origins.0: "https://*.example.com": wildcards go in allow_origin_patterns',
    )
    expect(() => createCors({})).toThrow('cors.allow_origins: no origin is allowed')
    expect(() => createCors({ allow_origins: ['*'], allow_methods: ['GET', 'BAD METHOD'] })).toThrow('cors.allow_methods.1')
    expect(() => createCors({ allow_origins: ['*'], max_age: -1 })).toThrow('cors.max_age')
  })

  test('enabled: false answers nothing and adds nothing', () => {
    const off = createCors({ enabled: false })
    expect(off.preflight(preflight('https://app.example.com'))).toBeNull()
    expect(off.headersFor(actual('https://app.example.com'))).toEqual([])
  })
})
