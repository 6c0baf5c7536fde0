/**
 * Two Workers isolates sharing one Durable Object: the same Portico worker loaded twice in real
 * workerd (Miniflare, two named workers = two isolates), the store object owned by the first
 * and bound by the second. Together they admit exactly burst + rate × elapsed (± 1) under a
 * flood of ≥ 2,000 requests, counted at a real upstream.
 */
import { Miniflare } from 'miniflare'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { bundleWorker } from '../../adapters/cloudflare/bundle.ts'
import { admittedRange, type CountingUpstream, flood, startCountingUpstream } from '../helpers/flood.ts'

const BURST = 100
const RATE = 5
let mf: Miniflare
let upstream: CountingUpstream
let urlA: string
let urlB: string

beforeAll(async () => {
  upstream = await startCountingUpstream()
  const config = [
    'listeners: [{ id: public, address: "127.0.0.1:0" }]',
    'admin: { enabled: false }',
    'logging: { access_log: false, level: warn }',
    'store: { type: durable_object, shards: 4 }',
    'routes:',
    '  - id: flood',
    '    path: /flood',
    `    backends: [{ url: "${upstream.url}" }]`,
    `    rate_limit: { rate: ${RATE}, period: 1s, burst: ${BURST}, mode: distributed, key: ip }`,
    // biome-ignore lint/suspicious/noTemplateCurlyInString: Portico's own ${env:X} syntax, not a JS template
    '    transform: { response: { headers: { add: { X-Edge: "${env:EDGE}" } } } }',
  ].join('\n')
  const script = await bundleWorker()
  const common = { modules: true, script, compatibilityDate: '2026-01-01' }
  mf = new Miniflare({
    host: '127.0.0.1',
    port: 0,
    workers: [
      { ...common, name: 'edge-a', bindings: { PORTICO_CONFIG: config, EDGE: 'a' }, unsafeDirectSockets: [{ host: '127.0.0.1', port: 0 }], durableObjects: { PORTICO_DO: 'PorticoStoreObject' } },
      { ...common, name: 'edge-b', bindings: { PORTICO_CONFIG: config, EDGE: 'b' }, unsafeDirectSockets: [{ host: '127.0.0.1', port: 0 }], durableObjects: { PORTICO_DO: { className: 'PorticoStoreObject', scriptName: 'edge-a' } } },
    ],
  })
  await mf.ready
  // One socket per worker: requests reach each isolate directly.
  urlA = `${(await mf.unsafeGetDirectURL('edge-a')).origin}/flood`
  urlB = `${(await mf.unsafeGetDirectURL('edge-b')).origin}/flood`
}, 60_000)

afterAll(async () => {
  await mf?.dispose()
  await upstream?.close()
})

it('durable_object: two isolates sharing one store object admit burst + rate × elapsed (± 1)', async () => {
  // Each isolate stamps its own name: the flood really reaches both.
  const a = await fetch(urlA)
  const b = await fetch(urlB)
  expect([a.status, b.status]).toEqual([200, 200])
  expect([a.headers.get('x-edge'), b.headers.get('x-edge')]).toEqual(['a', 'b'])
  await new Promise((r) => setTimeout(r, 400)) // 2 tokens back: the flood starts from a known state
  upstream.reset()
  const r = await flood(
    [urlA, urlB],
    { minRequests: 2000, minDurationMs: 2000, concurrency: 32 },
  )
  const hits = upstream.hits()
  // The bucket held BURST − 2 + 2 refilled (capped at BURST) when the flood began.
  const [lo, hi] = admittedRange(r, BURST, RATE, 1000)
  console.log(`[exactness] workerd 2 isolates + DO: sent ${r.sent} in ${Math.round(r.tEnd - r.tStart)} ms, admitted ${hits} (expected ${lo}..${hi})`)
  expect(r.sent).toBeGreaterThanOrEqual(2000)
  expect(r.errors).toBe(0)
  expect(hits).toBe(r.byStatus[200] ?? 0)
  expect(hits).toBeGreaterThanOrEqual(lo)
  expect(hits).toBeLessThanOrEqual(hi)
  expect(hi - lo).toBeLessThanOrEqual(4)
})
