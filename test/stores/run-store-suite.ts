/** Registers the shared store cases with vitest for one store. */
import { afterAll, beforeAll, describe, it } from 'vitest'
import type { Store } from '../../src/core/store.ts'
import { storeCases } from './store-cases.ts'

export interface StoreSuiteOptions {
  /** false for stores without atomic read-modify-write: those cases are skipped, with the reason in their name. */
  atomic?: boolean
}

export function runStoreSuite(label: string, makeStore: () => Store | Promise<Store>, options: StoreSuiteOptions = {}): void {
  describe(`store suite: ${label}`, () => {
    let store: Store
    const run = `${Date.now().toString(36)}${Math.random().toString(36).slice(2, 6)}`
    beforeAll(async () => {
      store = await makeStore()
    })
    afterAll(async () => {
      await store?.close()
    })
    storeCases.forEach((c, i) => {
      if (c.requires === 'atomic' && options.atomic === false) {
        it.skip(`${c.name} [skipped: ${label} is not atomic — read-modify-write can interleave]`, () => {})
        return
      }
      it.concurrent(c.name, async () => {
        await c.run(store, (n) => `t:${run}:${i}:${n}`)
      })
    })
  })
}
