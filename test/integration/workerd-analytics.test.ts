/** The worker with a real (Miniflare-simulated) Analytics Engine binding configured serves normally. */
import { Miniflare } from 'miniflare'
import { afterAll, expect, it } from 'vitest'
import { bundleWorker } from '../../adapters/cloudflare/bundle.ts'

let mf: Miniflare | undefined
afterAll(async () => {
  await mf?.dispose()
})

it('serves with cloudflare.analytics_engine_binding bound to a dataset', async () => {
  const config = [
    'listeners: [{ id: public, address: "127.0.0.1:0" }]',
    'cloudflare: { analytics_engine_binding: PORTICO_ANALYTICS }',
    'routes: [{ id: echo, path: /echo, path_prefix: true, echo: true }]',
  ].join('\n')
  mf = new Miniflare({
    modules: true,
    script: await bundleWorker(),
    compatibilityDate: '2026-01-01',
    bindings: { PORTICO_CONFIG: config },
    analyticsEngineDatasets: { PORTICO_ANALYTICS: { dataset: 'portico' } },
  })
  const res = await mf.dispatchFetch('http://gw.test/echo/x')
  expect(res.status).toBe(200)
  await res.text()
  const miss = await mf.dispatchFetch('http://gw.test/nowhere')
  expect(miss.status).toBe(404)
  await miss.text()
})
