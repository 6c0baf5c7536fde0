import { describe, expect, test } from 'vitest'
import { inject } from 'vitest'
import { admin, adminBase } from './client.ts'
import { testOn } from './skips.ts'

describe('admin API', () => {
  test('GET /healthz and /readyz answer 200', async () => {
    expect((await admin('/healthz')).status).toBe(200)
    const ready = await admin('/readyz')
    expect(ready.status).toBe(200)
    expect((await ready.json()).status).toBe('ready')
  })

  test('GET /routes lists the configured route ids', async () => {
    const body = await (await admin('/routes')).json()
    const ids = (body.routes ?? body).map((r: { id: string }) => r.id)
    expect(ids).toEqual(expect.arrayContaining(['echo', 'up', 'users-exact', 'pool', 'transform']))
  })

  test('GET /backends lists pool and route backends', async () => {
    const body = await (await admin('/backends')).json()
    const urls = body.backends.map((b: { url: string }) => b.url)
    expect(urls).toContain(inject('upA'))
    expect(urls).toContain(inject('upB'))
    const pooled = body.backends.find((b: { upstream?: string }) => b.upstream === 'pool')
    expect(pooled).toMatchObject({ weight: expect.any(Number), inflight: 0, ewma_ms: expect.any(Number) })
  })

  test('GET /upstreams lists the named upstreams with their backends', async () => {
    const body = (await (await admin('/upstreams')).json()) as { upstreams: { name: string; load_balancer: string; backends: { url: string }[] }[] }
    const pool = body.upstreams.find((u) => u.name === 'pool')
    expect(pool?.load_balancer).toBe('round_robin')
    expect(pool?.backends.map((b) => b.url).sort()).toEqual([inject('upA'), inject('upB')].sort())
  })

  test('GET /config is redacted: no token or secret header value appears', async () => {
    const text = await (await admin('/config')).text()
    expect(text).toContain('users-exact')
    expect(text).not.toContain(inject('adminToken'))
    expect(text).not.toContain(inject('upstreamSecret'))
  })

  test('without the token, protected endpoints answer 401', async () => {
    const res = await admin('/routes', null)
    expect(res.status).toBe(401)
    expect(res.headers.get('www-authenticate')).toContain('Bearer')
    expect((await admin('/routes', 'wrong-token')).status).toBe(401)
  })

  testOn('adminListener', 'the admin listener is its own socket bound to loopback', () => {
    const u = new URL(adminBase)
    expect(u.hostname).toBe('127.0.0.1')
    expect(u.pathname).toBe('/')
  })
})
