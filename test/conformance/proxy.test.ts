import { createHash } from 'node:crypto'
import { gunzipSync } from 'node:zlib'
import { describe, expect, test } from 'vitest'
import { patternBytes } from '../fixtures/upstreams.ts'
import { base, getJson, raw } from './client.ts'
import { testOn } from './skips.ts'
import { inject } from 'vitest'

describe('proxying', () => {
  test('method, query string, body bytes and status pass through unchanged', async () => {
    const { res, json } = await getJson('/up/things?b=2&a=1&a=3', { method: 'PUT', body: 'payload-bytes' })
    expect(res.status).toBe(200)
    expect(json.method).toBe('PUT')
    expect(json.url).toBe('/things?b=2&a=1&a=3')
    expect(json.bodySha256).toBe(createHash('sha256').update('payload-bytes').digest('hex'))
    for (const code of [201, 404, 500, 503]) {
      // The upstream's own answer, body included — not replaced by a gateway error.
      const { res: r, json: j } = await getJson(`/up/status/${code}`)
      expect(r.status).toBe(code)
      expect(j).toEqual({ server: 'A', status: code })
    }
    const nc = await fetch(`${base}/up/no-content`)
    expect(nc.status).toBe(204)
    expect(await nc.text()).toBe('')
  })

  test('X-Forwarded-For is appended, X-Forwarded-Proto/Host and Via are set, Host is the backend', async () => {
    const res = await raw('GET', '/up/fwd', { 'x-forwarded-for': '203.0.113.5', host: 'front.example' })
    const json = JSON.parse(res.body.toString())
    expect(json.headers['x-forwarded-for']).toBe('203.0.113.5, 127.0.0.1')
    expect(json.headers['x-forwarded-proto']).toBe('http')
    expect(json.headers['x-forwarded-host']).toBe('front.example')
    expect(json.headers.via).toContain('portico')
    expect(json.headers.host).toBe(new URL(inject('upA')).host)
  })

  test('hop-by-hop request fields, and those named in Connection, are not forwarded', async () => {
    // A chunked body, so that announcing a Trailer field is a valid request.
    const res = await raw('POST', '/up/hop-req', {
      'transfer-encoding': 'chunked',
      connection: 'keep-alive, X-Custom-Hop',
      'x-custom-hop': 'secret',
      'keep-alive': 'timeout=99',
      'proxy-connection': 'keep-alive',
      te: 'trailers',
      trailer: 'x-checksum',
      // Without `Connection: upgrade` this is no upgrade request, just a field to drop.
      upgrade: 'x-test-proto',
      'x-end-to-end': 'yes',
    }, 'chunked body')
    const { headers: seen, bodyLength } = JSON.parse(res.body.toString())
    expect(bodyLength).toBe('chunked body'.length)
    for (const name of ['x-custom-hop', 'proxy-connection', 'te', 'trailer', 'upgrade']) expect(seen[name], name).toBeUndefined()
    // The gateway's own connection to the upstream may use Keep-Alive, never the client's value.
    expect(seen['keep-alive'] ?? '').not.toBe('timeout=99')
    expect(seen['x-end-to-end']).toBe('yes')
  })

  test('hop-by-hop response fields are stripped; end-to-end ones and every Set-Cookie kept', async () => {
    const res = await raw('GET', '/up/hop')
    for (const name of ['x-upstream-hop', 'proxy-connection', 'trailer', 'upgrade']) expect(res.headers[name], name).toBeUndefined()
    expect(res.headers['keep-alive'] ?? '').not.toBe('timeout=5')
    expect(res.headers.connection ?? '').not.toContain('x-upstream-hop')
    expect(res.headers['x-end-to-end']).toBe('kept')
    expect(res.headers['set-cookie']).toEqual(['a=1; Path=/', 'b=2; Path=/'])
  })

  test('X-Request-ID is taken from the request, sent upstream and returned', async () => {
    const { res, json } = await getJson('/up/rid', { headers: { 'x-request-id': 'conf-rid-1' } })
    expect(res.headers.get('x-request-id')).toBe('conf-rid-1')
    expect(json.headers['x-request-id']).toBe('conf-rid-1')
  })

  test('without X-Request-ID one is generated, the same upstream and back', async () => {
    const { res, json } = await getJson('/up/rid')
    const id = res.headers.get('x-request-id')
    expect(id).toMatch(/^[0-9a-f-]{36}$/)
    expect(json.headers['x-request-id']).toBe(id)
  })

  test('weighted round robin over an upstream pool (2:1)', async () => {
    const servers: string[] = []
    for (let i = 0; i < 6; i++) servers.push((await getJson('/pool/x')).json.server)
    expect(servers.filter((s) => s === 'A')).toHaveLength(4)
    expect(servers.filter((s) => s === 'B')).toHaveLength(2)
  })

  test('consistent_hash on a header pins each user to one backend and spreads users over both', async () => {
    const seen = new Set<string>()
    for (let u = 0; u < 16; u++) {
      const servers = new Set<string>()
      for (let i = 0; i < 3; i++) servers.add((await getJson('/sticky/x', { headers: { 'x-user': `user-${u}` } })).json.server)
      expect(servers.size, `user-${u}`).toBe(1)
      seen.add([...servers][0])
    }
    expect([...seen].sort()).toEqual(['A', 'B'])
  })

  test('rewrite.prefix, rewrite.regex and a backend base path shape the upstream path', async () => {
    expect((await getJson('/rw/x/y?k=v')).json.url).toBe('/v2/x/y?k=v')
    expect((await getJson('/rx/abc/def')).json.url).toBe('/r/abc/def')
    expect((await getJson('/based/x')).json.url).toBe('/base/x')
  })

  testOn('hostOverride', 'rewrite.host sets the upstream Host', async () => {
    expect((await getJson('/rh/x')).json.headers.host).toBe('custom.example')
  })

  test('request/response header transforms with $request_id', async () => {
    const { res, json } = await getJson('/tf/x', { headers: { 'x-remove-me': '1', 'x-request-id': 'tf-1' } })
    expect(json.headers['x-added']).toBe('tf-1')
    expect(json.headers['x-remove-me']).toBeUndefined()
    expect(res.headers.get('x-resp')).toBe('yes')
    expect(res.headers.get('x-upstream-secret')).toBeNull()
  })

  test('multi-MB bodies arrive intact both ways (SHA-256)', async () => {
    const up = patternBytes(6 * 1024 * 1024 + 17)
    const { json } = await getJson('/up/upload', { method: 'POST', body: new Uint8Array(up) })
    expect(json.bodyLength).toBe(up.length)
    expect(json.bodySha256).toBe(createHash('sha256').update(up).digest('hex'))
    const down = await fetch(`${base}/up/big?bytes=${8 * 1024 * 1024 + 3}`)
    const bytes = Buffer.from(await down.arrayBuffer())
    expect(bytes.length).toBe(8 * 1024 * 1024 + 3)
    expect(createHash('sha256').update(bytes).digest('hex')).toBe(down.headers.get('x-sha256'))
  })

  test('a gzip-encoded upstream body reaches the client decodable', async () => {
    expect(await (await fetch(`${base}/up/gzip`)).text()).toBe('hello gzip world')
    const res = await raw('GET', '/up/gzip', { 'accept-encoding': 'gzip' })
    const text = res.headers['content-encoding'] === 'gzip' ? gunzipSync(res.body).toString() : res.body.toString()
    expect(text).toBe('hello gzip world')
  })

  test('the echo route returns method, path, query, headers and body', async () => {
    const body = 'héllo ✓ wörld'
    const { res, json } = await getJson('/echo/a?x=1&x=2&y=3', { method: 'POST', body, headers: { 'X-Test': 't' } })
    expect(res.status).toBe(200)
    expect(res.headers.get('content-type')).toContain('application/json')
    expect(json).toMatchObject({ method: 'POST', path: '/echo/a', query: { x: ['1', '2'], y: '3' }, body })
    expect(json.headers['x-test']).toBe('t') // names lower-cased
  })
})
