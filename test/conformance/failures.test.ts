/**
 * Resilience against a backend that fails on command (backend C: up, down = 503, dead = reset).
 */
import { afterEach, describe, expect, test, vi } from 'vitest'
import { inject } from 'vitest'
import { admin, getJson, raw } from './client.ts'
import { testOn } from './skips.ts'

const upC = inject('upC')
const control = async (q: string) => (await (await fetch(`${upC}/__control?${q}`)).json()) as { hits: number }

describe('failures', () => {
  afterEach(async () => {
    await control('mode=up&reset=1')
  })

  test('one of three backends dies mid-run: idempotent requests see zero errors', async () => {
    const statuses: number[] = []
    for (let i = 0; i < 60; i++) {
      if (i === 20) await control('mode=dead')
      statuses.push((await getJson(`/failover/x?i=${i}`)).res.status)
    }
    expect(statuses.filter((s) => s !== 200)).toEqual([])
  })

  test('the retry budget caps amplification: upstream hits ≤ requests × (1 + ratio)', async () => {
    await control('mode=down&reset=1')
    const requests = 20
    for (let i = 0; i < requests; i++) expect((await getJson('/amplification/x')).res.status).toBe(503)
    const { hits } = await control('')
    expect(hits).toBeGreaterThan(requests) // retries did happen
    expect(hits).toBeLessThanOrEqual(requests * 1.5) // ratio 0.5, min_retries 0
  })

  test('an open circuit rejects fast without reaching the upstream', async () => {
    await control('mode=down&reset=1')
    for (let i = 0; i < 2; i++) expect((await getJson('/breaker-c/x')).res.status).toBe(503)
    const before = (await control('')).hits
    for (let i = 0; i < 5; i++) {
      const { res, json } = await getJson('/breaker-c/x')
      expect(res.status).toBe(503)
      expect(json.error.code).toBe('circuit_open')
    }
    expect((await control('')).hits).toBe(before)
    const post = await fetch(`${inject('adminUrl')}/circuit-breakers/breaker-c/reset`, {
      method: 'POST',
      headers: { authorization: `Bearer ${inject('adminToken')}` },
    })
    expect(post.status).toBe(200)
  })

  test('an upstream that resets mid-body cuts the client off cleanly, and the gateway keeps serving', async () => {
    // The client is cut off one way or another — a failed request, a truncated 200 or a 502 when the
    // runtime had not sent the headers yet (workerd buffers them briefly) — but never a whole body.
    // Raw requests on their own connections keep the pooled client out of it.
    const outcome = await raw('GET', '/up/reset-mid-body').then(
      (res) => (res.status === 200 ? `truncated:${res.body.length}` : `status:${res.status}`),
      () => 'errored',
    )
    expect(['errored', 'status:502'].includes(outcome) || (outcome.startsWith('truncated:') && outcome !== 'truncated:100000'), outcome).toBe(true)
    expect((await raw('GET', '/up/after-reset')).status).toBe(200)
  })

  test('adaptive concurrency refuses beyond its limit with 503 and admits again after', async () => {
    const slow = [getJson('/adaptive/slow?ms=700'), getJson('/adaptive/slow?ms=700')]
    // Refused as soon as both slow ones are admitted (well inside their 700 ms).
    await vi.waitFor(async () => {
      const { res, json } = await getJson('/adaptive/x')
      expect(res.status).toBe(503)
      expect(json.error.code).toBe('concurrency_limited')
    }, { timeout: 600, interval: 20 })
    for (const r of await Promise.all(slow)) expect(r.res.status).toBe(200)
    expect((await getJson('/adaptive/x')).res.status).toBe(200)
  })

  testOn('activeChecks', 'health checks eject a failing backend and restore it within interval × threshold + interval', async () => {
    const cState = async () => {
      const { backends } = await (await admin('/backends')).json()
      return backends.find((b: { route?: string; url: string }) => b.route === 'c-checked' && b.url === upC).healthy as boolean
    }
    expect(await cState()).toBe(true)
    await control('mode=down')
    // Within interval × unhealthy_after + one interval (+ the probe timeout).
    await vi.waitFor(async () => expect(await cState()).toBe(false), { timeout: 200 * 2 + 200 + 150, interval: 20 })
    for (let i = 0; i < 5; i++) expect((await getJson('/c-checked/x')).json.server).toBe('A')
    await control('mode=up')
    await vi.waitFor(async () => expect(await cState()).toBe(true), { timeout: 200 * 1 + 200 + 150, interval: 20 })
  })
})
