/**
 * Runway's spellings of the upstream side, black-box in process: outlier_detection,
 * adaptive_concurrency, `retries: N`, route targets (traffic_split beside backends, ai, an
 * upstream with a service) and `admin.ui`. Each alias gets the same answers as Portico's key.
 */
import { describe, expect, test } from 'vitest'
import type { UpstreamRequest } from '../../../src/core/runtime.ts'
import { createAdminApp } from '../../../src/admin/admin-app.ts'
import { createHolder } from '../../../src/gateway/holder.ts'
import { testGateway } from '../../helpers/gateway-request.ts'

const host = (req: UpstreamRequest) => new URL(req.url).host

describe('outlier_detection', () => {
  /** Six requests over a failing and a healthy backend; how many reached the failing one. */
  async function hitsOnBad(block: string): Promise<number> {
    const yaml = `routes: [{ id: r, path: /r, backends: [{ url: "http://bad.test" }, { url: "http://good.test" }], outlier_detection: ${block} }]`
    const gw = await testGateway(yaml, (req) => new Response('x', { status: host(req) === 'bad.test' ? 500 : 200 }))
    for (let i = 0; i < 6; i++) await gw.request('/r')
    return gw.upstream.filter((r) => host(r) === 'bad.test').length
  }
  const keys = (prefix: string) => `consecutive_errors: 1, ${prefix}: 10m, max_ejection_percent: 50`

  test('base_ejection_duration / max_ejection_duration eject like base_ejection_time / max_ejection_time', async () => {
    const runway = await hitsOnBad(`{ enabled: true, ${keys('base_ejection_duration')}, max_ejection_duration: 10m }`)
    expect(runway).toBe(1)
    expect(await hitsOnBad(`{ ${keys('base_ejection_time')}, max_ejection_time: 10m }`)).toBe(runway)
  })

  test('enabled: false ejects nothing (round robin keeps sending half to the bad backend)', async () => {
    expect(await hitsOnBad(`{ enabled: false, ${keys('base_ejection_duration')} }`)).toBe(3)
  })

  test("a route's enabled: false turns its upstream's detection off", async () => {
    const yaml = [
      'upstreams: { p: { backends: [{ url: "http://bad.test" }, { url: "http://good.test" }], outlier_detection: { consecutive_errors: 1 } } }',
      'routes: [{ id: on, path: /on, upstream: p }, { id: off, path: /off, upstream: p, outlier_detection: { enabled: false } }]',
    ].join('\n')
    const gw = await testGateway(yaml, (req) => new Response('x', { status: host(req) === 'bad.test' ? 500 : 200 }))
    for (let i = 0; i < 6; i++) await gw.request('/off')
    expect(gw.upstream.filter((r) => host(r) === 'bad.test').length).toBe(3)
  })
})

describe('adaptive_concurrency.min_concurrency / max_concurrency', () => {
  /** Two requests at once; the upstream holds each until the second arrives (or is refused). */
  async function secondWhileBusy(block: string): Promise<number[]> {
    let release = () => {}
    const held = new Promise<void>((r) => {
      release = r
    })
    let calls = 0
    const yaml = `routes: [{ id: r, path: /r, backends: [{ url: "http://up.test" }], traffic_shaping: { adaptive_concurrency: ${block} } }]`
    const gw = await testGateway(yaml, async () => {
      if (++calls === 2) release()
      await held
      return new Response('ok')
    })
    const first = gw.request('/r')
    const second = await gw.request('/r')
    release()
    return [(await first).status, second.status]
  }

  test('max_concurrency: 1 refuses a second request in flight, like max_limit: 1', async () => {
    const runway = await secondWhileBusy('{ min_concurrency: 1, max_concurrency: 1 }')
    expect(runway).toEqual([200, 503])
    expect(await secondWhileBusy('{ min_limit: 1, max_limit: 1 }')).toEqual(runway)
    expect(await secondWhileBusy('{ min_concurrency: 2, max_concurrency: 2 }')).toEqual([200, 200])
  })
})

describe('routes[].retries', () => {
  async function attempts(block: string): Promise<{ status: number; tries: number }> {
    const yaml = `routes: [{ id: r, path: /r, backends: [{ url: "http://up.test" }], ${block} }]`
    const gw = await testGateway(yaml, () => new Response('down', { status: 503 }))
    const res = await gw.request('/r')
    return { status: res.status, tries: gw.upstream.length }
  }

  test('retries: 3 on a failing backend tries four times, like retry_policy.max_retries: 3', async () => {
    const runway = await attempts('retries: 3')
    expect(runway).toEqual({ status: 503, tries: 4 })
    expect(await attempts('retry_policy: { max_retries: 3 }')).toEqual(runway)
  })

  test('beside a retry_policy without max_retries it fills the count and keeps the rest of the block', async () => {
    expect(await attempts('retries: 2, retry_policy: { retryable_statuses: [503] }')).toEqual({ status: 503, tries: 3 })
    expect(await attempts('retries: 2, retry_policy: { retryable_statuses: [502] }')).toEqual({ status: 503, tries: 1 })
  })
})

describe('route targets', () => {
  test('traffic_split beside the backends Runway requires: the split groups serve, the backends are not used', async () => {
    const yaml = `routes: [{ id: r, path: /r, backends: [{ url: "http://plain.test" }], traffic_split: [{ name: canary, weight: 1, backends: [{ url: "http://canary.test" }] }] }]`
    const gw = await testGateway(yaml)
    for (let i = 0; i < 3; i++) expect((await gw.request('/r')).status).toBe(200)
    expect(gw.upstream.map(host)).toEqual(['canary.test', 'canary.test', 'canary.test'])
    expect(gw.gateway.routes()[0].target).toBe('traffic_split:canary')
  })

  test('an ai route needs no backend: it is served, answers 503 no_backend and is listed as not active', async () => {
    const gw = await testGateway('routes: [{ id: chat, path: /chat, ai: { provider: openai } }]')
    const res = await gw.request('/chat')
    expect(res.status).toBe(503)
    expect(((await res.json()) as { error: { code: string; message: string } }).error).toMatchObject({ code: 'no_backend', message: 'no endpoints: the ai gateway is not active in this version' })
    expect(gw.gateway.inactive).toContain('routes.chat.ai')
    expect(gw.upstream).toHaveLength(0)
  })

  test('an upstream with a service has no endpoints yet: 503, like an Envoy cluster without hosts', async () => {
    const gw = await testGateway('upstreams: { users: { service: { name: users-svc, tags: [prod] } } }\nroutes: [{ id: u, path: /u, upstream: users }]')
    const res = await gw.request('/u')
    expect(res.status).toBe(503)
    expect(((await res.json()) as { error: { message: string } }).error.message).toBe(
      'no endpoints yet: upstream "users" names a service, and service discovery is not active in this version',
    )
    expect(gw.gateway.inactive).toContain('upstreams.users.service')
    expect(gw.gateway.backends()).toEqual([])
  })
})

describe('admin.ui', () => {
  async function uiStatus(admin: string): Promise<number> {
    const gw = await testGateway(`${admin}\nroutes: [{ id: r, path: /r, echo: true }]`)
    return (await createAdminApp(createHolder(gw.gateway)).request('/ui')).status
  }

  test('ui: { enabled: false } turns the dashboard off like dashboard: { enabled: false }; it is on by default', async () => {
    expect(await uiStatus('admin: { ui: { enabled: false } }')).toBe(404)
    expect(await uiStatus('admin: { dashboard: { enabled: false } }')).toBe(404)
    expect(await uiStatus('admin: { ui: { enabled: true } }')).toBe(200)
    expect(await uiStatus('admin: { enabled: true }')).toBe(200)
  })
})
