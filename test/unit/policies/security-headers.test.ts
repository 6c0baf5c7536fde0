import { describe, expect, test } from 'vitest'
import { createSecurityHeaders } from '../../../src/policies/security-headers.ts'
import { testGateway } from '../../helpers/gateway-request.ts'

describe('security_headers', () => {
  test('defaults: HSTS for a year with subdomains on HTTPS, nosniff, DENY, no-referrer, XSS auditor off', () => {
    const headers = createSecurityHeaders({})
    expect(headers(true)).toEqual([
      ['strict-transport-security', 'max-age=31536000; includeSubDomains'],
      ['x-content-type-options', 'nosniff'],
      ['x-frame-options', 'DENY'],
      ['referrer-policy', 'no-referrer'],
      ['x-xss-protection', '0'],
    ])
  })

  test('HSTS is never sent over plain HTTP (RFC 6797 §7.2)', () => {
    const headers = createSecurityHeaders({ hsts: { preload: true } })
    expect(headers(true)[0]).toEqual(['strict-transport-security', 'max-age=31536000; includeSubDomains; preload'])
    expect(headers(false).some(([name]) => name === 'strict-transport-security')).toBe(false)
    expect(headers(false).length).toBe(headers(true).length - 1)
  })

  test('the lists are computed once and frozen', () => {
    const headers = createSecurityHeaders({})
    expect(headers(true)).toBe(headers(true))
    expect(Object.isFrozen(headers(true))).toBe(true)
    expect(Object.isFrozen(headers(false)[0])).toBe(true)
  })

  test('every header can be tuned or turned off', () => {
    const headers = createSecurityHeaders({
      hsts: { max_age: 600, include_subdomains: false },
      content_type_options: false,
      frame_options: 'SAMEORIGIN',
      content_security_policy: "default-src 'none'; frame-ancestors 'none'",
      referrer_policy: 'no-referrer, strict-origin-when-cross-origin',
      permissions_policy: 'geolocation=(), camera=()',
      xss_protection: false,
    })
    expect(headers(true)).toEqual([
      ['strict-transport-security', 'max-age=600'],
      ['x-frame-options', 'SAMEORIGIN'],
      ['content-security-policy', "default-src 'none'; frame-ancestors 'none'"],
      ['referrer-policy', 'no-referrer, strict-origin-when-cross-origin'],
      ['permissions-policy', 'geolocation=(), camera=()'],
    ])
    expect(createSecurityHeaders({ hsts: { enabled: false }, frame_options: false, referrer_policy: false })(true)).toEqual([
      ['x-content-type-options', 'nosniff'],
      ['x-xss-protection', '0'],
    ])
    expect(createSecurityHeaders({ enabled: false })(true)).toEqual([])
  })

  test('an upstream Content-Security-Policy is kept; the fixed headers are enforced', async () => {
    const gw = await testGateway(
      `routes: [{ id: r, path: /r, path_prefix: true, backends: [{ url: "http://up.test" }], security_headers: { content_security_policy: "default-src 'self'" } }]`,
      (req) => new Response('x', { headers: req.url.endsWith('/r/csp') ? { 'content-security-policy': "script-src 'nonce-abc'", 'x-frame-options': 'ALLOWALL' } : {} }),
    )
    const withCsp = await gw.request('/r/csp')
    expect(withCsp.headers.get('content-security-policy')).toBe("script-src 'nonce-abc'")
    expect(withCsp.headers.get('x-frame-options')).toBe('DENY')
    const bare = await gw.request('/r/plain')
    expect(bare.headers.get('content-security-policy')).toBe("default-src 'self'")
  })

  test('invalid settings fail at load time and name the key', () => {
    expect(() => createSecurityHeaders({ hsts: { preload: true, include_subdomains: false } }, 'routes.0.security_headers')).toThrow(
      'routes.0.security_headers.hsts.preload',
    )
    expect(() => createSecurityHeaders({ hsts: { preload: true, max_age: 300 } })).toThrow('security_headers.hsts.preload')
    expect(() => createSecurityHeaders({ hsts: { max_age: -5 } })).toThrow('security_headers.hsts.max_age')
    expect(() => createSecurityHeaders({ frame_options: 'ALLOW-FROM https://a.example' as 'DENY' })).toThrow('security_headers.frame_options')
    expect(() => createSecurityHeaders({ referrer_policy: 'no-referer' })).toThrow('"no-referer" is not a referrer policy')
    expect(() => createSecurityHeaders({ xss_protection: '1; report=x' })).toThrow('security_headers.xss_protection')
    expect(() => createSecurityHeaders({ content_security_policy: "default-src 'self'\r\nSet-Cookie: a=b" })).toThrow(
      'content-security-policy value contains characters not allowed',
    )
    expect(() => createSecurityHeaders({ permissions_policy: '  ' })).toThrow('security_headers.permissions_policy')
  })

  test('frame_options is case-insensitive and sent upper-case; a legacy xss string passes', () => {
    const h = createSecurityHeaders({ frame_options: 'sameorigin' as 'SAMEORIGIN', xss_protection: '1; mode=block' })(false)
    expect(new Map(h.map(([k, v]) => [k, v])).get('x-frame-options')).toBe('SAMEORIGIN')
    expect(new Map(h.map(([k, v]) => [k, v])).get('x-xss-protection')).toBe('1; mode=block')
  })
})
