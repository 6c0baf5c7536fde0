import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { formatIssues } from '../../../src/config/issues.ts'
import { parseConfig } from '../../../src/config/load.ts'
import type { Config } from '../../../src/config/types.ts'
import type { HttpEndpoint } from '../../../src/upstream/endpoint.ts'
import { createPoolRegistry, type PoolRegistry } from '../../../src/upstream/registry.ts'

// A real upstream for the HTTP probes: /health answers `status`, and counts its hits.
const health = { status: 200, hits: 0 }
let server: Server
let A: string
let B: string
beforeAll(async () => {
  server = createServer((req, res) => {
    if (req.url?.endsWith('/health')) health.hits++
    res.writeHead(req.url?.endsWith('/health') ? health.status : 200)
    res.end()
  })
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
  const port = (server.address() as AddressInfo).port
  A = `http://127.0.0.1:${port}/a`
  B = `http://127.0.0.1:${port}/b`
})
afterAll(() => new Promise((r) => server.close(r)))

function config(yaml: string): Config {
  const r = parseConfig(`listeners: [{ id: p, address: "127.0.0.1:0" }]\n${yaml}`, 'portico.yaml', { env: {} })
  if (!r.ok) throw new Error(formatIssues(r.issues))
  return r.config
}

/** A route over an upstream named `up`, with the given backends and upstream settings. */
const upstreamConfig = (urls: string[], extra = '') =>
  config(`upstreams:\n  up:\n    backends: [${urls.map((u) => `{ url: "${u}" }`).join(', ')}]\n${extra}routes:\n  - { id: r, path: /r, upstream: up }`)

/** The adapter's timers, recorded: which intervals run, and how often each was started. */
function timers() {
  const running = new Set<number>()
  let starts = 0
  return {
    running,
    get starts() {
      return starts
    },
    schedule(everyMs: number) {
      starts++
      const id = starts
      running.add(id)
      void everyMs
      return () => running.delete(id)
    },
  }
}

const silent = { warn() {}, error() {} }

function registry(t = timers()): PoolRegistry {
  return createPoolRegistry({ fetch: (i, init) => fetch(i, init), schedule: (ms) => t.schedule(ms), logger: silent, runtimeName: 'node' })
}

async function until(what: string, ok: () => boolean): Promise<void> {
  const deadline = Date.now() + 5000
  while (!ok()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await new Promise((r) => setTimeout(r, 10))
  }
}

const endpoint = (reg: { owners: ReadonlyMap<string, readonly HttpEndpoint[]> }, owner: string, url: string) =>
  reg.owners.get(owner)?.find((e) => e.url === url)

describe('reconcile', () => {
  test('keeps live state by owner and url; a dropped endpoint is gone once the old version is released', () => {
    const reg = registry()
    const v1 = reg.reconcile(upstreamConfig([A, B]))
    const a = endpoint(v1, 'up', A)!
    a.ewmaMs = 12
    a.ejectedUntil = 1e12
    a.inflight = 1
    const v2 = reg.reconcile(upstreamConfig([A], '    outlier_detection: { consecutive_errors: 1 }\n'))
    expect(endpoint(v2, 'up', A)).toBe(a)
    expect(a).toMatchObject({ ewmaMs: 12, ejectedUntil: 1e12, inflight: 1 })
    expect(v2.targets('r')!.pool.pick('', 0)).toBeNull() // the kept ejection still holds
    v1.release()
    expect(reg.snapshot(0).map((b) => b.url)).toEqual([A])
    expect(v1.snapshot(0).map((b) => b.url)).toEqual([A, B]) // an old version still shows its own
  })

  test('the same url under another owner is another endpoint', () => {
    const reg = registry()
    const v = reg.reconcile(config(`upstreams:\n  up: { backends: [{ url: "${A}" }] }\nroutes:\n  - { id: r, path: /r, upstream: up }\n  - { id: own, path: /own, backends: [{ url: "${A}" }] }`))
    expect(endpoint(v, 'up', A)).not.toBe(endpoint(v, 'route:own', A))
  })

  test('a rejected next version, once released, gives the registry back the live one with its state', () => {
    const reg = registry()
    const v1 = reg.reconcile(upstreamConfig([A, B]))
    const b = endpoint(v1, 'up', B)!
    b.ewmaMs = 7
    const v2 = reg.reconcile(upstreamConfig([A]))
    expect(reg.snapshot(0).map((e) => e.url)).toEqual([A])
    v2.release()
    expect(reg.snapshot(0).map((e) => e.url)).toEqual([A, B])
    expect(endpoint(v1, 'up', B)).toBe(b)
    expect(b.ewmaMs).toBe(7)
  })

  test('a changed weight is taken; the balancer is rebuilt over it', () => {
    const reg = registry()
    reg.reconcile(upstreamConfig([A, B]))
    const v2 = reg.reconcile(config(`upstreams:\n  up: { backends: [{ url: "${A}", weight: 3 }, { url: "${B}" }] }\nroutes:\n  - { id: r, path: /r, upstream: up }`))
    const picks = Array.from({ length: 8 }, () => v2.targets('r')!.pool.pick('', 0)!.url)
    expect(picks.filter((u) => u === A)).toHaveLength(6)
  })

  test('with outlier detection gone from the config, a kept ejection is lifted', () => {
    const reg = registry()
    const v1 = reg.reconcile(upstreamConfig([A], '    outlier_detection: { consecutive_errors: 1 }\n'))
    endpoint(v1, 'up', A)!.ejectedUntil = 1e12
    const v2 = reg.reconcile(upstreamConfig([A]))
    expect(v2.available(0)).toBe(1)
  })
})

describe('health checks across versions', () => {
  const check = (interval: string) => `    health_check: { path: /health, interval: ${interval}, unhealthy_after: 1, healthy_after: 2 }\n`

  test('an unchanged check keeps its timer and its verdict; a changed one restarts, verdict kept; the last release stops all', async () => {
    const t = timers()
    const reg = registry(t)
    health.status = 503
    const v1 = reg.reconcile(upstreamConfig([A], check('1h')))
    const a = endpoint(v1, 'up', A)!
    await until('the first round to fail', () => !a.healthy)
    expect(t.starts).toBe(1)
    health.status = 200
    const hits = health.hits
    const v2 = reg.reconcile(upstreamConfig([A, B], check('1h')))
    v1.release()
    expect(t.starts).toBe(1) // A and B share the unchanged settings group: B joins the running timer
    expect(health.hits).toBe(hits) // no round was started again
    expect(a.healthy).toBe(false)
    const v3 = reg.reconcile(upstreamConfig([A], check('2h')))
    v2.release()
    expect(t.starts).toBe(2)
    expect(t.running.size).toBe(1)
    expect(a.healthy).toBe(false) // the verdict is the endpoint's, not the timer's
    v3.release()
    expect(t.running.size).toBe(0)
  })

  test('an endpoint no check watches any more takes traffic again', async () => {
    const reg = registry()
    health.status = 503
    const v1 = reg.reconcile(upstreamConfig([A], check('1h')))
    const a = endpoint(v1, 'up', A)!
    await until('the first round to fail', () => !a.healthy)
    const v2 = reg.reconcile(upstreamConfig([A]))
    expect(a.healthy).toBe(true)
    expect(v2.available(0)).toBe(1)
    health.status = 200
  })
})

describe('update (discovery)', () => {
  test('new members without a reload: kept ones keep their state, pools pick the new set, checks follow', async () => {
    const t = timers()
    const reg = registry(t)
    health.status = 200
    const v = reg.reconcile(upstreamConfig([A], '    health_check: { path: /health, interval: 1h }\n'))
    const a = endpoint(v, 'up', A)!
    a.ewmaMs = 5
    const pool = v.targets('r')!.pool
    expect(reg.update('up', [{ url: A, weight: 1 }, { url: B, weight: 1 }])).toBe(true)
    expect(endpoint(v, 'up', A)).toBe(a)
    expect(a.ewmaMs).toBe(5)
    expect(new Set(Array.from({ length: 4 }, () => pool.pick('', 0)!.url))).toEqual(new Set([A, B]))
    expect(t.starts).toBe(1) // A and B share one settings group: the running timer takes B
    expect(reg.update('up', [{ url: B, weight: 1 }])).toBe(true)
    expect(pool.endpoints.map((e) => e.url)).toEqual([B])
    expect(reg.snapshot(0).map((e) => e.url)).toEqual([B])
    expect(reg.update('nobody', [])).toBe(false)
    expect(reg.update('up', [])).toBe(true)
    expect(pool.pick('', 0)).toBeNull() // an empty pool picks nothing
    reg.close()
    expect(t.running.size).toBe(0)
  })
})
