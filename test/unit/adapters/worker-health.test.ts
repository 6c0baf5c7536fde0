/**
 * The isolate's read policy for shared health verdicts (adapters/cloudflare/health-client.ts),
 * driven by a clock the test sets and an in-memory namespace standing in for the Durable Object
 * binding: at most one read per TTL however many requests arrive, a stale read answered at once
 * with the refresh handed to waitUntil, and a cold read waited for — but never longer than the hold.
 */
import { describe, expect, it } from 'vitest'
import { createWorkerHealth } from '../../../adapters/cloudflare/health-client.ts'
import { createHttpEndpoint } from '../../../src/upstream/endpoint.ts'
import { createLogger } from '../../../src/observability/logger.ts'
import { resolveHealthCheck } from '../../../src/upstream/health.ts'
import type { HealthCheckGroup, HealthCheckPlan, HealthVerdicts } from '../../../src/upstream/shared-health.ts'

function setup(answer: (plan: HealthCheckPlan[]) => Promise<HealthVerdicts>) {
  let now = 1_000_000
  let reads = 0
  const ns = {
    idFromName: (name: string) => ({ name }),
    get: () => ({
      verdicts: (plan: HealthCheckPlan[]) => {
        reads++
        return answer(plan)
      },
    }),
  }
  const group: HealthCheckGroup = {
    check: resolveHealthCheck({ interval: 1000, expected_status: ['2xx'] })!,
    endpoints: [createHttpEndpoint({ url: 'http://a.test', weight: 1 }), createHttpEndpoint({ url: 'http://b.test', weight: 1 })],
  }
  const health = createWorkerHealth(ns, createLogger('error', () => {}), () => now)
  health.start(new Map([['up#0', group]]))
  const waited: Promise<unknown>[] = []
  const sync = () => health.sync((p) => waited.push(p))
  return { group, sync, waited, reads: () => reads, advance: (ms: number) => {
      now += ms
    },
  }
}

describe('worker health verdicts', () => {
  it('a cold isolate waits for the verdicts; then one read per TTL, stale ones refreshed in the background', async () => {
    let bHealthy = false
    const h = setup(async (plan) => {
      expect(plan[0].check.expected_status).toEqual(['2xx']) // the plan carries the check as data
      return { 'up#0': [true, bHealthy] }
    })
    const cold = h.sync()
    expect(cold).not.toBeNull()
    await cold
    expect(h.group.endpoints.map((t) => t.healthy)).toEqual([true, false])
    for (let i = 0; i < 100; i++) expect(h.sync()).toBeNull() // fresh: no read per request
    expect(h.reads()).toBe(1)

    bHealthy = true
    h.advance(1500) // stale (between one and two TTLs): served now, refreshed under waitUntil
    expect(h.sync()).toBeNull()
    expect(h.sync()).toBeNull()
    await Promise.all(h.waited)
    expect(h.reads()).toBe(2)
    expect(h.group.endpoints[1].healthy).toBe(true)
  })

  it('a cold read is held at most briefly when the object is slow, and the verdict lands when it answers', async () => {
    let release: (v: HealthVerdicts) => void = () => {}
    const h = setup(() => new Promise((r) => (release = r)))
    const started = performance.now()
    await h.sync()
    const held = performance.now() - started
    expect(held).toBeGreaterThanOrEqual(200)
    expect(held).toBeLessThan(1000)
    expect(h.group.endpoints[1].healthy).toBe(true) // nothing known yet: as before any check
    release({ 'up#0': [true, false] })
    await Promise.all(h.waited)
    expect(h.group.endpoints[1].healthy).toBe(false)
    expect(h.reads()).toBe(1)
  })

  it('a failing object keeps the last verdicts and is not asked again before the TTL', async () => {
    let fail = false
    const h = setup(async () => {
      if (fail) throw new Error('object unavailable')
      return { 'up#0': [false, true] }
    })
    await h.sync()
    fail = true
    h.advance(5000)
    await h.sync()
    expect(h.group.endpoints.map((t) => t.healthy)).toEqual([false, true])
    expect(h.sync()).toBeNull()
    expect(h.reads()).toBe(2)
  })
})
