/**
 * Phase order and the one finish, in process (test/helpers/gateway-request.ts): the pipeline
 * of createGateway with a recording runtime; no listener, no sockets.
 */
import { describe, expect, test } from 'vitest'
import { resolveRoute } from '../../../src/config/resolve.ts'
import { parseConfig } from '../../../src/config/load.ts'
import { createMemoryStore } from '../../../src/store/memory-store.ts'
import { compileRoutePolicies, ROUTE_POLICIES } from '../../../src/policies/registry.ts'
import { testGateway } from '../../helpers/gateway-request.ts'

const ORIGIN = 'https://app.example.com'
const CONFIG = `
logging: { access_log: true }
authentication: { api_key: { enabled: true, keys: [{ key: k-123, client_id: acme }] } }
routes:
  - id: guarded
    path: /g
    echo: true
    ip_filter: { deny: ["203.0.113.0/24"] }
    cors: { allow_origins: ["${ORIGIN}"] }
    auth: { methods: [api_key] }
    rate_limit: { rate: 1, period: 1m, burst: 2, key: ip }
  - id: up
    path: /up
    path_prefix: true
    backends: [{ url: "http://up.test" }]
`

function preflight(): RequestInit {
  return { method: 'OPTIONS', headers: { origin: ORIGIN, 'access-control-request-method': 'GET' } }
}

describe('phase order', () => {
  test('the policy table is in the documented order', () => {
    expect(ROUTE_POLICIES.map((p) => p.name)).toEqual(['ip_filter', 'cors', 'security_headers', 'auth', 'rate_limit', 'transform'])
  })

  test('ip_filter runs before cors: a denied address gets 403 even for a preflight', async () => {
    const gw = await testGateway(CONFIG)
    const denied = await gw.request('/g', { ...preflight(), remoteAddr: '203.0.113.9' })
    expect(denied.status).toBe(403)
    expect((await denied.json()).error.code).toBe('ip_forbidden')
    const ok = await gw.request('/g', preflight())
    expect(ok.status).toBe(204)
    expect(ok.headers.get('access-control-allow-origin')).toBe(ORIGIN)
  })

  test('a preflight is answered by cors before auth and limits: no credentials needed, no tokens spent', async () => {
    const gw = await testGateway(CONFIG)
    for (let i = 0; i < 5; i++) expect((await gw.request('/g', preflight())).status).toBe(204)
    const authed = await gw.request('/g', { headers: { 'x-api-key': 'k-123' } })
    expect(authed.status).toBe(200)
  })

  test('auth runs before limits: refused requests get 401, never 429, and spend nothing of the limit', async () => {
    const gw = await testGateway(CONFIG)
    for (let i = 0; i < 5; i++) expect((await gw.request('/g')).status).toBe(401)
    expect((await gw.request('/g', { headers: { 'x-api-key': 'k-123' } })).status).toBe(200)
    expect((await gw.request('/g', { headers: { 'x-api-key': 'k-123' } })).headers.get('ratelimit-policy')).not.toBeNull()
  })

  test("the gateway's own errors carry the route's CORS fields and X-Request-ID", async () => {
    const gw = await testGateway(CONFIG)
    const res = await gw.request('/g', { headers: { origin: ORIGIN, 'x-request-id': 'rid-1' } })
    expect(res.status).toBe(401)
    expect(res.headers.get('access-control-allow-origin')).toBe(ORIGIN)
    expect(res.headers.get('x-request-id')).toBe('rid-1')
    expect((await res.json()).error.request_id).toBe('rid-1')
  })

  test('a route without policies compiles to empty hook lists (nothing runs per request)', () => {
    const parsed = parseConfig(CONFIG, 'c.yaml', { env: {} })
    if (!parsed.ok) throw new Error('bad config')
    const store = createMemoryStore({ maxKeys: 10 })
    const p = compileRoutePolicies(resolveRoute(parsed.config.routes[1], parsed.config), { stores: { local: store, shared: store }, authMethods: new Map(), metrics: null })
    expect([p.request.length, p.upstreamRequest.length, p.responseHead.length]).toEqual([0, 0, 0])
  })
})

describe('one finish per request', () => {
  test('echo, preflight, 404, a refusal and a proxied answer each end in exactly one access line', async () => {
    const gw = await testGateway(CONFIG)
    await (await gw.request('/g', { headers: { 'x-api-key': 'k-123' } })).text()
    await (await gw.request('/g', preflight())).text()
    await (await gw.request('/nowhere')).text()
    await (await gw.request('/g')).text()
    await (await gw.request('/up/x')).text()
    expect(gw.access.map((a) => [a.route, a.status])).toEqual([
      ['guarded', 200],
      ['guarded', 204],
      [null, 404],
      ['guarded', 401],
      ['up', 200],
    ])
  })

  test('a chunked body is logged when it ends, with its byte count; a client that cancels is logged as cut', async () => {
    const chunks = (n: number) =>
      new ReadableStream<Uint8Array>({
        start(c) {
          for (let i = 0; i < n; i++) c.enqueue(new Uint8Array(10))
          c.close()
        },
      })
    const gw = await testGateway(CONFIG, () => new Response(chunks(3)))
    const res = await gw.request('/up/a')
    expect(gw.access).toHaveLength(0) // not before the body ends
    expect((await res.arrayBuffer()).byteLength).toBe(30)
    expect(gw.access).toEqual([expect.objectContaining({ route: 'up', status: 200, bytes: 30 })])
    const cut = await gw.request('/up/b')
    await cut.body!.cancel()
    expect(gw.access).toHaveLength(2)
    expect(gw.access[1]).toEqual(expect.objectContaining({ route: 'up', status: 200 }))
  })
})
