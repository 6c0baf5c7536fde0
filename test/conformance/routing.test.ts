import { describe, expect, test } from 'vitest'
import { getJson, raw } from './client.ts'

const routeOf = async (path: string, init?: RequestInit) => {
  const { res } = await getJson(path, init)
  return res.headers.get('x-route')
}

describe('routing', () => {
  test('exact beats prefix, and the longest prefix wins', async () => {
    expect(await routeOf('/api/users')).toBe('users-exact')
    expect(await routeOf('/api/users/7')).toBe('users-prefix')
    expect(await routeOf('/api/orders')).toBe('api-prefix')
  })

  test('prefixes match whole segments: /api/users does not match /api/usersx', async () => {
    expect(await routeOf('/api/usersx')).toBe('api-prefix')
    const { res } = await getJson('/echox')
    expect(res.status).toBe(404)
  })

  test(':param and trailing * patterns', async () => {
    expect(await routeOf('/items/42')).toBe('item')
    expect((await getJson('/items/42/more')).res.status).toBe(404)
    expect(await routeOf('/files/a/b/c.txt')).toBe('files')
  })

  test('domains, including *. wildcards, with fall-through to a route without domains', async () => {
    // fetch may not set Host itself: raw requests carry the Host we choose.
    const viaHost = async (host: string) => (await raw('GET', '/host', { host })).headers['x-route']
    expect(await viaHost('api.example.com')).toBe('host-specific')
    expect(await viaHost('deep.sub.example.org:8080')).toBe('host-specific')
    expect(await viaHost('example.org')).toBe('host-any')
  })

  test('header, query and cookie matchers', async () => {
    expect(await routeOf('/hdr', { headers: { 'x-version': '2' } })).toBe('header-v2')
    expect(await routeOf('/hdr', { headers: { 'x-version': '1' } })).toBe('header-any')
    expect(await routeOf('/q?debug')).toBe('query-debug')
    expect((await getJson('/q')).res.status).toBe(404)
    expect(await routeOf('/c', { headers: { cookie: 'a=1; beta=on' } })).toBe('cookie-beta')
    expect((await getJson('/c', { headers: { cookie: 'beta=off' } })).res.status).toBe(404)
  })

  test('declaration order breaks ties', async () => {
    expect(await routeOf('/dup')).toBe('first-dup')
  })

  test('a path that matches with the wrong method gets 405 with Allow', async () => {
    const { res, json } = await getJson('/only-get', { method: 'POST', body: 'x' })
    expect(res.status).toBe(405)
    expect(res.headers.get('allow')).toBe('GET, HEAD')
    expect(json.error.code).toBe('method_not_allowed')
    expect((await getJson('/only-get', { method: 'HEAD' })).res.status).toBe(200)
  })

  test('dot segments and encoded traversal are normalised before matching', async () => {
    // /public strips its prefix: whatever reaches upstream A must stay under the route.
    const inside = await raw('GET', '/public/a/../b')
    expect(inside.status).toBe(200)
    expect(JSON.parse(inside.body.toString()).url).toBe('/b')
    for (const attack of ['/public/..%2f..%2fadmin', '/public/%2e%2e/secret', '/public/..%2F../etc', '/public/%2E%2E%2Fx']) {
      const res = await raw('GET', attack)
      if (res.status === 200) {
        // Forwarded: acceptable only as an opaque segment under /public (strip_prefix: upstream
        // root) — once decoded, the upstream path must hold no `..` that climbs out of it.
        const { url } = JSON.parse(res.body.toString())
        const decoded = decodeURIComponent(String(url).split('?')[0])
        expect(decoded.split(/[/\\]/), `${attack} reached upstream as ${url}`).not.toContain('..')
        continue
      }
      // 404: normalised to a path no route serves; 400: a dot segment hidden behind an encoded
      // slash, refused outright. Either way nothing reached an upstream.
      expect([400, 404], attack).toContain(res.status)
    }
    const dup = await raw('GET', '//public//x')
    expect(JSON.parse(dup.body.toString()).url).toBe('/x')
  })

  test('a malformed escape in the path is a 400 JSON error', async () => {
    const res = await raw('GET', '/echo/%zz')
    expect(res.status).toBe(400)
    expect(JSON.parse(res.body.toString()).error.code).toBe('bad_request')
  })
})
