/**
 * The shared store suite inside real workerd (Miniflare): Cloudflare KV and the Durable Object
 * store run the same cases as memory/Redis/Upstash, in the runtime they are built for.
 */
import { join } from 'node:path'
import { Miniflare } from 'miniflare'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { bundleWorker } from '../../adapters/cloudflare/bundle.ts'
import { storeCases } from '../stores/store-cases.ts'

type Result = { name: string; status: 'passed' | 'failed' | 'skipped'; error?: string }

let mf: Miniflare
const results: Record<string, Map<string, Result>> = {}

beforeAll(async () => {
  const script = await bundleWorker(undefined, join(import.meta.dirname, '../workerd/store-suite-worker.ts'))
  mf = new Miniflare({
    modules: true,
    script,
    compatibilityDate: '2026-01-01',
    kvNamespaces: ['STORE_KV'],
    durableObjects: { STORE_DO: 'PorticoStoreObject' },
  })
  for (const store of ['kv', 'durable_object']) {
    const res = await mf.dispatchFetch(`http://suite.test/?store=${store}`)
    const list = (await res.json()) as Result[]
    results[store] = new Map(list.map((r) => [r.name, r]))
  }
}, 60_000)

afterAll(async () => {
  await mf?.dispose()
})

for (const [store, label, atomic] of [
  ['durable_object', 'durable_object (in workerd)', true],
  ['kv', 'cloudflare_kv (in workerd)', false],
] as const) {
  describe(`store suite: ${label}`, () => {
    for (const c of storeCases) {
      if (c.requires === 'atomic' && !atomic) {
        it.skip(`${c.name} [skipped: ${store} is not atomic — KV has no read-modify-write; refused for exact limits]`, () => {})
        continue
      }
      it(c.name, () => {
        const r = results[store]?.get(c.name)
        expect(r, 'case ran in workerd').toBeDefined()
        if (r!.status === 'failed') throw new Error(r!.error)
        expect(r!.status).toBe('passed')
      })
    }
  })
}
