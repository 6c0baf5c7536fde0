import { describe, expect, test } from 'vitest'
import { base, expectErrorShape, getJson, raw } from './client.ts'

describe('gateway errors', () => {
  test('no route: 404 JSON error with the request id, as JSON', async () => {
    const { res, json } = await getJson('/nothing-here', { headers: { 'x-request-id': 'err-404' } })
    expect(res.status).toBe(404)
    expect(res.headers.get('content-type')).toContain('application/json')
    expect(res.headers.get('x-request-id')).toBe('err-404')
    expectErrorShape(json, 404, 'route_not_found')
    expect(json.error.request_id).toBe('err-404')
  })

  test('upstream too slow: 504 upstream_timeout', async () => {
    const started = Date.now()
    const { res, json } = await getJson('/to/slow?ms=3000')
    expect(res.status).toBe(504)
    expectErrorShape(json, 504, 'upstream_timeout')
    expect(Date.now() - started).toBeLessThan(2500)
  })

  test('timeout: 0 means no time limit, not an immediate timeout', async () => {
    const { res, json } = await getJson('/no-timeout/slow?ms=300')
    expect(res.status).toBe(200)
    expect(json.slow).toBe(true)
  })

  test('connection refused: 502', async () => {
    const { res, json } = await getJson('/dead/x')
    expect(res.status).toBe(502)
    expectErrorShape(json, 502)
  })

  test('upstream closes the connection before answering: 502', async () => {
    const { res, json } = await getJson('/up/close')
    expect(res.status).toBe(502)
    expectErrorShape(json, 502)
  })

  test('upstream breaks off in the middle of its headers: 502', async () => {
    const { res, json } = await getJson('/up/half-headers')
    expect(res.status).toBe(502)
    expectErrorShape(json, 502)
  })

  test('timeout_policy.header_timeout: 504 when headers are late', async () => {
    const { res, json } = await getJson('/hto/slow?ms=3000')
    expect(res.status).toBe(504)
    expectErrorShape(json, 504, 'upstream_timeout')
  })

  test('timeout_policy.header_timeout does not cut a body that keeps flowing after the headers', async () => {
    // Three chunks 250 ms apart: the body takes longer than the 300 ms header timeout.
    const res = await fetch(`${base}/hto/drip?chunks=3&ms=250`, { headers: { 'accept-encoding': 'identity' } })
    expect(res.status).toBe(200)
    expect(await res.text()).toBe('chunk 0\nchunk 1\nchunk 2\n')
  })

  test('timeout_policy.backend: 504 when the backend is too slow', async () => {
    const { res, json } = await getJson('/bto/slow?ms=3000')
    expect(res.status).toBe(504)
    expectErrorShape(json, 504, 'upstream_timeout')
  })

  test('every gateway error is JSON and carries the request id, in the header and the body', async () => {
    const cases: [string, string, number, string?][] = [
      ['GET', '/echo/%zz', 400],
      ['GET', '/nothing-here', 404],
      ['POST', '/only-get', 405],
      ['POST', '/limit/x', 413, 'x'.repeat(4096)],
      ['GET', '/dead/x', 502],
      ['GET', '/up/close', 502],
      ['GET', '/to/slow?ms=3000', 504],
    ]
    for (const [method, path, status, body] of cases) {
      const rid = `rid-${status}-${Math.random().toString(36).slice(2)}`
      const res = await raw(method, path, { 'x-request-id': rid }, body)
      expect(res.status, path).toBe(status)
      expect(res.headers['content-type'], path).toContain('application/json')
      expect(res.headers['x-request-id'], path).toBe(rid)
      const json = JSON.parse(res.body.toString())
      expectErrorShape(json, status)
      expect(json.error.request_id, path).toBe(rid)
    }
  })

  test('body over max_body_size: 413 (Content-Length)', async () => {
    const { res, json } = await getJson('/limit/x', { method: 'POST', body: 'x'.repeat(4096) })
    expect(res.status).toBe(413)
    expectErrorShape(json, 413, 'payload_too_large')
  })

  test('chunked body growing over max_body_size is refused', async () => {
    const stream = new ReadableStream({
      start(c) {
        for (let i = 0; i < 8; i++) c.enqueue(new TextEncoder().encode('y'.repeat(512)))
        c.close()
      },
    })
    const res = await fetch(`${base}/limit/x`, { method: 'POST', body: stream, duplex: 'half' } as RequestInit)
    const body = await res.text()
    expect(res.status).toBe(413)
    expect(JSON.parse(body).error.code).toBe('payload_too_large')
  })

  test('a chunked body under the limit arrives whole', async () => {
    const stream = new ReadableStream({
      start(c) {
        c.enqueue(new TextEncoder().encode('z'.repeat(600)))
        c.enqueue(new TextEncoder().encode('z'.repeat(300)))
        c.close()
      },
    })
    const res = await fetch(`${base}/limit/x`, { method: 'POST', body: stream, duplex: 'half' } as RequestInit)
    expect(res.status).toBe(200)
    expect((await res.json()).bodyLength).toBe(900)
  })

  test('a body under the limit passes', async () => {
    const { res, json } = await getJson('/limit/x', { method: 'POST', body: 'x'.repeat(1000) })
    expect(res.status).toBe(200)
    expect(json.bodyLength).toBe(1000)
  })

  test('no stack traces leak: every error body is the JSON shape', async () => {
    for (const path of ['/nothing', '/dead/x', '/up/close']) {
      const res = await raw('GET', path)
      const text = res.body.toString()
      expect(text).not.toMatch(/at .+\(.+:\d+:\d+\)|node_modules|\.ts:\d+/)
      expectErrorShape(JSON.parse(text), res.status)
    }
  })
})
