/**
 * Attacks against authentication and edge protection, refused with the right status and
 * without reaching the upstream; legitimate credentials pass. Runs on every runtime.
 */
import { describe, expect, inject, test } from 'vitest'
import { admin, base } from './client.ts'

const C = inject('upC')
const KEY = 'conformance-key-acme-7d41c0'
const ADMIN_KEY = 'conformance-key-root-2b9e55'

async function hitsOfC(reset = false): Promise<number> {
  const r = await fetch(`${C}/__control${reset ? '?reset=1' : ''}`)
  return ((await r.json()) as { hits: number }).hits
}

async function call(path: string, init: RequestInit = {}) {
  const res = await fetch(base + path, init)
  const text = await res.text()
  let json: any = null
  try {
    json = JSON.parse(text)
  } catch {}
  return { res, status: res.status, json, text }
}

const basic = (user: string, pass: string) => `Basic ${btoa(`${user}:${pass}`)}`

describe('API keys', () => {
  test('missing, wrong and expired keys: 401 JSON with a challenge, and the upstream never sees them', async () => {
    await hitsOfC(true)
    const none = await call('/sec/key/x')
    expect(none.status).toBe(401)
    expect(none.res.headers.get('www-authenticate')).toContain('ApiKey')
    expect(none.json.error).toMatchObject({ status: 401, code: 'unauthenticated' })
    expect(none.json.error.request_id).toBe(none.res.headers.get('x-request-id'))
    const wrong = await call('/sec/key/x', { headers: { 'x-api-key': `${KEY}x` } })
    expect([wrong.status, wrong.json.error.code]).toEqual([401, 'invalid_api_key'])
    const expired = await call('/sec/key/x', { headers: { 'x-api-key': 'expired-key-0000000000' } })
    expect([expired.status, expired.json.error.code]).toEqual([401, 'expired_api_key'])
    expect(await hitsOfC()).toBe(0)
  })

  test('a valid key passes (header or query); forged identity headers are replaced', async () => {
    await hitsOfC(true)
    const ok = await call('/sec/key/x', { headers: { 'x-api-key': KEY, 'x-client-id': 'root' } })
    expect(ok.status).toBe(200)
    expect(ok.json.headers['x-client-id']).toBe('acme')
    const viaQuery = await call(`/sec/key/x?api_key=${KEY}`)
    expect(viaQuery.status).toBe(200)
    expect(await hitsOfC()).toBe(2)
  })

  test('a valid identity without the route role: 403; with it: 200', async () => {
    expect((await call('/sec/admin', { headers: { 'x-api-key': KEY } })).status).toBe(403)
    expect((await call('/sec/admin', { headers: { 'x-api-key': ADMIN_KEY } })).status).toBe(200)
  })

  test('a key added through the admin API works at once, and stops working once revoked (no reload)', async () => {
    const created = await admin('/api-keys', undefined, { method: 'POST', body: JSON.stringify({ client_id: 'gamma', roles: ['read'] }), headers: { 'content-type': 'application/json' } })
    expect(created.status).toBe(201)
    const { id, key } = (await created.json()) as { id: string; key: string }
    const ok = await call('/sec/key/x', { headers: { 'x-api-key': key } })
    expect(ok.status).toBe(200)
    expect(ok.json.headers['x-client-id']).toBe('gamma')
    expect((await admin(`/api-keys/${id}`, undefined, { method: 'DELETE' })).status).toBe(204)
    expect((await call('/sec/key/x', { headers: { 'x-api-key': key } })).status).toBe(401)
    // The admin API itself needs the admin token.
    expect((await admin('/api-keys', null, { method: 'POST', body: '{}' })).status).toBe(401)
  })

  test('the authenticated client_id keys the rate limit', async () => {
    expect((await call('/sec/key-limited', { headers: { 'x-api-key': KEY } })).status).toBe(200)
    expect((await call('/sec/key-limited', { headers: { 'x-api-key': KEY } })).status).toBe(429)
    expect((await call('/sec/key-limited', { headers: { 'x-api-key': ADMIN_KEY } })).status).toBe(200)
  })

  test('optional auth: anonymous passes, but a forged X-Client-ID never does', async () => {
    const anon = await call('/sec/optional/x', { headers: { 'x-client-id': 'root' } })
    expect(anon.status).toBe(200)
    expect(anon.json.headers['x-client-id']).toBeUndefined()
    // A credential that is presented is checked even where auth is optional.
    expect((await call('/sec/optional/x', { headers: { 'x-api-key': 'nope' } })).status).toBe(401)
  })
})

describe('Basic auth (bcrypt)', () => {
  test('right password passes; wrong password, unknown user and garbage are 401 with the realm', async () => {
    expect((await call('/sec/basic', { headers: { authorization: basic('alice', 'open-sesame') } })).status).toBe(200)
    for (const auth of [basic('alice', 'open-sesam'), basic('mallory', 'open-sesame'), 'Basic !!!not-base64', basic('alice', '')]) {
      const r = await call('/sec/basic', { headers: { authorization: auth } })
      expect(r.status, auth).toBe(401)
      expect(r.res.headers.get('www-authenticate')).toBe('Basic realm="Conformance", charset="UTF-8"')
    }
  })

  test('several methods: no credential gets every challenge; each method works', async () => {
    const none = await call('/sec/either')
    expect(none.status).toBe(401)
    const challenge = none.res.headers.get('www-authenticate') ?? ''
    expect(challenge).toContain('ApiKey')
    expect(challenge).toContain('Basic realm="Conformance"')
    expect((await call('/sec/either', { headers: { 'x-api-key': KEY } })).status).toBe(200)
    expect((await call('/sec/either', { headers: { authorization: basic('alice', 'open-sesame') } })).status).toBe(200)
  })
})

describe('CORS', () => {
  const preflight = (origin: string, method = 'POST') =>
    call('/sec/cors', { method: 'OPTIONS', headers: { origin, 'access-control-request-method': method, 'access-control-request-headers': 'content-type' } })

  test('a preflight from an allowed origin is answered by the gateway', async () => {
    const r = await preflight('https://app.example.com')
    expect(r.status).toBe(204)
    expect(r.res.headers.get('access-control-allow-origin')).toBe('https://app.example.com')
    expect(r.res.headers.get('access-control-allow-credentials')).toBe('true')
    expect(r.res.headers.get('access-control-allow-methods')).toContain('POST')
    expect(r.res.headers.get('access-control-max-age')).toBe('600')
    expect(r.res.headers.get('vary')?.toLowerCase()).toContain('origin')
    expect((await preflight('https://api.example.org')).status).toBe(204)
  })

  test('origin tricks are refused: suffix/prefix look-alikes, null, another scheme', async () => {
    for (const origin of ['https://evil.com', 'https://app.example.com.evil.com', 'https://evil.com.example.org', 'https://api.example.org.evil.com', 'null', 'http://app.example.com']) {
      const r = await preflight(origin)
      expect(r.res.headers.get('access-control-allow-origin'), origin).toBeNull()
      expect(r.status, origin).not.toBe(204)
    }
  })

  test('actual requests: the allowed origin is echoed with credentials, others get nothing; Vary: Origin on both', async () => {
    const ok = await call('/sec/cors', { headers: { origin: 'https://app.example.com' } })
    expect(ok.status).toBe(200)
    expect(ok.res.headers.get('access-control-allow-origin')).toBe('https://app.example.com')
    expect(ok.res.headers.get('vary')?.toLowerCase()).toContain('origin')
    const evil = await call('/sec/cors', { headers: { origin: 'https://evil.com' } })
    expect(evil.res.headers.get('access-control-allow-origin')).toBeNull()
    expect(evil.res.headers.get('vary')?.toLowerCase()).toContain('origin')
  })
})

describe('IP filter', () => {
  test('a denied client gets 403 JSON with the request id', async () => {
    const r = await call('/sec/deny-local')
    expect(r.status).toBe(403)
    expect(r.json.error).toMatchObject({ code: 'ip_forbidden' })
    expect(r.json.error.request_id).toBe(r.res.headers.get('x-request-id'))
  })

  test('a forged X-Forwarded-For from an untrusted peer does not pass an allow list', async () => {
    for (const xff of ['10.1.2.3', '10.1.2.3, 10.9.9.9', '::ffff:10.1.2.3']) {
      const r = await call('/sec/allow-ten', { headers: { 'x-forwarded-for': xff, 'x-real-ip': '10.1.2.3' } })
      expect(r.status, xff).toBe(403)
    }
  })
})

describe('security headers', () => {
  test('frame options, nosniff, CSP and referrer policy; no HSTS over plain http', async () => {
    const r = await call('/sec/headers')
    expect(r.res.headers.get('x-frame-options')).toBe('DENY')
    expect(r.res.headers.get('x-content-type-options')).toBe('nosniff')
    expect(r.res.headers.get('content-security-policy')).toBe("default-src 'none'")
    expect(r.res.headers.get('referrer-policy')).toBe('no-referrer')
    expect(r.res.headers.get('strict-transport-security')).toBeNull()
  })
})

describe('request limits', () => {
  test('a request target over 8 KiB: 414 JSON', async () => {
    const r = await call(`/echo/${'a'.repeat(9000)}`)
    expect(r.status).toBe(414)
    expect(r.json.error.code).toBe('uri_too_long')
  })

  test('more than 100 header fields: 431 JSON', async () => {
    const headers: Record<string, string> = {}
    for (let i = 0; i < 120; i++) headers[`x-h${i}`] = 'v'
    const r = await call('/echo/x', { headers })
    expect(r.status).toBe(431)
    expect(r.json.error.code).toBe('header_fields_too_large')
    expect(r.json.error.request_id).toBeTruthy()
  })
})

describe('OAuth2 introspection (RFC 7662)', () => {
  test('an active opaque token passes; a revoked or unknown one is 401; answers are cached', async () => {
    const stats = async () => ((await (await fetch(inject('introspectionStatsUrl'))).json()) as { calls: number }).calls
    const before = await stats()
    const ok = await Promise.all(Array.from({ length: 20 }, () => call('/oauth', { headers: { authorization: 'Bearer opaque-active-token-9f3a' } })))
    expect(ok.every((r) => r.status === 200)).toBe(true)
    expect((await stats()) - before).toBe(1) // 20 concurrent requests, one introspection call
    const revoked = await call('/oauth', { headers: { authorization: 'Bearer opaque-revoked-token-1c7e' } })
    expect(revoked.status).toBe(401)
    expect(revoked.res.headers.get('www-authenticate')).toContain('invalid_token')
    expect((await call('/oauth')).status).toBe(401)
  })
})
