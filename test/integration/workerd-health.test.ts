/**
 * Active health checks on Workers, in real workerd (Miniflare with the PORTICO_HEALTH Durable
 * Object): two real backends on 127.0.0.1, one whose /health answers 503 while its data path
 * keeps answering 200 — so only active checks (not passive ejection) can take it out. Within a
 * polled deadline traffic goes only to the healthy one; once its /health recovers it gets
 * traffic again.
 */
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { Miniflare } from 'miniflare'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { bundleWorker } from '../../adapters/cloudflare/bundle.ts'

interface Backend {
  url: string
  healthStatus: number
  healthHits: number
  server: Server
}

async function startBackend(name: string): Promise<Backend> {
  const b = { url: '', healthStatus: 200, healthHits: 0 } as Backend
  b.server = createServer((req, res) => {
    if (req.url === '/health') {
      b.healthHits++
      res.writeHead(b.healthStatus).end()
      return
    }
    res.writeHead(200, { 'content-type': 'text/plain' }).end(name)
  })
  await new Promise<void>((resolve) => b.server.listen(0, '127.0.0.1', resolve))
  b.url = `http://127.0.0.1:${(b.server.address() as AddressInfo).port}`
  return b
}

let mf: Miniflare | undefined
let a: Backend
let b: Backend

beforeAll(async () => {
  a = await startBackend('A')
  b = await startBackend('B')
  b.healthStatus = 503
  const config = [
    'listeners: [{ id: public, address: "127.0.0.1:0" }]',
    'logging: { access_log: false }',
    'routes:',
    '  - id: svc',
    '    path: /svc',
    '    path_prefix: true',
    '    strip_prefix: true',
    `    backends: [{ url: "${a.url}" }, { url: "${b.url}" }]`,
    '    health_check: { path: /health, interval: 200ms, timeout: 300ms, healthy_after: 2, unhealthy_after: 2, expected_status: ["2xx"] }',
  ].join('\n')
  mf = new Miniflare({
    modules: true,
    script: await bundleWorker(),
    compatibilityDate: '2026-01-01',
    bindings: { PORTICO_CONFIG: config },
    durableObjects: { PORTICO_HEALTH: 'PorticoHealthObject' },
  })
  await mf.ready
}, 60_000)

afterAll(async () => {
  await mf?.dispose()
  for (const s of [a?.server, b?.server]) if (s) await new Promise((r) => s.close(r))
})

async function servers(n: number): Promise<string[]> {
  const out: string[] = []
  for (let i = 0; i < n; i++) {
    const res = await mf!.dispatchFetch(`http://gw.test/svc/x?i=${i}`)
    out.push(res.status === 200 ? await res.text() : String(res.status))
  }
  return out
}

/** Polls until ten requests in a row are answered as `want` says, or the deadline passes. */
async function until(want: (seen: string[]) => boolean, deadlineMs: number): Promise<string[]> {
  const end = Date.now() + deadlineMs
  let seen: string[] = []
  while (Date.now() < end) {
    seen = await servers(10)
    if (want(seen)) return seen
  }
  return seen
}

it('a backend failing /health gets no traffic within the deadline, and gets it again once healthy', async () => {
  const t0 = Date.now()
  const onlyA = await until((s) => s.every((x) => x === 'A'), 8000)
  const ejectMs = Date.now() - t0
  expect(onlyA).toEqual(new Array(10).fill('A'))
  // The verdict came from probes of /health (its data path never failed).
  expect(b.healthHits).toBeGreaterThanOrEqual(2)
  // And it stays out: the next requests are all A as well.
  expect(await servers(10)).toEqual(new Array(10).fill('A'))

  b.healthStatus = 200
  const t1 = Date.now()
  const both = await until((s) => s.includes('B') && s.includes('A'), 8000)
  expect(both).toContain('B')
  expect(both).toContain('A')
  // Figures for docs/load-balancing.md: interval 200 ms, threshold 2, so ≥ 400 ms plus one TTL.
  console.log(`[workerd-health] out of traffic after ${ejectMs} ms from start, back after ${Date.now() - t1} ms`)
}, 30_000)
